package io.github.cphsdk.internal;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the exchanges one client has in flight. Callers that find every permit taken wait in one FIFO
 * queue: a synchronous caller blocks (up to its deadline), an asynchronous one leaves a task that runs,
 * permit in hand, on the thread that releases the next permit, so no thread ever waits for it. A released
 * permit goes straight to the head of the queue, so a newcomer never overtakes a waiter.
 *
 * <p>Tasks handed over on release run one after another through a trampoline: a task that releases its
 * permit at once (its exchange failed on the spot) does not recurse into the next.
 *
 * <pre>{@code
 * Permits permits = new Permits(64);
 * if (permits.acquire(timeoutNanos)) { try { ... } finally { permits.release(); } }
 * Object waiting = permits.acquireThen(() -> startExchange());   // null: it ran already
 * }</pre>
 */
public final class Permits {
  private static final Logger LOG = LoggerFactory.getLogger(Permits.class);

  private final int max;
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by the lock. */
  private int inUse;
  /** Guarded by the lock. */
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<Runnable> handedOver = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  /** One queued caller; for an asynchronous one, {@link #task} runs when it gets a permit. */
  private static final class Waiter {
    final Runnable task;
    final Condition signal;
    boolean granted;

    Waiter(Runnable task, Condition signal) {
      this.task = task;
      this.signal = signal;
    }
  }

  /** @param max how many permits exist, at least 1 */
  public Permits(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, got " + max);
    }
    this.max = max;
  }

  /** How many permits exist. */
  public int max() {
    return max;
  }

  /**
   * Takes a permit, waiting at most {@code timeoutNanos} behind the callers queued before this one.
   *
   * @return false when no permit came in time (then none is held)
   * @throws InterruptedException when interrupted while waiting (then none is held)
   */
  public boolean acquire(long timeoutNanos) throws InterruptedException {
    boolean giveBack = false;
    lock.lock();
    try {
      if (inUse < max && queue.isEmpty()) {
        inUse++;
        return true;
      }
      if (timeoutNanos <= 0) {
        return false;
      }
      Waiter w = new Waiter(null, lock.newCondition());
      queue.add(w);
      long left = timeoutNanos;
      try {
        while (!w.granted) {
          if (left <= 0) {
            queue.remove(w);
            return false;
          }
          left = w.signal.awaitNanos(left);
        }
        return true;
      } catch (InterruptedException e) {
        if (w.granted) {
          giveBack = true; // handed a permit at the same moment: pass it on
        } else {
          queue.remove(w);
        }
        throw e;
      }
    } finally {
      lock.unlock();
      if (giveBack) {
        release();
      }
    }
  }

  /**
   * Runs {@code task} holding a permit: now, on this thread, when one is free and nobody waits; otherwise
   * later, on the thread that releases one. The task owns the permit and must {@link #release()} it.
   *
   * @return {@code null} when the task already ran, else a handle for {@link #cancel}
   */
  public Object acquireThen(Runnable task) {
    Waiter w;
    lock.lock();
    try {
      if (inUse < max && queue.isEmpty()) {
        inUse++;
        w = null;
      } else {
        w = new Waiter(task, null);
        queue.add(w);
      }
    } finally {
      lock.unlock();
    }
    if (w == null) {
      task.run();
    }
    return w;
  }

  /**
   * Takes a queued task out of the queue. True when it was still waiting (it will never run); false when it
   * already has its permit (it runs, or ran, and releases it) or the handle is null.
   */
  public boolean cancel(Object handle) {
    if (!(handle instanceof Waiter)) {
      return false;
    }
    lock.lock();
    try {
      return queue.remove(handle);
    } finally {
      lock.unlock();
    }
  }

  /** Gives a permit back: to the first waiter if there is one. */
  public void release() {
    Waiter next;
    lock.lock();
    try {
      next = queue.poll();
      if (next == null) {
        if (inUse <= 0) {
          throw new IllegalStateException("release() without a permit");
        }
        inUse--;
        return;
      }
      next.granted = true;
      if (next.signal != null) {
        next.signal.signal();
        return;
      }
    } finally {
      lock.unlock();
    }
    handedOver.add(next.task);
    drain();
  }

  private void drain() {
    while (!handedOver.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        Runnable r;
        while ((r = handedOver.poll()) != null) {
          try {
            r.run();
          } catch (RuntimeException e) {
            LOG.warn("a task waiting for a connection slot failed", e);
          }
        }
      } finally {
        draining.set(false);
      }
    }
  }

  /** Permits taken now (for tests and diagnostics). */
  public int inUse() {
    lock.lock();
    try {
      return inUse;
    } finally {
      lock.unlock();
    }
  }

  /** Callers waiting now (for tests and diagnostics). */
  public int waiting() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "Permits{max=" + max + ", inUse=" + inUse() + ", waiting=" + waiting() + '}';
  }
}
