package io.github.cphsdk.reliability;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The threads an SDK client runs: its own ({@code cph-sdk-*}) and java.net.http's ({@code HttpClient-*}, the
 * selector thread). Tests snapshot them before building a client, so that threads of other tests' clients in
 * the same JVM do not count.
 */
final class SdkThreads {
  private SdkThreads() {}

  static boolean isSdkThread(Thread t) {
    return t.getName().startsWith("cph-sdk") || t.getName().startsWith("HttpClient-");
  }

  /** The SDK threads alive now. */
  static Set<Thread> alive() {
    Set<Thread> out = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && isSdkThread(t)) {
        out.add(t);
      }
    }
    return out;
  }

  /** The SDK threads alive now that were not in {@code before}. */
  static Set<Thread> startedSince(Set<Thread> before) {
    Set<Thread> now = alive();
    now.removeAll(before);
    return now;
  }

  /**
   * Waits until every thread of {@code threads} has ended, collecting garbage meanwhile (on JDK 17 the
   * java.net.http selector thread ends only once its HttpClient has been collected), for at most
   * {@code seconds}; returns the names of those still alive.
   */
  static List<String> awaitEnd(Set<Thread> threads, long seconds) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      List<String> left = new ArrayList<>();
      for (Thread t : threads) {
        if (t.isAlive()) {
          left.add(t.getName());
        }
      }
      if (left.isEmpty() || System.nanoTime() > until) {
        return left;
      }
      System.gc();
      Thread.sleep(50);
    }
  }
}
