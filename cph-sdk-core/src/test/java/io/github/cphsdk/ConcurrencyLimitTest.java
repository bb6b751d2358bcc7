package io.github.cphsdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code maxConcurrentRequests}: the exchanges in flight per client are bounded; the rest wait their turn. */
class ConcurrencyLimitTest {
  static final String ANSWER = "{\"request_id\":\"r\",\"jobs\":[{\"server_id\":\"1234567b8bab40ffb711234cb80d0234\","
      + "\"job_id\":\"j\"}]}";

  /** A transport whose exchanges end only when the test says so. */
  static final class HeldTransport implements HttpTransport {
    final List<CompletableFuture<HttpResponse>> exchanges = new CopyOnWriteArrayList<>();
    final java.util.concurrent.CountDownLatch syncEntered = new java.util.concurrent.CountDownLatch(1);
    volatile java.util.concurrent.CountDownLatch holdSync;

    @Override
    public HttpResponse execute(HttpRequest request) {
      java.util.concurrent.CountDownLatch hold = holdSync;
      if (hold != null) {
        syncEntered.countDown();
        try {
          hold.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return answer();
    }

    @Override
    public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
      CompletableFuture<HttpResponse> f = new CompletableFuture<>();
      exchanges.add(f);
      return f;
    }

    static HttpResponse answer() {
      return HttpResponse.of(200, Map.of(), ANSWER.getBytes(StandardCharsets.UTF_8), false);
    }

    void answer(int i) {
      exchanges.get(i).complete(answer());
    }
  }

  final HeldTransport transport = new HeldTransport();
  final FakeTiming timing = new FakeTiming();
  CloudPhoneClient client;

  CloudPhoneClient client(int maxConcurrentRequests) {
    client = CloudPhoneClient.builder()
        .endpoint(URI.create("http://127.0.0.1:9"))
        .projectId("0123456789abcdef0123456789abcdef")
        .credentials(Credentials.token("token"))
        .retryPolicy(RetryPolicy.none())
        .transport(transport)
        .completionExecutor(Runnable::run)
        .attemptTimeout(Duration.ofSeconds(5))
        .maxConcurrentRequests(maxConcurrentRequests)
        .timing(timing)
        .build();
    return client;
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  static ShareAppsRequest request() {
    return ShareAppsRequest.builder().packageName("com.example.game").bucketName("bucket")
        .objectPath("apps/game.tar").addServerIds("1234567b8bab40ffb711234cb80d0234").build();
  }

  @Test
  void asyncCallsBeyondTheLimitWaitAndGoOutAsSlotsFree() throws Exception {
    client(2);
    List<CompletableFuture<ShareAppsResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(client.shareAppsAsync(request()));
    }
    assertEquals(2, transport.exchanges.size(), "only two exchanges may be in flight");
    transport.answer(0);
    assertEquals(1, calls.get(0).get(5, TimeUnit.SECONDS).jobs().size());
    assertEquals(3, transport.exchanges.size(), "the freed slot went to the next call");
    transport.answer(1);
    transport.answer(2);
    assertEquals(5, transport.exchanges.size());
    transport.answer(3);
    transport.answer(4);
    for (CompletableFuture<ShareAppsResponse> c : calls) {
      assertEquals(1, c.get(5, TimeUnit.SECONDS).jobs().size());
    }
  }

  @Test
  void aCancelledWaitingCallIsNeverSent() throws Exception {
    client(1);
    CompletableFuture<ShareAppsResponse> first = client.shareAppsAsync(request());
    CompletableFuture<ShareAppsResponse> waiting = client.shareAppsAsync(request());
    CompletableFuture<ShareAppsResponse> third = client.shareAppsAsync(request());
    assertTrue(waiting.cancel(true));
    transport.answer(0);
    first.get(5, TimeUnit.SECONDS);
    assertEquals(2, transport.exchanges.size(), "the slot went to the third call, not the cancelled one");
    transport.answer(1);
    third.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aCallThatWaitsLongerThanItsAttemptTimeoutFailsAsNotSent() {
    client(1);
    client.shareAppsAsync(request()); // holds the only slot
    CompletableFuture<ShareAppsResponse> waiting = client.shareAppsAsync(request());
    timing.advance(Duration.ofSeconds(5)); // both attempt timers fire: the first's exchange, the waiter's wait
    ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
    CloudPhoneTimeoutException timeout = assertInstanceOf(CloudPhoneTimeoutException.class, e.getCause());
    assertFalse(timeout.mayHaveBeenApplied(), "it never left the queue");
    assertTrue(timeout.getMessage().contains("maxConcurrentRequests"), timeout.getMessage());
    assertEquals(1, transport.exchanges.size(), "the waiting call was never handed to the transport");
  }

  @Test
  void aSyncCallWaitsForASlotAndGivesUpAtItsAttemptTimeout() throws Exception {
    // the blocking wait runs on the real clock: a short attempt timeout
    client = CloudPhoneClient.builder()
        .endpoint(URI.create("http://127.0.0.1:9"))
        .projectId("0123456789abcdef0123456789abcdef")
        .credentials(Credentials.token("token"))
        .retryPolicy(RetryPolicy.none())
        .transport(transport)
        .attemptTimeout(Duration.ofMillis(50))
        .maxConcurrentRequests(1)
        .build();
    transport.holdSync = new java.util.concurrent.CountDownLatch(1);
    CompletableFuture<ShareAppsResponse> holder = CompletableFuture.supplyAsync(() -> client.shareApps(request()));
    assertTrue(transport.syncEntered.await(10, TimeUnit.SECONDS)); // it holds the only slot now
    try {
      CloudPhoneTimeoutException e = assertThrows(CloudPhoneTimeoutException.class, () -> client.shareApps(request()));
      assertFalse(e.mayHaveBeenApplied());
      assertTrue(e.getMessage().contains("connection slots"), e.getMessage());
    } finally {
      transport.holdSync.countDown();
    }
    assertEquals(1, holder.get(10, TimeUnit.SECONDS).jobs().size());
  }

  @Test
  void aSyncCallTakesTheSlotAnAsyncCallFrees() throws Exception {
    client(1);
    CompletableFuture<ShareAppsResponse> async = client.shareAppsAsync(request());
    CompletableFuture<ShareAppsResponse> sync = CompletableFuture.supplyAsync(() -> client.shareApps(request()));
    Thread.sleep(20); // give the sync caller time to queue; the result does not depend on it
    assertFalse(sync.isDone());
    transport.answer(0);
    async.get(5, TimeUnit.SECONDS);
    assertEquals(1, sync.get(5, TimeUnit.SECONDS).jobs().size());
  }

  @Test
  void theLimitIsCheckedAtTheBuilder() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CloudPhoneClient.builder().maxConcurrentRequests(0));
    assertTrue(e.getMessage().contains("maxConcurrentRequests"));
  }
}
