package io.github.cphsdk.internal.call;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ShareAppsResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a push (or delete) for many servers as consecutive batches of at most {@code perRequest} server ids,
 * at most {@code concurrency} requests in flight, and accounts for every server id exactly once. A batch is
 * sent once: only the call pipeline's own retry rules apply to it. A failed batch does not stop the others.
 * No thread is created: batches start from the thread that completes the previous one.
 */
public final class Batcher extends CompletableFuture<BatchOutcome> {
  private static final Logger LOG = LoggerFactory.getLogger("io.github.cphsdk.CloudPhoneClient");

  private final String operation;
  private final List<List<String>> chunks;
  private final List<List<ServerOutcome>> results;
  private final int concurrency;
  private final Function<List<String>, CompletableFuture<ShareAppsResponse>> send;
  private final AtomicInteger wip = new AtomicInteger();
  private int next; // guarded by this
  private int inFlight; // guarded by this
  private int done; // guarded by this
  private boolean stopped; // guarded by this
  private String stopReason; // guarded by this

  private Batcher(String operation, List<String> serverIds, int perRequest, int concurrency,
      Function<List<String>, CompletableFuture<ShareAppsResponse>> send) {
    this.operation = operation;
    this.chunks = split(serverIds, perRequest);
    this.results = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      results.add(null);
    }
    this.concurrency = concurrency;
    this.send = send;
  }

  /**
   * Starts sending. The future completes (normally) with the outcome once every batch has been answered or
   * has failed.
   *
   * @param send starts one batch's call; a synchronous throw counts as a failure before sending
   */
  public static Batcher start(String operation, List<String> serverIds, int perRequest, int concurrency,
      Function<List<String>, CompletableFuture<ShareAppsResponse>> send) {
    Batcher b = new Batcher(operation, serverIds, perRequest, concurrency, send);
    b.drain();
    return b;
  }

  /**
   * Waits for the outcome on the calling thread. An interrupt stops sending further batches (they are
   * reported as failed, not sent), still waits for those in flight, and keeps the thread's interrupt flag set.
   */
  public BatchOutcome await() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return get();
        } catch (InterruptedException e) {
          interrupted = true;
          stop("the calling thread was interrupted");
        } catch (ExecutionException e) {
          throw new IllegalStateException("batching failed unexpectedly", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Stops sending further batches: they are reported as failed without having been sent. Batches in flight
   * are not cancelled (a cancelled push may still have been applied) and still count.
   */
  public void stop(String reason) {
    boolean complete;
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
      stopReason = reason;
      for (int i = next; i < chunks.size(); i++) {
        results.set(i, notSent(i, reason));
        done++;
      }
      next = chunks.size();
      complete = done == chunks.size();
    }
    if (complete) {
      finish();
    }
  }

  /** Cancelling stops further batches (see {@link #stop}); batches in flight still run to their end. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    stop("the batched call was cancelled");
    return super.cancel(mayInterruptIfRunning);
  }

  /** Starts batches while fewer than {@code concurrency} are in flight; re-entrant calls are folded in. */
  private void drain() {
    int missed = wip.incrementAndGet();
    if (missed != 1) {
      return;
    }
    do {
      while (true) {
        int index;
        synchronized (this) {
          if (stopped || next >= chunks.size() || inFlight >= concurrency) {
            break;
          }
          index = next++;
          inFlight++;
        }
        launch(index);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void launch(int index) {
    List<String> chunk = chunks.get(index);
    CompletableFuture<ShareAppsResponse> call;
    try {
      call = send.apply(chunk);
    } catch (RuntimeException e) {
      call = Futures.failed(e);
    }
    call.whenComplete((response, error) -> {
      List<ServerOutcome> outcome;
      try {
        outcome = error == null ? answered(index, chunk, response) : failed(index, chunk, Classifier.unwrap(error));
      } catch (RuntimeException e) {
        // Never lose a server: an answer that cannot be accounted for still may have started jobs.
        outcome = failed(index, chunk, new CloudPhoneException(operation + " batch " + (index + 1) + ": the outcome "
            + "could not be recorded (" + e + ")", e, true, 0));
      }
      boolean complete;
      synchronized (this) {
        results.set(index, outcome);
        inFlight--;
        done++;
        complete = done == chunks.size();
      }
      if (complete) {
        finish();
      } else {
        drain();
      }
    });
  }

  private void finish() {
    BatchOutcome.Builder b = BatchOutcome.builder().batchCount(chunks.size());
    synchronized (this) {
      results.forEach(b::addAllServers);
    }
    complete(b.build());
  }

  /** The servers of an answered batch: a job, a rejection, or not mentioned (not confirmed). */
  static List<ServerOutcome> answered(int batch, List<String> chunk, ShareAppsResponse response) {
    Map<String, ServerJob> byServer = new HashMap<>();
    for (ServerJob job : response.jobs()) {
      byServer.merge(job.serverId(), job, (first, later) -> first.accepted() ? first : later);
    }
    if (LOG.isDebugEnabled()) {
      long foreign = response.jobs().stream().filter(j -> !chunk.contains(j.serverId())).count();
      if (foreign > 0) {
        LOG.debug("answer to batch {} (request id {}) lists {} server(s) it was not sent; ignored", batch,
            response.requestId(), foreign);
      }
    }
    List<ServerOutcome> out = new ArrayList<>(chunk.size());
    String requestId = response.requestId().isEmpty() ? null : response.requestId();
    for (String serverId : chunk) {
      ServerJob job = byServer.get(serverId);
      ServerOutcome.Builder o = ServerOutcome.builder().serverId(serverId).batch(batch)
          .requestId(java.util.Optional.ofNullable(requestId));
      if (job == null) {
        o.result(ServerOutcome.Result.NOT_CONFIRMED);
      } else {
        o.result(job.accepted() ? ServerOutcome.Result.ACCEPTED : ServerOutcome.Result.REJECTED)
            .jobId(job.jobId()).errorCode(job.errorCode()).errorMsg(job.errorMsg());
      }
      out.add(o.build());
    }
    return out;
  }

  /** Every server of a failed batch, with the batch's exception. */
  List<ServerOutcome> failed(int batch, List<String> chunk, Throwable error) {
    CloudPhoneException e = error instanceof CloudPhoneException
        ? (CloudPhoneException) error
        : new CloudPhoneException(operation + " batch " + (batch + 1) + " of " + chunks.size() + " could not be sent: "
            + error.getMessage(), error, false, 0);
    String requestId = e instanceof CloudPhoneServiceException ? ((CloudPhoneServiceException) e).requestId() : null;
    List<ServerOutcome> out = new ArrayList<>(chunk.size());
    for (String serverId : chunk) {
      out.add(ServerOutcome.builder().serverId(serverId).batch(batch).result(ServerOutcome.Result.BATCH_FAILED)
          .requestId(java.util.Optional.ofNullable(requestId)).failure(e).build());
    }
    return out;
  }

  private List<ServerOutcome> notSent(int batch, String reason) {
    return failed(batch, chunks.get(batch), new CloudPhoneException(operation + " batch " + (batch + 1) + " of "
        + chunks.size() + " was not sent: " + reason + ". Nothing was started on its servers.", null, false, 0));
  }

  /** Consecutive slices of at most {@code size} ids, in order. */
  static List<List<String>> split(List<String> ids, int size) {
    List<List<String>> out = new ArrayList<>((ids.size() + size - 1) / size);
    for (int i = 0; i < ids.size(); i += size) {
      out.add(List.copyOf(ids.subList(i, Math.min(ids.size(), i + size))));
    }
    return out;
  }

  @Override
  public String toString() {
    synchronized (this) {
      return "Batcher{" + operation + ", batches=" + chunks.size() + ", done=" + done
          + (stopped ? ", stopped: " + stopReason : "") + '}';
    }
  }
}
