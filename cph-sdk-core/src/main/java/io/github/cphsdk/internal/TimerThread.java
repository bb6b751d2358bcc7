package io.github.cphsdk.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The SDK's one kind of timer: a single daemon thread that runs delayed tasks. It starts with the first task,
 * ends after {@code idleSeconds} with nothing scheduled (and starts again when needed), and stops for good on
 * {@link #close()}; cancelled tasks leave its queue at once. A client owns one ({@link Timing#system()}): its
 * backoff, job polls and attempt timeouts ({@link Watchdog}) all run on it. A transport built on its own owns
 * one for its exchange deadlines. Tasks run on the timer thread, so they must be short and must not block.
 */
public final class TimerThread implements AutoCloseable {
  private final String name;
  private final long idleSeconds;
  /** Created with the first task; written under this, read without the lock on the fast path. */
  private volatile ScheduledThreadPoolExecutor executor;
  private boolean closed; // guarded by this

  /**
   * A timer whose thread is named {@code name}; no thread starts yet.
   *
   * @param name the thread's name, starting with {@code cph-sdk}
   * @param idleSeconds how long the thread stays with nothing scheduled; positive
   */
  public TimerThread(String name, long idleSeconds) {
    if (idleSeconds <= 0) {
      throw new IllegalArgumentException("idleSeconds must be positive, got " + idleSeconds);
    }
    this.name = name;
    this.idleSeconds = idleSeconds;
  }

  /**
   * Runs {@code task} once on the timer thread after {@code delayNanos} (at once when not positive).
   *
   * @param task short, non-blocking
   * @param delayNanos the delay
   * @return the task's future; cancelling it removes the task
   * @throws RejectedExecutionException once closed
   */
  public ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return executor().schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  private ScheduledThreadPoolExecutor executor() {
    ScheduledThreadPoolExecutor e = executor;
    return e != null ? e : start(); // once shut down, schedule() itself refuses the task
  }

  private synchronized ScheduledThreadPoolExecutor start() {
    if (closed) {
      throw new RejectedExecutionException("the client is closed");
    }
    if (executor == null) {
      ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
      e.setRemoveOnCancelPolicy(true);
      e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      e.setKeepAliveTime(idleSeconds, TimeUnit.SECONDS);
      e.allowCoreThreadTimeOut(true); // stays while a task is pending (the thread polls, sees the queue non-empty)
      executor = e;
    }
    return executor;
  }

  /** Stops the thread; scheduled tasks never run, later ones are refused. Idempotent. */
  @Override
  public void close() {
    ScheduledThreadPoolExecutor e;
    synchronized (this) {
      closed = true;
      e = executor;
    }
    if (e != null) {
      e.shutdownNow();
    }
  }
}
