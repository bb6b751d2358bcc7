package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.internal.Timing;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * The client's timing, whose sleeps end early (in slices of at most 50 ms) with a {@link CancelledWait} once the
 * rollout is cancelled. No thread is interrupted: an interrupt would close the journal's {@code FileChannel}.
 */
final class CancellableTiming implements Timing {
  private final Timing inner;
  private final BooleanSupplier cancelled;

  CancellableTiming(Timing inner, BooleanSupplier cancelled) {
    this.inner = inner;
    this.cancelled = cancelled;
  }

  @Override
  public long nanoTime() {
    return inner.nanoTime();
  }

  @Override
  public Clock clock() {
    return inner.clock();
  }

  @Override
  public void sleep(Duration delay) throws InterruptedException {
    Duration left = delay;
    Duration slice = Duration.ofMillis(50);
    while (true) {
      if (cancelled.getAsBoolean()) {
        throw new CancelledWait();
      }
      if (left.isZero() || left.isNegative()) {
        return;
      }
      Duration d = left.compareTo(slice) < 0 ? left : slice;
      inner.sleep(d);
      left = left.minus(d);
    }
  }

  @Override
  public Future<?> schedule(Runnable task, Duration delay) {
    return inner.schedule(task, delay);
  }

  @Override
  public Future<?> timeout(Runnable task, Duration delay) {
    return inner.timeout(task, delay);
  }

  @Override
  public void close() {
    // the client's timing: the client closes it
  }

  /** The end of a job wait because the rollout was cancelled. */
  static final class CancelledWait extends InterruptedException {
    private static final long serialVersionUID = 1L;

    CancelledWait() {
      super("the rollout was cancelled");
    }
  }
}
