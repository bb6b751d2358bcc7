package io.github.cphsdk.testkit;

import static io.github.cphsdk.testkit.TestHttp.S1;
import static io.github.cphsdk.testkit.TestHttp.S2;
import static io.github.cphsdk.testkit.TestHttp.S3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultTest {
  FakeCloudPhoneServer server;
  TestHttp http;

  @BeforeEach
  void start() {
    server = FakeCloudPhoneServer.builder().token("t").clock(new FakeClock()).start();
    http = new TestHttp(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void serviceUnavailableCarriesRetryAfterForTheNextNRequestsOnly() throws Exception {
    server.injectFault(Fault.serviceUnavailable(Duration.ofMillis(1500)).times(2));

    for (int i = 0; i < 2; i++) {
      TestHttp.Response r = http.push("t", S1);
      assertEquals(503, r.status);
      assertEquals("2", r.header("Retry-After"), "seconds, rounded up");
      assertTrue(r.header("Content-Type").startsWith("text/html"), r.header("Content-Type"));
      assertTrue(r.body.contains("503"), r.body);
      assertTrue(r.header("X-Request-Id").matches("[0-9a-f]{32}"));
    }
    assertEquals(200, http.push("t", S1).status);
    assertEquals(1, server.pushCount(), "the faulted pushes had no effect");
    assertEquals(List.of(503, 503, 200), statuses());
  }

  @Test
  void serviceUnavailableWithoutRetryAfter() throws Exception {
    server.injectFault(Fault.serviceUnavailable());
    TestHttp.Response r = http.push("t", S1);
    assertEquals(503, r.status);
    assertNull(r.header("Retry-After"));
  }

  @Test
  void throttledIs429Apigw0308() throws Exception {
    server.injectFault(Fault.throttled());
    server.injectFault(Fault.throttled(Duration.ofSeconds(3)));
    TestHttp.Response first = http.push("t", S1);
    assertEquals(429, first.status);
    assertEquals("APIGW.0308", first.errorCode());
    assertNull(first.header("Retry-After"));
    assertEquals(first.header("X-Request-Id"), first.json().get("request_id").asText());
    TestHttp.Response second = http.push("t", S1);
    assertEquals(429, second.status);
    assertEquals("3", second.header("Retry-After"));
    assertEquals(200, http.push("t", S1).status);
  }

  @Test
  void internalErrorIs500Cps0003() throws Exception {
    server.injectFault(Fault.internalError());
    TestHttp.Response r = http.push("t", S1);
    assertEquals(500, r.status);
    assertEquals("CPS.0003", r.errorCode());
    assertEquals(0, server.pushCount());
  }

  @Test
  void faultsApplyOnlyToMatchingRequestsAndBeforeAuthentication() throws Exception {
    server.injectFault(Fault.internalError().on(Operation.PUSH));
    String requestId = "ffffffffffffffffffffffffffffffff";
    assertEquals(200, http.listJobs("t", "request_id=" + requestId).status, "not a push: not consumed");
    assertEquals(500, http.push(null, S1).status, "the fault comes before authentication");
    assertEquals(401, http.push(null, S1).status);

    server.injectFault(Fault.throttled().matching("GET", "/jobs$"));
    assertEquals(404, http.showJob("t", requestId).status, "show job does not match the path pattern");
    assertEquals(429, http.listJobs("t", "request_id=" + requestId).status);
  }

  @Test
  void faultsAreUsedInTheOrderInjected() throws Exception {
    server.injectFault(Fault.internalError());
    server.injectFault(Fault.throttled().times(2));
    assertEquals(500, http.push("t", S1).status);
    assertEquals(429, http.push("t", S1).status);
    assertEquals(429, http.push("t", S1).status);
    assertEquals(200, http.push("t", S1).status);
  }

  @Test
  void clearFaultsDisarmsThem() throws Exception {
    server.injectFault(Fault.internalError().times(5));
    assertEquals(500, http.push("t", S1).status);
    server.clearFaults();
    assertEquals(200, http.push("t", S1).status);
  }

  @Test
  void customErrorAndRawAnswers() throws Exception {
    server.injectFault(Fault.error(502, "APIG.0203", "Backend unavailable."));
    server.injectFault(Fault.response(200, "application/json", "{\"request_id\":\"{request_id}\",\"jobs\":null}")
        .withHeader("X-Extra", "1"));
    TestHttp.Response gateway = http.push("t", S1);
    assertEquals(502, gateway.status);
    assertEquals("APIG.0203", gateway.errorCode());
    TestHttp.Response raw = http.push("t", S1);
    assertEquals(200, raw.status);
    assertEquals("1", raw.header("X-Extra"));
    assertEquals(raw.header("X-Request-Id"), raw.json().get("request_id").asText());
    assertTrue(raw.json().get("jobs").isNull());
    assertEquals(0, server.pushCount());
  }

  @Test
  void oversizedBodyHasExactlyTheAskedSizeAndIsValidJson() throws Exception {
    int size = 3 * 1024 * 1024 + 7;
    server.injectFault(Fault.oversizedBody(size));
    TestHttp.Response r = http.push("t", S1);
    assertEquals(200, r.status);
    assertEquals(size, r.body.length());
    assertNull(r.header("Content-Length"), "sent chunked");
    JsonNode json = r.json();
    assertEquals(r.header("X-Request-Id"), json.get("request_id").asText());
    assertEquals(0, json.get("jobs").size());
  }

  @Test
  void droppedConnectionIsAnIOExceptionAndTheRequestWasNotApplied() throws Exception {
    server.injectFault(Fault.dropConnection().on(Operation.PUSH));
    TestHttp fresh = new TestHttp(server);
    IOException e = assertThrows(IOException.class, () -> fresh.push("t", S1));
    assertFalse(e instanceof java.net.ConnectException, e.toString());

    RecordedRequest recorded = server.requests().get(0);
    assertEquals(0, recorded.responseStatus(), "recorded as dropped");
    assertEquals(TestHttp.pushBody(S1), recorded.bodyUtf8(), "the whole request was read");
    assertEquals(0, server.pushCount());
    assertEquals(200, http.push("t", S1).status, "only the next request was dropped");
  }

  @Test
  void droppedConnectionAfterApplyingStartedTheJobs() throws Exception {
    server.injectFault(Fault.dropConnectionAfterApplying());
    TestHttp fresh = new TestHttp(server);
    assertThrows(IOException.class, () -> fresh.push("t", S1, S2));
    assertEquals(1, server.pushCount());
    assertEquals(List.of(S1, S2), server.pushedServerIds());
    assertEquals(0, server.requests().get(0).responseStatus());
  }

  @Test
  void delayedAnswerDoesNotHoldUpOtherRequestsAndCloseEndsIt() throws Exception {
    server.injectFault(Fault.delay(Duration.ofMinutes(10)).on(Operation.PUSH));
    TestHttp slow = new TestHttp(server);
    CompletableFuture<TestHttp.Response> delayed = slow.sendAsync(slow.request("POST", slow.shareApps(),
        TestHttp.pushBody(S1)).header("X-Auth-Token", "t").timeout(Duration.ofMinutes(20)));

    // Wait (bounded) until the push has arrived; it is carried out and recorded before the delay starts.
    for (int i = 0; i < 2000 && server.requests(Operation.PUSH).isEmpty(); i++) {
      Thread.sleep(5);
    }
    assertEquals(1, server.requests(Operation.PUSH).size(), "the push never arrived");
    assertEquals(1, server.pushCount());
    // Another request is served while the push waits.
    TestHttp.Response list = http.listJobs("t", "request_id=ffffffffffffffffffffffffffffffff");
    assertEquals(200, list.status);
    assertFalse(delayed.isDone());

    server.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> delayed.get(30, TimeUnit.SECONDS));
    assertInstanceOf(IOException.class, e.getCause());
  }

  @Test
  void shortDelayThenTheNormalAnswer() throws Exception {
    server.injectFault(Fault.delay(Duration.ofMillis(50)));
    TestHttp.Response r = http.push("t", S1);
    assertEquals(200, r.status);
    assertEquals(1, r.json().get("jobs").size());
  }

  @Test
  void appliedTellsWhichRequestsWereCarriedOut() throws Exception {
    server.injectFault(Fault.serviceUnavailable(Duration.ZERO).on(Operation.PUSH));
    server.injectFault(Fault.throttled().on(Operation.PUSH));
    server.injectFault(Fault.internalError().on(Operation.PUSH));
    server.injectFault(Fault.dropConnection().on(Operation.PUSH));
    server.injectFault(Fault.dropConnectionAfterApplying().on(Operation.PUSH));
    server.injectFault(Fault.delay(Duration.ofMillis(1)).on(Operation.PUSH));
    for (int i = 0; i < 6; i++) {
      try {
        new TestHttp(server).push("t", S1);
      } catch (IOException dropped) {
        // the two dropped connections
      }
    }
    http.push("t", S1);
    http.push("wrong-token", S1);
    http.push("t", "not-a-server-id");

    List<Boolean> applied = server.requests().stream().map(RecordedRequest::applied).collect(Collectors.toList());
    assertEquals(List.of(false, false, false, false, true, true, true, false, true), applied);
    assertEquals(List.of(503, 429, 500, 0, 0, 200, 200, 401, 200), statuses());
    assertEquals(4, server.pushCount(), "applied() agrees with pushCount()");
    assertTrue(server.requests().get(4).toString().contains("dropped, applied"), server.requests().get(4).toString());
  }

  @Test
  void aFaultForOneServerHitsOnlyTheRequestListingItAndItsRetryPasses() throws Exception {
    server.injectFault(Fault.throttled().forServer(S2).on(Operation.PUSH));

    assertEquals(200, http.push("t", S1).status, "a push without S2 passes the fault by");
    assertTrue(http.send("DELETE", http.shareApps(), TestHttp.deleteBody("a.b", S2), "t").status != 429,
        "a delete is not a push");
    TestHttp.Response hit = http.push("t", S3, S2);
    assertEquals(429, hit.status);
    assertEquals("APIGW.0308", hit.errorCode());
    assertEquals(200, http.push("t", S3, S2).status, "times(1): the retry of that batch is answered normally");
    assertEquals(429, statuses().get(2));
    assertEquals(List.of(S1, S3, S2), server.pushedServerIds());
    assertTrue(Fault.throttled().forServer(S2).toString().contains("server=" + S2));
  }

  @Test
  void aFaultFromTheNthRequestLetsTheEarlierOnesPass() throws Exception {
    server.injectFault(Fault.internalError().on(Operation.PUSH).fromRequest(3).times(2));

    assertEquals(200, http.listJobs("t", "request_id=" + "0".repeat(32)).status, "not a push: not counted");
    for (int i = 0; i < 5; i++) {
      http.push("t", S1);
    }
    assertEquals(List.of(200, 200, 200, 500, 500, 200), statuses());
    assertTrue(Fault.internalError().fromRequest(3).toString().contains("fromRequest=3"));
    assertThrows(IllegalArgumentException.class, () -> Fault.internalError().fromRequest(0));
  }

  @Test
  void aFaultForOneServerAndAnEarlierCatchAllAreTakenInOrder() throws Exception {
    server.injectFault(Fault.serviceUnavailable().forServer(S1).fromRequest(2));
    server.injectFault(Fault.throttled().on(Operation.PUSH));

    assertEquals(429, http.push("t", S2).status, "S2 only: the catch-all");
    assertEquals(200, http.push("t", S1).status, "the first request listing S1 passes (fromRequest(2))");
    assertEquals(503, http.push("t", S1).status, "the second one gets the fault");
    assertEquals(200, http.push("t", S1).status);
  }

  @Test
  void faultArgumentsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> Fault.internalError().times(0));
    assertThrows(IllegalArgumentException.class, () -> Fault.delay(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> Fault.serviceUnavailable(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> Fault.error(99, "X", "y"));
    assertThrows(IllegalArgumentException.class, () -> Fault.oversizedBody(10));
    assertThrows(IllegalArgumentException.class, () -> Fault.internalError().on());
    assertThrows(IllegalStateException.class, () -> Fault.dropConnection().withHeader("a", "b"));
    assertTrue(Fault.throttled().times(3).on(Operation.PUSH).toString().contains("times=3"));
  }

  private List<Integer> statuses() {
    return server.requests().stream().map(RecordedRequest::responseStatus).collect(Collectors.toList());
  }
}
