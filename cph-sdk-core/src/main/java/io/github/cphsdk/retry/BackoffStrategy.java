package io.github.cphsdk.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before retry number {@code n} (1 for the first retry). One method, with factories for
 * the usual shapes.
 *
 * <p>{@link #exponentialWithFullJitter(Duration, Duration)}: the delay before retry {@code n} is a uniformly
 * random duration in {@code [0, min(cap, base * 2^(n-1))]}. Full jitter spreads the retries of many clients
 * that failed together, so they do not come back together.
 *
 * <pre>{@code
 * BackoffStrategy backoff = BackoffStrategy.exponentialWithFullJitter(Duration.ofMillis(200), Duration.ofSeconds(20));
 * Duration wait = backoff.delayBeforeRetry(3);   // somewhere in [0, 800 ms]
 * }</pre>
 *
 * <p>A {@code Retry-After} answer from the service takes precedence over the strategy (see
 * {@link RetryPolicy#maxRetryAfter()}).
 */
@FunctionalInterface
public interface BackoffStrategy {

  /**
   * The delay before retry number {@code retry} (1 for the first retry, i.e. the second attempt).
   * Never negative.
   *
   * @param retry the retry's number, from 1
   * @return the delay; zero or more, not {@code null}
   */
  Duration delayBeforeRetry(int retry);

  /**
   * Exponential backoff with full jitter: a random delay in {@code [0, min(cap, base * 2^(retry-1))]}.
   * The default is {@code base = 200 ms}, {@code cap = 20 s}.
   *
   * @param base the ceiling of the first retry's delay; positive
   * @param cap the highest ceiling; positive, at least {@code base}
   * @return a thread-safe strategy
   */
  static BackoffStrategy exponentialWithFullJitter(Duration base, Duration cap) {
    long baseNanos = nanosAtMostMax(positive(base, "base"));
    long capNanos = nanosAtMostMax(positive(cap, "cap"));
    if (capNanos < baseNanos) {
      throw new IllegalArgumentException("cap must be >= base, got base " + base + " and cap " + cap);
    }
    return new BackoffStrategy() {
      @Override
      public Duration delayBeforeRetry(int retry) {
        long ceiling = exponentialCeiling(baseNanos, capNanos, retry);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        // ceiling + 1 overflows only for a cap of Long.MAX_VALUE ns (~292 years): then any non-negative long fits
        return Duration.ofNanos(ceiling == Long.MAX_VALUE ? random.nextLong() & Long.MAX_VALUE : random.nextLong(ceiling + 1));
      }

      @Override
      public String toString() {
        return "exponentialWithFullJitter(base=" + base + ", cap=" + cap + ")";
      }
    };
  }

  /**
   * The same delay before every retry.
   *
   * @param delay zero or more
   * @return a strategy that always answers {@code delay}
   */
  static BackoffStrategy fixed(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    return new BackoffStrategy() {
      @Override
      public Duration delayBeforeRetry(int retry) {
        return delay;
      }

      @Override
      public String toString() {
        return "fixed(" + delay + ")";
      }
    };
  }

  /** {@return a strategy that retries at once (a zero delay)} */
  static BackoffStrategy none() {
    return fixed(Duration.ZERO);
  }

  /** {@code min(cap, base * 2^(retry-1))} without overflow; {@code retry} below 1 counts as 1. */
  private static long exponentialCeiling(long baseNanos, long capNanos, int retry) {
    int shift = Math.max(0, retry - 1);
    // base >= 1, so from 2^63 on the product passes any long cap (and >> would wrap at 64)
    if (shift >= 63 || baseNanos > (capNanos >> shift)) {
      return capNanos;
    }
    return Math.min(capNanos, baseNanos << shift);
  }

  /** Nanoseconds, a duration longer than {@code Long.MAX_VALUE} ns (~292 years) counting as that. */
  private static long nanosAtMostMax(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }
}
