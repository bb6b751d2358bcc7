package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.internal.jobs.JobWaiter;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The job reads of a rollout's wait (synchronous only): each request, every page of a listing included, first
 * asks the client's shared rate limiter and is counted in {@code calls}.
 */
final class ThrottledJobSource implements JobWaiter.Source {
  private final RolloutHost host;
  private final AtomicLong calls;

  ThrottledJobSource(RolloutHost host, AtomicLong calls) {
    this.host = host;
    this.calls = calls;
  }

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
  public CompletableFuture<JobList> listAsync(List<String> requestIds) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<Job> showAsync(String jobId) {
    throw new UnsupportedOperationException();
  }

  private void permit() {
    try {
      host.rateLimiter().acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudPhoneException("interrupted while waiting to list jobs", e, false, 0);
    }
  }
}
