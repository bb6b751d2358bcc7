package io.github.cphsdk.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Time as the call pipeline sees it: a monotonic clock for deadlines, a wall clock for {@code Retry-After}
 * dates, a blocking sleep for synchronous backoff and a timer for asynchronous backoff. Tests replace it to
 * run retries without real waiting.
 */
public interface Timing extends AutoCloseable {

  /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** The wall clock (UTC). */
  Clock clock();

  /** Blocks the calling thread for {@code delay}. */
  void sleep(Duration delay) throws InterruptedException;

  /**
   * Runs {@code task} once after {@code delay} without holding a thread while waiting.
   *
   * @throws java.util.concurrent.RejectedExecutionException once closed
   */
  Future<?> schedule(Runnable task, Duration delay);

  /**
   * Like {@link #schedule}, for timeouts: tasks that are nearly always cancelled before they run. The real
   * implementation arms a {@link Watchdog} (no thread wake-up per call); the default just schedules.
   */
  default Future<?> timeout(Runnable task, Duration delay) {
    return schedule(task, delay);
  }

  /** Stops the timer thread, if one was started. */
  @Override
  void close();

  /** Real time; the one timer thread (daemon, {@code cph-sdk-scheduler}) starts with the first scheduled task. */
  static Timing system() {
    return new SystemTiming();
  }

  /**
   * The real clocks and one {@link TimerThread} for everything delayed: scheduled tasks, and timeouts through a
   * {@link Watchdog} that sets its alarm on the same thread. The thread starts with the first task, ends after
   * 30 s with nothing scheduled, and stops on {@link #close()}.
   */
  final class SystemTiming implements Timing {
    private final TimerThread timer = new TimerThread("cph-sdk-scheduler", 30);
    private final Watchdog watchdog = new Watchdog(timer);

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Clock clock() {
      return Clock.systemUTC();
    }

    @Override
    public void sleep(Duration delay) throws InterruptedException {
      long nanos = delay.toNanos();
      if (nanos > 0) {
        TimeUnit.NANOSECONDS.sleep(nanos);
      }
    }

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
      return timer.schedule(task, delay.toNanos());
    }

    @Override
    public Future<?> timeout(Runnable task, Duration delay) {
      return watchdog.arm(delay.toNanos(), task);
    }

    @Override
    public void close() {
      watchdog.close();
      timer.close();
    }
  }
}
