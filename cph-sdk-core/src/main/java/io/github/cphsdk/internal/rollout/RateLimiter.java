package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.internal.Timing;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client-side request rate shared by everything a client's rollouts send: a token bucket (one second of
 * burst) whose rate follows additive increase / multiplicative decrease. It starts at {@link #INITIAL_RATE}
 * requests per second and doubles every second without a throttled answer (slow start) up to
 * {@link #MAX_RATE}; the first 429 ends slow start. The rate grows only after a second in which a request had
 * to wait for it (an idle limiter stays where it was). Every 429 (at most one per second counts) multiplies the
 * rate by {@link #DECREASE} and holds every new request until the answer's {@code Retry-After} (as the client's
 * retry delay after it) has passed; afterwards the rate grows by {@link #INCREASE} requests per second every
 * such second. Thread-safe.
 */
public final class RateLimiter {
  static final double INITIAL_RATE = 10;
  static final double MAX_RATE = 2000;
  static final double MIN_RATE = 0.2;
  static final double DECREASE = 0.85;
  static final double INCREASE = 1;
  private static final long SECOND = 1_000_000_000L;
  private static final Duration LONGEST_HOLD = Duration.ofSeconds(60);

  private final Timing timing;
  private double rate = INITIAL_RATE;
  private double tokens = 1;
  private boolean slowStart = true;
  private long lastRefill;
  private long lastGrowth;
  private long lastDecrease = Long.MIN_VALUE / 2;
  private long heldUntil;
  /** Whether a request had to wait for a token since the rate last grew: only a rate in use grows. */
  private boolean limited;
  private final AtomicLong throttled = new AtomicLong();

  public RateLimiter(Timing timing) {
    this.timing = timing;
    long now = timing.nanoTime();
    this.lastRefill = now;
    this.lastGrowth = now;
    this.heldUntil = now;
  }

  /** Blocks until one request may be sent. */
  public void acquire() throws InterruptedException {
    while (true) {
      long wait;
      synchronized (this) {
        long now = timing.nanoTime();
        refill(now);
        if (now - heldUntil >= 0 && tokens >= 1) {
          tokens -= 1;
          return;
        }
        if (tokens < 1) {
          limited = true;
        }
        long untilHold = heldUntil - now;
        long untilToken = (long) Math.ceil((1 - tokens) / rate * SECOND);
        wait = Math.max(Math.max(untilHold, untilToken), 1_000_000L);
      }
      timing.sleep(Duration.ofNanos(wait));
    }
  }

  /** Takes {@code n} requests that were sent without asking (e.g. further pages of one listing) into account. */
  public synchronized void charge(int n) {
    refill(timing.nanoTime());
    tokens -= n;
  }

  /** The service answered 429: slow down (at most one decrease per second counts). */
  public synchronized void throttled() {
    throttled.incrementAndGet();
    long now = timing.nanoTime();
    refill(now);
    if (now - lastDecrease >= SECOND) {
      rate = Math.max(MIN_RATE, rate * DECREASE);
      slowStart = false;
      lastDecrease = now;
      lastGrowth = now;
      tokens = Math.min(tokens, rate);
    }
  }

  /** Holds every new request for {@code delay} (the service's {@code Retry-After}, capped at a minute). */
  public synchronized void hold(Duration delay) {
    if (delay == null || delay.isNegative() || delay.isZero()) {
      return;
    }
    long until = timing.nanoTime() + (delay.compareTo(LONGEST_HOLD) > 0 ? LONGEST_HOLD : delay).toNanos();
    if (until - heldUntil > 0) {
      heldUntil = until;
    }
  }

  private void refill(long now) {
    if (now - lastGrowth >= SECOND) {
      // one step per second that saw demand at the limit: an idle rollout (waiting for jobs) does not inflate
      // its rate into a burst the service would throttle
      if (limited) {
        rate = Math.min(MAX_RATE, slowStart ? rate * 2 : rate + INCREASE);
        limited = false;
      }
      lastGrowth = now;
    }
    long elapsed = now - lastRefill;
    if (elapsed > 0) {
      tokens = Math.min(Math.max(1, rate), tokens + rate * elapsed / SECOND);
      lastRefill = now;
    }
  }

  /** {@return the current rate, requests per second} */
  public synchronized double rate() {
    return rate;
  }

  /** {@return how many throttled answers were seen} */
  public long throttledCount() {
    return throttled.get();
  }
}
