package io.github.cphsdk;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link CloudPhoneClient#waitForJobs} waits: how long in total, when it first looks, how often it looks
 * again, and who hears about progress. The first poll comes after {@link Builder#initialDelay} (default 10 s,
 * as Huawei's own Terraform provider does); then the interval starts at {@link Builder#pollInterval} (default
 * 5 s) and doubles after every poll up to {@link Builder#maxPollInterval} (default 30 s). The wait gives up
 * after {@link Builder#timeout} (default 30 minutes) and reports the jobs still running.
 *
 * <pre>{@code
 * WaitOptions options = WaitOptions.builder()
 *     .timeout(Duration.ofMinutes(30))
 *     .initialDelay(Duration.ofSeconds(10))
 *     .pollInterval(Duration.ofSeconds(5))
 *     .maxPollInterval(Duration.ofSeconds(30))
 *     .listener(myListener)
 *     .build();
 * }</pre>
 */
public final class WaitOptions {
  private static final WaitOptions DEFAULTS = builder().build();

  private final Duration timeout;
  private final Duration initialDelay;
  private final Duration pollInterval;
  private final Duration maxPollInterval;
  private final JobListener listener;

  private WaitOptions(Builder b) {
    this.timeout = b.timeout;
    this.initialDelay = b.initialDelay;
    this.pollInterval = b.pollInterval;
    this.maxPollInterval = b.maxPollInterval;
    this.listener = b.listener;
  }

  /** {@return 30 minutes in total, first poll after 10 s, then every 5 s growing to every 30 s, no listener} */
  public static WaitOptions defaults() {
    return DEFAULTS;
  }

  /** {@return a new builder with the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return how long the whole wait may take; positive} */
  public Duration timeout() {
    return timeout;
  }

  /** {@return the wait before the first poll; zero or more} */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** {@return the wait between the first and the second poll; it doubles after every poll} */
  public Duration pollInterval() {
    return pollInterval;
  }

  /** {@return the longest wait between two polls; not below {@link #pollInterval()}} */
  public Duration maxPollInterval() {
    return maxPollInterval;
  }

  /** {@return who hears about progress; empty when nobody does} */
  public Optional<JobListener> listener() {
    return Optional.ofNullable(listener);
  }

  @Override
  public String toString() {
    return "WaitOptions{timeout=" + timeout + ", initialDelay=" + initialDelay + ", pollInterval=" + pollInterval
        + ", maxPollInterval=" + maxPollInterval + ", listener=" + (listener != null) + '}';
  }

  /** Builds {@link WaitOptions}. */
  public static final class Builder {
    private Duration timeout = Duration.ofMinutes(30);
    private Duration initialDelay = Duration.ofSeconds(10);
    private Duration pollInterval = Duration.ofSeconds(5);
    private Duration maxPollInterval = Duration.ofSeconds(30);
    private JobListener listener;

    private Builder() {}

    /**
     * How long the whole wait may take (default 30 minutes).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * The wait before the first poll (default 10 s).
     *
     * @param initialDelay zero or more
     * @return this builder
     */
    public Builder initialDelay(Duration initialDelay) {
      Objects.requireNonNull(initialDelay, "initialDelay");
      if (initialDelay.isNegative()) {
        throw new IllegalArgumentException("initialDelay must be zero or positive, got " + initialDelay);
      }
      this.initialDelay = initialDelay;
      return this;
    }

    /**
     * The first interval between polls (default 5 s); it doubles after every poll.
     *
     * @param pollInterval positive
     * @return this builder
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = positive(pollInterval, "pollInterval");
      return this;
    }

    /**
     * The longest interval between polls (default 30 s).
     *
     * @param maxPollInterval positive, not below {@link #pollInterval} (checked in {@link #build()})
     * @return this builder
     */
    public Builder maxPollInterval(Duration maxPollInterval) {
      this.maxPollInterval = positive(maxPollInterval, "maxPollInterval");
      return this;
    }

    /**
     * Who hears about progress (default: nobody).
     *
     * @param listener not {@code null}
     * @return this builder
     */
    public Builder listener(JobListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The options.
     *
     * @return the options, immutable
     * @throws IllegalArgumentException when maxPollInterval is shorter than pollInterval
     */
    public WaitOptions build() {
      if (maxPollInterval.compareTo(pollInterval) < 0) {
        throw new IllegalArgumentException("maxPollInterval (" + maxPollInterval + ") must not be shorter than "
            + "pollInterval (" + pollInterval + ")");
      }
      return new WaitOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
