package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.JobListener;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.JobWaiter;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ServerProgress;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.rollout.RolloutJournalException;
import io.github.cphsdk.rollout.RolloutListener;
import io.github.cphsdk.rollout.RolloutReport;
import io.github.cphsdk.rollout.RolloutServer;
import io.github.cphsdk.rollout.RolloutState;
import io.github.cphsdk.rollout.RolloutWave;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one rollout on the calling thread: waves (the canary first) of batches, each batch's intent journaled and
 * forced before its POST and its answer journaled and forced when it comes; then the wave's jobs are waited for
 * (each final state journaled), then the failure gate decides (journaled). A journal read at the start tells
 * what is already done: batches answered are not sent again (their jobs are waited for again by request id),
 * batches sent without a recorded answer are ambiguous (their servers UNKNOWN unless re-pushing was asked for),
 * batches never sent, or whose failure proves nothing was applied, are sent.
 */
public final class RolloutEngine {
  private static final Logger LOG = LoggerFactory.getLogger("io.github.cphsdk.rollout.Rollout");
  static final int FORMAT = 1;

  /** Everything the builder collected. */
  public static final class Settings {
    public ShareAppsRequest push;
    public List<String> servers;
    public int canary;
    public int wave;
    public int perRequest;
    public int maxConcurrentBatches;
    public double maxFailureRatio;
    public WaitOptions waitOptions;
    public Path journal;
    public boolean resume;
    public boolean rePushAmbiguous;
    public int maxAttemptsPerBatch;
    public RolloutListener listener;
  }

  private enum BatchState { UNSENT, RETRYABLE, IN_FLIGHT, ANSWERED, REFUSED, AMBIGUOUS }

  private static final class Batch {
    final int index;
    final int wave;
    final List<String> servers;
    int attempts;
    BatchState state = BatchState.UNSENT;

    Batch(int index, int wave, List<String> servers) {
      this.index = index;
      this.wave = wave;
      this.servers = servers;
    }
  }

  private static final class Srv {
    final String id;
    final int wave;
    final int batch;
    RolloutServer.Push push = RolloutServer.Push.NOT_SENT;
    ServerProgress.State job; // RUNNING, SUCCEEDED or FAILED once accepted
    String requestId;
    String jobId;
    String code;
    String msg;

    Srv(String id, int wave, int batch) {
      this.id = id;
      this.wave = wave;
      this.batch = batch;
    }
  }

  private final RolloutHost host;
  private final Settings s;
  private final List<List<Batch>> waves = new ArrayList<>();
  private final List<Batch> batches = new ArrayList<>();
  private final Map<String, Srv> servers = new LinkedHashMap<>();
  private final Map<Integer, RolloutWave> gates = new HashMap<>();
  private final Object lock = new Object();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failedCalls = new AtomicLong();
  private JournalFile journal;
  private int inFlight; // guarded by lock
  private boolean cancelled; // guarded by lock
  private CloudPhoneException fatal; // guarded by lock
  private boolean callerInterrupted; // guarded by lock

  public RolloutEngine(RolloutHost host, Settings settings) {
    this.host = host;
    this.s = settings;
    plan();
  }

  /** The batches of each wave, as server ids: what {@link #run()} would send, for a dry run. */
  public static List<List<List<String>>> plan(List<String> servers, int canary, int wave, int perRequest) {
    List<List<List<String>>> out = new ArrayList<>();
    int i = 0;
    int size = Math.min(canary, servers.size());
    while (i < servers.size()) {
      List<List<String>> w = new ArrayList<>();
      int end = Math.min(servers.size(), i + size);
      for (int j = i; j < end; j += perRequest) {
        w.add(List.copyOf(servers.subList(j, Math.min(end, j + perRequest))));
      }
      out.add(w);
      i = end;
      size = wave;
    }
    return out;
  }

  private void plan() {
    int index = 0;
    List<List<List<String>>> p = plan(s.servers, s.canary, s.wave, s.perRequest);
    for (int w = 0; w < p.size(); w++) {
      List<Batch> wave = new ArrayList<>();
      for (List<String> ids : p.get(w)) {
        Batch b = new Batch(index++, w, ids);
        wave.add(b);
        batches.add(b);
        for (String id : ids) {
          servers.put(id, new Srv(id, w, b.index));
        }
      }
      waves.add(wave);
    }
  }

  /**
   * Cancels: no new batch starts, batches in flight are awaited, a job wait in progress ends (at its next pause
   * between polls). No thread is interrupted: an interrupt would close the journal's {@code FileChannel}.
   */
  public void cancel() {
    synchronized (lock) {
      cancelled = true;
      lock.notifyAll();
    }
  }

  public boolean isCancelled() {
    synchronized (lock) {
      return cancelled;
    }
  }

  // ---------------------------------------------------------------- run

  public RolloutReport run() {
    long start = host.timing().nanoTime();
    long throttledBefore = host.rateLimiter().throttledCount();
    openJournal();
    boolean aborted = false;
    try {
      for (int w = 0; w < waves.size() && !aborted; w++) {
        RolloutWave gate = gates.get(w);
        if (gate != null) {
          if (!gate.proceed()) {
            aborted = true;
            break;
          }
          if (hasRunningJobs(w)) {
            waitForJobs(w);
          }
          continue;
        }
        if (isCancelled()) {
          break;
        }
        int wave = w;
        notifyListener(l -> l.waveStarted(wave, waves.size(), serversOf(wave)));
        sendWave(w);
        CloudPhoneException f = fatal();
        if (f != null) {
          throw f;
        }
        if (isCancelled()) {
          break;
        }
        waitForJobs(w);
        if (isCancelled()) {
          break;
        }
        RolloutWave decision = gate(w);
        notifyListener(l -> l.waveEnded(decision));
        aborted = !decision.proceed();
      }
      RolloutState state = aborted ? RolloutState.ABORTED : isCancelled() ? RolloutState.CANCELLED
          : RolloutState.COMPLETED;
      Map<String, Object> end = record("end");
      end.put("state", state.name());
      write(end, true);
      return report(state, start, throttledBefore);
    } finally {
      if (journal != null) {
        journal.close();
      }
      synchronized (lock) {
        if (callerInterrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private int serversOf(int wave) {
    int n = 0;
    for (Batch b : waves.get(wave)) {
      n += b.servers.size();
    }
    return n;
  }

  // ---------------------------------------------------------------- sending

  private void sendWave(int w) {
    Deque<Batch> queue = new ArrayDeque<>();
    for (Batch b : waves.get(w)) {
      if (b.state == BatchState.UNSENT || b.state == BatchState.RETRYABLE
          || (b.state == BatchState.AMBIGUOUS && s.rePushAmbiguous)) {
        queue.add(b);
      }
    }
    while (true) {
      Batch b;
      synchronized (lock) {
        while (true) {
          boolean stopping = cancelled || fatal != null;
          if ((stopping || queue.isEmpty()) && inFlight == 0) {
            return;
          }
          if (!stopping && !queue.isEmpty() && inFlight < s.maxConcurrentBatches) {
            break;
          }
          try {
            lock.wait();
          } catch (InterruptedException e) {
            cancelled = true; // the caller's interrupt: stop as a cancel does, and set the flag again at the end
            callerInterrupted = true;
          }
        }
        b = queue.poll();
        inFlight++;
        b.state = BatchState.IN_FLIGHT;
      }
      try {
        host.rateLimiter().acquire();
      } catch (InterruptedException e) {
        synchronized (lock) {
          cancelled = true;
          callerInterrupted = true;
          inFlight--;
          b.state = b.attempts == 0 ? BatchState.UNSENT : BatchState.RETRYABLE;
          lock.notifyAll();
        }
        continue;
      }
      if (isCancelled()) {
        synchronized (lock) {
          inFlight--;
          b.state = b.attempts == 0 ? BatchState.UNSENT : BatchState.RETRYABLE;
          lock.notifyAll();
        }
        continue;
      }
      send(b, queue);
    }
  }

  private void send(Batch b, Deque<Batch> queue) {
    int attempt = ++b.attempts;
    Map<String, Object> intent = record("send");
    intent.put("batch", b.index);
    intent.put("attempt", attempt);
    intent.put("servers", b.servers);
    write(intent, true); // durable before the POST: a crash from here on leaves the batch AMBIGUOUS
    calls.incrementAndGet();
    ShareAppsRequest request;
    java.util.concurrent.CompletableFuture<ShareAppsResponse> call;
    try {
      request = ShareAppsRequest.builder().from(s.push).serverIds(b.servers).build();
      call = host.push(request);
    } catch (RuntimeException e) {
      call = Futures.failed(e);
    }
    call.whenComplete((response, error) -> {
      try {
        if (error == null) {
          answered(b, attempt, response);
        } else {
          failed(b, attempt, Futures.unwrap(error), queue);
        }
      } catch (RuntimeException e) {
        LOG.error("rollout: batch {} could not be recorded; its servers are UNKNOWN", b.index + 1, e);
        synchronized (lock) {
          b.state = BatchState.AMBIGUOUS;
          for (String id : b.servers) {
            servers.get(id).push = RolloutServer.Push.AMBIGUOUS;
          }
          if (fatal == null) {
            fatal = new CloudPhoneException("the rollout journal could not be written: " + e.getMessage(), e, true, 0);
          }
        }
      } finally {
        synchronized (lock) {
          inFlight--;
          lock.notifyAll();
        }
      }
    });
  }

  private void answered(Batch b, int attempt, ShareAppsResponse response) {
    Map<String, Object> r = record("answer");
    r.put("batch", b.index);
    r.put("attempt", attempt);
    r.put("request_id", response.requestId().isEmpty() ? null : response.requestId());
    List<Object> jobs = new ArrayList<>();
    Set<String> mine = new HashSet<>(b.servers);
    for (ServerJob j : response.jobs()) {
      if (!mine.contains(j.serverId())) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("server", j.serverId());
      m.put("job", j.jobId().orElse(null));
      m.put("code", j.errorCode().orElse(null));
      m.put("msg", j.errorMsg().orElse(null));
      jobs.add(m);
    }
    r.put("jobs", jobs);
    write(r, true);
    applyAnswer(b, r);
    for (String id : b.servers) {
      RolloutServer v = view(servers.get(id));
      notifyListener(l -> l.serverChanged(v));
    }
  }

  private void failed(Batch b, int attempt, Throwable error, Deque<Batch> queue) {
    failedCalls.incrementAndGet();
    CloudPhoneException e = error instanceof CloudPhoneException ? (CloudPhoneException) error
        : new CloudPhoneException("the batch could not be sent: " + error, error, false, 0);
    int status = e instanceof CloudPhoneServiceException ? ((CloudPhoneServiceException) e).statusCode() : 0;
    String code = e instanceof CloudPhoneServiceException ? ((CloudPhoneServiceException) e).errorCode() : null;
    String msg = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
    Map<String, Object> r;
    if (e.mayHaveBeenApplied()) {
      r = record("ambiguous");
    } else if (status == 401 || status == 403) {
      r = record("retry"); // nothing applied; the rollout stops, a resume with good credentials sends it
      synchronized (lock) {
        if (fatal == null) {
          fatal = e;
        }
      }
    } else if ((status == 0 || status == 429 || status == 503 || status == 408) && !(error instanceof
        IllegalArgumentException) && attempt < s.maxAttemptsPerBatch) {
      r = record("retry");
    } else {
      r = record("refused");
    }
    r.put("batch", b.index);
    r.put("attempt", attempt);
    r.put("status", status == 0 ? null : status);
    r.put("code", code);
    r.put("msg", msg);
    write(r, true);
    apply(r);
    if ("retry".equals(r.get("t")) && fatal() == null) {
      LOG.debug("rollout: batch {} attempt {} failed without effect ({}); it will be sent again", b.index + 1,
          attempt, msg);
      synchronized (lock) {
        queue.add(b);
        lock.notifyAll();
      }
    }
    for (String id : b.servers) {
      RolloutServer v = view(servers.get(id));
      notifyListener(l -> l.serverChanged(v));
    }
  }

  // ---------------------------------------------------------------- waiting

  private boolean hasRunningJobs(int w) {
    synchronized (lock) {
      for (Srv v : servers.values()) {
        if (v.wave == w && v.job == ServerProgress.State.RUNNING && v.jobId != null) {
          return true;
        }
      }
      return false;
    }
  }

  private void waitForJobs(int w) {
    BatchOutcome.Builder outcome = BatchOutcome.builder();
    int n = 0;
    synchronized (lock) {
      for (Srv v : servers.values()) {
        if (v.wave == w && v.job == ServerProgress.State.RUNNING && v.jobId != null) {
          outcome.addServers(ServerOutcome.builder().serverId(v.id).batch(v.batch).result(ServerOutcome.Result.ACCEPTED)
              .requestId(Optional.ofNullable(v.requestId)).jobId(v.jobId).build());
          n++;
        }
      }
    }
    if (n == 0) {
      return;
    }
    WaitOptions o = s.waitOptions;
    JobListener user = o.listener().orElse(null);
    JobListener journaling = new JobListener() {
      @Override
      public void serverChanged(ServerProgress p) {
        if (p.state() == ServerProgress.State.SUCCEEDED || p.state() == ServerProgress.State.FAILED) {
          Map<String, Object> r = record("job");
          r.put("server", p.serverId());
          r.put("job", p.jobId().orElse(null));
          r.put("state", p.state().name());
          r.put("code", p.errorCode().orElse(null));
          r.put("msg", p.errorMsg().orElse(null));
          write(r, false);
          apply(r);
          RolloutServer v = view(servers.get(p.serverId()));
          notifyListener(l -> l.serverChanged(v));
        }
        if (user != null) {
          user.serverChanged(p);
        }
      }

      @Override
      public void polled(JobReport progress) {
        if (journal != null) {
          journal.force();
        }
        if (user != null) {
          user.polled(progress);
        }
      }

      @Override
      public void pollFailed(CloudPhoneException failure, int failedPolls) {
        if (user != null) {
          user.pollFailed(failure, failedPolls);
        }
      }
    };
    WaitOptions options = WaitOptions.builder().timeout(o.timeout()).initialDelay(o.initialDelay())
        .pollInterval(o.pollInterval()).maxPollInterval(o.maxPollInterval()).listener(journaling).build();
    JobWaiter.Source source = new JobWaiter.Source() {
      @Override
      public JobList list(List<String> requestIds) {
        return host.list(requestIds, () -> {
          permit();
          calls.incrementAndGet();
        });
      }

      @Override
      public Job show(String jobId) {
        permit();
        calls.incrementAndGet();
        return host.show(jobId);
      }

      @Override
      public java.util.concurrent.CompletableFuture<JobList> listAsync(List<String> requestIds) {
        throw new UnsupportedOperationException();
      }

      @Override
      public java.util.concurrent.CompletableFuture<Job> showAsync(String jobId) {
        throw new UnsupportedOperationException();
      }
    };
    JobWaiter waiter = new JobWaiter(new CancellableTiming(host.timing()), source, outcome.build(), options);
    if (isCancelled()) {
      return;
    }
    try {
      JobReport report = waiter.await();
      failedCalls.addAndGet(report.failedPolls());
    } catch (CloudPhoneException e) {
      if (!(e.getCause() instanceof CancelledWait)) {
        throw e;
      }
      Thread.interrupted(); // JobWaiter set the flag for our own cancel, not for an interrupt of the caller's
    } finally {
      if (journal != null) {
        journal.force();
      }
    }
  }

  /** The end of a job wait because the rollout was cancelled. */
  private static final class CancelledWait extends InterruptedException {
    private static final long serialVersionUID = 1L;

    CancelledWait() {
      super("the rollout was cancelled");
    }
  }

  /** The client's timing, whose sleeps end early (in slices of at most 50 ms) once the rollout is cancelled. */
  private final class CancellableTiming implements io.github.cphsdk.internal.Timing {
    private final io.github.cphsdk.internal.Timing inner;

    CancellableTiming(io.github.cphsdk.internal.Timing inner) {
      this.inner = inner;
    }

    @Override
    public long nanoTime() {
      return inner.nanoTime();
    }

    @Override
    public java.time.Clock clock() {
      return inner.clock();
    }

    @Override
    public void sleep(Duration delay) throws InterruptedException {
      Duration left = delay;
      Duration slice = Duration.ofMillis(50);
      while (true) {
        if (isCancelled()) {
          throw new CancelledWait();
        }
        if (left.isZero() || left.isNegative()) {
          return;
        }
        Duration d = left.compareTo(slice) < 0 ? left : slice;
        inner.sleep(d);
        left = left.minus(d);
      }
    }

    @Override
    public java.util.concurrent.Future<?> schedule(Runnable task, Duration delay) {
      return inner.schedule(task, delay);
    }

    @Override
    public java.util.concurrent.Future<?> timeout(Runnable task, Duration delay) {
      return inner.timeout(task, delay);
    }

    @Override
    public void close() {
      // the client's timing: the client closes it
    }
  }

  private void permit() {
    try {
      host.rateLimiter().acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudPhoneException("interrupted while waiting to list jobs", e, false, 0);
    }
  }

  // ---------------------------------------------------------------- gate

  private RolloutWave gate(int w) {
    int failures = 0;
    int total = 0;
    synchronized (lock) {
      for (Srv v : servers.values()) {
        if (v.wave > w) {
          continue;
        }
        total++;
        if (v.job == ServerProgress.State.FAILED || v.push == RolloutServer.Push.REJECTED
            || v.push == RolloutServer.Push.REFUSED) {
          failures++;
        }
      }
    }
    boolean proceed = (double) failures / total <= s.maxFailureRatio;
    Map<String, Object> r = record("gate");
    r.put("wave", w);
    r.put("servers", serversOf(w));
    r.put("failures", failures);
    r.put("total", total);
    r.put("max_failure_ratio", s.maxFailureRatio);
    r.put("proceed", proceed);
    write(r, true);
    apply(r);
    RolloutWave decision = gates.get(w);
    if (!proceed) {
      LOG.warn("rollout stopped by the failure gate after wave {}: {} of {} servers failed (gate {}%)", w, failures,
          total, s.maxFailureRatio * 100);
    }
    return decision;
  }

  // ---------------------------------------------------------------- journal

  private void openJournal() {
    if (s.journal == null) {
      if (s.resume) {
        throw new IllegalStateException("resume needs a journal");
      }
      return;
    }
    JournalFile j = JournalFile.open(s.journal);
    try {
      List<Map<String, Object>> records = j.records();
      if (records.isEmpty()) {
        if (s.resume) {
          throw new RolloutJournalException("the rollout journal " + s.journal + " is empty: there is no rollout "
              + "to resume (start one without resuming)", 0);
        }
        journal = j;
        write(header(), true);
        return;
      }
      if (!s.resume) {
        throw new RolloutJournalException("the rollout journal " + s.journal + " already holds a rollout: resume it "
            + "or give a new file", 0);
      }
      checkHeader(s.journal, records.get(0), s.push, s.servers);
      for (int i = 1; i < records.size(); i++) {
        try {
          apply(records.get(i));
        } catch (RuntimeException e) {
          throw new RolloutJournalException("the rollout journal " + s.journal + " is damaged at line " + (i + 1)
              + ": " + e.getMessage(), i + 1);
        }
      }
      // a batch sent without a recorded answer: the POST may or may not have been applied
      for (Batch b : batches) {
        if (b.state == BatchState.IN_FLIGHT) {
          b.state = BatchState.AMBIGUOUS;
          for (String id : b.servers) {
            Srv v = servers.get(id);
            v.push = RolloutServer.Push.AMBIGUOUS;
            v.msg = "the batch was sent (attempt " + b.attempts + ") but its answer was not recorded: the process "
                + "stopped before it came";
          }
        }
      }
      journal = j;
    } catch (RuntimeException e) {
      j.close();
      throw e;
    }
  }

  private Map<String, Object> header() {
    Map<String, Object> h = record("rollout");
    h.put("format", FORMAT);
    h.put("id", UUID.randomUUID().toString());
    h.put("package_name", s.push.packageName());
    h.put("bucket_name", s.push.bucketName());
    h.put("object_path", s.push.objectPath());
    h.put("pre_install_app", s.push.preInstallApp().orElse(null));
    h.put("canary", s.canary);
    h.put("wave", s.wave);
    h.put("per_request", s.perRequest);
    h.put("max_failure_ratio", s.maxFailureRatio);
    h.put("servers", s.servers);
    return h;
  }

  /** The header of a journal: the push, the servers and the plan's sizes, checked. */
  public static final class Header {
    public ShareAppsRequest push;
    public List<String> servers;
    public int canary;
    public int wave;
    public int perRequest;
    public double maxFailureRatio;
  }

  /** Reads the header of the journal at {@code path}. */
  public static Header readHeader(Path path) {
    List<Map<String, Object>> records = JournalFile.read(path);
    if (records.isEmpty()) {
      throw new RolloutJournalException("the rollout journal " + path + " is empty or missing: there is no rollout "
          + "to resume", 0);
    }
    return parseHeader(path, records.get(0));
  }

  private static Header parseHeader(Path path, Map<String, Object> h) {
    try {
      if (!"rollout".equals(h.get("t"))) {
        throw new IllegalArgumentException("the first line is not a rollout header");
      }
      if (((Number) h.get("format")).intValue() != FORMAT) {
        throw new IllegalArgumentException("format " + h.get("format") + " is not " + FORMAT);
      }
      Header out = new Header();
      @SuppressWarnings("unchecked")
      List<String> ids = (List<String>) h.get("servers");
      out.servers = List.copyOf(ids);
      ShareAppsRequest.Builder b = ShareAppsRequest.builder().packageName((String) h.get("package_name"))
          .bucketName((String) h.get("bucket_name")).objectPath((String) h.get("object_path"))
          .serverIds(out.servers);
      if (h.get("pre_install_app") != null) {
        b.preInstallApp((Boolean) h.get("pre_install_app"));
      }
      out.push = b.build();
      out.canary = ((Number) h.get("canary")).intValue();
      out.wave = ((Number) h.get("wave")).intValue();
      out.perRequest = ((Number) h.get("per_request")).intValue();
      out.maxFailureRatio = ((Number) h.get("max_failure_ratio")).doubleValue();
      return out;
    } catch (RuntimeException e) {
      throw new RolloutJournalException("the rollout journal " + path + " is damaged at line 1: " + e.getMessage(), 1);
    }
  }

  private static void checkHeader(Path path, Map<String, Object> h, ShareAppsRequest push, List<String> ids) {
    checkSame(path, parseHeader(path, h), push, ids);
  }

  /** Refuses a journal whose push or server set is not {@code push} and {@code ids}, naming what differs. */
  public static void checkSame(Path path, Header mine, ShareAppsRequest push, List<String> ids) {
    List<String> diffs = new ArrayList<>();
    if (!mine.push.packageName().equals(push.packageName())) {
      diffs.add("package_name " + mine.push.packageName() + " (journal) vs " + push.packageName());
    }
    if (!mine.push.bucketName().equals(push.bucketName())) {
      diffs.add("bucket_name " + mine.push.bucketName() + " (journal) vs " + push.bucketName());
    }
    if (!mine.push.objectPath().equals(push.objectPath())) {
      diffs.add("object_path " + mine.push.objectPath() + " (journal) vs " + push.objectPath());
    }
    if (!mine.push.preInstallApp().equals(push.preInstallApp())) {
      diffs.add("pre_install_app " + mine.push.preInstallApp().map(String::valueOf).orElse("unset") + " (journal) vs "
          + push.preInstallApp().map(String::valueOf).orElse("unset"));
    }
    Set<String> theirs = new HashSet<>(mine.servers);
    Set<String> ours = new HashSet<>(ids);
    if (!theirs.equals(ours)) {
      Set<String> extra = new HashSet<>(ours);
      extra.removeAll(theirs);
      Set<String> missing = new HashSet<>(theirs);
      missing.removeAll(ours);
      diffs.add("servers: " + mine.servers.size() + " in the journal, " + ids.size() + " given; " + extra.size()
          + " given but not in the journal" + (extra.isEmpty() ? "" : " (e.g. " + extra.iterator().next() + ")")
          + ", " + missing.size() + " in the journal but not given"
          + (missing.isEmpty() ? "" : " (e.g. " + missing.iterator().next() + ")"));
    }
    if (!diffs.isEmpty()) {
      throw new RolloutJournalException("the rollout journal " + path + " belongs to another rollout: "
          + String.join("; ", diffs) + ". Resume it with the same push and servers, or give a new journal file", 1);
    }
  }

  private static Map<String, Object> record(String type) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("t", type);
    return r;
  }

  private void write(Map<String, Object> r, boolean force) {
    if (journal == null) {
      return;
    }
    journal.append(r);
    if (force) {
      journal.force();
    }
  }

  /** Takes one record in (when written, and when read back on resume). */
  @SuppressWarnings("unchecked")
  private void apply(Map<String, Object> r) {
    String t = (String) Objects.requireNonNull(r.get("t"), "a record without a type \"t\"");
    synchronized (lock) {
      switch (t) {
        case "send": {
          Batch b = batch(r);
          b.attempts = Math.max(b.attempts, ((Number) r.get("attempt")).intValue());
          b.state = BatchState.IN_FLIGHT;
          break;
        }
        case "answer":
          applyAnswer(batch(r), r);
          break;
        case "retry":
        case "refused":
        case "ambiguous": {
          Batch b = batch(r);
          b.state = t.equals("retry") ? BatchState.RETRYABLE : t.equals("refused") ? BatchState.REFUSED
              : BatchState.AMBIGUOUS;
          for (String id : b.servers) {
            Srv v = servers.get(id);
            v.push = t.equals("retry") ? RolloutServer.Push.NOT_SENT : t.equals("refused") ? RolloutServer.Push.REFUSED
                : RolloutServer.Push.AMBIGUOUS;
            v.code = (String) r.get("code");
            v.msg = (String) r.get("msg");
          }
          break;
        }
        case "job": {
          Srv v = servers.get((String) r.get("server"));
          if (v == null) {
            throw new IllegalArgumentException("a job of server " + r.get("server") + ", which is not in the rollout");
          }
          v.job = ServerProgress.State.valueOf((String) r.get("state"));
          v.code = (String) r.get("code");
          v.msg = (String) r.get("msg");
          break;
        }
        case "gate": {
          int w = ((Number) r.get("wave")).intValue();
          gates.put(w, new RolloutWave(w, ((Number) r.get("servers")).intValue(),
              ((Number) r.get("failures")).intValue(), ((Number) r.get("total")).intValue(),
              ((Number) r.get("max_failure_ratio")).doubleValue(), (Boolean) r.get("proceed")));
          break;
        }
        case "end":
          break;
        default:
          throw new IllegalArgumentException("unknown record type \"" + t + "\"");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void applyAnswer(Batch b, Map<String, Object> r) {
    synchronized (lock) {
      b.state = BatchState.ANSWERED;
      String requestId = (String) r.get("request_id");
      Set<String> mentioned = new HashSet<>();
      for (Object o : (List<Object>) r.get("jobs")) {
        Map<String, Object> j = (Map<String, Object>) o;
        Srv v = servers.get((String) j.get("server"));
        if (v == null || v.batch != b.index || !mentioned.add(v.id) && v.jobId != null) {
          continue;
        }
        v.requestId = requestId;
        v.jobId = (String) j.get("job");
        v.code = (String) j.get("code");
        v.msg = (String) j.get("msg");
        if (v.jobId != null) {
          v.push = RolloutServer.Push.ACCEPTED;
          if (v.job == null) {
            v.job = ServerProgress.State.RUNNING;
          }
        } else {
          v.push = RolloutServer.Push.REJECTED;
        }
      }
      for (String id : b.servers) {
        if (!mentioned.contains(id)) {
          Srv v = servers.get(id);
          v.push = RolloutServer.Push.AMBIGUOUS;
          v.requestId = requestId;
          v.msg = "the service accepted the batch but its answer did not mention this server; list the jobs of "
              + "request " + requestId;
        }
      }
    }
  }

  private Batch batch(Map<String, Object> r) {
    int index = ((Number) Objects.requireNonNull(r.get("batch"), "a record without \"batch\"")).intValue();
    if (index < 0 || index >= batches.size()) {
      throw new IllegalArgumentException("batch " + index + " is not in the rollout's plan of " + batches.size());
    }
    return batches.get(index);
  }

  // ---------------------------------------------------------------- report

  private CloudPhoneException fatal() {
    synchronized (lock) {
      return fatal;
    }
  }

  private RolloutServer view(Srv v) {
    synchronized (lock) {
      RolloutServer.Status status;
      switch (v.push) {
        case ACCEPTED:
          status = v.job == ServerProgress.State.SUCCEEDED ? RolloutServer.Status.SUCCEEDED
              : v.job == ServerProgress.State.FAILED ? RolloutServer.Status.FAILED : RolloutServer.Status.RUNNING;
          break;
        case REJECTED:
          status = RolloutServer.Status.REJECTED;
          break;
        case REFUSED:
          status = RolloutServer.Status.REFUSED;
          break;
        case AMBIGUOUS:
          status = RolloutServer.Status.UNKNOWN;
          break;
        default:
          status = RolloutServer.Status.NOT_SENT;
      }
      return new RolloutServer(v.id, v.wave, v.batch, v.push, status, v.requestId, v.jobId, v.code, v.msg);
    }
  }

  private RolloutReport report(RolloutState state, long start, long throttledBefore) {
    List<RolloutServer> out = new ArrayList<>(servers.size());
    for (Srv v : servers.values()) {
      out.add(view(v));
    }
    List<RolloutWave> decided = new ArrayList<>();
    for (int w = 0; w < waves.size(); w++) {
      if (gates.containsKey(w)) {
        decided.add(gates.get(w));
      }
    }
    return new RolloutReport(state, out, Collections.unmodifiableList(decided), waves.size(), calls.get(),
        failedCalls.get(), host.rateLimiter().throttledCount() - throttledBefore,
        Duration.ofNanos(host.timing().nanoTime() - start));
  }

  private void notifyListener(java.util.function.Consumer<RolloutListener> call) {
    RolloutListener l = s.listener;
    if (l == null) {
      return;
    }
    try {
      call.accept(l);
    } catch (RuntimeException e) {
      LOG.warn("RolloutListener threw; ignored", e);
    }
  }
}
