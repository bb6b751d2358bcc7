package io.github.cphsdk;

import static io.github.cphsdk.CloudPhoneClientTest.DOC_ANSWER;
import static io.github.cphsdk.CloudPhoneClientTest.PROJECT;
import static io.github.cphsdk.CloudPhoneClientTest.TOKEN;
import static io.github.cphsdk.CloudPhoneClientTest.json;
import static io.github.cphsdk.CloudPhoneClientTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.Harness.RecordingListener;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testsupport.RecordingTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Asynchronous calls: cancellation, waits that hold no thread, and closing the client under a call. */
class AsyncCallTest {
  MockWebServer server;
  FakeTiming timing;
  RecordingListener listener;
  RecordingTransport transport;
  CloudPhoneClient client;
  final List<ExecutorService> executors = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    timing = new FakeTiming();
    listener = new RecordingListener();
    transport = RecordingTransport.delegatingTo(new JdkHttpTransport());
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    executors.forEach(ExecutorService::shutdownNow);
    transport.close();
    server.close();
  }

  CloudPhoneClient client(UnaryOperator<CloudPhoneClient.Builder> settings) {
    client = settings.apply(CloudPhoneClient.builder()
        .endpoint(server.url("/").uri())
        .projectId(PROJECT)
        .credentials(Credentials.token(TOKEN))
        .retryPolicy(RetryPolicy.builder().backoff(BackoffStrategy.fixed(Duration.ofMillis(100))).build())
        .attemptTimeout(Duration.ofSeconds(5))
        .callTimeout(Duration.ofSeconds(60))
        .transport(transport)
        .listener(listener)
        .timing(timing)).build();
    return client;
  }

  static MockResponse busy(String retryAfter) {
    return new MockResponse.Builder().code(503).addHeader("Retry-After", retryAfter)
        .body("{\"error_code\":\"CPS.0011\",\"error_msg\":\"Service busy\"}").build();
  }

  static MockResponse hanging() {
    return new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).body(DOC_ANSWER).build();
  }

  @Test
  void cancellingWhileARetryIsPendingCancelsTheRetry() {
    client(b -> b);
    server.enqueue(busy("1"));
    server.enqueue(json(200, DOC_ANSWER));

    CompletableFuture<ShareAppsResponse> f = client.shareAppsAsync(request());
    Harness.awaitRetryPendingOrDone(f, timing, 0, 1);
    assertFalse(f.isDone());
    assertEquals(1, timing.pending(), "the retry waits in the timer");

    assertTrue(f.cancel(true));

    assertEquals(0, timing.pending(), "the pending retry was cancelled");
    assertFalse(timing.runNext(), "nothing left to run");
    assertTrue(f.isCancelled());
    assertEquals(1, server.getRequestCount(), "no further request reached the server");
    assertEquals(1, listener.count("started"));
  }

  @Test
  void cancellingCancelsTheExchangeInFlightAndItsTimer() throws Exception {
    client(b -> b);
    server.enqueue(hanging());

    CompletableFuture<ShareAppsResponse> f = client.shareAppsAsync(request());
    Harness.await(() -> transport.exchanges().size() == 1, "the exchange started");
    assertNotNull(server.takeRequest(10, TimeUnit.SECONDS), "the request reached the server");
    assertEquals(1, timing.pending(), "the attempt's timer");

    assertTrue(f.cancel(true));

    assertTrue(transport.exchanges().get(0).isCancelled(), "the exchange in flight was cancelled");
    assertEquals(0, timing.pending(), "the attempt's timer was cancelled");
    assertEquals(1, server.getRequestCount());
  }

  /** A {@link Timing} that forwards to another one and counts the tasks it scheduled. */
  static class ForwardingTiming implements Timing {
    final Timing delegate;
    final java.util.concurrent.atomic.AtomicInteger scheduled = new java.util.concurrent.atomic.AtomicInteger();

    ForwardingTiming(Timing delegate) {
      this.delegate = delegate;
    }

    @Override
    public long nanoTime() {
      return delegate.nanoTime();
    }

    @Override
    public Clock clock() {
      return delegate.clock();
    }

    @Override
    public void sleep(Duration delay) throws InterruptedException {
      delegate.sleep(delay);
    }

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
      Future<?> f = delegate.schedule(task, delay);
      scheduled.incrementAndGet();
      return f;
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /**
   * Runs zero-delay tasks before {@code schedule} returns: what a real scheduler thread may do when it
   * picks up an immediate retry before the scheduling thread has stored the returned future.
   */
  static final class EagerTiming extends ForwardingTiming {
    EagerTiming(Timing delegate) {
      super(delegate);
    }

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
      if (delay.isZero()) {
        task.run();
        return CompletableFuture.completedFuture(null);
      }
      return super.schedule(task, delay);
    }
  }

  @Test
  void cancellingAfterAnImmediateRetryCancelsTheRetrysExchange() throws Exception {
    // Immediate: Retry-After 0 and no backoff (Retry-After never shortens the backoff).
    client(b -> b.timing(new EagerTiming(timing))
        .retryPolicy(RetryPolicy.builder().backoff(BackoffStrategy.none()).build()));
    server.enqueue(busy("0"));
    server.enqueue(hanging());

    CompletableFuture<ShareAppsResponse> f = client.shareAppsAsync(request());
    Harness.await(() -> transport.exchanges().size() == 2, "the retry's exchange started");
    assertNotNull(server.takeRequest(10, TimeUnit.SECONDS));
    assertNotNull(server.takeRequest(10, TimeUnit.SECONDS), "the retry reached the server");

    assertTrue(f.cancel(true));

    assertTrue(transport.exchanges().get(1).isCancelled(), "the exchange in flight is the retry's, and it was cancelled");
    assertEquals(0, timing.pending(), "the retry's attempt timer was cancelled");
  }

  @Test
  void anAsyncBackoffHoldsNoThread() throws Exception {
    ExecutorService single = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "the-only-completion-thread");
      t.setDaemon(true);
      return t;
    });
    executors.add(single);
    client(b -> b.completionExecutor(single));
    server.enqueue(busy("30"));
    server.enqueue(json(200, DOC_ANSWER));

    CompletableFuture<ShareAppsResponse> f = client.shareAppsAsync(request());
    AtomicReference<String> completedOn = new AtomicReference<>();
    CompletableFuture<ShareAppsResponse> observed = f.whenComplete((r, e) -> completedOn.set(Thread.currentThread().getName()));
    Harness.awaitRetryPendingOrDone(f, timing, 0, 1);

    // The call is waiting 30 s for its retry ...
    assertFalse(f.isDone());
    assertEquals(Duration.ofSeconds(30), timing.scheduled().get(1));
    // ... and no thread is sleeping for it,
    assertEquals(List.of(), timing.slept(), "nobody called the blocking sleep");
    // (the HTTP thread that delivered the 503 may still be unwinding from the SDK's callback: wait for
    // that; a thread blocked in a wait would never leave)
    Harness.await(() -> threadsInSdk().isEmpty(), "no thread other than the test has an SDK frame on its stack");
    assertFalse(f.isDone());
    assertEquals(1, timing.pending(), "still waiting for the retry");
    // ... and the single completion thread is free for other work.
    assertEquals("free", single.submit(() -> "free").get(10, TimeUnit.SECONDS));

    assertTrue(timing.runNext()); // the 30 s pass

    assertEquals(2, observed.get(10, TimeUnit.SECONDS).accepted().size());
    assertEquals("the-only-completion-thread", completedOn.get(), "the future completed on the completion executor");
    assertEquals(2, server.getRequestCount());
  }

  /** Threads other than this one with a frame of the SDK on their stack. */
  static List<String> threadsInSdk() {
    Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
    return stacks.entrySet().stream()
        .filter(e -> e.getKey() != Thread.currentThread())
        .filter(e -> Arrays.stream(e.getValue()).anyMatch(s -> s.getClassName().startsWith("io.github.cphsdk.")))
        .map(e -> e.getKey().getName())
        .collect(Collectors.toList());
  }

  @Test
  void closingTheClientFailsAnAsyncCallWaitingForItsRetry() throws Exception {
    ForwardingTiming system = new ForwardingTiming(Timing.system()); // the real scheduler, which close() stops
    client(b -> b.timing(system));
    server.enqueue(busy("20"));
    server.enqueue(json(200, DOC_ANSWER));

    CompletableFuture<ShareAppsResponse> f = client.shareAppsAsync(request());
    Harness.awaitOrDone(f, () -> system.scheduled.get() == 2, "the retry is in the scheduler"); // timer, retry
    assertFalse(f.isDone());
    client.close();

    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS),
        "the future completes instead of waiting forever for a retry that will never run");
    CloudPhoneException failure = assertInstanceOf(CloudPhoneException.class, e.getCause());
    assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
    assertFalse(failure.mayHaveBeenApplied(), "the only attempt was a 503");
    assertEquals(1, failure.attempts());
    assertEquals(1, failure.getSuppressed().length, "the 503 is attached");
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void closingTheClientFailsAnAsyncCallWithAnExchangeInFlight() throws Exception {
    client(b -> b.timing(Timing.system()));
    server.enqueue(hanging());

    CompletableFuture<ShareAppsResponse> f = client.shareAppsAsync(request());
    Harness.await(() -> transport.exchanges().size() == 1, "the exchange started");
    assertNotNull(server.takeRequest(10, TimeUnit.SECONDS));
    client.close(); // stops the timer that would have cut the exchange; the transport is the user's, still open

    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    CloudPhoneException failure = assertInstanceOf(CloudPhoneException.class, e.getCause());
    assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
    assertTrue(failure.mayHaveBeenApplied(), "the request had been sent");
    assertEquals(1, failure.attempts());
    assertTrue(transport.exchanges().get(0).isCancelled(), "the exchange was abandoned");
  }

  @Test
  void closingTheClientStopsASyncCallBeforeItsNextAttempt() {
    AtomicReference<CloudPhoneClient> self = new AtomicReference<>();
    self.set(client(b -> b.listener(new CallListener() {
      @Override
      public void retryScheduled(String operation, String callId, int nextAttempt, Duration delay,
          CloudPhoneException cause) {
        self.get().close(); // another thread closing the client, as seen from the call
      }
    })));
    server.enqueue(busy("1"));
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneException e = assertThrows(CloudPhoneException.class, () -> client.shareApps(request()));

    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertEquals(1, e.attempts());
    assertFalse(e.mayHaveBeenApplied());
    assertEquals(1, server.getRequestCount(), "a closed client sends nothing more");
  }

  @Test
  void theSystemSchedulerIsOneDaemonThreadThatStopsOnClose() throws Exception {
    Timing system = Timing.system();
    AtomicReference<Thread> ran = new AtomicReference<>();
    system.schedule(() -> ran.set(Thread.currentThread()), Duration.ZERO).get(10, TimeUnit.SECONDS);
    assertTrue(ran.get().isDaemon());
    assertEquals("cph-sdk-scheduler", ran.get().getName());

    system.close();

    ran.get().join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(ran.get().isAlive(), "close() stopped the scheduler thread");
    assertThrows(RejectedExecutionException.class, () -> system.schedule(() -> { }, Duration.ZERO));
  }

  @Test
  void aClosedSystemTimingThatNeverStartedRefusesTasksTheSameWay() {
    Timing system = Timing.system();
    system.close();
    // the pipeline turns RejectedExecutionException into "the client is closed"; any other exception would escape
    assertThrows(RejectedExecutionException.class, () -> system.schedule(() -> { }, Duration.ZERO));
  }
}
