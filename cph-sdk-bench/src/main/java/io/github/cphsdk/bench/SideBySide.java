package io.github.cphsdk.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The side-by-side harness: ours (token and AK/SK), the official SDK and bare java.net.http (default and
 * direct executor) against one stub CPH in a separate JVM. Contenders alternate round by round (the order
 * rotates each round) so drift on a shared machine hits all alike; every figure is a median over rounds.
 *
 * <pre>{@code
 * cph-sdk-bench/bench.sh side            # full run, about 3 minutes
 * cph-sdk-bench/bench.sh side --quick    # smoke run, a few seconds per phase
 * }</pre>
 *
 * <p>Options: {@code --quick}, {@code --rounds N}, {@code --calls N} (sequential calls per round),
 * {@code --seconds S} (per throughput round), {@code --concurrency 1,16,64,256}, {@code --cold-runs N},
 * {@code --phases seq,tput,scale,cold,jars}, {@code --clients ours-token,ours-aksk,official,bare-default,bare-direct} (exploration only:
 * {@code ours-aksk-urlconn})
 * (a subset, e.g. to profile one), {@code --stub-threads N}, {@code --out FILE}.
 */
public final class SideBySide {
  private static final PrintStream OUT = System.out;

  // settings
  private int rounds = 5;
  private int calls = 2000;
  private int warmupCalls = 10000;
  private double seconds = 1.5;
  private int[] concurrency = {1, 16, 64, 256};
  private int coldRuns = 5;
  private int stubThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
  private List<String> phases = List.of("seq", "tput", "scale", "cold", "jars");
  private List<String> clients = List.of("ours-token", "ours-aksk", "official", "bare-default", "bare-direct");
  private Path benchDir;
  private Path out;

  private final StringBuilder md = new StringBuilder();
  private final Map<String, String> failures = new LinkedHashMap<>();

  public static void main(String[] args) throws Exception {
    SideBySide s = new SideBySide();
    s.parse(args);
    s.run();
  }

  private void parse(String[] args) {
    benchDir = Path.of(System.getProperty("bench.dir", Files.isDirectory(Path.of("cph-sdk-bench")) ? "cph-sdk-bench" : "."));
    out = benchDir.resolve("target/side-by-side.md");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick":
          rounds = 1;
          calls = 200;
          warmupCalls = 300;
          seconds = 0.3;
          coldRuns = 1;
          break;
        case "--rounds":
          rounds = Integer.parseInt(args[++i]);
          break;
        case "--calls":
          calls = Integer.parseInt(args[++i]);
          break;
        case "--warmup":
          warmupCalls = Integer.parseInt(args[++i]);
          break;
        case "--seconds":
          seconds = Double.parseDouble(args[++i]);
          break;
        case "--concurrency":
          concurrency = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          break;
        case "--cold-runs":
          coldRuns = Integer.parseInt(args[++i]);
          break;
        case "--stub-threads":
          stubThreads = Integer.parseInt(args[++i]);
          break;
        case "--phases":
          phases = List.of(args[++i].split(","));
          break;
        case "--clients":
          clients = List.of(args[++i].split(","));
          break;
        case "--out":
          out = Path.of(args[++i]);
          break;
        default:
          throw new IllegalArgumentException("unknown option " + a + " (see the class javadoc)");
      }
    }
  }

  private void run() throws Exception {
    String loadBefore = loadAverage();
    Instant started = Instant.now();
    line("# cph-sdk side by side");
    line("");
    line("- date: " + started + ", JDK " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
        + "), " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch"));
    line("- load average before: " + loadBefore);
    line("- settings: rounds " + rounds + ", sequential calls per round " + calls + ", throughput " + seconds
        + " s per round, cold runs " + coldRuns + ", stub threads " + stubThreads);
    try (Stub stub = Stub.start(benchDir, stubThreads)) {
      int port = stub.port;
      List<Contender> seq = new ArrayList<>();
      Contender oursToken = OursContender.token(port);
      Contender oursAkSk = OursContender.akSk(port);
      Contender official = OfficialContender.create(port);
      List<Map.Entry<String, String>> headers = OursContender.capturedHeaders(OursContender.bestCredentials());
      Contender bareDefault = BareJdkContender.defaultExecutor(port, headers);
      Contender bareDirect = BareJdkContender.directExecutor(port, headers);
      addIf(seq, "ours-token", oursToken);
      addIf(seq, "ours-aksk", oursAkSk);
      if (clients.contains("ours-aksk-urlconn")) {
        addIf(seq, "ours-aksk-urlconn", OursContender.akSkUrlConnection(port));
      }
      addIf(seq, "official", official);
      addIf(seq, "bare-default", bareDefault);
      addIf(seq, "bare-direct", bareDirect);
      Contender ours = seq.contains(oursAkSk) ? oursAkSk : oursToken;
      line("- bare JDK sends the headers our client sent with " + (oursAkSk != null ? "AK/SK" : "a token")
          + ": " + headers.stream().map(Map.Entry::getKey).reduce((a, b) -> a + ", " + b).orElse(""));
      line("");

      warmUp(seq);
      if (phases.contains("seq")) {
        sequential(seq, ours, official, bareDirect);
      }
      if (phases.contains("tput")) {
        throughput(seq, ours, official);
      }
      if (phases.contains("scale")) {
        List<Contender> scaled = new ArrayList<>();
        for (Contender c : Arrays.asList(ours, official, bareDirect)) {
          if (c != null && seq.contains(c)) {
            scaled.add(c);
          }
        }
        scaling(scaled, ours, official);
      }
      for (Contender c : seq) {
        c.close();
      }
      if (phases.contains("cold")) {
        coldStart(port, oursAkSk != null);
      }
    }
    if (phases.contains("jars")) {
      jars();
    }
    if (!failures.isEmpty()) {
      line("");
      line("## Failures");
      line("");
      failures.forEach((k, v) -> line("- " + k + ": " + v));
    }
    line("");
    line("- load average after: " + loadAverage() + "; took " + (Instant.now().getEpochSecond() - started.getEpochSecond()) + " s");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, md.toString());
    OUT.println();
    OUT.println("written to " + out.toAbsolutePath());
  }

  // ------------------------------------------------------------------ phases

  private void warmUp(List<Contender> contenders) {
    progress("warming up " + contenders.size() + " clients (" + warmupCalls + " calls each, then 16 in flight)");
    for (Contender c : contenders) {
      try {
        for (int i = 0; i < warmupCalls; i++) {
          c.call(2);
        }
        if (c.callAsync(2) != null) {
          drive(c, 16, Math.max(0.5, seconds), 0);
        }
      } catch (Exception e) {
        fail(c, e);
      }
    }
  }

  private void sequential(List<Contender> contenders, Contender ours, Contender official, Contender bareDirect) {
    progress("sequential latency: " + rounds + " rounds x " + calls + " calls");
    Map<Contender, List<Double>> medians = new LinkedHashMap<>();
    Map<Contender, List<Double>> p90s = new LinkedHashMap<>();
    Map<Contender, List<Double>> cpus = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      for (Contender c : rotate(contenders, r)) {
        if (failures.containsKey(c.name())) {
          continue;
        }
        try {
          long cpu0 = processCpuNanos();
          double[] us = timeCalls(c, calls, 2);
          long cpu1 = processCpuNanos();
          medians.computeIfAbsent(c, k -> new ArrayList<>()).add(Stats.median(us));
          p90s.computeIfAbsent(c, k -> new ArrayList<>()).add(Stats.quantile(us, 0.9));
          cpus.computeIfAbsent(c, k -> new ArrayList<>()).add(cpu0 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e3 / calls);
        } catch (Exception e) {
          fail(c, e);
        }
      }
    }
    line("## Sequential push, one client, 2 server ids (µs per call; median over rounds)");
    line("");
    line("| client | median µs | p90 µs | " + ours.name() + " / this | client CPU µs per call |");
    line("|---|---:|---:|---:|---:|");
    double oursMedian = med(medians.get(ours));
    for (Contender c : contenders) {
      double m = med(medians.get(c));
      line("| " + c.name() + " | " + Stats.num(m) + " | " + Stats.num(med(p90s.get(c))) + " | "
          + Stats.ratio(oursMedian, m) + " | " + Stats.num(med(cpus.get(c))) + " |");
    }
    line("");
    line("- " + ours.name() + " / official SDK = **" + Stats.ratio(oursMedian, med(medians.get(official)))
        + "** (goal <= 0.85x); " + ours.name() + " / bare JDK direct = **"
        + Stats.ratio(oursMedian, med(medians.get(bareDirect))) + "** (goal <= 1.10x)");
    line("- client CPU: CPU time of the harness JVM's Java threads per call (JIT and GC threads and the stub"
        + " excluded); it depends far less on how busy the machine is than the latencies do.");
    line("");
  }

  private void throughput(List<Contender> contenders, Contender ours, Contender official) {
    List<Contender> async = new ArrayList<>();
    for (Contender c : contenders) {
      if (!failures.containsKey(c.name())) {
        async.add(c);
      }
    }
    progress("async throughput: " + rounds + " rounds x " + seconds + " s at " + Arrays.toString(concurrency) + " in flight");
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> cpus = new LinkedHashMap<>();
    for (int inFlight : concurrency) {
      for (int r = 0; r < rounds; r++) {
        for (Contender c : rotate(async, r)) {
          if (failures.containsKey(c.name())) {
            continue;
          }
          String key = c.name() + " @" + inFlight + " in flight";
          if (failures.containsKey(key)) {
            continue;
          }
          try {
            double[] rate = drive(c, inFlight, seconds, Math.min(0.3, seconds / 3));
            rates.computeIfAbsent(c.name() + "@" + inFlight, k -> new ArrayList<>()).add(rate[0]);
            cpus.computeIfAbsent(c.name() + "@" + inFlight, k -> new ArrayList<>()).add(rate[1]);
          } catch (Exception e) {
            // a failed async run marks this client at this concurrency only
            failures.putIfAbsent(key, e.toString());
            OUT.println("  ! " + key + " failed: " + e);
          }
        }
      }
    }
    line("## Async throughput, one client (calls/s; median over rounds)");
    line("");
    StringBuilder head = new StringBuilder("| client |");
    StringBuilder rule = new StringBuilder("|---|");
    for (int n : concurrency) {
      head.append(' ').append(n).append(" in flight |");
      rule.append("---:|");
    }
    line(head.toString());
    line(rule.toString());
    for (Contender c : async) {
      StringBuilder row = new StringBuilder("| ").append(c.name()).append(" |");
      for (int n : concurrency) {
        row.append(' ').append(Stats.num(med(rates.get(c.name() + "@" + n)))).append(" |");
      }
      line(row.toString());
    }
    StringBuilder ratio = new StringBuilder("| **" + ours.name() + " / official** |");
    for (int n : concurrency) {
      ratio.append(" **").append(Stats.ratio(med(rates.get(ours.name() + "@" + n)), med(rates.get(official.name() + "@" + n))))
          .append("** |");
    }
    line(ratio.toString());
    line("");
    line("Client CPU µs per call (Java threads of the harness JVM; lower is better):");
    line("");
    line(head.toString());
    line(rule.toString());
    for (Contender c : async) {
      StringBuilder row = new StringBuilder("| ").append(c.name()).append(" |");
      for (int n : concurrency) {
        row.append(' ').append(Stats.num(med(cpus.get(c.name() + "@" + n)))).append(" |");
      }
      line(row.toString());
    }
    line("");
    line("- goal at 64 in flight: " + ours.name() + " / official async >= 1.2x");
    line("");
  }

  private void scaling(List<Contender> contenders, Contender ours, Contender official) {
    int[] sizes = {1, 20, 100};
    int n = Math.max(50, calls / 2);
    progress("server ids per push: " + Arrays.toString(sizes) + ", " + rounds + " rounds x " + n + " calls");
    Map<String, List<Double>> medians = new LinkedHashMap<>();
    for (int size : sizes) {
      for (int r = 0; r < rounds; r++) {
        for (Contender c : rotate(contenders, r)) {
          if (failures.containsKey(c.name())) {
            continue;
          }
          try {
            medians.computeIfAbsent(c.name() + "@" + size, k -> new ArrayList<>()).add(Stats.median(timeCalls(c, n, size)));
          } catch (Exception e) {
            fail(c, e);
          }
        }
      }
    }
    line("## Cost by server ids per push (sequential, µs per call; median over rounds)");
    line("");
    StringBuilder head = new StringBuilder("| server ids | request body bytes | answer bytes |");
    StringBuilder rule = new StringBuilder("|---:|---:|---:|");
    for (Contender c : contenders) {
      head.append(' ').append(c.name()).append(" |");
      rule.append("---:|");
    }
    line(head.append(" ").append(ours.name()).append(" / official |").toString());
    line(rule.append("---:|").toString());
    for (int size : sizes) {
      StringBuilder row = new StringBuilder("| " + size + " | " + Fixtures.body(size).length + " | "
          + Fixtures.answer(size).length + " |");
      for (Contender c : contenders) {
        row.append(' ').append(Stats.num(med(medians.get(c.name() + "@" + size)))).append(" |");
      }
      row.append(' ').append(Stats.ratio(med(medians.get(ours.name() + "@" + size)),
          med(medians.get(official.name() + "@" + size)))).append(" |");
      line(row.toString());
    }
    line("");
  }

  private void coldStart(int port, boolean akSk) throws Exception {
    List<String> kinds = new ArrayList<>(List.of("ours-token"));
    if (akSk) {
      kinds.add("ours-aksk");
    }
    kinds.add("official");
    kinds.add("bare-direct");
    progress("cold start: " + coldRuns + " fresh JVMs per client, alternating");
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    Map<String, List<Double>> wall = new LinkedHashMap<>();
    Map<String, List<Double>> rss = new LinkedHashMap<>();
    for (int r = 0; r < coldRuns; r++) {
      for (String kind : rotate(kinds, r)) {
        if (failures.containsKey("cold " + kind)) {
          continue;
        }
        try {
          double[] m = coldRun(kind, port);
          cpu.computeIfAbsent(kind, k -> new ArrayList<>()).add(m[0]);
          wall.computeIfAbsent(kind, k -> new ArrayList<>()).add(m[1]);
          rss.computeIfAbsent(kind, k -> new ArrayList<>()).add(m[2]);
        } catch (Exception e) {
          failures.put("cold " + kind, e.toString());
        }
      }
    }
    String ours = akSk ? "ours-aksk" : "ours-token";
    line("## Cold start: a fresh JVM builds the client and makes one call (medians)");
    line("");
    line("| client | CPU ms | wall ms | peak RSS MiB | CPU / official |");
    line("|---|---:|---:|---:|---:|");
    for (String kind : kinds) {
      line("| " + kind + " | " + Stats.num(med(cpu.get(kind))) + " | " + Stats.num(med(wall.get(kind))) + " | "
          + Stats.num(med(rss.get(kind)) / 1024) + " | " + Stats.ratio(med(cpu.get(kind)), med(cpu.get("official"))) + " |");
    }
    line("");
    line("- " + ours + " CPU / official = **" + Stats.ratio(med(cpu.get(ours)), med(cpu.get("official")))
        + "** (goal <= 0.6x). Each JVM has only that client's runtime jars (plus slf4j-nop) on its class path.");
    line("");
  }

  /** CPU ms, wall ms, peak RSS KiB of one cold run. */
  private double[] coldRun(String kind, int port) throws Exception {
    String cp = classesDir().toString();
    String nop = findJar(readClasspath("classpath-all.txt"), "slf4j-nop");
    if (kind.startsWith("ours")) {
      cp += File.pathSeparator + String.join(File.pathSeparator, readClasspath("classpath-ours.txt")) + File.pathSeparator + nop;
    } else if (kind.equals("official")) {
      cp += File.pathSeparator + String.join(File.pathSeparator, readClasspath("classpath-official.txt")) + File.pathSeparator + nop;
    }
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-cp", cp, ColdStart.class.getName(), kind, String.valueOf(port))
        .redirectErrorStream(true);
    long t0 = System.nanoTime();
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("cold run of " + kind + " did not finish in 60 s");
    }
    double wallMs = (System.nanoTime() - t0) / 1e6;
    int at = output.indexOf("COLD cpu_ms=");
    if (p.exitValue() != 0 || at < 0) {
      throw new IllegalStateException("cold run of " + kind + " failed (exit " + p.exitValue() + "): " + output.strip());
    }
    String[] parts = output.substring(at).strip().split("\\s+");
    double cpuMs = Double.parseDouble(parts[1].substring("cpu_ms=".length()));
    double hwm = Double.parseDouble(parts[2].substring("hwm_kb=".length()));
    return new double[] {cpuMs, wallMs, hwm < 0 ? Double.NaN : hwm};
  }

  private void jars() throws IOException {
    line("## Runtime jars (what an application carries; from the resolved Maven class paths)");
    line("");
    line("| client | jars | total | largest |");
    line("|---|---:|---:|---|");
    long ours = jarRow("ours (cph-sdk-core)", readClasspath("classpath-ours.txt"));
    long official = jarRow("official huaweicloud-sdk-cph", readClasspath("classpath-official.txt"));
    line("");
    line("- ours: " + Stats.num(ours / 1e6) + " MB (goal <= 2.5 MB); ours / official = **" + Stats.ratio(ours, official) + "**");
    line("");
  }

  private long jarRow(String name, List<String> jars) throws IOException {
    long total = 0;
    String largest = "";
    long largestSize = -1;
    for (String j : jars) {
      long size = Files.size(Path.of(j));
      total += size;
      if (size > largestSize) {
        largestSize = size;
        largest = Path.of(j).getFileName().toString();
      }
    }
    line("| " + name + " | " + jars.size() + " | " + String.format(Locale.ROOT, "%,d bytes (%s)", total, Stats.mib(total))
        + " | " + largest + " " + Stats.mib(largestSize) + " |");
    return total;
  }

  // ------------------------------------------------------------------ measurement primitives

  private static double[] timeCalls(Contender c, int n, int servers) throws Exception {
    double[] us = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      c.call(servers);
      us[i] = (System.nanoTime() - t0) / 1e3;
    }
    return us;
  }

  /**
   * Keeps {@code inFlight} async calls going for {@code seconds}; returns completions per second counted
   * after the first {@code rampSeconds}. Any failed call fails the run.
   */
  private static double[] drive(Contender c, int inFlight, double seconds, double rampSeconds) throws Exception {
    Semaphore permits = new Semaphore(inFlight);
    AtomicLong done = new AtomicLong();
    AtomicReference<Throwable> error = new AtomicReference<>();
    long start = System.nanoTime();
    long rampEnd = start + (long) (rampSeconds * 1e9);
    long end = start + (long) (seconds * 1e9);
    long countAtRamp = -1;
    long rampAt = 0;
    long cpuAtRamp = 0;
    while (error.get() == null) {
      long now = System.nanoTime();
      if (countAtRamp < 0 && now >= rampEnd) {
        countAtRamp = done.get();
        rampAt = now;
        cpuAtRamp = processCpuNanos();
      }
      if (now >= end) {
        break;
      }
      if (!permits.tryAcquire(50, TimeUnit.MILLISECONDS)) {
        continue;
      }
      CompletableFuture<?> f;
      try {
        f = c.callAsync(2);
      } catch (RuntimeException e) {
        permits.release();
        throw e;
      }
      f.whenComplete((v, e) -> {
        if (e != null) {
          error.compareAndSet(null, e);
        } else {
          done.incrementAndGet();
        }
        permits.release();
      });
    }
    long stopAt = System.nanoTime();
    long count = done.get();
    long cpuAtStop = processCpuNanos();
    if (!permits.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(c.name() + ": calls still in flight 60 s after the run");
    }
    if (error.get() != null) {
      throw new IllegalStateException(c.name() + " async call failed: " + error.get(), error.get());
    }
    if (countAtRamp < 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    long calls = count - countAtRamp;
    return new double[] {calls / ((stopAt - rampAt) / 1e9),
        calls == 0 || cpuAtRamp < 0 ? Double.NaN : (cpuAtStop - cpuAtRamp) / 1e3 / calls};
  }

  // ------------------------------------------------------------------ helpers

  private void addIf(List<Contender> list, String key, Contender c) {
    if (c != null && clients.contains(key)) {
      list.add(c);
    }
  }

  private static <T> List<T> rotate(List<T> list, int by) {
    List<T> r = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      r.add(list.get((i + by) % list.size()));
    }
    return r;
  }

  private static double med(List<Double> values) {
    return values == null || values.isEmpty() ? Double.NaN : Stats.median(values);
  }

  private void fail(Contender c, Exception e) {
    failures.putIfAbsent(c.name(), e.toString());
    OUT.println("  ! " + c.name() + " failed: " + e);
  }

  private void line(String s) {
    md.append(s).append('\n');
    OUT.println(s);
  }

  private static void progress(String s) {
    System.err.println("... " + s);
  }

  /**
   * CPU time of this JVM's Java threads (the caller, HTTP selector and pool threads), or -1 when the
   * platform does not say. JIT compiler and GC threads are not Java threads, so their bursts (C2 can take
   * many seconds to settle java.net.http on a busy machine) do not pollute the per-call figure. Threads
   * that ended in between are missed; the clients keep theirs alive.
   */
  private static long processCpuNanos() {
    java.lang.management.ThreadMXBean b = java.lang.management.ManagementFactory.getThreadMXBean();
    if (!b.isThreadCpuTimeSupported()) {
      return -1;
    }
    long sum = 0;
    for (long id : b.getAllThreadIds()) {
      long c = b.getThreadCpuTime(id);
      if (c > 0) {
        sum += c;
      }
    }
    return sum;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private Path classesDir() {
    return benchDir.resolve("target/classes").toAbsolutePath();
  }

  private List<String> readClasspath(String file) throws IOException {
    Path p = benchDir.resolve("target").resolve(file);
    if (!Files.exists(p)) {
      throw new IllegalStateException(p + " is missing: build with mvn -pl cph-sdk-bench -am package first");
    }
    String s = Files.readString(p).strip();
    return s.isEmpty() ? List.of() : List.of(s.split(File.pathSeparator));
  }

  private static String findJar(List<String> cp, String artifact) {
    for (String j : cp) {
      if (Path.of(j).getFileName().toString().startsWith(artifact + "-")) {
        return j;
      }
    }
    throw new IllegalStateException(artifact + " not on the class path");
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The stub server process. */
  static final class Stub implements AutoCloseable {
    final Process process;
    final int port;

    private Stub(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static Stub start(Path benchDir, int threads) throws IOException {
      // keep idle keep-alive connections (the default closes those past 200, and a client that reuses one the
      // server just closed fails its POST): at 256 in flight the bare clients keep hundreds
      Process p = new ProcessBuilder(javaBin(), "-Dsun.net.httpserver.nodelay=true",
          "-Dsun.net.httpserver.maxIdleConnections=4096", "-Dsun.net.httpserver.idleInterval=3600",
          "-Xms128m", "-Xmx256m",
          "-cp", benchDir.resolve("target/classes").toAbsolutePath().toString(),
          StubServer.class.getName(), "0", String.valueOf(threads))
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String first = r.readLine();
      if (first == null || !first.startsWith("PORT ")) {
        p.destroyForcibly();
        throw new IOException("stub did not start: " + first);
      }
      return new Stub(p, Integer.parseInt(first.substring(5).trim()));
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close(); // the stub exits when its stdin closes
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
