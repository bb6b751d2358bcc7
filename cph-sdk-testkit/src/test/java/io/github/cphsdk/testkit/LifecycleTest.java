package io.github.cphsdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void listensOnLoopbackOnAFreePort() {
    try (FakeCloudPhoneServer a = FakeCloudPhoneServer.builder().start();
        FakeCloudPhoneServer b = FakeCloudPhoneServer.builder().start()) {
      assertEquals("http", a.endpoint().getScheme());
      assertEquals("127.0.0.1", a.endpoint().getHost());
      assertEquals("", a.endpoint().getPath());
      assertTrue(a.endpoint().getPort() > 0);
      assertNotEquals(a.endpoint().getPort(), b.endpoint().getPort());
      assertEquals(FakeCloudPhoneServer.DEFAULT_PROJECT_ID, a.projectId());
      assertTrue(a.toString().contains(a.endpoint().toString()));
    }
  }

  @Test
  void closeReleasesThePortAndIsIdempotent() throws Exception {
    FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().start();
    int port = server.endpoint().getPort();
    new TestHttp(server).push(null, TestHttp.S1); // leave a kept-alive connection open
    server.close();
    server.close();

    assertThrows(ConnectException.class, () -> new Socket(InetAddress.getByName("127.0.0.1"), port).close());
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      assertEquals(port, again.getLocalPort());
    }
  }

  @Test
  void closedServerRefusesRequests() throws Exception {
    FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().start();
    TestHttp http = new TestHttp(server);
    server.close();
    assertThrows(IOException.class, () -> http.push(null, TestHttp.S1));
    assertTrue(server.toString().contains("closed"));
  }

  @Test
  void serverThreadsAreDaemons() throws Exception {
    try (FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().start()) {
      new TestHttp(server).push(null, TestHttp.S1); // make a handler thread exist
      int handlers = 0;
      int dispatchers = 0;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        boolean handler = t.getName().startsWith("fake-cph-");
        boolean dispatcher = t.getName().startsWith("HTTP-Dispatcher");
        if (handler || dispatcher || t.getName().startsWith("server-timer")) {
          assertTrue(t.isDaemon(), t.getName() + " is not a daemon");
        }
        handlers += handler ? 1 : 0;
        dispatchers += dispatcher ? 1 : 0;
      }
      assertTrue(handlers >= 1, "no handler thread found");
      assertTrue(dispatchers >= 1, "no dispatcher thread found (the test thread is not a daemon, so it would be"
          + " inherited)");
    }
  }

  @Test
  void loadingTheClassTurnsOffNagleForTheJdkServer() {
    FakeCloudPhoneServer.builder(); // initializes the class
    assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"));
  }

  @Test
  void builderRejectsBadArgumentsNamingTheField() {
    FakeCloudPhoneServer.Builder b = FakeCloudPhoneServer.builder();
    assertMessage(assertThrows(IllegalArgumentException.class, () -> b.projectId("a/b")), "projectId");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> b.token(" ")), "token");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> b.akSk("AK", "")), "secretKey");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> b.jobDuration(Duration.ofSeconds(-1))),
        "jobDuration");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> b.maxServersPerRequest(0)),
        "maxServersPerRequest");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> b.servers("too-short")), "serverId");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> b.sharedApp(TestHttp.S1, "nodot")),
        "packageName");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> b.threads(0)), "threads");
  }

  @Test
  void fakeClockMovesOnlyWhenTold() {
    FakeClock clock = new FakeClock();
    assertEquals(FakeClock.DEFAULT_START, clock.instant());
    assertEquals(FakeClock.DEFAULT_START.plusSeconds(5), clock.advance(Duration.ofSeconds(5)));
    Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    clock.advance(Duration.ofMinutes(1));
    assertEquals(clock.instant(), paris.instant(), "zoned copies share the time");
    clock.set(Instant.EPOCH);
    assertEquals(Instant.EPOCH, clock.instant());
    assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)));
  }

  private static void assertMessage(IllegalArgumentException e, String field) {
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }
}
