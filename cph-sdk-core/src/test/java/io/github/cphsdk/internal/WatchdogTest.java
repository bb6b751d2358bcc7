package io.github.cphsdk.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchdogTest {
  private static final long MS = 1_000_000L;
  private final Watchdog watchdog = new Watchdog("test-watchdog");

  @AfterEach
  void close() {
    watchdog.close();
  }

  @Test
  void anArmedTimeoutRunsItsTaskAndCompletes() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    Watchdog.Timeout t = watchdog.arm(20 * MS, ran::countDown);
    assertTrue(ran.await(10, TimeUnit.SECONDS), "the task never ran");
    t.get(10, TimeUnit.SECONDS);
    assertFalse(t.cancel(false), "a fired timeout cannot be cancelled");
  }

  @Test
  void aCancelledTimeoutNeverRuns() throws Exception {
    // The cancel must come before the deadline: 1 s is far more than a loaded machine stalls this thread between
    // two statements (10 ms, as before, is not: the task could fire first and the cancel fail).
    AtomicBoolean cancelledRan = new AtomicBoolean();
    Watchdog.Timeout cancelled = watchdog.arm(1000 * MS, () -> cancelledRan.set(true));
    assertTrue(cancelled.cancel(false));
    CountDownLatch later = new CountDownLatch(1);
    watchdog.arm(1100 * MS, later::countDown); // due after the cancelled one was
    assertTrue(later.await(10, TimeUnit.SECONDS));
    assertFalse(cancelledRan.get());
    assertTrue(cancelled.isCancelled());
  }

  @Test
  void anEarlierDeadlineWakesTheThreadSleepingTowardsALaterOne() throws Exception {
    watchdog.arm(TimeUnit.HOURS.toNanos(1), () -> { });
    Thread.yield();
    CountDownLatch soon = new CountDownLatch(1);
    watchdog.arm(10 * MS, soon::countDown);
    assertTrue(soon.await(10, TimeUnit.SECONDS), "the earlier timeout waited for the later one");
  }

  @Test
  void manyTimeoutsFireEachOnceWhatEverTheirOrder() throws Exception {
    int n = 200;
    CountDownLatch all = new CountDownLatch(n);
    AtomicBoolean twice = new AtomicBoolean();
    for (int i = 0; i < n; i++) {
      AtomicBoolean once = new AtomicBoolean();
      watchdog.arm(((i * 7919L) % 50) * MS, () -> {
        if (!once.compareAndSet(false, true)) {
          twice.set(true);
        }
        all.countDown();
      });
    }
    assertTrue(all.await(10, TimeUnit.SECONDS));
    assertFalse(twice.get());
  }

  @Test
  void aThrowingTaskDoesNotStopTheWatchdog() throws Exception {
    watchdog.arm(1 * MS, () -> {
      throw new IllegalStateException("boom");
    });
    CountDownLatch next = new CountDownLatch(1);
    watchdog.arm(20 * MS, next::countDown);
    assertTrue(next.await(10, TimeUnit.SECONDS));
  }

  @Test
  void closeDisarmsEverythingStopsTheThreadAndRefusesNewTimeouts() throws Exception {
    // close() must come before the deadline (1 s: see aCancelledTimeoutNeverRuns); the check waits past it.
    AtomicBoolean ran = new AtomicBoolean();
    long due = System.nanoTime() + 1000 * MS;
    watchdog.arm(1000 * MS, () -> ran.set(true));
    watchdog.close();
    assertThrows(RejectedExecutionException.class, () -> watchdog.arm(1, () -> { }));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (threadAlive() && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertFalse(threadAlive(), "the watchdog thread outlived close()");
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime())) + 100);
    assertFalse(ran.get());
  }

  private static boolean threadAlive() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("test-watchdog") && t.isAlive());
  }

  @Test
  void onASharedTimerTheAlarmRunsOnThatThreadAndClosingTheWatchdogLeavesTheTimerToItsOwner() throws Exception {
    TimerThread timer = new TimerThread("test-shared-timer", 30);
    try {
      Watchdog shared = new Watchdog(timer);
      java.util.concurrent.atomic.AtomicReference<Thread> alarmThread = new java.util.concurrent.atomic.AtomicReference<>();
      CountDownLatch fired = new CountDownLatch(1);
      shared.arm(MS, () -> {
        alarmThread.set(Thread.currentThread());
        fired.countDown();
      });
      assertTrue(fired.await(10, TimeUnit.SECONDS));
      org.junit.jupiter.api.Assertions.assertEquals("test-shared-timer", alarmThread.get().getName());
      assertTrue(alarmThread.get().isDaemon());

      Watchdog.Timeout never = shared.arm(TimeUnit.HOURS.toNanos(1), () -> { });
      shared.close();
      assertThrows(RejectedExecutionException.class, () -> shared.arm(MS, () -> { }));
      assertFalse(never.isDone(), "a timeout disarmed by close() never fires");
      CountDownLatch stillRuns = new CountDownLatch(1);
      timer.schedule(stillRuns::countDown, 0);
      assertTrue(stillRuns.await(10, TimeUnit.SECONDS), "the owner's timer still runs after the watchdog closed");

      Watchdog second = new Watchdog(timer);
      timer.close();
      assertThrows(RejectedExecutionException.class, () -> second.arm(MS, () -> { }),
          "the owner closed the timer first: arming fails like a closed client, it does not hang");
      alarmThread.get().join(TimeUnit.SECONDS.toMillis(10));
      assertFalse(alarmThread.get().isAlive(), "close() of the timer stopped its thread");
    } finally {
      timer.close();
    }
  }
}
