package io.github.cphsdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The timer's thread comes and goes with its work and stops for good on close. Waits are bounded generously
 * (30 s) only so that a broken timer fails the test instead of hanging it; nothing is timed.
 */
class TimerThreadTest {
  private static final long BOUND_SECONDS = 30;

  /** Runs a task at once on the timer and returns the thread it ran on. */
  private static Thread runOn(TimerThread timer) throws Exception {
    CompletableFuture<Thread> ran = new CompletableFuture<>();
    timer.schedule(() -> ran.complete(Thread.currentThread()), 0);
    return ran.get(BOUND_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void theThreadEndsWhenIdleAndALaterTaskStartsItAgain() throws Exception {
    try (TimerThread timer = new TimerThread("cph-sdk-timer-test", 1)) {
      Thread first = runOn(timer);
      assertEquals("cph-sdk-timer-test", first.getName());
      assertTrue(first.isDaemon());

      first.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS)); // idle for 1 s: it ends
      assertFalse(first.isAlive(), "the idle timer thread ended");

      Thread second = runOn(timer);
      assertNotSame(first, second, "a new thread runs the later task");
      assertEquals("cph-sdk-timer-test", second.getName());
    }
  }

  @Test
  void afterCloseANewTaskIsRefused() throws Exception {
    TimerThread used = new TimerThread("cph-sdk-timer-test", 60);
    Thread thread = runOn(used);
    used.close();
    assertThrows(RejectedExecutionException.class, () -> used.schedule(() -> {}, 0));
    thread.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
    assertFalse(thread.isAlive(), "close stops the thread without waiting for the idle time");
    used.close(); // idempotent

    TimerThread neverUsed = new TimerThread("cph-sdk-timer-test", 60);
    neverUsed.close();
    assertThrows(RejectedExecutionException.class, () -> neverUsed.schedule(() -> {}, 0));
  }
}
