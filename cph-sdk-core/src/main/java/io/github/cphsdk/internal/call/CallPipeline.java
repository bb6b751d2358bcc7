package io.github.cphsdk.internal.call;

import io.github.cphsdk.CallListener;
import io.github.cphsdk.auth.AuthContext;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.internal.Permits;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.retry.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a call flows: for each attempt, authorize, send, classify the answer, decide on a retry; parse the
 * success. This class holds the synchronous loop; {@link AsyncCall} is the asynchronous one. Both share every
 * decision: the {@link Classifier} (status and exception tables), the {@link RetryRules} (one instance, no I/O),
 * the {@link CallState} of the call, and the {@link CallEvents} they report through; they differ only in how
 * they wait. The messages are {@link CallMessages}'.
 */
public final class CallPipeline implements AutoCloseable {
  static final Logger LOG = LoggerFactory.getLogger("io.github.cphsdk.CloudPhoneClient");

  /** Everything the pipeline needs from the client's builder. */
  public static final class Config {
    public HttpTransport transport;
    public Credentials credentials;
    public AuthContext authContext;
    public RetryPolicy retryPolicy;
    public Duration connectTimeout;
    public Duration attemptTimeout;
    public Duration callTimeout;
    public String userAgent;
    public String projectId;
    public CallListener listener;
    public Executor completionExecutor;
    public Timing timing;
    /** How many exchanges may be in flight at once (sync and async together); more wait their turn. */
    public int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
  }

  /** A wait for a connection slot shorter than this does not shorten the attempt (no request copy for it). */
  private static final long SLOT_WAIT_TOLERANCE_NANOS = 1_000_000;

  /** The default of {@link Config#maxConcurrentRequests}. */
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 64;

  final HttpTransport transport;
  final Credentials credentials;
  final AuthContext authContext;
  final Duration attemptTimeout;
  final Executor completionExecutor;
  final Timing timing;
  final Permits permits;
  final Classifier classifier;
  final RetryRules rules;
  final CallEvents events;
  private final Duration connectTimeout;
  private final long callTimeoutNanos;
  private final String userAgent;
  private final String projectId;
  /** Asynchronous calls not completed yet: {@link #close()} fails them, since their timer stops. */
  private final Set<AsyncCall<?>> active = ConcurrentHashMap.newKeySet();
  volatile boolean closed;

  public CallPipeline(Config c) {
    this.transport = Objects.requireNonNull(c.transport);
    this.credentials = Objects.requireNonNull(c.credentials);
    this.authContext = Objects.requireNonNull(c.authContext);
    RetryPolicy policy = Objects.requireNonNull(c.retryPolicy);
    this.connectTimeout = Objects.requireNonNull(c.connectTimeout);
    this.attemptTimeout = Objects.requireNonNull(c.attemptTimeout);
    this.callTimeoutNanos = c.callTimeout.toNanos();
    this.userAgent = Objects.requireNonNull(c.userAgent);
    this.projectId = Objects.requireNonNull(c.projectId);
    this.completionExecutor = Objects.requireNonNull(c.completionExecutor);
    this.timing = Objects.requireNonNull(c.timing);
    this.permits = new Permits(c.maxConcurrentRequests);
    this.classifier = new Classifier(attemptTimeout, timing);
    this.rules = new RetryRules(policy, credentials);
    this.events = new CallEvents(Objects.requireNonNull(c.listener), timing, policy.maxAttempts());
  }

  /**
   * Stops the timer thread (if async calls started one) and fails the asynchronous calls still running:
   * without the timer their pending retries and attempt timeouts would never fire. Synchronous calls stop
   * before their next attempt. The transport is closed by its owner.
   */
  @Override
  public void close() {
    closed = true;
    timing.close();
    for (AsyncCall<?> call : active) {
      call.abortOnClose();
    }
  }

  // ---------------------------------------------------------------- synchronous

  /** Runs the operation on the calling thread, retrying per the policy, until success or a final failure. */
  public <T> T execute(Operation<T> op) {
    CallState call = newCall(op);
    HttpRequest base = baseRequest(op, call.id);
    for (int attempt = 1; ; attempt++) {
      if (closed) {
        throw call.fail(closedBeforeAttempt(call, attempt), attempt - 1);
      }
      long remaining = call.deadline - timing.nanoTime();
      if (remaining <= 0) {
        throw call.fail(deadlinePassed(op), attempt - 1);
      }
      long start = timing.nanoTime();
      long slotWait = Math.min(remaining, attemptTimeout.toNanos());
      boolean permit;
      try {
        permit = permits.acquire(slotWait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw call.fail(Failure.other(call.anyApplied, CallMessages.interruptedWaitingForSlot(op), e), attempt - 1);
      }
      // the attempt timeout bounds the wait for a slot and the exchange together, as on the async path
      long waited = timing.nanoTime() - start;
      long left = waited < SLOT_WAIT_TOLERANCE_NANOS ? remaining : slotWait - waited;
      if (permit && left <= 0) { // the slot came too late
        permits.release();
        permit = false;
      }
      AttemptResult<T> result;
      if (permit) {
        try {
          HttpRequest request;
          try {
            request = credentials.authorize(withAttemptTimeout(base, left), authContext);
          } catch (RuntimeException e) {
            throw call.failCredentials(e, attempt - 1);
          }
          events.attemptStarted(call, attempt);
          try {
            result = classifier.answer(op, transport.execute(request));
          } catch (IOException | RuntimeException e) {
            result = AttemptResult.failed(classifier.noAnswer(op, e, remaining));
          }
        } finally {
          permits.release();
        }
      } else {
        events.attemptStarted(call, attempt);
        result = AttemptResult.failed(slotsBusy(op, slotWait));
      }
      events.attemptEnded(call, attempt, start, result);
      if (result.succeeded()) {
        return result.value;
      }
      RetryRules.Decision next = decide(call, result.failure, attempt);
      if (!next.retry()) {
        throw call.fail(next.failure, attempt);
      }
      try {
        timing.sleep(next.delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw call.fail(Failure.other(call.anyApplied || result.failure.mayHaveBeenApplied,
            CallMessages.interruptedWaitingToRetry(op), e), attempt);
      }
    }
  }

  // ---------------------------------------------------------------- asynchronous

  /**
   * Runs the operation without blocking: attempts run on the transport's threads, backoff waits on the
   * timer, and the returned future completes on the completion executor. Cancelling it aborts the
   * exchange in flight and any pending retry. See {@link AsyncCall}.
   */
  public <T> CompletableFuture<T> executeAsync(Operation<T> op) {
    CallState state = newCall(op);
    AsyncCall<T> call = new AsyncCall<>(this, op, state, baseRequest(op, state.id));
    active.add(call);
    call.whenComplete((value, error) -> active.remove(call));
    if (closed) { // close() ran before this call was registered
      call.abortOnClose();
    } else {
      call.guarded(() -> call.attempt(1));
    }
    return call;
  }

  // ---------------------------------------------------------------- shared by both paths

  private CallState newCall(Operation<?> op) {
    return new CallState(op, timing.nanoTime() + callTimeoutNanos);
  }

  /**
   * After a failed attempt: asks the {@link RetryRules}; when they say retry, records the failure as an earlier
   * one of the call and reports the retry. The caller then waits its own way (sleep or timer).
   */
  RetryRules.Decision decide(CallState call, Failure failure, int attempt) {
    RetryRules.Decision next = rules.decide(call, failure, attempt, () -> call.deadline - timing.nanoTime());
    if (next.retry()) {
      call.recordRetry(failure, attempt);
      events.retryScheduled(call, attempt, next.delay, failure);
    }
    return next;
  }

  static Failure closedBeforeAttempt(CallState call, int attempt) {
    return Failure.other(call.anyApplied, CallMessages.closedBeforeAttempt(call.op, attempt), null);
  }

  /**
   * Every connection slot of the client stayed busy for as long as this attempt could wait: nothing was
   * sent, so the retry policy may try again.
   */
  Failure slotsBusy(Operation<?> op, long waitedNanos) {
    return Failure.transport(Failure.Category.NOT_SENT, false, true,
        CallMessages.slotsBusy(op, permits.max(), waitedNanos), null);
  }

  Failure deadlinePassed(Operation<?> op) {
    return Failure.transport(Failure.Category.FINAL, false, true, CallMessages.deadlinePassed(op, callTimeoutNanos),
        null);
  }

  private HttpRequest baseRequest(Operation<?> op, String callId) {
    HttpRequest.Builder b = HttpRequest.builder(op.method, op.uri)
        .header("User-Agent", userAgent)
        .header("Accept", "application/json");
    if (op.body != null) {
      // the operation's body is serialized by the SDK and never written to again: no copy per call
      b.header("Content-Type", "application/json").wrapBody(op.body);
    }
    return b.header("X-Project-Id", projectId)
        .header("X-Client-Request-Id", callId)
        .connectTimeout(connectTimeout)
        .maxResponseBytes(op.maxResponseBytes)
        .timeout(attemptTimeout)
        .build();
  }

  HttpRequest withAttemptTimeout(HttpRequest base, long remainingNanos) {
    if (remainingNanos >= attemptTimeout.toNanos()) {
      return base;
    }
    return base.toBuilder().timeout(Duration.ofNanos(remainingNanos)).build();
  }
}
