package io.github.cphsdk.testkit;

import static io.github.cphsdk.testkit.TestHttp.S1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecordingTest {
  final FakeClock clock = new FakeClock(Instant.parse("2026-05-05T05:05:05Z"));
  FakeCloudPhoneServer server;
  TestHttp http;

  @BeforeEach
  void start() {
    server = FakeCloudPhoneServer.builder().token("secret-token-value").clock(clock).start();
    http = new TestHttp(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void recordsMethodPathQueryHeadersBodyTimeAndStatus() throws Exception {
    http.push("secret-token-value", S1);
    clock.advance(Duration.ofSeconds(7));
    http.listJobs(null, "request_ids=a%2Cb&limit=5");

    List<RecordedRequest> all = server.requests();
    assertEquals(2, all.size());
    RecordedRequest push = all.get(0);
    assertEquals(1, push.sequence());
    assertEquals("POST", push.method());
    assertEquals(http.shareApps(), push.path());
    assertEquals("", push.query());
    assertEquals(Operation.PUSH, push.operation());
    assertEquals("secret-token-value", push.header("x-auth-token").orElseThrow());
    assertEquals("application/json", push.header("CONTENT-TYPE").orElseThrow());
    assertTrue(push.headers().containsKey("content-type"), push.headers().keySet().toString());
    assertArrayEquals(TestHttp.pushBody(S1).getBytes(StandardCharsets.UTF_8), push.body());
    assertEquals(Instant.parse("2026-05-05T05:05:05Z"), push.receivedAt());
    assertEquals(200, push.responseStatus());

    RecordedRequest list = all.get(1);
    assertEquals(Operation.LIST_JOBS, list.operation());
    assertEquals("request_ids=a%2Cb&limit=5", list.query());
    assertEquals("a,b", list.queryParameter("request_ids").orElseThrow());
    assertEquals("5", list.queryParameter("limit").orElseThrow());
    assertFalse(list.queryParameter("offset").isPresent());
    assertEquals(0, list.body().length);
    assertEquals(Instant.parse("2026-05-05T05:05:12Z"), list.receivedAt());
    assertEquals(401, list.responseStatus());
  }

  @Test
  void snapshotsAreImmutableAndFilterable() throws Exception {
    http.push("secret-token-value", S1);
    List<RecordedRequest> snapshot = server.requests();
    http.listJobs("secret-token-value", "request_id=x");

    assertEquals(1, snapshot.size(), "a snapshot does not grow");
    assertThrows(UnsupportedOperationException.class, () -> snapshot.add(snapshot.get(0)));
    assertThrows(UnsupportedOperationException.class, () -> snapshot.get(0).headers().clear());
    byte[] body = snapshot.get(0).body();
    body[0] = 'X';
    assertEquals('{', snapshot.get(0).body()[0], "body() returns a copy");
    assertEquals(1, server.requests(Operation.LIST_JOBS).size());
    assertEquals(1, server.requests(Operation.PUSH).size());
    assertEquals(0, server.requests(Operation.DELETE).size());
  }

  @Test
  void onRequestSeesEveryRequestBeforeTheClientGetsItsAnswer() throws Exception {
    List<RecordedRequest> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (FakeCloudPhoneServer listened = FakeCloudPhoneServer.builder().token("t").onRequest(seen::add)
        .onRequest(r -> {
          seen.add(r);
          throw new IllegalStateException("ignored by the server");
        })
        .start()) {
      TestHttp h = new TestHttp(listened);
      assertEquals(200, h.push("t", S1).status, "a throwing listener does not change the answer");
      assertEquals(1, seen.size(), "the last listener given wins; it ran before the answer arrived");
      assertEquals(listened.requests(), seen);
      assertTrue(seen.get(0).applied());
      assertEquals(401, h.push("x", S1).status);
      assertEquals(2, seen.size());
      assertFalse(seen.get(1).applied());
    }
    assertThrows(NullPointerException.class, () -> FakeCloudPhoneServer.builder().onRequest(null));
  }

  @Test
  void toStringHidesSecrets() throws Exception {
    http.push("secret-token-value", S1);
    String text = server.requests().get(0).toString();
    assertFalse(text.contains("secret-token-value"), text);
    assertTrue(text.contains("x-auth-token=<redacted>"), text);
    assertTrue(text.contains("POST " + http.shareApps()), text);
  }

  @Test
  void clearRecordedForgetsRequestsAndCountersButKeepsJobs() throws Exception {
    String requestId = http.push("secret-token-value", S1).json().get("request_id").asText();
    assertEquals(1, server.pushCount());
    server.clearRecorded();
    assertEquals(List.of(), server.requests());
    assertEquals(0, server.pushCount());
    assertEquals(List.of(), server.pushedServerIds());
    assertEquals(1, http.listJobs("secret-token-value", "request_id=" + requestId).json().get("jobs").size());
    assertEquals(2, server.requests().get(0).sequence(), "sequence numbers keep counting");
  }
}
