package io.github.cphsdk.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * When a failed call is tried again. Immutable and shareable.
 *
 * <p>Built-in rules (the push is not idempotent, so a retry must never risk a second push):
 * <table>
 *   <caption>What is retried</caption>
 *   <tr><th>failure</th><th>retried by default</th><th>why</th></tr>
 *   <tr><td>connection never established (refused, unknown host, connect timeout)</td><td>yes</td>
 *       <td>nothing was sent</td></tr>
 *   <tr><td>429 (e.g. {@code APIGW.0308}) and 503</td><td>yes</td><td>the service did not act</td></tr>
 *   <tr><td>500, 502, 504, 408, read timeout, connection lost after sending</td>
 *       <td>no (yes with {@link Builder#retryAmbiguousFailures(boolean)})</td>
 *       <td>the push may have started jobs</td></tr>
 *   <tr><td>other 4xx, other 5xx, TLS certificate failures</td><td>no</td><td>a retry would fail the same way</td></tr>
 * </table>
 * Reads (show and list jobs) are safe to repeat, so for them the ambiguous failures are retried too; waiting
 * for jobs likewise polls again after any of them, and stops only on a 4xx other than 408 and 429.
 *
 * <p><b>408 Request Timeout</b> counts as ambiguous, with
 * {@link io.github.cphsdk.CloudPhoneException#mayHaveBeenApplied()} {@code true}: CPH does not document it, so it
 * may come from a gateway, load balancer or proxy on the way, which may already have passed the request on. It is no proof that the service did not act, and only such proof (no connection, 429, 503) lets
 * the push be retried by default.
 *
 * <pre>{@code
 * RetryPolicy.defaults();                                  // 3 attempts, jittered backoff
 * RetryPolicy.none();                                      // one attempt
 * RetryPolicy.builder()
 *     .maxAttempts(5)
 *     .backoff(BackoffStrategy.exponentialWithFullJitter(Duration.ofMillis(500), Duration.ofSeconds(30)))
 *     .maxRetryAfter(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULTS = builder().build();
  private static final RetryPolicy NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final BackoffStrategy backoff;
  private final Duration maxRetryAfter;
  private final boolean retryAmbiguousFailures;
  private final RetryCondition retryCondition;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.backoff = b.backoff;
    this.maxRetryAfter = b.maxRetryAfter;
    this.retryAmbiguousFailures = b.retryAmbiguousFailures;
    this.retryCondition = b.retryCondition;
  }

  /**
   * {@return 3 attempts, exponential backoff with full jitter (base 200 ms, cap 20 s), {@code Retry-After} up to
   * 30 s}
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** {@return a single attempt, never retried} */
  public static RetryPolicy none() {
    return NONE;
  }

  /** {@return a builder starting from the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder starting from this policy} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.backoff = backoff;
    b.maxRetryAfter = maxRetryAfter;
    b.retryAmbiguousFailures = retryAmbiguousFailures;
    b.retryCondition = retryCondition;
    return b;
  }

  /** {@return attempts in all, the first included (1 means no retry); 1 to 100} */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** {@return the delay before each retry when the service did not say how long to wait} */
  public BackoffStrategy backoff() {
    return backoff;
  }

  /**
   * The longest {@code Retry-After} honoured; a longer one is cut to this. A wait that would pass the
   * call's deadline is never started: the call fails at once with the service's answer.
   *
   * @return the cap; zero or more
   */
  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  /** {@return whether failures after which the push may have been applied are retried too (off by default)} */
  public boolean retryAmbiguousFailures() {
    return retryAmbiguousFailures;
  }

  /** {@return the user rule asked after the built-in rules said no; never {@code null}} */
  public RetryCondition retryCondition() {
    return retryCondition;
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", backoff=" + backoff + ", maxRetryAfter=" + maxRetryAfter
        + ", retryAmbiguousFailures=" + retryAmbiguousFailures + '}';
  }

  /** Builds a {@link RetryPolicy}; starts from the defaults. */
  public static final class Builder {
    private static final RetryCondition NEVER = (failure, attempt) -> false;

    private int maxAttempts = 3;
    private BackoffStrategy backoff =
        BackoffStrategy.exponentialWithFullJitter(Duration.ofMillis(200), Duration.ofSeconds(20));
    private Duration maxRetryAfter = Duration.ofSeconds(30);
    private boolean retryAmbiguousFailures;
    private RetryCondition retryCondition = NEVER;

    private Builder() {}

    /**
     * Attempts in all (default 3).
     *
     * @param maxAttempts 1 to 100, the first attempt included; 1 means no retry
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException("maxAttempts must be 1 to 100 (attempts, the first included), got "
            + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * The delay between attempts (default: exponential with full jitter, 200 ms base, 20 s cap).
     *
     * @param backoff not {@code null}; asked when the service did not say how long to wait
     * @return this builder
     */
    public Builder backoff(BackoffStrategy backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * The longest {@code Retry-After} honoured (default 30 s).
     *
     * @param maxRetryAfter zero or more; a longer {@code Retry-After} is cut to this
     * @return this builder
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
      if (maxRetryAfter.isNegative()) {
        throw new IllegalArgumentException("maxRetryAfter must not be negative, got " + maxRetryAfter);
      }
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /**
     * Also retry 500, 502, 504, 408, read timeouts and connections lost after the request was sent.
     *
     * <p><b>This may start duplicate push jobs:</b> after such a failure the service may already have
     * accepted the push, and a retry pushes again. Turn it on only if a second push is harmless to you.
     *
     * @param retryAmbiguousFailures {@code true} to retry them (default {@code false})
     * @return this builder
     */
    public Builder retryAmbiguousFailures(boolean retryAmbiguousFailures) {
      this.retryAmbiguousFailures = retryAmbiguousFailures;
      return this;
    }

    /**
     * A rule for everything the built-in rules do not retry; see {@link RetryCondition}.
     *
     * @param retryCondition not {@code null} (default: never retry)
     * @return this builder
     */
    public Builder retryCondition(RetryCondition retryCondition) {
      this.retryCondition = Objects.requireNonNull(retryCondition, "retryCondition");
      return this;
    }

    /** {@return a new, immutable policy} */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
