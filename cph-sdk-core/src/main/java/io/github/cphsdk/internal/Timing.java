package io.github.cphsdk.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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

  /** Stops the timer thread, if one was started. */
  @Override
  void close();

  /** Real time; the timer thread (one, daemon) starts with the first scheduled task. */
  static Timing system() {
    return new SystemTiming();
  }

  /** The real clocks and a lazily started daemon scheduler. */
  final class SystemTiming implements Timing {
    private volatile ScheduledThreadPoolExecutor scheduler;
    private volatile boolean closed;

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
      return scheduler().schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }

    private ScheduledThreadPoolExecutor scheduler() {
      ScheduledThreadPoolExecutor s = scheduler;
      if (s == null) {
        synchronized (this) {
          if (closed) {
            throw new RejectedExecutionException("the client is closed");
          }
          s = scheduler;
          if (s == null) {
            s = new ScheduledThreadPoolExecutor(1, r -> {
              Thread t = new Thread(r, "cph-sdk-scheduler");
              t.setDaemon(true);
              return t;
            });
            s.setRemoveOnCancelPolicy(true);
            s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            scheduler = s;
          }
        }
      }
      return s;
    }

    @Override
    public synchronized void close() {
      closed = true;
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
    }
  }
}
