package io.github.cphsdk.internal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.internal.Timing;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The shared rollout rate on a clock that moves only when the limiter sleeps. */
class RateLimiterTest {

  static final class ManualTiming implements Timing {
    long nanos = 5_000_000_000L;
    long slept;

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public Clock clock() {
      return Clock.systemUTC();
    }

    @Override
    public void sleep(Duration delay) {
      nanos += delay.toNanos();
      slept += delay.toNanos();
    }

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  final ManualTiming timing = new ManualTiming();
  final RateLimiter limiter = new RateLimiter(timing);

  @Test
  void startsSlowAndDoublesEverySecondUntilThrottled() throws InterruptedException {
    assertEquals(RateLimiter.INITIAL_RATE, limiter.rate());
    for (int i = 0; i < 10; i++) {
      limiter.acquire();
    }
    // 10 requests at 10/s: the first is free, nine wait a tenth of a second each
    assertEquals(900_000_000L, timing.slept, 2_000_000L);
    timing.sleep(Duration.ofSeconds(1));
    limiter.acquire();
    assertTrue(limiter.rate() >= 2 * RateLimiter.INITIAL_RATE, "doubled: " + limiter.rate());
  }

  /** Asks for requests without pause for {@code seconds} of the limiter's clock. */
  void busyFor(double seconds) throws InterruptedException {
    long end = timing.nanos + (long) (seconds * 1e9);
    while (timing.nanos < end) {
      limiter.acquire();
    }
  }

  @Test
  void anIdleLimiterDoesNotGrow() throws InterruptedException {
    limiter.acquire();
    timing.sleep(Duration.ofSeconds(30));
    limiter.acquire();
    assertEquals(RateLimiter.INITIAL_RATE, limiter.rate());
  }

  @Test
  void aThrottledAnswerCutsTheRateOncePerSecondAndHoldsRequests() throws InterruptedException {
    busyFor(3.05); // slow start: 10 -> 80
    double before = limiter.rate();
    assertEquals(80, before, 0.001);
    limiter.throttled();
    limiter.throttled(); // same second: counted, not cut again
    assertEquals(before * RateLimiter.DECREASE, limiter.rate(), 0.001);
    assertEquals(2, limiter.throttledCount());

    limiter.hold(Duration.ofSeconds(2));
    long start = timing.nanos;
    limiter.acquire();
    assertTrue(timing.nanos - start >= 2_000_000_000L, "held for Retry-After");

    // after slow start ended: one request per second more each busy second
    double cut = limiter.rate();
    busyFor(3.05);
    assertEquals(cut + 3 * RateLimiter.INCREASE, limiter.rate(), 0.001);
  }

  @Test
  void chargedRequestsDelayTheNextOne() throws InterruptedException {
    limiter.acquire();
    limiter.charge(5);
    long start = timing.nanos;
    limiter.acquire();
    assertTrue(timing.nanos - start >= 500_000_000L, "five requests' worth at 10/s");
  }
}
