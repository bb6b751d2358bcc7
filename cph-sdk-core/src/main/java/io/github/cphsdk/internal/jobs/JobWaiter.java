package io.github.cphsdk.internal.jobs;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.JobListener;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.internal.call.Classifier;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ServerProgress;
import io.github.cphsdk.model.ShareAppsResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for the jobs of a push: polls "list jobs" by request id (at most 20 ids per call, every page), after
 * an initial delay and then at a doubling, capped interval, until no job is running or the timeout passes.
 * An unknown status counts as running. A poll the service refused as wrong ends the wait with that exception:
 * credentials, project or ids are wrong and polling again would not help (401, 403, 404 and the other 4xx; the
 * same status table as the call pipeline, {@link Classifier.StatusClass}). Any other failure (no answer, 408,
 * 429, 3xx, 5xx) is counted and the next poll tries again: a poll is a read, so repeating it is harmless, as
 * the pipeline's retry rules say for reads after an ambiguous failure. Jobs the push answer named without
 * a request id are polled one by one with "show job". Servers the answer did not mention are looked for in
 * the listings by server id, but not waited for.
 *
 * <p>One instance serves one wait. The synchronous path sleeps through {@link Timing#sleep}; the asynchronous
 * one schedules each poll on {@link Timing#schedule} and never blocks a thread.
 */
public final class JobWaiter {
  private static final Logger LOG = LoggerFactory.getLogger("io.github.cphsdk.CloudPhoneClient");

  /** Where the jobs are read from: the client's list-jobs (every page) and show-job calls. */
  public interface Source {
    JobList list(List<String> requestIds);

    Job show(String jobId);

    CompletableFuture<JobList> listAsync(List<String> requestIds);

    CompletableFuture<Job> showAsync(String jobId);
  }

  /** One server's state during the wait. */
  private static final class Entry {
    final ServerOutcome push;
    ServerProgress.State state;
    Job job;

    Entry(ServerOutcome push) {
      this.push = push;
      this.state = push.result() == ServerOutcome.Result.ACCEPTED
          ? ServerProgress.State.RUNNING : ServerProgress.State.NOT_STARTED;
    }

    ServerProgress progress() {
      return ServerProgress.builder().push(push).state(state).job(Optional.ofNullable(job)).build();
    }
  }

  private final Timing timing;
  private final Source source;
  private final WaitOptions options;
  private final List<Entry> entries = new ArrayList<>();
  private final Map<String, Entry> byJobId = new HashMap<>();
  private final Map<String, Entry> unconfirmed = new HashMap<>();
  private final long start;
  private final long deadline;
  private Duration interval;
  private int polls;
  private int failedPolls;
  private CloudPhoneException lastFailure;

  public JobWaiter(Timing timing, Source source, BatchOutcome outcome, WaitOptions options) {
    this.timing = timing;
    this.source = source;
    this.options = options;
    for (ServerOutcome s : outcome.servers()) {
      Entry e = new Entry(s);
      entries.add(e);
      if (s.result() == ServerOutcome.Result.ACCEPTED) {
        byJobId.putIfAbsent(s.jobId().get(), e);
      } else if (s.result() == ServerOutcome.Result.NOT_CONFIRMED && !s.serverId().isEmpty()) {
        unconfirmed.putIfAbsent(s.serverId(), e);
      }
    }
    this.start = timing.nanoTime();
    this.deadline = start + options.timeout().toNanos();
    this.interval = options.pollInterval();
  }

  /** A single push's answer as a one-batch outcome: accepted or rejected per listed server. */
  public static BatchOutcome outcomeOf(ShareAppsResponse response) {
    BatchOutcome.Builder b = BatchOutcome.builder().batchCount(1);
    Optional<String> requestId = Optional.of(response.requestId()).filter(id -> !id.isEmpty());
    for (ServerJob job : response.jobs()) {
      b.addServers(ServerOutcome.builder().serverId(job.serverId()).requestId(requestId)
          .result(job.accepted() ? ServerOutcome.Result.ACCEPTED : ServerOutcome.Result.REJECTED)
          .jobId(job.jobId()).errorCode(job.errorCode()).errorMsg(job.errorMsg()).build());
    }
    return b.build();
  }

  // ---------------------------------------------------------------- synchronous

  /** Waits on the calling thread. */
  public JobReport await() {
    try {
      if (!running()) {
        return report(false);
      }
      timing.sleep(min(options.initialDelay(), remaining()));
      while (true) {
        pollOnce();
        if (!running()) {
          return report(false);
        }
        Duration remaining = remaining();
        if (remaining.isZero()) {
          return report(true);
        }
        timing.sleep(nextDelay(remaining));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudPhoneException("interrupted while waiting for jobs: they keep running on the service; "
          + "list them by request id to see how they end", e, true, 0);
    }
  }

  private synchronized void pollOnce() {
    polls++;
    try {
      for (List<String> ids : requestIdGroups()) {
        apply(source.list(ids).jobs());
      }
      for (String jobId : jobsWithoutRequestId()) {
        apply(List.of(source.show(jobId)));
      }
    } catch (CloudPhoneException e) {
      pollFailed(e);
    }
    polled();
  }

  // ---------------------------------------------------------------- asynchronous

  /** Waits without blocking: every poll is scheduled on the timer and reads through the async calls. */
  public CompletableFuture<JobReport> awaitAsync() {
    AsyncWait wait = new AsyncWait();
    JobReport nothingToWaitFor;
    synchronized (this) {
      nothingToWaitFor = running() ? null : report(false);
    }
    if (nothingToWaitFor != null) {
      wait.complete(nothingToWaitFor);
    } else {
      wait.schedule(min(options.initialDelay(), remaining()));
    }
    return wait;
  }

  private final class AsyncWait extends CompletableFuture<JobReport> {
    private volatile Future<?> timer;
    private volatile CompletableFuture<?> inFlight;

    void schedule(Duration delay) {
      try {
        timer = timing.schedule(this::poll, delay);
      } catch (RuntimeException closed) {
        completeExceptionally(new CloudPhoneException("the client was closed while waiting for jobs: they keep "
            + "running on the service; list them by request id to see how they end", closed, true, 0));
      }
    }

    private void poll() {
      if (isDone()) {
        return;
      }
      List<List<String>> groups;
      List<String> singles;
      synchronized (JobWaiter.this) {
        polls++;
        groups = requestIdGroups();
        singles = jobsWithoutRequestId();
      }
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (List<String> ids : groups) {
        chain = chain.thenCompose(v -> track(source.listAsync(ids))).thenAccept(list -> applyLocked(list.jobs()));
      }
      for (String jobId : singles) {
        chain = chain.thenCompose(v -> track(source.showAsync(jobId))).thenAccept(job -> applyLocked(List.of(job)));
      }
      chain.whenComplete((v, error) -> afterPoll(error));
    }

    private <T> CompletableFuture<T> track(CompletableFuture<T> call) {
      inFlight = call;
      if (isDone()) {
        call.cancel(true);
      }
      return call;
    }

    /** Takes the poll in, then ends the wait or schedules the next poll; the future completes outside the lock. */
    private void afterPoll(Throwable error) {
      if (isDone()) {
        return;
      }
      Duration next = null;
      JobReport done = null;
      Throwable failure = null;
      synchronized (JobWaiter.this) {
        try {
          Throwable cause = error == null ? null : Classifier.unwrap(error);
          if (cause != null && !(cause instanceof CloudPhoneException)) {
            failure = cause;
          } else {
            if (cause != null) {
              pollFailed((CloudPhoneException) cause);
            }
            polled();
            Duration remaining = remaining();
            if (!running() || remaining.isZero()) {
              done = report(running());
            } else {
              next = nextDelay(remaining);
            }
          }
        } catch (RuntimeException fatal) { // a 4xx poll (see pollFailed), or a bug: end the wait with it
          failure = fatal;
        }
      }
      if (failure != null) {
        completeExceptionally(failure);
      } else if (done != null) {
        complete(done);
      } else {
        schedule(next);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      Future<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
      CompletableFuture<?> f = inFlight;
      if (f != null) {
        f.cancel(true);
      }
      return cancelled;
    }
  }

  // ---------------------------------------------------------------- shared

  /**
   * Records a failed poll, or rethrows it when polling again cannot help: the {@link Classifier}'s status table
   * says the request itself was refused (401, 403, 404, other 4xx; not 408 or 429).
   */
  private void pollFailed(CloudPhoneException e) {
    if (e instanceof CloudPhoneServiceException
        && Classifier.pollingAgainCannotHelp(((CloudPhoneServiceException) e).statusCode())) {
      throw e;
    }
    failedPolls++;
    lastFailure = e;
    LOG.debug("waiting for jobs: poll {} failed ({} so far), trying again later: {}", polls, failedPolls,
        e.getMessage());
    JobListener l = options.listener().orElse(null);
    if (l != null) {
      try {
        l.pollFailed(e, failedPolls);
      } catch (RuntimeException thrown) {
        LOG.warn("JobListener.pollFailed threw; ignored", thrown);
      }
    }
  }

  private void polled() {
    JobListener l = options.listener().orElse(null);
    if (l != null) {
      try {
        l.polled(report(false));
      } catch (RuntimeException thrown) {
        LOG.warn("JobListener.polled threw; ignored", thrown);
      }
    }
  }

  private synchronized void applyLocked(List<Job> jobs) {
    apply(jobs);
  }

  /** Takes listed jobs in: by job id, else (for servers the answer did not mention) by server id. */
  private void apply(List<Job> jobs) {
    for (Job job : jobs) {
      Entry e = byJobId.get(job.jobId());
      if (e == null && !job.serverId().isEmpty()) {
        e = unconfirmed.remove(job.serverId());
        if (e != null && !job.jobId().isEmpty()) {
          byJobId.put(job.jobId(), e);
        }
      }
      if (e == null) {
        continue;
      }
      ServerProgress.State next = stateOf(job);
      boolean changed = e.job == null || e.state != next;
      if (e.state == ServerProgress.State.SUCCEEDED || e.state == ServerProgress.State.FAILED) {
        continue; // a finished job stays finished even if a later listing lags behind
      }
      e.job = job;
      e.state = next;
      if (changed) {
        JobListener l = options.listener().orElse(null);
        if (l != null) {
          try {
            l.serverChanged(e.progress());
          } catch (RuntimeException thrown) {
            LOG.warn("JobListener.serverChanged threw; ignored", thrown);
          }
        }
      }
    }
  }

  private static ServerProgress.State stateOf(Job job) {
    switch (job.status()) {
      case SUCCEEDED:
        return ServerProgress.State.SUCCEEDED;
      case FAILED:
        return ServerProgress.State.FAILED;
      default:
        return ServerProgress.State.RUNNING; // running or unknown: never done
    }
  }

  private boolean running() {
    return entries.stream().anyMatch(e -> e.state == ServerProgress.State.RUNNING);
  }

  /** Request ids of the servers still running, in order, in groups of at most 20. */
  private List<List<String>> requestIdGroups() {
    Set<String> ids = new LinkedHashSet<>();
    for (Entry e : entries) {
      if (e.state == ServerProgress.State.RUNNING) {
        e.push.requestId().ifPresent(ids::add);
      }
    }
    List<String> all = new ArrayList<>(ids);
    List<List<String>> groups = new ArrayList<>();
    for (int i = 0; i < all.size(); i += JobPaging.MAX_REQUEST_IDS) {
      groups.add(all.subList(i, Math.min(all.size(), i + JobPaging.MAX_REQUEST_IDS)));
    }
    return groups;
  }

  private List<String> jobsWithoutRequestId() {
    List<String> ids = new ArrayList<>();
    for (Entry e : entries) {
      if (e.state == ServerProgress.State.RUNNING && !e.push.requestId().isPresent()) {
        e.push.jobId().ifPresent(ids::add);
      }
    }
    return ids;
  }

  private Duration remaining() {
    long left = deadline - timing.nanoTime();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  /** The wait before the next poll (never past the deadline); the interval doubles up to the maximum. */
  private Duration nextDelay(Duration remaining) {
    Duration delay = min(interval, remaining);
    interval = min(interval.multipliedBy(2), options.maxPollInterval());
    return delay;
  }

  private synchronized JobReport report(boolean timedOut) {
    JobReport.Builder b = JobReport.builder().timedOut(timedOut).polls(polls).failedPolls(failedPolls)
        .lastPollFailure(Optional.ofNullable(lastFailure)).elapsed(Duration.ofNanos(timing.nanoTime() - start));
    for (Entry e : entries) {
      b.addServers(e.progress());
    }
    return b.build();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
