package io.github.cphsdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PermitsTest {

  @Test
  void tasksRunAtOnceWhileThereArePermitsThenWaitInOrder() {
    Permits p = new Permits(2);
    List<String> ran = new ArrayList<>();
    assertNull(p.acquireThen(() -> ran.add("a")));
    assertNull(p.acquireThen(() -> ran.add("b")));
    assertNotNull(p.acquireThen(() -> ran.add("c")));
    assertNotNull(p.acquireThen(() -> ran.add("d")));
    assertEquals(List.of("a", "b"), ran);
    assertEquals(2, p.inUse());
    assertEquals(2, p.waiting());

    p.release(); // a's permit goes to c, on this thread
    assertEquals(List.of("a", "b", "c"), ran);
    assertEquals(2, p.inUse(), "the permit was handed over, not returned");
    p.release();
    assertEquals(List.of("a", "b", "c", "d"), ran);
    p.release();
    p.release();
    assertEquals(0, p.inUse());
    assertEquals(0, p.waiting());
  }

  @Test
  void aNewcomerNeverOvertakesAWaiter() throws Exception {
    Permits p = new Permits(1);
    List<String> ran = new ArrayList<>();
    p.acquireThen(() -> ran.add("first"));
    p.acquireThen(() -> ran.add("queued"));
    assertFalse(p.acquire(0), "a free permit must not exist while a task waits");
    p.release();
    assertEquals(List.of("first", "queued"), ran);
  }

  @Test
  void aCancelledTaskNeverRunsAndDoesNotHoldAPermit() {
    Permits p = new Permits(1);
    AtomicBoolean cancelledRan = new AtomicBoolean();
    p.acquireThen(() -> { });
    Object queued = p.acquireThen(() -> cancelledRan.set(true));
    assertTrue(p.cancel(queued));
    assertFalse(p.cancel(queued), "only once");
    p.release();
    assertFalse(cancelledRan.get());
    assertEquals(0, p.inUse());
    assertFalse(p.cancel(null));
  }

  @Test
  void tasksThatReleaseAtOnceDoNotRecurse() {
    Permits p = new Permits(1);
    int n = 100_000; // deep enough to overflow the stack if release() ran the next task inside the last
    AtomicInteger ran = new AtomicInteger();
    p.acquireThen(() -> { });
    for (int i = 0; i < n; i++) {
      p.acquireThen(() -> {
        ran.incrementAndGet();
        p.release(); // e.g. the exchange failed on the spot
      });
    }
    p.release();
    assertEquals(n, ran.get());
    assertEquals(0, p.inUse());
  }

  @Test
  void aThrowingTaskDoesNotStopTheOthers() {
    Permits p = new Permits(1);
    AtomicBoolean second = new AtomicBoolean();
    p.acquireThen(() -> { });
    p.acquireThen(() -> {
      p.release();
      throw new IllegalStateException("boom");
    });
    p.acquireThen(() -> second.set(true));
    p.release();
    assertTrue(second.get());
  }

  @Test
  void aBlockedAcquireGetsTheNextPermitAndTimesOutWithoutOne() throws Exception {
    Permits p = new Permits(1);
    assertTrue(p.acquire(0));
    assertFalse(p.acquire(TimeUnit.MILLISECONDS.toNanos(20)), "nobody released");
    assertEquals(0, p.waiting(), "a timed-out waiter leaves the queue");

    CountDownLatch got = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      try {
        if (p.acquire(TimeUnit.SECONDS.toNanos(30))) {
          got.countDown();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    waiter.start();
    while (p.waiting() == 0) {
      Thread.sleep(1);
    }
    p.release();
    assertTrue(got.await(10, TimeUnit.SECONDS));
    assertEquals(1, p.inUse(), "handed to the waiter");
    waiter.join();
  }

  @Test
  void anInterruptedWaiterLeavesWithoutAPermit() throws Exception {
    Permits p = new Permits(1);
    p.acquire(0);
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread waiter = new Thread(() -> {
      try {
        p.acquire(TimeUnit.SECONDS.toNanos(30));
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
    });
    waiter.start();
    while (p.waiting() == 0) {
      Thread.sleep(1);
    }
    waiter.interrupt();
    waiter.join(10_000);
    assertTrue(interrupted.get());
    assertEquals(0, p.waiting());
    p.release();
    assertEquals(0, p.inUse());
  }

  @Test
  void badUseIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Permits(0));
    assertThrows(IllegalStateException.class, () -> new Permits(1).release());
  }
}
