package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * No SDK thread outlives {@link CloudPhoneClient#close()}, even while the application still holds the closed
 * client (a field of a long-lived service, say). The client's own timer thread ends at once; java.net.http's
 * selector thread ends at close on JDK 21+ ({@code HttpClient.shutdownNow()}) and, on JDK 17, once its
 * HttpClient is garbage-collected, which the closed transport allows by letting go of it (the wait below
 * collects garbage while it polls, within a generous bound).
 */
class ThreadsAfterCloseTest {
  static final String SERVER = "1234567b8bab40ffb711234cb80d0234";

  @Test
  void noSdkThreadRemainsAfterCloseWhileTheClosedClientIsStillReferenced() throws Exception {
    try (FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().token("t").start()) {
      Set<Thread> before = SdkThreads.alive();
      CloudPhoneClient client = CloudPhoneClient.builder()
          .endpoint(server.endpoint())
          .projectId(server.projectId())
          .credentials(Credentials.token("t"))
          .retryPolicy(RetryPolicy.none())
          .build();
      ShareAppsRequest request = ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket")
          .objectPath("apps/app.tar").addServerIds(SERVER).build();
      client.shareApps(request);
      client.shareAppsAsync(request).get(10, TimeUnit.SECONDS); // starts the timeout thread and an HTTP worker
      Set<Thread> started = SdkThreads.startedSince(before);
      assertTrue(started.stream().anyMatch(t -> t.getName().startsWith("cph-sdk-timeouts")), started.toString());
      assertTrue(started.stream().anyMatch(t -> t.getName().startsWith("cph-sdk-http-")), started.toString());
      assertTrue(started.stream().anyMatch(t -> t.getName().startsWith("HttpClient-")
          && t.getName().endsWith("SelectorManager")), "the default transport is java.net.http: " + started);

      client.close();
      List<String> left = SdkThreads.awaitEnd(started, 60);

      assertEquals(List.of(), left, "threads of the closed client");
      // Still referenced here, and closed for good.
      IllegalStateException closed = assertThrows(IllegalStateException.class, () -> client.shareApps(request));
      assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
      assertFalse(client.toString().isEmpty());
      assertEquals(2, server.pushCount());
    }
  }

  @Test
  void aClosedJdkTransportSendsNothing() throws Exception {
    io.github.cphsdk.http.JdkHttpTransport transport = new io.github.cphsdk.http.JdkHttpTransport();
    transport.close();
    transport.close(); // idempotent
    io.github.cphsdk.http.HttpRequest request = io.github.cphsdk.http.HttpRequest.builder("GET",
        java.net.URI.create("http://127.0.0.1:9/never")).build();
    io.github.cphsdk.http.HttpTransportException sync = assertThrows(
        io.github.cphsdk.http.HttpTransportException.class, () -> transport.execute(request));
    assertEquals(io.github.cphsdk.http.HttpTransportException.Kind.CONNECT_FAILED, sync.kind());
    assertTrue(sync.getMessage().contains("the transport is closed; nothing was sent"), sync.getMessage());
    java.util.concurrent.ExecutionException async = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> transport.executeAsync(request).get(10, TimeUnit.SECONDS));
    assertEquals(io.github.cphsdk.http.HttpTransportException.Kind.CONNECT_FAILED,
        ((io.github.cphsdk.http.HttpTransportException) async.getCause()).kind());
  }
}
