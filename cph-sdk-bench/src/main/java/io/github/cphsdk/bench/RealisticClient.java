package io.github.cphsdk.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client of the realistic scenario, alone in its JVM: warms up (15 s at 64 in flight, or 32 threads of blocking calls before a sequential cell), then keeps {@code inFlight} pushes
 * outstanding (1: sequential, blocking calls) for {@code seconds}, and prints one {@code RESULT} line with
 * calls/s, process CPU µs per call, the JVM's peak thread count during the measurement and the p50/p99 latency.
 * Started by {@link Realistic}; trusts the stub's certificate through {@code -Djavax.net.ssl.trustStore}.
 *
 * <pre>{@code
 * java -Djavax.net.ssl.trustStore=... -cp ... io.github.cphsdk.bench.RealisticClient ours-jdk https://127.0.0.1:PORT 64 5
 * }</pre>
 */
public final class RealisticClient {
  private RealisticClient() {}

  static Contender create(String name, String base) {
    switch (name) {
      case "ours-jdk":
        return OursContender.akSk(base);
      case "ours-urlconn":
        return OursContender.akSkUrlConnection(base);
      case "official":
        return OfficialContender.create(base);
      case "bare-jdk":
        return BareJdkContender.defaultExecutor(base,
            OursContender.capturedHeaders(OursContender.akSkCredentials()));
      default:
        throw new IllegalArgumentException("unknown client " + name);
    }
  }

  public static void main(String[] args) throws Exception {
    String name = args[0];
    String base = args[1];
    int inFlight = Integer.parseInt(args[2]);
    double seconds = Double.parseDouble(args[3]);
    double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 15;
    try (Contender c = create(name, base)) {
      // warm-up at 64 in flight, whatever the level measured: with 25 ms per call a sequential warm-up would
      // make too few calls for the JIT, and the figures would measure the interpreter
      if (inFlight <= 1) {
        warmUpBlocking(c, 32, warmup); // the blocking path, on 32 threads
      } else {
        run(c, 64, warmup, null);
      }
      run(c, inFlight, 1, null);
      Thread.sleep(3000); // let the JIT's queue drain, so that its work does not count as the client's
      System.gc();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      threads.resetPeakThreadCount();
      java.util.Map<Long, Long> javaCpu0 = javaThreadsCpu(threads);
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      long[] lat = new long[4_000_000];
      int n = run(c, inFlight, seconds, lat);
      long t1 = System.nanoTime();
      long cpu1 = processCpuNanos();
      java.util.Map<Long, Long> javaCpu1 = javaThreadsCpu(threads);
      long javaCpu = 0;
      for (java.util.Map.Entry<Long, Long> e : javaCpu1.entrySet()) {
        javaCpu += e.getValue() - javaCpu0.getOrDefault(e.getKey(), 0L);
      }
      long[] sorted = Arrays.copyOf(lat, Math.min(n, lat.length));
      Arrays.sort(sorted);
      System.out.printf(java.util.Locale.ROOT, "RESULT calls=%d perSecond=%.1f cpuUsPerCall=%.1f javaCpuUsPerCall=%.1f peakThreads=%d p50ms=%.2f p99ms=%.2f%n",
          n, n / ((t1 - t0) / 1e9), (cpu1 - cpu0) / 1e3 / n, javaCpu / 1e3 / n, threads.getPeakThreadCount(),
          sorted[sorted.length / 2] / 1e6, sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] / 1e6);
    }
    System.exit(0);
  }

  /** Blocking calls on {@code threads} threads for {@code seconds}: warms the synchronous path up. */
  static void warmUpBlocking(Contender c, int threads, double seconds) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
    for (int i = 0; i < threads; i++) {
      runs.add(pool.submit(() -> {
        while (System.nanoTime() < end) {
          c.call(2);
        }
        return null;
      }));
    }
    for (java.util.concurrent.Future<?> f : runs) {
      f.get();
    }
    pool.shutdown();
    pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Runs for {@code seconds}; returns the calls finished, recording each one's latency when {@code lat} is given. */
  static int run(Contender c, int inFlight, double seconds, long[] lat) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    if (inFlight <= 1) {
      int n = 0;
      while (System.nanoTime() < end) {
        long s = System.nanoTime();
        c.call(2);
        if (lat != null && n < lat.length) {
          lat[n] = System.nanoTime() - s;
        }
        n++;
      }
      return n;
    }
    Semaphore slots = new Semaphore(inFlight);
    AtomicInteger done = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    while (System.nanoTime() < end && failure.get() == null) {
      if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      long s = System.nanoTime();
      CompletableFuture<?> f = c.callAsync(2);
      f.whenComplete((r, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        } else {
          int i = done.getAndIncrement();
          if (lat != null && i < lat.length) {
            lat[i] = System.nanoTime() - s;
          }
        }
        slots.release();
      });
    }
    slots.acquire(inFlight); // the tail: wait for the calls still in flight
    if (failure.get() != null) {
      throw new IllegalStateException(c.name() + " failed", failure.get());
    }
    return done.get();
  }

  /** CPU time of every live Java thread (JIT and GC threads are not among them), by thread id. */
  static java.util.Map<Long, Long> javaThreadsCpu(ThreadMXBean threads) {
    java.util.Map<Long, Long> m = new java.util.HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t >= 0) {
        m.put(id, t);
      }
    }
    return m;
  }

  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
    }
    return -1;
  }
}
