package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.cphsdk.CallListener;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.CloudPhoneTimeoutException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.UrlConnectionTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testsupport.CapturedLogs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Load with faults: many pushes through the asynchronous API, many in flight, against the emulator (in its own
 * JVM, see {@link SoakServer}) while it injects 503 with Retry-After, 429, 500, dropped connections before
 * and after applying, slow answers and answers later than the attempt timeout.
 *
 * <p>What must hold, whatever the faults: every call resolves (a response or a {@link CloudPhoneException}),
 * none is lost, none outlives its call timeout by more than a margin; per call, the server received at most
 * {@code maxAttempts} requests, carried out at most one, never received a request after the one it carried out
 * (retries only follow failures where nothing was applied), and carried out none when the call failed with
 * {@code mayHaveBeenApplied() == false}; a successful call was carried out exactly once. The client JVM's
 * thread count and used heap (after GC) stay flat, and after {@link CloudPhoneClient#close()} no SDK thread
 * is left.
 *
 * <p>Size: {@code -Dcph.soak.calls=N} (default 10,000), {@code -Dcph.soak.inFlight} (128),
 * {@code -Dcph.soak.faultRate} (0.2 of the pushes the server receives), {@code -Dcph.soak.seed},
 * {@code -Dcph.soak.transport=urlconnection} (default {@code default}: the transport the client picks when
 * given none). The figures go to stdout and to
 * {@code target/soak-report.txt}.
 */
class SoakTest {
  static final int CALLS = Integer.getInteger("cph.soak.calls", 10_000);
  static final int IN_FLIGHT = Integer.getInteger("cph.soak.inFlight", 128);
  static final double FAULT_RATE = Double.parseDouble(System.getProperty("cph.soak.faultRate", "0.2"));
  static final long SEED = Long.getLong("cph.soak.seed", 20260505L);
  /** {@code default} (the transport the client picks when given none) or {@code urlconnection}. */
  static final String TRANSPORT = System.getProperty("cph.soak.transport", "default");

  static final int MAX_ATTEMPTS = 3;
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(4);
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  /** How long after its call timeout a call may still resolve (completion hand-off, GC pauses). */
  static final Duration MARGIN = Duration.ofSeconds(3);

  static final byte PENDING = 0;
  static final byte OK = 1;
  static final byte FAILED_NOT_APPLIED = 2;
  static final byte FAILED_MAYBE_APPLIED = 3;
  static final byte UNCLASSIFIED = 4;

  // Per call, allocated before the heap baseline so the bookkeeping does not look like growth.
  final byte[] outcome = new byte[CALLS];
  final int[] failedAttempts = new int[CALLS];
  final long[] startNanos = new long[CALLS];
  final long[] tookNanos = new long[CALLS];
  final int[] serverAttempts = new int[CALLS];
  final int[] serverApplied = new int[CALLS];
  final long[] lastSequence = new long[CALLS];
  final long[] appliedSequence = new long[CALLS];
  final long[] idHigh = new long[CALLS];
  final long[] idLow = new long[CALLS];
  final int[] idMismatch = new int[1];

  final Map<String, LongAdder> failuresByKind = new ConcurrentHashMap<>();
  final LongAdder clientAttempts = new LongAdder();
  final AtomicLong serverPushes = new AtomicLong();
  final AtomicLong unmatchedServerRequests = new AtomicLong();
  final Map<Integer, LongAdder> serverStatuses = new ConcurrentHashMap<>();
  final Map<SoakServer.FaultKind, Integer> faultsArmed = new EnumMap<>(SoakServer.FaultKind.class);

  @Test
  void everyCallResolvesNothingIsLostNothingIsAppliedTwiceAndNothingLeaks() throws Exception {
    CapturedLogs.enabled(false); // production-like logging; capturing 60,000 debug lines would fill the heap
    Process serverProcess = new ProcessBuilder(SoakServer.command(SEED, FAULT_RATE, ATTEMPT_TIMEOUT))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      run(serverProcess);
    } finally {
      CapturedLogs.enabled(true);
      serverProcess.destroyForcibly();
      SoakServer.stop(serverProcess, 10);
    }
  }

  private void run(Process serverProcess) throws Exception {
    BufferedReader serverOut = new BufferedReader(new InputStreamReader(serverProcess.getInputStream(),
        StandardCharsets.US_ASCII));
    String first = serverOut.readLine();
    assertTrue(first != null && first.startsWith("PORT "), "the soak server did not start: " + first);
    URI endpoint = URI.create("http://127.0.0.1:" + first.substring(5));
    CountDownLatch serverDone = new CountDownLatch(1);
    Thread reader = new Thread(() -> readServer(serverOut, serverDone), "soak-server-reader");
    reader.setDaemon(true);
    reader.start();

    int threadsBefore = Thread.getAllStackTraces().size();
    java.util.Set<Thread> sdkThreadsBefore = SdkThreads.alive();

    HttpTransport transport = TRANSPORT.equals("urlconnection")
        ? UrlConnectionTransport.builder().proxy(java.net.Proxy.NO_PROXY).build() : null;
    CloudPhoneClient.Builder builder = CloudPhoneClient.builder();
    if (transport != null) {
      builder.transport(transport);
    }
    CloudPhoneClient client = builder
        .endpoint(endpoint)
        .projectId("0123456789abcdef0123456789abcdef")
        .credentials(Credentials.token(SoakServer.TOKEN))
        .retryPolicy(RetryPolicy.builder()
            .maxAttempts(MAX_ATTEMPTS)
            .backoff(BackoffStrategy.exponentialWithFullJitter(Duration.ofMillis(5), Duration.ofMillis(50)))
            .maxRetryAfter(Duration.ofMillis(50))
            .build())
        .connectTimeout(Duration.ofSeconds(1))
        .attemptTimeout(ATTEMPT_TIMEOUT)
        .callTimeout(CALL_TIMEOUT)
        .listener(new CallListener() {
          @Override
          public void attemptStarted(String operation, String callId, int attempt) {
            clientAttempts.increment();
          }
        })
        .build();

    Semaphore permits = new Semaphore(IN_FLIGHT);
    CountDownLatch completed = new CountDownLatch(CALLS);
    AtomicInteger completions = new AtomicInteger();
    int warmup = Math.max(1, CALLS / 10);
    int sampleEvery = Math.max(1, CALLS / 10);
    // {calls submitted, live threads, used heap after GC, SDK threads of this client}
    List<long[]> samples = new ArrayList<>();
    long runStart = System.nanoTime();
    long lastSubmit = runStart;
    for (int i = 0; i < CALLS; i++) {
      if (i >= warmup && (i - warmup) % sampleEvery == 0) {
        samples.add(sample(i, sdkThreadsBefore));
      }
      if (!permits.tryAcquire(CALL_TIMEOUT.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS)) {
        fail("no call completed within the call timeout plus margin while " + IN_FLIGHT + " were in flight");
      }
      int index = i;
      startNanos[index] = System.nanoTime();
      lastSubmit = startNanos[index];
      CompletableFuture<ShareAppsResponse> future = client.shareAppsAsync(request(index));
      future.whenComplete((response, error) -> {
        tookNanos[index] = System.nanoTime() - startNanos[index];
        outcome[index] = classify(index, response, error);
        completions.incrementAndGet();
        permits.release();
        completed.countDown();
      });
    }
    // Each call ends by its own deadline; waiting longer than the last one's means a call was lost.
    long waitMillis = CALL_TIMEOUT.plus(MARGIN).toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastSubmit);
    boolean allDone = completed.await(Math.max(waitMillis, 0), TimeUnit.MILLISECONDS);
    long runNanos = System.nanoTime() - runStart;
    samples.add(sample(CALLS, sdkThreadsBefore));
    if (!allDone) {
      List<Integer> hung = new ArrayList<>();
      for (int i = 0; i < CALLS && hung.size() < 20; i++) {
        if (outcome[i] == PENDING) {
          hung.add(i);
        }
      }
      fail(completed.getCount() + " calls did not resolve within the call timeout plus margin, e.g. " + hung);
    }

    java.util.Set<Thread> sdkThreads = SdkThreads.startedSince(sdkThreadsBefore);
    long closeStart = System.nanoTime();
    client.close();
    if (transport != null) {
      transport.close(); // given to the client, so the application's to close
    }
    List<String> leftover = SdkThreads.awaitEnd(sdkThreads, 20);
    long threadsEndedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart);

    // Stop the server and wait until every request it received has been reported.
    try (OutputStream stop = serverProcess.getOutputStream()) {
      stop.write("stop\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertTrue(serverDone.await(30, TimeUnit.SECONDS), "the soak server did not report its end");

    String report = report(runNanos, samples, threadsBefore, sdkThreads, leftover, threadsEndedMillis,
        completions.get());
    System.out.println(report);
    java.nio.file.Files.writeString(java.nio.file.Paths.get("target", "soak-report.txt"), report);

    // ---- every call resolved, exactly once, with a classified outcome, within its deadline
    assertEquals(CALLS, completions.get(), "completions");
    long maxTook = Arrays.stream(tookNanos).max().orElse(0);
    assertTrue(maxTook <= CALL_TIMEOUT.plus(MARGIN).toNanos(), "a call took " + maxTook / 1_000_000 + " ms");
    for (int i = 0; i < CALLS; i++) {
      assertTrue(outcome[i] == OK || outcome[i] == FAILED_NOT_APPLIED || outcome[i] == FAILED_MAYBE_APPLIED,
          "call " + i + " ended with an unclassified outcome " + outcome[i] + "; failures: " + failuresByKind);
    }
    // ---- what the server received never exceeds what the retry policy allows
    assertEquals(0, unmatchedServerRequests.get(), "server requests that belong to no call");
    assertEquals(0, idMismatch[0], "requests of one call with different X-Client-Request-Id values");
    assertTrue(serverPushes.get() <= clientAttempts.sum(), "the server received " + serverPushes + " pushes but the "
        + "client started only " + clientAttempts.sum() + " attempts: something sent a request twice");
    assertDistinctCallIds();
    List<String> violations = new ArrayList<>();
    for (int i = 0; i < CALLS && violations.size() < 20; i++) {
      String v = violation(i);
      if (v != null) {
        violations.add("call " + i + ": " + v);
      }
    }
    assertEquals(List.of(), violations, "calls beyond the retry policy");
    // ---- stable threads and heap while running, no SDK thread after close
    assertEquals(List.of(), leftover, "SDK threads alive after close()");
    // The client's own threads are a fixed set: the pool (at most 8, HttpURLConnection), its watchdog, the
    // client's timeout and retry threads (11; the limit said 9 before, and the run with urlconnection failed on it
    // with 10); or, with
    // java.net.http, the selector, at most one worker per exchange in flight (maxConcurrentRequests, 64 by
    // default), the transport's and the client's timeout threads and the retry timer. The JVM's total also moves
    // with other tests' threads winding down in this JVM, so it gets a looser bound, still far below one thread
    // per call.
    long sdkLimit = TRANSPORT.equals("urlconnection") ? 11 : 64 + 4;
    long[] base = samples.get(0);
    for (long[] s : samples) {
      assertTrue(s[3] <= sdkLimit, s[3] + " SDK threads at call " + s[0] + ", more than " + sdkLimit);
      assertTrue(s[1] - base[1] <= 16, "thread count grew from " + base[1] + " to " + s[1] + " at call " + s[0]
          + "; threads at the end: " + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted()
          .collect(java.util.stream.Collectors.toList()));
    }
    long growth = heapGrowth(samples);
    assertTrue(growth <= 16L * 1024 * 1024, "used heap after GC grew by " + growth / 1024 + " KiB during the run");
  }

  private ShareAppsRequest request(int index) {
    return ShareAppsRequest.builder()
        .packageName("com.example.soak")
        .bucketName("soak-bucket")
        .objectPath(SoakServer.OBJECT_PREFIX + index + ".tar")
        .addServerIds(serverId(index))
        .build();
  }

  static String serverId(int index) {
    return String.format("%032x", index);
  }

  private byte classify(int index, ShareAppsResponse response, Throwable error) {
    if (error == null) {
      boolean right = response != null && response.jobs().size() == 1
          && response.jobs().get(0).serverId().equals(serverId(index)) && response.jobs().get(0).jobId().isPresent()
          && !response.requestId().isEmpty();
      if (!right) {
        count("wrong response " + response);
      }
      return right ? OK : UNCLASSIFIED;
    }
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (!(e instanceof CloudPhoneException)) {
      count("unclassified " + e);
      return UNCLASSIFIED;
    }
    CloudPhoneException ce = (CloudPhoneException) e;
    failedAttempts[index] = ce.attempts();
    String kind;
    if (ce instanceof CloudPhoneServiceException) {
      kind = "HTTP " + ((CloudPhoneServiceException) ce).statusCode();
    } else if (ce instanceof CloudPhoneTimeoutException) {
      kind = "timeout";
    } else if (ce instanceof CloudPhoneTransportException) {
      kind = "transport";
    } else {
      kind = ce.getClass().getSimpleName();
    }
    count(kind + (ce.mayHaveBeenApplied() ? ", may have been applied" : ", not applied"));
    return ce.mayHaveBeenApplied() ? FAILED_MAYBE_APPLIED : FAILED_NOT_APPLIED;
  }

  private void count(String kind) {
    failuresByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  /** Reads the server's report lines into the per-call arrays (one thread; the arrays are read after it ends). */
  private void readServer(BufferedReader in, CountDownLatch done) {
    try {
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.split(" ");
        if (f[0].equals("R")) {
          long sequence = Long.parseLong(f[1]);
          int index = Integer.parseInt(f[2]);
          int status = Integer.parseInt(f[4]);
          boolean applied = f[5].equals("1");
          serverStatuses.computeIfAbsent(status, k -> new LongAdder()).increment();
          if (index < 0 || index >= CALLS || f[3].length() != 32) {
            unmatchedServerRequests.incrementAndGet();
            continue;
          }
          serverPushes.incrementAndGet();
          long high = Long.parseUnsignedLong(f[3].substring(0, 16), 16);
          long low = Long.parseUnsignedLong(f[3].substring(16), 16);
          if (serverAttempts[index] == 0) {
            idHigh[index] = high;
            idLow[index] = low;
          } else if (idHigh[index] != high || idLow[index] != low) {
            idMismatch[0]++;
          }
          serverAttempts[index]++;
          lastSequence[index] = Math.max(lastSequence[index], sequence);
          if (applied) {
            serverApplied[index]++;
            appliedSequence[index] = sequence;
          }
        } else if (f[0].equals("F")) {
          faultsArmed.put(SoakServer.FaultKind.valueOf(f[1]), Integer.parseInt(f[2]));
        } else if (f[0].equals("END")) {
          done.countDown();
        }
      }
    } catch (java.io.IOException e) {
      // the process ended; the test sees that END never came
    }
  }

  /** Why call {@code i} broke the retry policy, or {@code null}. */
  private String violation(int i) {
    int attempts = serverAttempts[i];
    int applied = serverApplied[i];
    if (attempts > MAX_ATTEMPTS) {
      return attempts + " requests at the server, more than maxAttempts " + MAX_ATTEMPTS;
    }
    if (applied > 1) {
      return "carried out " + applied + " times";
    }
    if (applied == 1 && appliedSequence[i] != lastSequence[i]) {
      return "a request was sent after one that was carried out";
    }
    if (outcome[i] == OK && applied != 1) {
      return "succeeded but the server carried it out " + applied + " times";
    }
    if (outcome[i] == FAILED_NOT_APPLIED && applied != 0) {
      return "failed with mayHaveBeenApplied() == false but the server carried it out";
    }
    if (outcome[i] != OK && attempts > failedAttempts[i]) {
      return "failed after " + failedAttempts[i] + " attempts but the server received " + attempts;
    }
    return null;
  }

  private void assertDistinctCallIds() {
    long[][] ids = new long[CALLS][];
    int n = 0;
    for (int i = 0; i < CALLS; i++) {
      if (serverAttempts[i] > 0) {
        ids[n++] = new long[] {idHigh[i], idLow[i]};
      }
    }
    long[][] seen = Arrays.copyOf(ids, n);
    Arrays.sort(seen, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    for (int i = 1; i < n; i++) {
      assertTrue(seen[i][0] != seen[i - 1][0] || seen[i][1] != seen[i - 1][1], "two calls share an X-Client-Request-Id");
    }
  }

  /** Live threads and used heap after a full collection (the java.lang.management figures, without the module). */
  private static long[] sample(int calls, java.util.Set<Thread> sdkThreadsBefore) {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return new long[] {calls, Thread.getAllStackTraces().size(), rt.totalMemory() - rt.freeMemory(),
        SdkThreads.startedSince(sdkThreadsBefore).size()};
  }

  /** Growth of used heap after GC: the mean of the last three samples minus the mean of the first three. */
  static long heapGrowth(List<long[]> samples) {
    int k = Math.min(3, samples.size() / 2);
    long first = 0;
    long last = 0;
    for (int i = 0; i < k; i++) {
      first += samples.get(i)[2];
      last += samples.get(samples.size() - 1 - i)[2];
    }
    return k == 0 ? 0 : (last - first) / k;
  }

  private String report(long runNanos, List<long[]> samples, int threadsBefore, java.util.Set<Thread> sdkThreads,
      List<String> leftover, long threadsEndedMillis, int completions) {
    int ok = 0;
    int notApplied = 0;
    int maybe = 0;
    int appliedOnMaybe = 0;
    int[] attemptsHistogram = new int[MAX_ATTEMPTS + 2];
    int duplicates = 0;
    for (int i = 0; i < CALLS; i++) {
      ok += outcome[i] == OK ? 1 : 0;
      notApplied += outcome[i] == FAILED_NOT_APPLIED ? 1 : 0;
      maybe += outcome[i] == FAILED_MAYBE_APPLIED ? 1 : 0;
      appliedOnMaybe += outcome[i] == FAILED_MAYBE_APPLIED && serverApplied[i] == 1 ? 1 : 0;
      attemptsHistogram[Math.min(serverAttempts[i], MAX_ATTEMPTS + 1)]++;
      duplicates += violation(i) != null ? 1 : 0;
    }
    long maxTook = Arrays.stream(tookNanos).max().orElse(0);
    StringBuilder sb = new StringBuilder();
    sb.append("soak: ").append(CALLS).append(" calls, transport ")
        .append(TRANSPORT.equals("urlconnection") ? "UrlConnectionTransport" : "default (the client's choice)").append(", ").append(IN_FLIGHT).append(" in flight, fault rate ")
        .append(FAULT_RATE).append(", seed ").append(SEED).append(", ").append(TimeUnit.NANOSECONDS.toMillis(runNanos))
        .append(" ms (").append(CALLS * 1_000_000_000L / Math.max(1, runNanos)).append(" calls/s), JDK ")
        .append(System.getProperty("java.version")).append(", ").append(Runtime.getRuntime().availableProcessors())
        .append(" cpus\n");
    sb.append("  resolved ").append(completions).append(", lost ").append(CALLS - completions)
        .append(", slowest call ").append(maxTook / 1_000_000).append(" ms (call timeout ")
        .append(CALL_TIMEOUT.toMillis()).append(" ms)\n");
    sb.append("  succeeded ").append(ok).append(", failed not applied ").append(notApplied)
        .append(", failed may have been applied ").append(maybe).append(" (of which carried out at the server ")
        .append(appliedOnMaybe).append(")\n");
    sb.append("  failures by kind ").append(new TreeMap<>(failuresByKind)).append('\n');
    sb.append("  client attempts ").append(clientAttempts.sum()).append(", pushes received by the server ")
        .append(serverPushes).append(", server answers by status (0 = dropped) ")
        .append(new TreeMap<>(serverStatuses)).append('\n');
    sb.append("  calls by requests received at the server [0,1,2,3,>3] ").append(Arrays.toString(attemptsHistogram))
        .append('\n');
    sb.append("  faults armed by kind ").append(faultsArmed).append('\n');
    sb.append("  calls beyond the retry policy (duplicates, extra attempts, applied though reported not) ")
        .append(duplicates).append('\n');
    sb.append("  threads: before the client ").append(threadsBefore)
        .append(", samples [calls, live threads, SDK threads, heap KiB after GC] ");
    for (long[] s : samples) {
      sb.append('[').append(s[0]).append(", ").append(s[1]).append(", ").append(s[3]).append(", ").append(s[2] / 1024)
          .append("] ");
    }
    sb.append("\n  heap growth after GC ").append(heapGrowth(samples) / 1024).append(" KiB; SDK threads during the run ")
        .append(sdkThreads.stream().map(Thread::getName).sorted().collect(java.util.stream.Collectors.toList()))
        .append(", alive after close ").append(leftover.size()).append(' ').append(leftover)
        .append(" (all ended ").append(threadsEndedMillis).append(" ms after close)\n");
    return sb.toString();
  }
}
