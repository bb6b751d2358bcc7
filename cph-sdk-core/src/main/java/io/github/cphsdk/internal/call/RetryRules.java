package io.github.cphsdk.internal.call;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.retry.RetryPolicy;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The retry rules on one screen: after a failed attempt, whether to try again and after how long. One instance
 * serves the synchronous loop and the asynchronous state machine of a client alike. It does no I/O and reads no
 * clock of its own (the caller supplies the time left, read once the delay is known), so both paths decide the same way by
 * construction. What each {@link Failure.Category} means is the {@link Classifier}'s; the user-facing statement of
 * these rules is the javadoc of {@link RetryPolicy}.
 */
final class RetryRules {

  /** The answer: retry after {@link #delay}, or stop and report {@link #failure} (which may carry a note). */
  static final class Decision {
    /** The wait before the next attempt; {@code null} to stop. */
    final Duration delay;
    /** The failure to report if the call ends here (the attempt's, perhaps with a note why it was not retried). */
    final Failure failure;

    private Decision(Duration delay, Failure failure) {
      this.delay = delay;
      this.failure = failure;
    }

    boolean retry() {
      return delay != null;
    }
  }

  private final RetryPolicy policy;
  private final Credentials credentials;

  RetryRules(RetryPolicy policy, Credentials credentials) {
    this.policy = policy;
    this.credentials = credentials;
  }

  /**
   * Decides after attempt {@code attempt} of {@code call} failed with {@code failure}.
   *
   * @param nanosLeft the call's time left (its deadline minus the current time), asked for only when the delay is
   *     known: after the user's retry condition and backoff strategy ran, which may take time of their own
   */
  Decision decide(CallState call, Failure failure, int attempt, LongSupplier nanosLeft) {
    // 401 once: fresh credentials may succeed, and a 401 was not applied. (Not counted against maxAttempts.)
    if (failure.category == Failure.Category.UNAUTHORIZED) {
      if (!call.refreshed && refreshAfterUnauthorized(failure)) {
        call.refreshed = true;
        return retry(Duration.ZERO, failure);
      }
      return stop(failure);
    }
    // A thread that was interrupted wants to stop, not to wait.
    if (Thread.currentThread().isInterrupted()) {
      return stop(failure);
    }
    // No attempt left: nothing to decide, so the user's condition is not asked.
    if (attempt >= policy.maxAttempts()) {
      return stop(policy.maxAttempts() > 1 && retriedByBuiltInRules(call.op, failure)
          ? failure.withNote(CallMessages.gaveUp(attempt)) : failure);
    }
    // Only what the built-in rules retry, or what the user's condition accepts.
    if (!retriedByBuiltInRules(call.op, failure) && !userConditionSaysRetry(failure, attempt)) {
      return stop(failure);
    }
    // Retry-After is the least wait the service asks for, never less than the backoff: a date in the past (or 0)
    // must not turn the retries into a burst.
    Duration delay = backoffDelay(attempt);
    if (failure.retryAfter != null) {
      Duration asked = min(failure.retryAfter, policy.maxRetryAfter());
      delay = delay == null || asked.compareTo(delay) > 0 ? asked : delay;
    }
    // The backoff strategy threw, and the service asked for no wait: stop rather than guess.
    if (delay == null) {
      return stop(failure);
    }
    // Never sleep past the deadline: fail now with the service's own answer instead. (Compared as durations: a
    // delay from a custom strategy may be too long for nanoseconds in a long.)
    if (delay.compareTo(Duration.ofNanos(nanosLeft.getAsLong())) >= 0) {
      return stop(failure.withNote(CallMessages.wouldPassDeadline(delay)));
    }
    return retry(delay, failure);
  }

  /**
   * The built-in rules (DESIGN rule 1): retry where nothing reached the service or it said it did not act;
   * where it may have acted, only when a second run is harmless or the user accepted that it may happen.
   */
  private boolean retriedByBuiltInRules(Operation<?> op, Failure failure) {
    switch (failure.category) {
      case NOT_SENT: // nothing reached the service
      case THROTTLED: // the service said it did not act
        return true;
      case AMBIGUOUS: // only where a second run is harmless, or the user accepted that it may happen
        return op.idempotent || policy.retryAmbiguousFailures();
      default: // FINAL: a retry would fail the same way
        return false;
    }
  }

  private boolean userConditionSaysRetry(Failure failure, int attempt) {
    try {
      return policy.retryCondition().shouldRetry(failure.toException(attempt), attempt);
    } catch (RuntimeException e) {
      CallPipeline.LOG.warn("retry condition threw; not retrying", e);
      return false;
    }
  }

  /** The strategy's delay; {@code null} (no retry) if it throws, zero if it answers null or negative. */
  private Duration backoffDelay(int attempt) {
    Duration delay;
    try {
      delay = policy.backoff().delayBeforeRetry(attempt);
    } catch (RuntimeException e) {
      CallPipeline.LOG.warn("backoff strategy threw; not retrying", e);
      return null;
    }
    return delay == null || delay.isNegative() ? Duration.ZERO : delay;
  }

  private boolean refreshAfterUnauthorized(Failure failure) {
    try {
      return credentials.refreshAfterUnauthorized(failure.error == null ? null : failure.error.errorCode,
          failure.error == null ? null : failure.error.errorMessage);
    } catch (RuntimeException e) {
      CallPipeline.LOG.warn("Credentials.refreshAfterUnauthorized threw; not repeating the call", e);
      return false;
    }
  }

  private static Decision retry(Duration delay, Failure failure) {
    return new Decision(delay, failure);
  }

  private static Decision stop(Failure failure) {
    return new Decision(null, failure);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
