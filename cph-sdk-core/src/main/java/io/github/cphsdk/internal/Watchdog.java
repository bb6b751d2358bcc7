package io.github.cphsdk.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timeouts that are nearly always cancelled before they fire, made cheap: arming one links a node into a
 * list and cancelling unlinks it, both O(1) under a short lock. One alarm, on a {@link TimerThread},
 * is set for the earliest deadline; arming a later deadline (every arm, when all calls have the same
 * timeout) leaves it alone, so the alarm thread is not woken per call. When the alarm goes off it fires
 * what expired and sets itself for the earliest deadline left. (Scheduling each timeout on a scheduler
 * instead wakes its thread whenever the queue was empty: once per call when calls run one at a time.)
 *
 * <p>The alarm runs on a client's one timer ({@link #Watchdog(TimerThread)}) or on a timer of the watchdog's own
 * ({@link #Watchdog(String)}: a daemon thread that starts with the first timeout, ends after 30 s with nothing to
 * do and stops on {@link #close()}). Expired tasks run on it, so they must be short and must not block.
 */
public final class Watchdog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

  private final TimerThread alarm;
  /** Whether {@link #close()} stops the alarm's timer too (it is this watchdog's own). */
  private final boolean ownsAlarm;
  private final ReentrantLock lock = new ReentrantLock();
  /**
   * Sentinel of a circular doubly linked list of armed timeouts (unsorted). A timeout is in the list
   * exactly when its {@code prev} is not null.
   */
  private final Timeout head = new Timeout(this, 0, null);
  /** The alarm set for {@link #alarmAt}, or null when none is set; guarded by the lock. */
  private ScheduledFuture<?> pending;
  private long alarmAt;
  private boolean closed;

  /**
   * A watchdog with a timer of its own, whose thread is named {@code threadName} (a transport's).
   *
   * @param threadName the alarm thread's name
   */
  public Watchdog(String threadName) {
    this(new TimerThread(threadName, 30), true);
  }

  /**
   * A watchdog that sets its alarm on {@code timer} (a client's one timer), which its owner closes.
   *
   * @param timer the shared timer
   */
  public Watchdog(TimerThread timer) {
    this(timer, false);
  }

  private Watchdog(TimerThread alarm, boolean ownsAlarm) {
    head.prev = head;
    head.next = head;
    this.alarm = alarm;
    this.ownsAlarm = ownsAlarm;
  }

  /**
   * Runs {@code task} on the alarm thread once {@code delayNanos} have passed, unless the returned
   * timeout is cancelled first. The returned future is done when the task has run.
   *
   * @throws RejectedExecutionException when the watchdog is closed
   */
  public Timeout arm(long delayNanos, Runnable task) {
    Timeout t = new Timeout(this, System.nanoTime() + Math.max(0, delayNanos), task);
    lock.lock();
    try {
      if (closed) {
        throw new RejectedExecutionException("closed");
      }
      t.prev = head.prev;
      t.next = head;
      head.prev.next = t;
      head.prev = t;
      if (pending == null || t.deadline - alarmAt < 0) {
        try {
          setAlarm(t.deadline);
        } catch (RejectedExecutionException timerClosed) { // a shared timer its owner closed first
          unlink(t);
          throw timerClosed;
        }
      }
    } finally {
      lock.unlock();
    }
    return t;
  }

  /** Under the lock. */
  private void setAlarm(long deadline) {
    if (pending != null) {
      pending.cancel(false);
    }
    alarmAt = deadline;
    pending = alarm.schedule(this::ring, deadline - System.nanoTime());
  }

  /** Disarms every timeout (they never fire) and stops the alarm's timer if it is this watchdog's own. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      Timeout t = head.next;
      while (t != head) {
        Timeout next = t.next;
        t.prev = null;
        t.next = null;
        t = next;
      }
      head.prev = head;
      head.next = head;
      if (pending != null) {
        pending.cancel(false);
      }
      pending = null;
    } finally {
      lock.unlock();
    }
    if (ownsAlarm) {
      alarm.close();
    }
  }

  private boolean unlink(Timeout t) {
    lock.lock();
    try {
      if (t.prev == null) { // fired, being fired, cancelled, or the watchdog closed
        return false;
      }
      t.prev.next = t.next;
      t.next.prev = t.prev;
      t.prev = null;
      t.next = null;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The alarm went off: fire what expired, set the alarm for the earliest deadline left. */
  private void ring() {
    Timeout expired = null;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      pending = null;
      long now = System.nanoTime();
      long earliest = 0;
      boolean any = false;
      for (Timeout t = head.next; t != head; ) {
        Timeout next = t.next;
        if (t.deadline - now <= 0) {
          t.prev.next = t.next;
          t.next.prev = t.prev;
          t.prev = null;
          t.next = expired; // the link now chains the expired ones
          expired = t;
        } else if (!any || t.deadline - earliest < 0) {
          earliest = t.deadline;
          any = true;
        }
        t = next;
      }
      if (any) {
        setAlarm(earliest);
      }
    } finally {
      lock.unlock();
    }
    while (expired != null) {
      Timeout t = expired;
      expired = t.next;
      t.next = null;
      t.fire();
    }
  }

  /**
   * One armed timeout; {@link #cancel} disarms it. A plain {@link Future}, not a {@code CompletableFuture}:
   * cancelling one of those creates a {@code CancellationException}, stack trace and all, which on the
   * path of every call cost more than the rest of the watchdog. {@link #get} waits until the task has run.
   */
  public static final class Timeout implements Future<Void> {
    private static final int ARMED = 0;
    private static final int FIRING = 1;
    private static final int FIRED = 2;
    private static final int CANCELLED = 3;

    private final Watchdog owner;
    final long deadline;
    private final Runnable task;
    private final AtomicInteger state = new AtomicInteger(ARMED);
    Timeout prev;
    Timeout next;

    Timeout(Watchdog owner, long deadline, Runnable task) {
      this.owner = owner;
      this.deadline = deadline;
      this.task = task;
    }

    /** Disarms the timeout; true when it had not started to run. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (!state.compareAndSet(ARMED, CANCELLED)) {
        return false;
      }
      owner.unlink(this);
      return true;
    }

    void fire() {
      if (!state.compareAndSet(ARMED, FIRING)) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        LOG.warn("timeout task failed", e);
      } finally {
        synchronized (this) {
          state.set(FIRED);
          notifyAll();
        }
      }
    }

    @Override
    public boolean isCancelled() {
      return state.get() == CANCELLED;
    }

    @Override
    public boolean isDone() {
      int s = state.get();
      return s == FIRED || s == CANCELLED;
    }

    @Override
    public synchronized Void get() throws InterruptedException, ExecutionException {
      while (!isDone()) {
        wait();
      }
      if (isCancelled()) {
        throw new CancellationException();
      }
      return null;
    }

    @Override
    public synchronized Void get(long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException {
      long end = System.nanoTime() + unit.toNanos(timeout);
      while (!isDone()) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException();
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      if (isCancelled()) {
        throw new CancellationException();
      }
      return null;
    }
  }
}
