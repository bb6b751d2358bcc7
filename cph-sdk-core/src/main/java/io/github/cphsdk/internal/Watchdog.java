package io.github.cphsdk.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timeouts that are nearly always cancelled before they fire, made cheap: arming one links a node into a
 * list and cancelling unlinks it, both O(1) under a short lock, and the single daemon thread is woken only
 * when a new deadline is earlier than the one it sleeps towards (never, when every call has the same
 * timeout). A general scheduler instead wakes its thread whenever the queue was empty, once per call when
 * calls run one at a time.
 *
 * <p>The thread starts with the first armed timeout, ends after {@link #IDLE_NANOS} with nothing to watch
 * (and starts again when needed), and stops on {@link #close()}. Expired tasks run on that thread, so they
 * must be short and must not block.
 */
public final class Watchdog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
  /** How long the thread lingers with nothing to watch before it ends. */
  static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final String threadName;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /**
   * Sentinel of a circular doubly linked list of armed timeouts (unsorted). A timeout is in the list
   * exactly when its {@code prev} is not null.
   */
  private final Timeout head = new Timeout(this, 0, null);
  private Thread thread;
  /** The deadline the thread sleeps towards; meaningful only while {@link #sleeping}. */
  private long wakeAt;
  private boolean sleeping;
  private boolean closed;

  public Watchdog(String threadName) {
    this.threadName = threadName;
    head.prev = head;
    head.next = head;
  }

  /**
   * Runs {@code task} on the watchdog thread once {@code delayNanos} have passed, unless the returned
   * timeout is cancelled first. The returned future completes when the task has run.
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
      if (thread == null) {
        Thread th = new Thread(this::run, threadName);
        th.setDaemon(true);
        thread = th;
        th.start();
      } else if (sleeping && t.deadline - wakeAt < 0) {
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    return t;
  }

  /** Stops the thread; armed timeouts never fire. Idempotent. */
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
      changed.signalAll();
    } finally {
      lock.unlock();
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

  private void run() {
    long idleSince = System.nanoTime();
    while (true) {
      Timeout expired = null;
      lock.lock();
      try {
        while (expired == null) {
          if (closed) {
            thread = null;
            return;
          }
          long now = System.nanoTime();
          long earliest = 0;
          boolean any = false;
          for (Timeout t = head.next; t != head; ) {
            Timeout next = t.next;
            if (t.deadline - now <= 0) {
              t.prev.next = t.next;
              t.next.prev = t.prev;
              t.prev = null;
              t.next = expired; // reuse the link to chain the expired ones
              expired = t;
            } else if (!any || t.deadline - earliest < 0) {
              earliest = t.deadline;
              any = true;
            }
            t = next;
          }
          if (expired != null) {
            break;
          }
          if (!any) {
            if (now - idleSince >= IDLE_NANOS) {
              thread = null;
              return;
            }
            earliest = idleSince + IDLE_NANOS;
          } else {
            idleSince = now;
          }
          wakeAt = earliest;
          sleeping = true;
          try {
            changed.awaitNanos(earliest - now);
          } catch (InterruptedException e) {
            // only close() matters; keep going until it says so
          } finally {
            sleeping = false;
          }
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
      idleSince = System.nanoTime();
    }
  }

  /** One armed timeout; {@link #cancel} disarms it. Completes (with {@code null}) when its task has run. */
  public static final class Timeout extends CompletableFuture<Void> {
    private final Watchdog owner;
    final long deadline;
    private final Runnable task;
    Timeout prev;
    Timeout next;

    Timeout(Watchdog owner, long deadline, Runnable task) {
      this.owner = owner;
      this.deadline = deadline;
      this.task = task;
    }

    /** Disarms the timeout; true when it had not fired yet. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean unlinked = owner.unlink(this);
      return super.cancel(mayInterruptIfRunning) && unlinked;
    }

    void fire() {
      if (isDone()) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        LOG.warn("timeout task failed", e);
      }
      complete(null);
    }
  }
}
