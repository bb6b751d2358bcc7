package io.github.cphsdk.internal.rollout;

import static io.github.cphsdk.internal.rollout.RolloutLedger.record;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.JobListener;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.jobs.JobWaiter;
import io.github.cphsdk.internal.rollout.RolloutLedger.Batch;
import io.github.cphsdk.internal.rollout.RolloutLedger.BatchState;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ServerJob;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one rollout on the calling thread: waves (the canary first) of batches, each batch's intent journaled and
 * forced before its POST and its answer journaled and forced when it comes; then the wave's jobs are waited for
 * (each final state journaled), then the failure gate decides (journaled). A journal read at the start tells
 * what is already done: batches answered are not sent again (their jobs are waited for again by request id),
 * batches sent without a recorded answer are ambiguous (their servers UNKNOWN unless re-pushing was asked for),
 * batches never sent, or whose failure proves nothing was applied, are sent. The plan and the state of each batch
 * and server are the {@link RolloutLedger}'s; this class does the I/O (requests, journal, listeners) and decides.
 */
final class RolloutEngine {
  private static final Logger LOG = LoggerFactory.getLogger("io.github.cphsdk.rollout.Rollout");

  /** Everything the builder collected. */
  static final class Settings {
    ShareAppsRequest push;
    List<String> servers;
    int canary;
    int wave;
    int perRequest;
    int maxConcurrentBatches;
    double maxFailureRatio;
    WaitOptions waitOptions;
    Path journal;
    boolean resume;
    boolean rePushAmbiguous;
    int maxAttemptsPerBatch;
    RolloutListener listener;
  }

  private final RolloutHost host;
  private final Settings s;
  private final RolloutLedger ledger;
  private final List<List<Batch>> waves;
  private final Map<Integer, RolloutWave> gates;
  private final Object lock;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failedCalls = new AtomicLong();
  private JournalFile journal;
  private int inFlight; // guarded by lock
  private boolean cancelled; // guarded by lock
  private CloudPhoneException fatal; // guarded by lock
  private boolean callerInterrupted; // guarded by lock

  RolloutEngine(RolloutHost host, Settings settings) {
    this.host = host;
    this.s = settings;
    this.ledger = new RolloutLedger(s.servers, s.canary, s.wave, s.perRequest);
    this.waves = ledger.waves;
    this.gates = ledger.gates;
    this.lock = ledger.lock;
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

  /** {@return whether {@link #cancel()} was called (or the caller's thread interrupted while sending)} */
  public boolean isCancelled() {
    synchronized (lock) {
      return cancelled;
    }
  }

  // ---------------------------------------------------------------- run

  /** Runs the rollout on the calling thread (once; {@link RealRollout} sees to that). */
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
          waitForJobs(w); // the jobs still running, if any: the wave's gate was recorded before they ended
          continue;
        }
        if (isCancelled()) {
          break;
        }
        int wave = w;
        notifyListener(l -> l.waveStarted(wave, waves.size(), ledger.serversOf(wave)));
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
    CompletableFuture<ShareAppsResponse> call;
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
            ledger.servers.get(id).push = RolloutServer.Push.AMBIGUOUS;
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
    ledger.applyAnswer(b, r);
    for (String id : b.servers) {
      RolloutServer v = ledger.view(id);
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
    } else if ((status == 0 || status == 429 || status == 503) && !(error instanceof
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
    ledger.apply(r);
    if ("retry".equals(r.get("t")) && fatal() == null) {
      LOG.debug("rollout: batch {} attempt {} failed without effect ({}); it will be sent again", b.index + 1,
          attempt, msg);
      synchronized (lock) {
        queue.add(b);
        lock.notifyAll();
      }
    }
    for (String id : b.servers) {
      RolloutServer v = ledger.view(id);
      notifyListener(l -> l.serverChanged(v));
    }
  }

  // ---------------------------------------------------------------- waiting

  private void waitForJobs(int w) {
    Optional<BatchOutcome> outcome = ledger.running(w);
    if (!outcome.isPresent()) {
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
          ledger.apply(r);
          RolloutServer v = ledger.view(p.serverId());
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
    JobWaiter waiter = new JobWaiter(new CancellableTiming(host.timing(), this::isCancelled),
        new ThrottledJobSource(host, calls), outcome.get(), options);
    if (isCancelled()) {
      return;
    }
    try {
      JobReport report = waiter.await();
      failedCalls.addAndGet(report.failedPolls());
    } catch (CloudPhoneException e) {
      if (!(e.getCause() instanceof CancellableTiming.CancelledWait)) {
        throw e;
      }
      Thread.interrupted(); // JobWaiter set the flag for our own cancel, not for an interrupt of the caller's
    } finally {
      if (journal != null) {
        journal.force();
      }
    }
  }

  // ---------------------------------------------------------------- gate

  private RolloutWave gate(int w) {
    int[] count = ledger.failures(w);
    int failures = count[0];
    int total = count[1];
    boolean proceed = (double) failures / total <= s.maxFailureRatio;
    Map<String, Object> r = record("gate");
    r.put("wave", w);
    r.put("servers", ledger.serversOf(w));
    r.put("failures", failures);
    r.put("total", total);
    r.put("max_failure_ratio", s.maxFailureRatio);
    r.put("proceed", proceed);
    write(r, true);
    ledger.apply(r);
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
        write(JournalHeader.record(s), true);
        return;
      }
      if (!s.resume) {
        throw new RolloutJournalException("the rollout journal " + s.journal + " already holds a rollout: resume it "
            + "or give a new file", 0);
      }
      JournalHeader.parse(s.journal, records.get(0)).checkSame(s.journal, s.push, s.servers);
      ledger.replay(s.journal, records); // batches sent without a recorded answer become ambiguous
      journal = j;
    } catch (RuntimeException e) {
      j.close();
      throw e;
    }
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

  // ---------------------------------------------------------------- report

  private CloudPhoneException fatal() {
    synchronized (lock) {
      return fatal;
    }
  }

  private RolloutReport report(RolloutState state, long start, long throttledBefore) {
    return new RolloutReport(state, ledger.views(), Collections.unmodifiableList(ledger.decided()), waves.size(), calls.get(),
        failedCalls.get(), host.rateLimiter().throttledCount() - throttledBefore,
        Duration.ofNanos(host.timing().nanoTime() - start));
  }

  private void notifyListener(Consumer<RolloutListener> call) {
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
