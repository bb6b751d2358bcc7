package io.github.cphsdk;

import io.github.cphsdk.internal.Timing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Time that moves only when told: {@link #sleep} advances it at once and records the wait; scheduled tasks
 * wait in a queue until {@link #runDue()} or {@link #advance} runs them. No thread is ever started.
 */
final class FakeTiming implements Timing {
  private long nanos = 1_000_000_000L;
  private final Instant epoch = Instant.parse("2026-11-27T12:00:00Z");
  final List<Duration> sleeps = new ArrayList<>();
  final List<Duration> scheduledDelays = new ArrayList<>();
  private final List<Task> tasks = new ArrayList<>();
  boolean closed;

  private static final class Task {
    final long due;
    final Runnable run;
    final CompletableFuture<Void> future = new CompletableFuture<>();

    Task(long due, Runnable run) {
      this.due = due;
      this.run = run;
    }
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return epoch.plusNanos(nanoTime() - 1_000_000_000L);
      }
    };
  }

  @Override
  public void sleep(Duration delay) {
    synchronized (this) {
      sleeps.add(delay);
      nanos += delay.toNanos();
    }
  }

  @Override
  public synchronized Future<?> schedule(Runnable task, Duration delay) {
    if (closed) {
      throw new java.util.concurrent.RejectedExecutionException("closed");
    }
    scheduledDelays.add(delay);
    Task t = new Task(nanos + delay.toNanos(), task);
    tasks.add(t);
    return t.future;
  }

  /** Moves time forward and runs every task that became due, in order. */
  void advance(Duration d) {
    synchronized (this) {
      nanos += d.toNanos();
    }
    runDue();
  }

  /** Runs the tasks that are due now (and those they schedule that are due too). */
  void runDue() {
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.stream().filter(t -> t.due <= nanos && !t.future.isCancelled())
            .min(Comparator.comparingLong(t -> t.due)).orElse(null);
        if (next == null) {
          tasks.removeIf(t -> t.future.isCancelled());
          return;
        }
        tasks.remove(next);
      }
      next.run.run();
      next.future.complete(null);
    }
  }

  /** Moves time to the next pending (not cancelled) task and runs it; false when none is pending. */
  boolean runNext() {
    long due;
    synchronized (this) {
      due = tasks.stream().filter(t -> !t.future.isCancelled()).mapToLong(t -> t.due).min().orElse(-1);
      if (due < 0) {
        return false;
      }
      nanos = Math.max(nanos, due);
    }
    runDue();
    return true;
  }

  /** How many tasks were ever scheduled (attempt timers and retries alike). */
  synchronized int scheduledCount() {
    return scheduledDelays.size();
  }

  /** A copy of the delays of every task ever scheduled, in order. */
  synchronized List<Duration> scheduled() {
    return new ArrayList<>(scheduledDelays);
  }

  /** A copy of every wait of {@link #sleep}, in order. */
  synchronized List<Duration> slept() {
    return new ArrayList<>(sleeps);
  }

  /** Pending, not cancelled tasks. */
  synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.future.isCancelled()).count();
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
