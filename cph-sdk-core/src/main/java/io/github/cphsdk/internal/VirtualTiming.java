package io.github.cphsdk.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Time for tests ({@code CloudPhoneClient.Builder.virtualTime}): the time is read from a clock the test owns,
 * and every wait (retry backoff, the delay before a job poll) moves that clock forward instead of sleeping.
 * An asynchronous wait moves the clock, then runs its task at once on the real timer thread (never on the
 * caller's stack). Timeouts of an HTTP exchange stay on real time: the exchange itself is real.
 */
public final class VirtualTiming implements Timing {
  private final Clock clock;
  private final Consumer<Duration> advance;
  private final Timing real = Timing.system();

  /**
   * Time read from {@code clock}, waits passed to {@code advance}.
   *
   * @param clock the test's clock
   * @param advance moves that clock forward by a positive duration
   */
  public VirtualTiming(Clock clock, Consumer<Duration> advance) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.advance = Objects.requireNonNull(advance, "advance");
  }

  @Override
  public long nanoTime() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public void sleep(Duration delay) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (!delay.isNegative() && !delay.isZero()) {
      advance.accept(delay);
    }
  }

  @Override
  public Future<?> schedule(Runnable task, Duration delay) {
    if (!delay.isNegative() && !delay.isZero()) {
      advance.accept(delay);
    }
    return real.schedule(task, Duration.ZERO);
  }

  @Override
  public Future<?> timeout(Runnable task, Duration delay) {
    return real.timeout(task, delay);
  }

  @Override
  public void close() {
    real.close();
  }
}
