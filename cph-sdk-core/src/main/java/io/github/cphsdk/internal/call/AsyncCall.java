package io.github.cphsdk.internal.call;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransportException;
import io.github.cphsdk.internal.ExchangeProgress;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.Permits;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One asynchronous call of {@link CallPipeline#executeAsync}: the same steps as the synchronous loop, as a state
 * machine that never blocks a thread. Attempts run on the transport's threads, backoff waits on the timer, and
 * the future completes on the completion executor. Each attempt is settled once, by the first of: its exchange's
 * end, its timer, a credentials failure, {@code close()}. Cancelling the future aborts the exchange in flight and
 * any pending retry. The decisions are the pipeline's (classifier, retry rules), shared with the sync path.
 */
final class AsyncCall<T> extends CompletableFuture<T> {

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

  private final CallPipeline p;
  private final Operation<T> op;
  private final CallState call;
  private final HttpRequest base;
  /** Set by whichever path ends the call first, so that it completes, and logs its failure, once. */
  private final AtomicBoolean ended = new AtomicBoolean();
  /** The latest attempt started. */
  private volatile Attempt current;
  /** The retry waiting in the timer, if any. Kept apart from the attempt, which may start before this is set. */
  private volatile Future<?> pendingRetry;

  AsyncCall(CallPipeline pipeline, Operation<T> op, CallState call, HttpRequest base) {
    this.p = pipeline;
    this.op = op;
    this.call = call;
    this.base = base;
  }

  private boolean over() {
    return ended.get() || isDone();
  }

  void attempt(int attempt) {
    if (over()) {
      return;
    }
    if (p.closed) {
      abortOnClose();
      return;
    }
    long remaining = call.deadline - p.timing.nanoTime();
    if (remaining <= 0) {
      fail(() -> call.fail(p.deadlinePassed(op), attempt - 1));
      return;
    }
    Attempt a = new Attempt(attempt);
    current = a;
    long start = p.timing.nanoTime();
    Duration limit = Duration.ofNanos(Math.min(remaining, p.attemptTimeout.toNanos()));
    try {
      a.timer = p.timing.timeout(() -> guarded(() -> {
        if (a.settled.compareAndSet(false, true)) {
          if (p.permits.cancel(a.queued)) { // still waiting for a connection slot: nothing was sent
            settle(attempt, start, AttemptResult.failed(p.slotsBusy(op, limit.toNanos())));
            return;
          }
          Future<?> exchange = a.exchange;
          // how far the exchange got: the transport's word when it keeps track, else "handed to it"
          boolean mayHaveBeenSent = exchange instanceof ExchangeProgress
              ? ((ExchangeProgress) exchange).requestMayHaveBeenSent() : a.sent.get();
          cancelQuietly(exchange, true);
          HttpTransportException timeout = new HttpTransportException(mayHaveBeenSent
              ? HttpTransportException.Kind.RESPONSE_TIMEOUT : HttpTransportException.Kind.CONNECT_TIMEOUT,
              CallMessages.attemptTimerFired(mayHaveBeenSent, limit), null);
          settle(attempt, start, AttemptResult.failed(p.classifier.noAnswer(op, timeout, remaining)));
        }
      }), limit);
    } catch (RejectedExecutionException closedTimer) {
      fail(() -> call.fail(Failure.other(call.anyApplied, CallMessages.CLIENT_CLOSED, closedTimer), attempt - 1));
      return;
    }
    if (over()) { // cancelled while the timer was being set
      cancelQuietly(a.timer, false);
      return;
    }
    CompletableFuture<HttpRequest> authorized;
    try {
      authorized = p.credentials.authorizeAsync(p.withAttemptTimeout(base, remaining), p.authContext);
    } catch (RuntimeException e) {
      authorized = Futures.failed(e);
    }
    authorized.whenComplete((request, authError) -> guarded(() -> {
      if (authError != null) {
        if (a.settled.compareAndSet(false, true)) {
          cancelQuietly(a.timer, false);
          fail(() -> call.failCredentials(Classifier.unwrap(authError), attempt - 1));
        }
        return;
      }
      if (over() || a.settled.get()) {
        return;
      }
      // Wait for a connection slot without holding a thread; the attempt's timer bounds the wait.
      a.queued = p.permits.acquireThen(() -> guarded(() -> send(a, request, start, remaining, limit.toNanos())));
      if (over() || a.settled.get()) { // cancelled, timed out or closed while queueing
        p.permits.cancel(a.queued);
      }
    }));
  }

  /** Sends the attempt's exchange; runs holding a connection slot, which ends with the exchange. */
  private void send(Attempt a, HttpRequest request, long start, long remaining, long limitNanos) {
    int attempt = a.number;
    if (over() || a.settled.get()) {
      p.permits.release();
      return;
    }
    if (p.timing.nanoTime() - start >= limitNanos) { // the slot came as the attempt's time ran out
      p.permits.release();
      if (a.settled.compareAndSet(false, true)) {
        cancelQuietly(a.timer, false);
        settle(attempt, start, AttemptResult.failed(p.slotsBusy(op, limitNanos)));
      }
      return;
    }
    CompletableFuture<HttpResponse> exchange;
    try {
      p.events.attemptStarted(call, attempt);
      a.sent.set(true);
      exchange = p.transport.executeAsync(request);
    } catch (RuntimeException e) {
      exchange = Futures.failed(e);
    }
    a.exchange = exchange;
    if (over() || a.settled.get()) { // cancelled, timed out or closed while the exchange was starting
      exchange.cancel(true);
    }
    exchange.whenComplete((response, error) -> {
      p.permits.release(); // first: the next queued exchange starts while this answer is read
      guarded(() -> {
        if (!a.settled.compareAndSet(false, true)) {
          return;
        }
        cancelQuietly(a.timer, false);
        settle(attempt, start, error == null ? p.classifier.answer(op, response)
            : AttemptResult.failed(p.classifier.noAnswer(op, Classifier.unwrap(error), remaining)));
      });
    });
  }

  private void settle(int attempt, long start, AttemptResult<T> result) {
    if (over()) {
      return;
    }
    p.events.attemptEnded(call, attempt, start, result);
    if (result.succeeded()) {
      finish(result.value);
      return;
    }
    Failure failure = result.failure;
    RetryRules.Decision next = p.decide(call, failure, attempt);
    if (!next.retry()) {
      fail(() -> call.fail(next.failure, attempt));
      return;
    }
    try {
      pendingRetry = p.timing.schedule(() -> guarded(() -> attempt(attempt + 1)), next.delay);
    } catch (RejectedExecutionException closedTimer) {
      fail(() -> call.fail(failure.withNote(CallMessages.NOT_RETRIED_CLOSED), attempt));
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
    fail(() -> call.fail(Failure.other(applied, CallMessages.closedDuringCall(op, applied), null), attempts));
  }

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
      p.completionExecutor.execute(completion);
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
      p.permits.cancel(a.queued);
      cancelQuietly(a.timer, false);
      cancelQuietly(a.exchange, true);
    }
  }

  private static void cancelQuietly(Future<?> f, boolean mayInterrupt) {
    if (f != null) {
      f.cancel(mayInterrupt);
    }
  }
}
