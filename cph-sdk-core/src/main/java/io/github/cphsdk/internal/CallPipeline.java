package io.github.cphsdk.internal;

import io.github.cphsdk.CallListener;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.auth.AuthContext;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.HttpTransportException;
import io.github.cphsdk.retry.RetryPolicy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a call flows: for each attempt, authorize, send, classify the answer, decide on a retry;
 * parse the success. The synchronous and asynchronous paths share every decision ({@link #classify},
 * {@link #classifyFailure}, {@link #decide}); they differ only in how they wait.
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

  private final HttpTransport transport;
  private final Credentials credentials;
  private final AuthContext authContext;
  private final RetryPolicy policy;
  private final Duration connectTimeout;
  private final Duration attemptTimeout;
  private final long callTimeoutNanos;
  private final String userAgent;
  private final String projectId;
  private final CallListener listener;
  private final Executor completionExecutor;
  private final Timing timing;
  private final Permits permits;
  /** Asynchronous calls not completed yet: {@link #close()} fails them, since their timer stops. */
  private final Set<AsyncCall<?>> active = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public CallPipeline(Config c) {
    this.transport = Objects.requireNonNull(c.transport);
    this.credentials = Objects.requireNonNull(c.credentials);
    this.authContext = Objects.requireNonNull(c.authContext);
    this.policy = Objects.requireNonNull(c.retryPolicy);
    this.connectTimeout = Objects.requireNonNull(c.connectTimeout);
    this.attemptTimeout = Objects.requireNonNull(c.attemptTimeout);
    this.callTimeoutNanos = c.callTimeout.toNanos();
    this.userAgent = Objects.requireNonNull(c.userAgent);
    this.projectId = Objects.requireNonNull(c.projectId);
    this.listener = Objects.requireNonNull(c.listener);
    this.completionExecutor = Objects.requireNonNull(c.completionExecutor);
    this.timing = Objects.requireNonNull(c.timing);
    this.permits = new Permits(c.maxConcurrentRequests);
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
    Call call = new Call(op);
    HttpRequest base = baseRequest(op, call.id);
    for (int attempt = 1; ; attempt++) {
      if (closed) {
        throw call.fail(closedBeforeAttempt(op, call, attempt), attempt - 1);
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
        throw call.fail(Failure.other(call.anyApplied, op.name + " was interrupted while waiting for a free"
            + " connection slot; nothing was sent for this attempt.", e), attempt - 1);
      }
      // the attempt timeout bounds the wait for a slot and the exchange together, as on the async path
      long waited = timing.nanoTime() - start;
      long left = waited < SLOT_WAIT_TOLERANCE_NANOS ? remaining : slotWait - waited;
      if (permit && left <= 0) { // the slot came too late
        permits.release();
        permit = false;
      }
      Object result;
      HttpResponse answer = null;
      if (permit) {
        try {
          HttpRequest request;
          try {
            request = credentials.authorize(withAttemptTimeout(base, left), authContext);
          } catch (RuntimeException e) {
            throw call.failCredentials(e, attempt - 1);
          }
          listenerStarted(op, call, attempt);
          try {
            answer = transport.execute(request);
            result = classify(op, answer);
          } catch (IOException | RuntimeException e) {
            result = classifyFailure(op, e, remaining);
          }
        } finally {
          permits.release();
        }
      } else {
        listenerStarted(op, call, attempt);
        result = slotsBusy(op, slotWait);
      }
      attemptEnded(op, call, attempt, start, result, answer);
      if (!(result instanceof Failure)) {
        @SuppressWarnings("unchecked")
        T value = (T) result;
        return value;
      }
      Failure failure = (Failure) result;
      Duration delay = decide(call, failure, attempt);
      if (delay == null) {
        throw call.fail(call.lastFailure, attempt);
      }
      call.recordRetry(failure, attempt);
      retryScheduled(op, call, attempt, delay, failure);
      try {
        timing.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw call.fail(Failure.other(call.anyApplied || failure.mayHaveBeenApplied,
            op.name + " was interrupted while waiting to retry.", e), attempt);
      }
    }
  }

  // ---------------------------------------------------------------- asynchronous

  /**
   * Runs the operation without blocking: attempts run on the transport's threads, backoff waits on the
   * timer, and the returned future completes on the completion executor. Cancelling it aborts the
   * exchange in flight and any pending retry.
   */
  public <T> CompletableFuture<T> executeAsync(Operation<T> op) {
    AsyncCall<T> call = new AsyncCall<>(op);
    active.add(call);
    call.whenComplete((value, error) -> active.remove(call));
    if (closed) { // close() ran before this call was registered
      call.abortOnClose();
    } else {
      call.guarded(() -> call.attempt(1));
    }
    return call;
  }

  /** One attempt of an asynchronous call: its exchange, its timer, and who settled it first. */
  private static final class Attempt {
    final int number;
    /** Set by the first of: the exchange's end, the timer, a credentials failure, close(). */
    final AtomicBoolean settled = new AtomicBoolean();
    /** Whether the request was handed to the transport. */
    final AtomicBoolean sent = new AtomicBoolean();
    volatile Future<?> exchange;
    volatile Future<?> timer;
    /** The place in the queue for a connection slot while waiting for one (see {@link Permits}). */
    volatile Object queued;

    Attempt(int number) {
      this.number = number;
    }
  }

  private final class AsyncCall<T> extends CompletableFuture<T> {
    private final Operation<T> op;
    private final Call call;
    private final HttpRequest base;
    /** Set by whichever path ends the call first, so that it completes, and logs its failure, once. */
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The latest attempt started. */
    private volatile Attempt current;
    /** The retry waiting in the timer, if any. Kept apart from the attempt, which may start before this is set. */
    private volatile Future<?> pendingRetry;

    AsyncCall(Operation<T> op) {
      this.op = op;
      this.call = new Call(op);
      this.base = baseRequest(op, call.id);
    }

    private boolean over() {
      return ended.get() || isDone();
    }

    void attempt(int attempt) {
      if (over()) {
        return;
      }
      if (closed) {
        abortOnClose();
        return;
      }
      long remaining = call.deadline - timing.nanoTime();
      if (remaining <= 0) {
        fail(() -> call.fail(deadlinePassed(op), attempt - 1));
        return;
      }
      Attempt a = new Attempt(attempt);
      current = a;
      long start = timing.nanoTime();
      Duration limit = Duration.ofNanos(Math.min(remaining, attemptTimeout.toNanos()));
      try {
        a.timer = timing.timeout(() -> guarded(() -> {
          if (a.settled.compareAndSet(false, true)) {
            if (permits.cancel(a.queued)) { // still waiting for a connection slot: nothing was sent
              settle(attempt, start, slotsBusy(op, limit.toNanos()));
              return;
            }
            Future<?> exchange = a.exchange;
            // how far the exchange got: the transport's word when it keeps track, else "handed to it"
            boolean mayHaveBeenSent = exchange instanceof ExchangeProgress
                ? ((ExchangeProgress) exchange).requestMayHaveBeenSent() : a.sent.get();
            cancelQuietly(exchange, true);
            HttpTransportException timeout = new HttpTransportException(mayHaveBeenSent
                ? HttpTransportException.Kind.RESPONSE_TIMEOUT : HttpTransportException.Kind.CONNECT_TIMEOUT,
                mayHaveBeenSent ? "no answer within " + limit.toMillis() + " ms"
                    : "could not connect within " + limit.toMillis() + " ms", null);
            settle(attempt, start, classifyFailure(op, timeout, remaining));
          }
        }), limit);
      } catch (RejectedExecutionException closedTimer) {
        fail(() -> call.fail(Failure.other(call.anyApplied, "the client is closed", closedTimer), attempt - 1));
        return;
      }
      if (over()) { // cancelled while the timer was being set
        cancelQuietly(a.timer, false);
        return;
      }
      CompletableFuture<HttpRequest> authorized;
      try {
        authorized = credentials.authorizeAsync(withAttemptTimeout(base, remaining), authContext);
      } catch (RuntimeException e) {
        authorized = Futures.failed(e);
      }
      authorized.whenComplete((request, authError) -> guarded(() -> {
        if (authError != null) {
          if (a.settled.compareAndSet(false, true)) {
            cancelQuietly(a.timer, false);
            fail(() -> call.failCredentials(unwrap(authError), attempt - 1));
          }
          return;
        }
        if (over() || a.settled.get()) {
          return;
        }
        // Wait for a connection slot without holding a thread; the attempt's timer bounds the wait.
        a.queued = permits.acquireThen(() -> guarded(() -> send(a, request, start, remaining, limit.toNanos())));
        if (over() || a.settled.get()) { // cancelled, timed out or closed while queueing
          permits.cancel(a.queued);
        }
      }));
    }

    /** Sends the attempt's exchange; runs holding a connection slot, which ends with the exchange. */
    private void send(Attempt a, HttpRequest request, long start, long remaining, long limitNanos) {
      int attempt = a.number;
      if (over() || a.settled.get()) {
        permits.release();
        return;
      }
      if (timing.nanoTime() - start >= limitNanos) { // the slot came as the attempt's time ran out
        permits.release();
        if (a.settled.compareAndSet(false, true)) {
          cancelQuietly(a.timer, false);
          settle(attempt, start, slotsBusy(op, limitNanos));
        }
        return;
      }
      CompletableFuture<HttpResponse> exchange;
      try {
        listenerStarted(op, call, attempt);
        a.sent.set(true);
        exchange = transport.executeAsync(request);
      } catch (RuntimeException e) {
        exchange = Futures.failed(e);
      }
      a.exchange = exchange;
      if (over() || a.settled.get()) { // cancelled, timed out or closed while the exchange was starting
        exchange.cancel(true);
      }
      exchange.whenComplete((response, error) -> {
        permits.release(); // first: the next queued exchange starts while this answer is read
        guarded(() -> {
          if (!a.settled.compareAndSet(false, true)) {
            return;
          }
          cancelQuietly(a.timer, false);
          Object result = error == null ? classify(op, response) : classifyFailure(op, unwrap(error), remaining);
          settle(attempt, start, result, error == null ? response : null);
        });
      });
    }

    private void settle(int attempt, long start, Object result) {
      settle(attempt, start, result, null);
    }

    private void settle(int attempt, long start, Object result, HttpResponse answer) {
      if (over()) {
        return;
      }
      attemptEnded(op, call, attempt, start, result, answer);
      if (!(result instanceof Failure)) {
        @SuppressWarnings("unchecked")
        T value = (T) result;
        finish(value);
        return;
      }
      Failure failure = (Failure) result;
      Duration delay = decide(call, failure, attempt);
      if (delay == null) {
        fail(() -> call.fail(call.lastFailure, attempt));
        return;
      }
      call.recordRetry(failure, attempt);
      retryScheduled(op, call, attempt, delay, failure);
      try {
        pendingRetry = timing.schedule(() -> guarded(() -> attempt(attempt + 1)), delay);
      } catch (RejectedExecutionException closedTimer) {
        fail(() -> call.fail(failure.withNote("(not retried: the client is closed)"), attempt));
        return;
      }
      if (over()) { // cancelled while the retry was being scheduled
        cancelQuietly(pendingRetry, false);
      }
    }

    /** Fails the call because the client closed: its timer is gone, so nothing else would end it. */
    void abortOnClose() {
      if (over()) {
        return;
      }
      Attempt a = current;
      boolean tookOver = a != null && a.settled.compareAndSet(false, true);
      boolean sentNow = tookOver && a.sent.get();
      int attempts = a == null ? 0 : tookOver && !sentNow ? a.number - 1 : a.number;
      cancelWork();
      boolean applied = call.anyApplied || sentNow;
      fail(() -> call.fail(Failure.other(applied, op.name + ": the client was closed before the call completed."
          + (applied ? appliedHint(op, null, false) : ""), null), attempts));
    }

    /** Runs one step of the call; a bug (ours or in a user hook) fails the call instead of leaving it pending. */
    /**
     * Runs a step of the call on a timer or transport thread: whatever it throws, an {@code Error} too (a class
     * that failed to load, a user callback's assertion), ends the call with it rather than leaving it pending.
     */
    void guarded(Runnable step) {
      try {
        step.run();
      } catch (RuntimeException | Error e) {
        if (ended.compareAndSet(false, true)) {
          cancelWork();
          onCompletionExecutor(() -> completeExceptionally(e));
        }
        if (e instanceof VirtualMachineError) {
          throw e; // out of memory and the like: the thread's owner must see it too
        }
      }
    }

    private void finish(T value) {
      if (ended.compareAndSet(false, true)) {
        onCompletionExecutor(() -> complete(value));
      }
    }

    private void fail(Supplier<CloudPhoneException> failure) {
      if (ended.compareAndSet(false, true)) {
        CloudPhoneException e = failure.get();
        onCompletionExecutor(() -> completeExceptionally(e));
      }
    }

    private void onCompletionExecutor(Runnable completion) {
      try {
        completionExecutor.execute(completion);
      } catch (RejectedExecutionException e) {
        completion.run();
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        cancelWork();
      }
      return cancelled;
    }

    /** Cancels the pending retry, the exchange in flight and its timer. */
    private void cancelWork() {
      cancelQuietly(pendingRetry, false);
      Attempt a = current;
      if (a != null) {
        permits.cancel(a.queued);
        cancelQuietly(a.timer, false);
        cancelQuietly(a.exchange, true);
      }
    }
  }

  private static void cancelQuietly(Future<?> f, boolean mayInterrupt) {
    if (f != null) {
      f.cancel(mayInterrupt);
    }
  }

  // ---------------------------------------------------------------- shared decisions

  /** The state of one call across its attempts. */
  private final class Call {
    final String id = callId();
    final long deadline = timing.nanoTime() + callTimeoutNanos;
    // Written by the thread driving the call; read too by close() for an asynchronous call it fails.
    final List<CloudPhoneException> earlier = new CopyOnWriteArrayList<>();
    final Operation<?> op;
    volatile boolean anyApplied;
    boolean refreshed;
    Failure lastFailure;

    Call(Operation<?> op) {
      this.op = op;
    }

    void recordRetry(Failure failure, int attempt) {
      anyApplied |= failure.mayHaveBeenApplied;
      earlier.add(failure.toException(attempt));
    }

    CloudPhoneException fail(Failure failure, int attempts) {
      Failure f = failure;
      if (anyApplied && !f.mayHaveBeenApplied) {
        f = f.appliedEarlier("An earlier attempt may have been applied, so the " + op.name
            + " may have taken effect: check before repeating it.");
      }
      CloudPhoneException e = f.toException(attempts);
      earlier.forEach(e::addSuppressed);
      if (LOG.isWarnEnabled()) {
        LOG.warn("{} {} failed after {} attempt(s) (call {}): {}", op.method, op.logPath, attempts, id, e.getMessage());
      }
      return e;
    }

    CloudPhoneException failCredentials(Throwable error, int attempts) {
      if (error instanceof CloudPhoneException && !anyApplied) {
        CloudPhoneException e = (CloudPhoneException) error;
        earlier.forEach(e::addSuppressed);
        LOG.warn("{} {} failed (call {}): {}", op.method, op.logPath, id, e.getMessage());
        return e;
      }
      return fail(Failure.other(false, "Could not authenticate the " + op.name + " request: "
          + error.getMessage() + " Nothing was sent for this attempt.", error), attempts);
    }
  }

  /**
   * Whether and after how long to retry; {@code null} to stop. Records the failure as the call's last.
   * Each rule is a guard with its reason.
   */
  private Duration decide(Call call, Failure failure, int attempt) {
    call.lastFailure = failure;
    // 401 once: fresh credentials may succeed, and a 401 was not applied.
    if (failure.category == Failure.Category.UNAUTHORIZED) {
      if (!call.refreshed && refreshAfterUnauthorized(failure)) {
        call.refreshed = true;
        return Duration.ZERO;
      }
      return null;
    }
    // A thread that was interrupted wants to stop, not to wait.
    if (Thread.currentThread().isInterrupted()) {
      return null;
    }
    // No attempt left: nothing to decide, so the user's condition is not asked.
    if (attempt >= policy.maxAttempts()) {
      if (policy.maxAttempts() > 1 && retriedByBuiltInRules(call, failure)) {
        call.lastFailure = failure.withNote("(gave up after " + attempt + " attempts)");
      }
      return null;
    }
    if (!retriedByBuiltInRules(call, failure) && !userConditionSaysRetry(failure, attempt)) {
      return null;
    }
    // Retry-After is the least wait the service asks for, never less than the backoff: a date in the past (or 0)
    // must not turn the retries into a burst.
    Duration delay = backoffDelay(attempt);
    if (failure.retryAfter != null) {
      Duration asked = min(failure.retryAfter, policy.maxRetryAfter());
      delay = delay == null || asked.compareTo(delay) > 0 ? asked : delay;
    }
    if (delay == null) {
      return null;
    }
    // Never sleep past the deadline: fail now with the service's own answer instead. (Compared as
    // durations: a delay from a custom strategy may be too long for nanoseconds in a long.)
    if (delay.compareTo(Duration.ofNanos(call.deadline - timing.nanoTime())) >= 0) {
      call.lastFailure = failure.withNote("(not retried: waiting " + delay.toMillis()
          + " ms would pass the call timeout)");
      return null;
    }
    return delay;
  }

  private boolean retriedByBuiltInRules(Call call, Failure failure) {
    switch (failure.category) {
      case NOT_SENT: // nothing reached the service
      case THROTTLED: // the service said it did not act
        return true;
      case AMBIGUOUS: // only where a second run is harmless, or the user accepted that it may happen
        return call.op.idempotent || policy.retryAmbiguousFailures();
      default:
        return false;
    }
  }

  private boolean userConditionSaysRetry(Failure failure, int attempt) {
    try {
      return policy.retryCondition().shouldRetry(failure.toException(attempt), attempt);
    } catch (RuntimeException e) {
      LOG.warn("retry condition threw; not retrying", e);
      return false;
    }
  }

  /** The strategy's delay; {@code null} (no retry) if it throws, zero if it answers null or negative. */
  private Duration backoffDelay(int attempt) {
    Duration delay;
    try {
      delay = policy.backoff().delayBeforeRetry(attempt);
    } catch (RuntimeException e) {
      LOG.warn("backoff strategy threw; not retrying", e);
      return null;
    }
    return delay == null || delay.isNegative() ? Duration.ZERO : delay;
  }

  private boolean refreshAfterUnauthorized(Failure failure) {
    try {
      return credentials.refreshAfterUnauthorized(failure.error == null ? null : failure.error.errorCode,
          failure.error == null ? null : failure.error.errorMessage);
    } catch (RuntimeException e) {
      LOG.warn("Credentials.refreshAfterUnauthorized threw; not repeating the call", e);
      return false;
    }
  }

  /** Classifies an answer: the parsed value on 2xx, else a {@link Failure}. */
  private <T> Object classify(Operation<T> op, HttpResponse response) {
    int status = response.statusCode();
    String headerRequestId = response.header("X-Request-Id").orElse(null);
    if (status >= 200 && status < 300) {
      if (response.bodyTruncated()) {
        return Failure.transport(Failure.Category.FINAL, true, false, op.name + ": the service answered "
            + status + " (request id " + headerRequestId + ") but the answer is larger than the limit of "
            + op.maxResponseBytes + " bytes, so it was not read." + appliedHint(op, headerRequestId, true), null);
      }
      String encoding = AnswerText.unrequestedEncoding(response);
      if (encoding != null) { // e.g. gzip from a proxy: bytes no JSON reader can take
        return Failure.transport(Failure.Category.FINAL, true, false, op.name + ": the service answered " + status
            + " (request id " + headerRequestId + ") with Content-Encoding \"" + encoding + "\", which the SDK did not"
            + " ask for, so the answer was not read." + appliedHint(op, headerRequestId, true), null);
      }
      try {
        return op.parser.parse(AnswerText.asUtf8(response));
      } catch (IOException | RuntimeException e) {
        return Failure.transport(Failure.Category.FINAL, true, false, op.name + ": the service answered " + status
            + " (request id " + headerRequestId + ") but the answer could not be read: " + e.getMessage() + "."
            + appliedHint(op, headerRequestId, true), e);
      }
    }
    ErrorBody error = ErrorBody.parse(AnswerText.asUtf8(response).bodyBuffer());
    String requestId = error.requestId != null ? error.requestId : headerRequestId;
    Failure.Category category;
    boolean applied;
    String advice;
    if (status == 429) {
      category = Failure.Category.THROTTLED;
      applied = false;
      advice = "The service is throttling requests and did not act; retry later (Huawei advises 2 to 5 s).";
    } else if (status == 503) {
      category = Failure.Category.THROTTLED;
      applied = false;
      advice = "The service was unavailable and did not act; retry later.";
    } else if (status == 401) {
      category = Failure.Category.UNAUTHORIZED;
      applied = false;
      advice = "The credentials were refused (wrong or expired token, or a bad AK/SK signature: with AK/SK check "
          + "that the local clock is within 15 minutes of the real time); nothing was started.";
    } else if (status >= 500) {
      category = status == 500 || status == 502 || status == 504 ? Failure.Category.AMBIGUOUS : Failure.Category.FINAL;
      applied = true;
      advice = "The service failed while handling the request." + appliedHint(op, requestId, true);
    } else if (status >= 300 && status < 400) {
      category = Failure.Category.FINAL;
      applied = false;
      advice = "Redirects are never followed (credentials would travel to " + response.header("Location")
          .map(CallPipeline::hostOf).orElse("another address") + "); check the endpoint.";
    } else if (status == 404 || status == 403 || status == 400 || status >= 400) {
      category = Failure.Category.FINAL;
      applied = false;
      advice = status == 404
          ? "Nothing was started; check the endpoint (region), the project id and the ids in the path."
          : status == 403 ? "The account may not do this; nothing was started."
          : "The service refused the request; nothing was started.";
    } else {
      category = Failure.Category.FINAL;
      applied = true;
      advice = "Unexpected status." + appliedHint(op, requestId, true);
    }
    StringBuilder m = new StringBuilder(op.name).append(" failed: HTTP ").append(status);
    if (error.errorCode != null) {
      m.append(' ').append(error.errorCode);
    }
    if (error.errorMessage != null) {
      m.append(" \"").append(ErrorBody.snippet(error.errorMessage.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .append('"');
    }
    if (error.snippet != null && !error.snippet.isEmpty()) {
      m.append(error.jsonObject ? " (a JSON answer without an error code or message: \""
          : " (not a JSON error; the answer starts: \"").append(error.snippet).append("\")");
    }
    if (requestId != null) {
      m.append(" (request id ").append(requestId).append(')');
    }
    m.append(". ").append(advice);
    Duration retryAfter = category == Failure.Category.THROTTLED
        ? RetryAfter.parse(response.header("Retry-After").orElse(null), timing.clock()) : null;
    return Failure.service(category, applied, m.toString(), status, error, requestId, retryAfter);
  }

  /** Classifies an exchange that gave no answer. */
  private Failure classifyFailure(Operation<?> op, Throwable error, long remainingNanos) {
    HttpTransportException.Kind kind = kindOf(error);
    String host = op.uri.getHost();
    switch (kind) {
      case CONNECT_FAILED:
        return Failure.transport(Failure.Category.NOT_SENT, false, false, op.name + ": could not connect to "
            + hostAndPort(op.uri) + connectDetail(error.getMessage()) + ". Nothing was sent.", error);
      case CONNECT_TIMEOUT:
        return Failure.transport(Failure.Category.NOT_SENT, false, true, op.name + ": connecting to " + host
            + " timed out. Nothing was sent.", error);
      case TLS_FAILED:
        return Failure.transport(Failure.Category.FINAL, false, false, op.name + ": the TLS handshake with " + host
            + " failed (" + error.getMessage() + "). Nothing was sent; check the endpoint and the trusted certificates.",
            error);
      case RESPONSE_TIMEOUT:
        boolean callLimited = remainingNanos <= attemptTimeout.toNanos();
        return Failure.transport(Failure.Category.AMBIGUOUS, true, true, op.name + ": no answer from " + host
            + " within the " + (callLimited ? "call timeout" : "attempt timeout of " + attemptTimeout.toMillis() + " ms")
            + "." + appliedHint(op, null, false), error);
      default:
        return Failure.transport(Failure.Category.AMBIGUOUS, true, false, op.name + ": the connection to " + host
            + " failed after the request was sent (" + error.getMessage() + ")." + appliedHint(op, null, false), error);
    }
  }

  /** {@code host:port}, the port the connection went to even when the URI leaves it to the scheme. */
  private static String hostAndPort(java.net.URI uri) {
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return uri.getHost() + ":" + port;
  }

  /** The cause of a connect failure in parentheses, without the "could not connect to HOST" it often repeats. */
  private static String connectDetail(String message) {
    if (message == null || message.isEmpty()) {
      return "";
    }
    String prefix = "could not connect to ";
    if (message.regionMatches(true, 0, prefix, 0, prefix.length())) {
      int colon = message.indexOf(": ", prefix.length());
      message = colon < 0 ? "" : message.substring(colon + 2);
    }
    return message.isEmpty() ? "" : " (" + message + ")";
  }

  private static HttpTransportException.Kind kindOf(Throwable error) {
    if (error instanceof HttpTransportException) {
      return ((HttpTransportException) error).kind();
    }
    if (error instanceof ConnectException || error instanceof UnknownHostException
        || error instanceof NoRouteToHostException) {
      return HttpTransportException.Kind.CONNECT_FAILED;
    }
    if (error instanceof SSLHandshakeException) {
      return HttpTransportException.Kind.TLS_FAILED;
    }
    if (error instanceof InterruptedIOException && !(error instanceof java.net.SocketTimeoutException)) {
      return HttpTransportException.Kind.FAILED_AFTER_SEND;
    }
    return HttpTransportException.Kind.FAILED_AFTER_SEND;
  }

  /** What to tell the user when the operation may have taken effect. */
  private static String appliedHint(Operation<?> op, String requestId, boolean answered) {
    if (op.idempotent) {
      return "";
    }
    return " The " + op.name + " may have reached the service and started jobs: "
        + (requestId != null
            ? "list the jobs of request id " + requestId + " (CloudPhoneClient.listJobs) before repeating it."
            : "check the jobs of the target servers (CPH console or the list-jobs API) before repeating it.");
  }

  private static Failure closedBeforeAttempt(Operation<?> op, Call call, int attempt) {
    return Failure.other(call.anyApplied, op.name + ": the client was closed before attempt " + attempt
        + " could start.", null);
  }

  /**
   * Every connection slot of the client stayed busy for as long as this attempt could wait: nothing was
   * sent, so the retry policy may try again.
   */
  private Failure slotsBusy(Operation<?> op, long waitedNanos) {
    return Failure.transport(Failure.Category.NOT_SENT, false, true, op.name + ": all " + permits.max()
        + " connection slots of this client stayed busy for " + Duration.ofNanos(waitedNanos).toMillis()
        + " ms (CloudPhoneClient.Builder.maxConcurrentRequests). Nothing was sent.", null);
  }

  private Failure deadlinePassed(Operation<?> op) {
    return Failure.transport(Failure.Category.FINAL, false, true, op.name + ": the call timeout of "
        + Duration.ofNanos(callTimeoutNanos).toMillis() + " ms passed before the next attempt could start.", null);
  }

  // ---------------------------------------------------------------- requests, logs, listener

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

  private HttpRequest withAttemptTimeout(HttpRequest base, long remainingNanos) {
    if (remainingNanos >= attemptTimeout.toNanos()) {
      return base;
    }
    return base.toBuilder().timeout(Duration.ofNanos(remainingNanos)).build();
  }

  private void listenerStarted(Operation<?> op, Call call, int attempt) {
    try {
      listener.attemptStarted(op.name, call.id, attempt);
    } catch (RuntimeException e) {
      LOG.warn("CallListener.attemptStarted threw; ignored", e);
    }
  }

  private void attemptEnded(Operation<?> op, Call call, int attempt, long start, Object result,
      HttpResponse answer) {
    Duration took = Duration.ofNanos(timing.nanoTime() - start);
    Failure failure = result instanceof Failure ? (Failure) result : null;
    int status = answer != null ? answer.statusCode() : failure == null ? 200 : failure.statusCode;
    if (LOG.isDebugEnabled()) {
      String requestId = failure != null ? failure.requestId : successRequestId(result, answer);
      LOG.debug("{} {} -> {} (attempt {}/{}, {} ms, request id {}, call {}){}", op.method, op.logPath,
          status < 0 ? "no answer" : String.valueOf(status), attempt, policy.maxAttempts(),
          took.toMillis(), requestId == null ? "none" : requestId, call.id,
          failure == null ? "" : ": " + failure.message);
    }
    try {
      listener.attemptFinished(op.name, call.id, attempt, status, took,
          failure == null ? null : failure.toException(attempt));
    } catch (RuntimeException e) {
      LOG.warn("CallListener.attemptFinished threw; ignored", e);
    }
  }

  /** The request id of a successful answer, for the log: the body's, else {@code X-Request-Id}, else null. */
  private static String successRequestId(Object value, HttpResponse answer) {
    String id = value instanceof io.github.cphsdk.model.ShareAppsResponse
        ? ((io.github.cphsdk.model.ShareAppsResponse) value).requestId()
        : value instanceof io.github.cphsdk.model.JobList ? ((io.github.cphsdk.model.JobList) value).requestId() : null;
    if ((id == null || id.isEmpty()) && answer != null) {
      id = answer.header("X-Request-Id").orElse(null);
    }
    return id == null || id.isEmpty() ? null : id;
  }

  private void retryScheduled(Operation<?> op, Call call, int attempt, Duration delay, Failure failure) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {}: retry {} of call {} in {} ms", op.method, op.logPath, attempt + 1, call.id, delay.toMillis());
    }
    try {
      listener.retryScheduled(op.name, call.id, attempt + 1, delay, failure.toException(attempt));
    } catch (RuntimeException e) {
      LOG.warn("CallListener.retryScheduled threw; ignored", e);
    }
  }

  /** 32 lower-case hex digits (two random longs with the top bit set, so always 16 digits each). */
  private static String callId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] id = new char[32];
    hex16(r.nextLong() | Long.MIN_VALUE, id, 0);
    hex16(r.nextLong() | Long.MIN_VALUE, id, 16);
    return new String(id);
  }

  private static void hex16(long v, char[] into, int at) {
    for (int i = 15; i >= 0; i--) {
      into[at + i] = HEX_DIGITS[(int) (v & 0xf)];
      v >>>= 4;
    }
  }

  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

  private static String hostOf(String location) {
    try {
      String host = java.net.URI.create(location).getHost();
      return host == null ? "another address" : host;
    } catch (IllegalArgumentException e) {
      return "another address";
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static Throwable unwrap(Throwable error) {
    Throwable t = Futures.unwrap(error);
    if (t instanceof CancellationException) {
      return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND, "exchange cancelled", t);
    }
    return t;
  }
}
