package io.github.cphsdk.internal.client;

import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.internal.Endpoints;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.internal.call.Batcher;
import io.github.cphsdk.internal.call.CallPipeline;
import io.github.cphsdk.internal.call.Operation;
import io.github.cphsdk.internal.jobs.JobPaging;
import io.github.cphsdk.internal.jobs.JobWaiter;
import io.github.cphsdk.internal.json.Json;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.DeleteShareAppsRequest;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * What a {@code CloudPhoneClient} does behind its one-line methods: builds each operation (method, path, body,
 * answer limit, parser, whether it is a read) and runs it on the client's pipeline; splits batched pushes; pages
 * job lists; sets up job waits. Holds the client's paths, limits and open/closed state. Each public method is
 * the client's method of the same name (its javadoc there is the contract, checks and their order included);
 * every {@code ...Async} method fails its future instead of throwing (one wrapper, {@code async}).
 */
public final class ClientCalls {
  private static final Operation.Parser<ShareAppsResponse> SHARE_APPS_ANSWER =
      response -> Json.shareAppsResponse(response.bodyBuffer(), response.header("X-Request-Id").orElse(null));

  /** A {@code beforePage} that does nothing. */
  private static final Runnable NOTHING = () -> {};

  private final CallPipeline pipeline;
  private final Timing timing;
  private final URI endpoint;
  private final String pathPrefix;
  /**
   * The share-apps path and URI (push and delete share them), built once: resolving a URI per call costs more than
   * signing's hashing.
   */
  private final String shareAppsPath;
  private final URI shareAppsUri;
  private final long maxResponseBytes;
  private final int maxServersPerRequest;
  private final int maxConcurrentBatches;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * The calls of one client.
   *
   * @param pipeline the client's pipeline, closed by {@link #close()}
   * @param timing the pipeline's timing (job waits sleep and schedule on it)
   * @param endpoint the checked endpoint
   * @param projectId the checked project id
   * @param maxResponseBytes the answer limit of every operation
   * @param maxServersPerRequest the most server ids one push or delete may carry
   * @param maxConcurrentBatches the most batch requests in flight at once
   */
  public ClientCalls(CallPipeline pipeline, Timing timing, URI endpoint, String projectId, long maxResponseBytes,
      int maxServersPerRequest, int maxConcurrentBatches) {
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.timing = Objects.requireNonNull(timing, "timing");
    this.endpoint = endpoint;
    this.pathPrefix = endpoint.getRawPath() + "/v1/" + projectId;
    this.shareAppsPath = pathPrefix + "/cloud-phone/phones/share-apps";
    this.shareAppsUri = Endpoints.uri(endpoint, shareAppsPath);
    this.maxResponseBytes = maxResponseBytes;
    this.maxServersPerRequest = maxServersPerRequest;
    this.maxConcurrentBatches = maxConcurrentBatches;
  }

  /**
   * The one wrapper of the asynchronous calls: what {@code start} throws (an invalid argument, a closed client)
   * fails the returned future instead.
   *
   * @param <T> the future's value type
   * @param start validates, then starts the call
   * @return the call's future, or a future failed with what {@code start} threw
   */
  private static <T> CompletableFuture<T> async(Supplier<? extends CompletableFuture<T>> start) {
    try {
      return start.get();
    } catch (RuntimeException e) {
      return Futures.failed(e);
    }
  }

  // ---------------------------------------------------------------- push and delete

  public ShareAppsResponse shareApps(ShareAppsRequest request) {
    return pipeline.execute(shareAppsOperation(request));
  }

  public CompletableFuture<ShareAppsResponse> shareAppsAsync(ShareAppsRequest request) {
    return async(() -> pipeline.executeAsync(shareAppsOperation(request)));
  }

  private Operation<ShareAppsResponse> shareAppsOperation(ShareAppsRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen();
    checkServerCount(request.serverIds().size());
    return new Operation<>("push shared apps", "POST", shareAppsUri, shareAppsPath, Json.shareAppsBody(request),
        false, maxResponseBytes, SHARE_APPS_ANSWER);
  }

  public ShareAppsResponse deleteShareApps(DeleteShareAppsRequest request) {
    return pipeline.execute(deleteShareAppsOperation(request));
  }

  public CompletableFuture<ShareAppsResponse> deleteShareAppsAsync(DeleteShareAppsRequest request) {
    return async(() -> pipeline.executeAsync(deleteShareAppsOperation(request)));
  }

  private Operation<ShareAppsResponse> deleteShareAppsOperation(DeleteShareAppsRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen();
    checkServerCount(request.serverIds().size());
    return new Operation<>("delete shared apps", "DELETE", shareAppsUri, shareAppsPath,
        Json.deleteShareAppsBody(request), false, maxResponseBytes, SHARE_APPS_ANSWER);
  }

  private void checkServerCount(int servers) {
    if (servers > maxServersPerRequest) {
      throw new IllegalArgumentException("server_ids has " + servers + " ids but one request may carry at most "
          + maxServersPerRequest + " (CloudPhoneClient.Builder.maxServersPerRequest); use shareAppsInBatches / "
          + "deleteShareAppsInBatches, which split the servers into batches");
    }
  }

  // ---------------------------------------------------------------- batches

  public BatchOutcome shareAppsInBatches(ShareAppsRequest request) {
    return startBatches(request).await();
  }

  public CompletableFuture<BatchOutcome> shareAppsInBatchesAsync(ShareAppsRequest request) {
    return async(() -> startBatches(request));
  }

  private Batcher startBatches(ShareAppsRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen();
    return Batcher.start("push shared apps", request.serverIds(), maxServersPerRequest, maxConcurrentBatches,
        ids -> shareAppsAsync(ShareAppsRequest.builder().from(request).serverIds(ids).build()));
  }

  public BatchOutcome deleteShareAppsInBatches(DeleteShareAppsRequest request) {
    return startDeleteBatches(request).await();
  }

  public CompletableFuture<BatchOutcome> deleteShareAppsInBatchesAsync(DeleteShareAppsRequest request) {
    return async(() -> startDeleteBatches(request));
  }

  private Batcher startDeleteBatches(DeleteShareAppsRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen();
    return Batcher.start("delete shared apps", request.serverIds(), maxServersPerRequest, maxConcurrentBatches,
        ids -> deleteShareAppsAsync(DeleteShareAppsRequest.builder().from(request).serverIds(ids).build()));
  }

  // ---------------------------------------------------------------- jobs

  public Job showJob(String jobId) {
    return pipeline.execute(showJobOperation(jobId));
  }

  public CompletableFuture<Job> showJobAsync(String jobId) {
    return async(() -> pipeline.executeAsync(showJobOperation(jobId)));
  }

  private Operation<Job> showJobOperation(String jobId) {
    Endpoints.checkPathId("job_id", jobId);
    checkOpen();
    String path = pathPrefix + "/cloud-phone/jobs/" + jobId;
    return new Operation<>("show job", "GET", Endpoints.uri(endpoint, path), path, null, true, maxResponseBytes,
        response -> Json.job(response.bodyBuffer()));
  }

  public JobList listJobs(String requestId) {
    List<String> ids = List.of(JobPaging.checkRequestId("request_id", requestId));
    return listAll(ids, NOTHING);
  }

  public CompletableFuture<JobList> listJobsAsync(String requestId) {
    return async(() -> {
      List<String> ids = List.of(JobPaging.checkRequestId("request_id", requestId));
      checkOpen();
      return listAllAsync(ids);
    });
  }

  /**
   * Every job listed for the request ids, all pages joined (read one after the other), {@code beforePage} run
   * before each page is asked for (the rollout waits there for its request rate).
   *
   * @param requestIds checked request ids, at most {@link JobPaging#MAX_REQUEST_IDS}
   * @param beforePage run before each page
   * @return the pages joined
   * @throws IllegalStateException the client is closed
   */
  public JobList listAll(List<String> requestIds, Runnable beforePage) {
    checkOpen();
    return JobPaging.all(pipeline, offset -> {
      beforePage.run();
      return listJobsPage(requestIds, offset);
    });
  }

  /** {@link #listAll} without blocking: the pages one after the other, each asked for when the last arrived. */
  private CompletableFuture<JobList> listAllAsync(List<String> requestIds) {
    return JobPaging.allAsync(pipeline, offset -> listJobsPage(requestIds, offset));
  }

  /** One page of "list jobs" for up to {@link JobPaging#MAX_REQUEST_IDS} request ids; refused once closed. */
  private Operation<JobList> listJobsPage(List<String> requestIds, int offset) {
    checkOpen();
    String path = pathPrefix + "/cloud-phone/jobs";
    String target = path + "?" + JobPaging.query(requestIds, offset, JobPaging.PAGE_SIZE);
    return new Operation<>("list jobs", "GET", Endpoints.uri(endpoint, target), target, null, true, maxResponseBytes,
        response -> Json.jobList(response.bodyBuffer(), response.header("X-Request-Id").orElse(null)));
  }

  // ---------------------------------------------------------------- waits

  public JobReport waitForJobs(ShareAppsResponse response, WaitOptions options) {
    Objects.requireNonNull(response, "response");
    return waitForJobs(JobWaiter.outcomeOf(response), options);
  }

  public JobReport waitForJobs(BatchOutcome outcome, WaitOptions options) {
    return waiter(outcome, options).await();
  }

  public CompletableFuture<JobReport> waitForJobsAsync(ShareAppsResponse response, WaitOptions options) {
    return async(() -> {
      Objects.requireNonNull(response, "response");
      return waiter(JobWaiter.outcomeOf(response), options).awaitAsync();
    });
  }

  public CompletableFuture<JobReport> waitForJobsAsync(BatchOutcome outcome, WaitOptions options) {
    return async(() -> waiter(outcome, options).awaitAsync());
  }

  private JobWaiter waiter(BatchOutcome outcome, WaitOptions options) {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(options, "options");
    checkOpen();
    return new JobWaiter(timing, new JobWaiter.Source() {
      @Override
      public JobList list(List<String> requestIds) {
        return listAll(requestIds, NOTHING);
      }

      @Override
      public Job show(String jobId) {
        return showJob(jobId);
      }

      @Override
      public CompletableFuture<JobList> listAsync(List<String> requestIds) {
        return listAllAsync(requestIds);
      }

      @Override
      public CompletableFuture<Job> showAsync(String jobId) {
        return showJobAsync(jobId);
      }
    }, outcome, options);
  }

  // ---------------------------------------------------------------- open and closed

  /**
   * Refuses a call once the client is closed.
   *
   * @throws IllegalStateException the client is closed
   */
  public void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this CloudPhoneClient is closed");
    }
  }

  /**
   * Marks the client closed and closes the pipeline (its timer, its calls in flight), once.
   *
   * @return {@code true} for the call that closed it, {@code false} when it was closed already
   */
  public boolean close() {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    pipeline.close();
    return true;
  }
}
