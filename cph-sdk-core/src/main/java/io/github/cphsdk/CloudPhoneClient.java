// Over ~500 lines: the nested Builder (API contract: CloudPhoneClient.Builder) and the javadoc, which is the API doc.
package io.github.cphsdk;

import io.github.cphsdk.auth.AuthContext;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.internal.Endpoints;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.internal.VirtualTiming;
import io.github.cphsdk.internal.call.CallPipeline;
import io.github.cphsdk.internal.call.DefaultTransport;
import io.github.cphsdk.internal.client.ClientCalls;
import io.github.cphsdk.internal.rollout.RateLimiter;
import io.github.cphsdk.internal.rollout.RolloutBuilder;
import io.github.cphsdk.internal.rollout.RolloutHost;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.DeleteShareAppsRequest;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.rollout.Rollout;
import io.github.cphsdk.rollout.RolloutJournal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import javax.net.ssl.SSLContext;

/**
 * The client for Huawei Cloud Phone Host's "push shared applications" API and the operations around it.
 * Thread-safe and meant to be shared: build one per endpoint, project and credentials, use it from every
 * thread, close it when the application stops.
 *
 * <pre>{@code
 * try (CloudPhoneClient client = CloudPhoneClient.builder()
 *     .region("cn-north-4")
 *     .projectId("0123456789abcdef0123456789abcdef")
 *     .credentials(Credentials.token(System.getenv("CPH_AUTH_TOKEN")))
 *     .build()) {
 *   ShareAppsResponse response = client.shareApps(ShareAppsRequest.builder()
 *       .packageName("com.miniteck.miniworld")
 *       .bucketName("bucket")
 *       .objectPath("my_apps/test.tar")
 *       .addServerIds("1234567b8bab40ffb711234cb80d0234")
 *       .build());
 *   response.jobs().forEach(job -> System.out.println(job.serverId() + " " + job.jobId().orElse("rejected")));
 * }
 * }</pre>
 *
 * <p>Sharp edges, stated plainly:
 * <ul>
 *   <li>The push is not idempotent. The client retries only when the service provably did not act
 *       (connection never made, 429, 503). After a failure where the request may have reached the service
 *       (5xx, timeout, connection lost after sending) it fails with
 *       {@link CloudPhoneException#mayHaveBeenApplied()} {@code true}: check the jobs before pushing again.
 *   <li>A {@code 200} answer can still reject some servers: see {@link ShareAppsResponse#rejected()}.
 *   <li>A push only starts jobs: {@link #waitForJobs(ShareAppsResponse, WaitOptions)} waits until they end.
 *       One request carries at most {@link Builder#maxServersPerRequest} servers;
 *       {@link #shareAppsInBatches} takes any number and accounts for each one.
 *   <li>{@link #close()} closes only what the client created (its default transport, its timer thread),
 *       never a transport you passed in.
 * </ul>
 */
public final class CloudPhoneClient implements AutoCloseable {
  /** Default cap on an answer body of the push. */
  static final long DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

  private final URI endpoint;
  private final String projectId;
  /** Builds and runs every operation; holds the paths, limits and the closed state. */
  private final ClientCalls calls;
  private final HttpTransport ownedTransport;
  /** What this client's rollouts run on, built once. */
  private final RolloutHost rolloutHost;

  private CloudPhoneClient(Builder b, URI endpoint, HttpTransport transport, boolean ownsTransport) {
    this.endpoint = endpoint;
    this.projectId = b.projectId;
    this.ownedTransport = ownsTransport ? transport : null;
    CallPipeline.Config c = new CallPipeline.Config();
    c.transport = transport;
    c.credentials = b.credentials;
    c.timing = b.timing != null ? b.timing
        : b.virtualClock != null ? new VirtualTiming(b.virtualClock, b.virtualAdvance) : Timing.system();
    c.authContext = AuthContext.of(b.projectId, b.region, endpoint, transport, c.timing.clock());
    c.retryPolicy = b.retryPolicy;
    c.connectTimeout = b.connectTimeout;
    c.attemptTimeout = b.attemptTimeout;
    c.callTimeout = b.callTimeout;
    c.userAgent = Endpoints.userAgent(b.applicationId);
    c.projectId = b.projectId;
    // The one request rate of this client's rollouts; hears every 429 through the call listener.
    RateLimiter rolloutRate = new RateLimiter(c.timing);
    c.listener = RolloutHost.listening(b.listener, rolloutRate);
    c.completionExecutor = b.completionExecutor;
    c.maxConcurrentRequests = b.maxConcurrentRequests;
    this.calls = new ClientCalls(new CallPipeline(c), c.timing, endpoint, b.projectId, b.maxResponseBytes,
        b.maxServersPerRequest, b.maxConcurrentBatches);
    this.rolloutHost = rolloutHost(calls, c.timing, b.maxServersPerRequest, b.maxConcurrentBatches, rolloutRate);
  }

  /** {@return a new builder with the defaults; region or endpoint, project id and credentials are required} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Pushes the app's {@code .tar} from OBS to the servers of the request: one HTTP request, one job per
   * accepted server. Blocks until the answer, retries included.
   *
   * @param request the push; not {@code null}
   * @return the request id and one entry per server the service listed; a {@code 200} may still reject some
   *     servers ({@link ShareAppsResponse#rejected()})
   * @throws IllegalArgumentException when the request names more servers than one request may carry
   *     ({@link Builder#maxServersPerRequest(int)}, 20 by default)
   * @throws CloudPhoneServiceException the service answered with an error
   * @throws CloudPhoneTransportException no usable answer (see {@link CloudPhoneException#mayHaveBeenApplied()})
   * @throws IllegalStateException the client is closed
   */
  public ShareAppsResponse shareApps(ShareAppsRequest request) {
    return calls.shareApps(request);
  }

  /**
   * {@link #shareApps} without blocking. The future completes on the completion executor (by default the
   * common pool), never on an HTTP I/O thread, and fails with the same exception types as the synchronous
   * call ({@link java.util.concurrent.CompletableFuture#join()} wraps them in a
   * {@link java.util.concurrent.CompletionException}). Cancelling it aborts the exchange in flight and any
   * pending retry; a cancelled push may still have reached the service.
   *
   * @param request the push; not {@code null}
   * @return the answer's future; an invalid request or a closed client fail it rather than throw
   */
  public CompletableFuture<ShareAppsResponse> shareAppsAsync(ShareAppsRequest request) {
    return calls.shareAppsAsync(request);
  }

  /**
   * Removes the app from the shared-application storage of the request's servers ({@code DELETE} with a JSON
   * body): one HTTP request, one job per accepted server, answered like a push. Not idempotent: retried only
   * when the service provably did not act, exactly like {@link #shareApps}. The service refuses servers whose
   * phones still have the app installed.
   *
   * <pre>{@code
   * ShareAppsResponse response = client.deleteShareApps(DeleteShareAppsRequest.builder()
   *     .packageName("com.miniteck.miniworld")
   *     .addServerIds("1234567b8bab40ffb711234cb80d0234")
   *     .build());
   * }</pre>
   *
   * @param request the package and servers; not {@code null}
   * @return the request id and one entry per server the service listed, as for a push
   * @throws IllegalArgumentException when the request names more servers than one request may carry
   * @throws CloudPhoneServiceException the service answered with an error
   * @throws CloudPhoneTransportException no usable answer (see {@link CloudPhoneException#mayHaveBeenApplied()})
   * @throws IllegalStateException the client is closed
   */
  public ShareAppsResponse deleteShareApps(DeleteShareAppsRequest request) {
    return calls.deleteShareApps(request);
  }

  /**
   * {@link #deleteShareApps} without blocking; completes like {@link #shareAppsAsync}.
   *
   * @param request the package and servers; not {@code null}
   * @return the answer's future; an invalid request or a closed client fail it rather than throw
   */
  public CompletableFuture<ShareAppsResponse> deleteShareAppsAsync(DeleteShareAppsRequest request) {
    return calls.deleteShareAppsAsync(request);
  }

  /**
   * Pushes to any number of servers: splits the request's server ids, in order, into batches of at most
   * {@link Builder#maxServersPerRequest} (20 by default), sends them with at most
   * {@link Builder#maxConcurrentBatches} requests in flight (4 by default), and accounts for every server id
   * exactly once in the outcome: a job, a rejection, the failure of its batch, or "not confirmed" (the
   * answer did not mention it). Blocks until every batch has ended.
   *
   * <p>Each batch is sent once; only the client's retry rules apply to it (so a batch is retried only when
   * the service provably did not act). A failed batch does not stop the others: each server's fate is
   * independent, and its servers carry the exception, with {@link CloudPhoneException#mayHaveBeenApplied()}
   * telling whether jobs may have started anyway. This method itself does not throw for failed batches.
   * If the calling thread is interrupted, batches not yet sent are reported as failed without having been
   * sent, batches in flight are still awaited, and the interrupt flag stays set.
   *
   * <pre>{@code
   * BatchOutcome outcome = client.shareAppsInBatches(request);          // e.g. 50 servers: 3 requests
   * outcome.failed().forEach(s -> System.out.println(s.serverId() + ": " + s.failure().get().getMessage()));
   * JobReport report = client.waitForJobs(outcome, WaitOptions.defaults());
   * }</pre>
   *
   * @param request the push, with any number of server ids; not {@code null}
   * @return one entry per server id of the request, in its order
   * @throws IllegalStateException the client is closed
   */
  public BatchOutcome shareAppsInBatches(ShareAppsRequest request) {
    return calls.shareAppsInBatches(request);
  }

  /**
   * {@link #shareAppsInBatches} without blocking: the future completes with the outcome (never exceptionally
   * because of a failed batch). Cancelling it stops sending further batches; batches in flight still run to
   * their end (cancelling a push could leave it half applied), but their outcome is then lost: prefer
   * letting it complete.
   *
   * @param request the push, with any number of server ids; not {@code null}
   * @return the outcome's future; a {@code null} request or a closed client fail it rather than throw
   */
  public CompletableFuture<BatchOutcome> shareAppsInBatchesAsync(ShareAppsRequest request) {
    return calls.shareAppsInBatchesAsync(request);
  }

  /**
   * {@link #deleteShareApps} for any number of servers, in batches, exactly like {@link #shareAppsInBatches}.
   *
   * <pre>{@code
   * BatchOutcome outcome = client.deleteShareAppsInBatches(DeleteShareAppsRequest.builder()
   *     .packageName("com.miniteck.miniworld").addAllServerIds(servers).build());
   * }</pre>
   *
   * @param request the package and any number of server ids; not {@code null}
   * @return one entry per server id of the request, in its order
   * @throws IllegalStateException the client is closed
   */
  public BatchOutcome deleteShareAppsInBatches(DeleteShareAppsRequest request) {
    return calls.deleteShareAppsInBatches(request);
  }

  /**
   * {@link #deleteShareAppsInBatches} without blocking; see {@link #shareAppsInBatchesAsync}.
   *
   * @param request the package and any number of server ids; not {@code null}
   * @return the outcome's future; a {@code null} request or a closed client fail it rather than throw
   */
  public CompletableFuture<BatchOutcome> deleteShareAppsInBatchesAsync(DeleteShareAppsRequest request) {
    return calls.deleteShareAppsInBatchesAsync(request);
  }

  /**
   * One job ({@code GET /v1/{project_id}/cloud-phone/jobs/{job_id}}). A read: retried on every failure the
   * retry policy allows, including ambiguous ones.
   *
   * <pre>{@code
   * Job job = client.showJob("1564567b8bab40f34711234cb80d0123");
   * System.out.println(job.serverId() + " " + job.status());
   * }</pre>
   *
   * @param jobId the job id, e.g. from {@link io.github.cphsdk.model.ServerJob#jobId()}
   * @return the job as the service reports it now
   * @throws IllegalArgumentException when the job id is not 1 to 64 of {@code A-Z a-z 0-9 _ -}
   * @throws CloudPhoneServiceException the service answered with an error (e.g. 404 for an unknown job)
   * @throws CloudPhoneTransportException no usable answer
   */
  public Job showJob(String jobId) {
    return calls.showJob(jobId);
  }

  /**
   * {@link #showJob} without blocking.
   *
   * @param jobId the job id, e.g. from {@link io.github.cphsdk.model.ServerJob#jobId()}
   * @return the job's future; an invalid id or a closed client fail it rather than throw
   */
  public CompletableFuture<Job> showJobAsync(String jobId) {
    return calls.showJobAsync(jobId);
  }

  /**
   * Every job of one request, e.g. a push ({@code GET /v1/{project_id}/cloud-phone/jobs?request_id=..}):
   * reads page after page ({@code offset}/{@code limit} 100) until all are read, so the list covers every
   * server of the push. Each page is a read, retried like {@link #showJob}.
   *
   * <pre>{@code
   * JobList jobs = client.listJobs(response.requestId());
   * jobs.jobs().forEach(job -> System.out.println(job.serverId() + " " + job.status()));
   * }</pre>
   *
   * @param requestId the request id that started the jobs, e.g. {@link ShareAppsResponse#requestId()}
   * @return every job the service lists for that request id, all pages joined
   * @throws IllegalArgumentException when the request id is empty, longer than 128 characters, or has
   *     spaces, commas or non-ASCII characters
   * @throws CloudPhoneServiceException the service answered with an error
   * @throws CloudPhoneTransportException no usable answer
   */
  public JobList listJobs(String requestId) {
    return calls.listJobs(requestId);
  }

  /**
   * {@link #listJobs} without blocking: pages are read one after the other, none blocks a thread.
   *
   * @param requestId the request id that started the jobs, e.g. {@link ShareAppsResponse#requestId()}
   * @return the list's future; an invalid id or a closed client fail it rather than throw
   */
  public CompletableFuture<JobList> listJobsAsync(String requestId) {
    return calls.listJobsAsync(requestId);
  }

  /**
   * Waits until every job a push started has finished, or the timeout passes, and reports where each server
   * stands. Polls "list jobs" by the push's request id: first after {@link WaitOptions#initialDelay()}, then at
   * an interval that doubles up to {@link WaitOptions#maxPollInterval()}. A job whose status is neither
   * running, succeeded nor failed counts as still running. Servers the push rejected are reported as
   * {@link io.github.cphsdk.model.ServerProgress.State#NOT_STARTED}. Progress goes to the options' listener.
   *
   * <p>A poll that still fails after the client's retries is counted ({@link JobReport#failedPolls()}) and tried
   * again at the next interval when the failure may pass (no answer, 429, 5xx); a 4xx answer (such as 401,
   * 403 or 404) ends the wait by throwing that {@link CloudPhoneServiceException}. The jobs keep running on
   * the service either way. The wait may overrun its timeout by at most one list call.
   *
   * <pre>{@code
   * ShareAppsResponse response = client.shareApps(request);
   * JobReport report = client.waitForJobs(response, WaitOptions.builder()
   *     .timeout(Duration.ofMinutes(30))
   *     .listener(new JobListener() {
   *       public void serverChanged(ServerProgress s) { System.out.println(s.serverId() + " " + s.state()); }
   *     })
   *     .build());
   * System.out.println(report.succeeded().size() + " succeeded, " + report.failed().size() + " failed, "
   *     + report.running().size() + " still running");
   * }</pre>
   *
   * <p>When the answer's body had no {@code request_id}, the {@code X-Request-Id} header's id is polled
   * ({@link ShareAppsResponse#requestIdSource()} is {@code HEADER}); if that is a gateway's id, the list finds
   * no jobs and the servers stay running until the timeout. Check the source first when it matters.
   *
   * @param response the push's answer; its request id is polled, its rejected servers are reported as not started
   * @param options the timeout, poll intervals and listener, e.g. {@link WaitOptions#defaults()}
   * @return every server of the push, when no job runs any more or the timeout has passed
   *     ({@link JobReport#timedOut()})
   * @throws CloudPhoneServiceException a poll was answered with a 4xx error
   * @throws CloudPhoneException the thread was interrupted (its interrupt flag is set again)
   * @throws IllegalStateException the client is closed
   */
  public JobReport waitForJobs(ShareAppsResponse response, WaitOptions options) {
    return calls.waitForJobs(response, options);
  }

  /**
   * {@link #waitForJobs(ShareAppsResponse, WaitOptions)} for a batched push: waits for the jobs of every
   * accepted batch (the request ids are polled together, at most 20 per call), and reports every server of
   * the outcome, those that got no job included.
   *
   * @param outcome the batched push's outcome
   * @param options the timeout, poll intervals and listener, e.g. {@link WaitOptions#defaults()}
   * @return every server of the outcome, in its order, when no job runs any more or the timeout has passed
   * @throws CloudPhoneServiceException a poll was answered with a 4xx error
   * @throws CloudPhoneException the thread was interrupted (its interrupt flag is set again)
   * @throws IllegalStateException the client is closed
   */
  public JobReport waitForJobs(BatchOutcome outcome, WaitOptions options) {
    return calls.waitForJobs(outcome, options);
  }

  /**
   * {@link #waitForJobs(ShareAppsResponse, WaitOptions)} without blocking: each poll is scheduled on the
   * client's timer and reads asynchronously; listeners and the future complete on the completion executor.
   * Cancelling the future stops polling. It fails with the same exceptions the synchronous wait throws.
   *
   * @param response the push's answer; its request id is polled
   * @param options the timeout, poll intervals and listener
   * @return the report's future
   */
  public CompletableFuture<JobReport> waitForJobsAsync(ShareAppsResponse response, WaitOptions options) {
    return calls.waitForJobsAsync(response, options);
  }

  /**
   * {@link #waitForJobs(BatchOutcome, WaitOptions)} without blocking; see
   * {@link #waitForJobsAsync(ShareAppsResponse, WaitOptions)}.
   *
   * @param outcome the batched push's outcome
   * @param options the timeout, poll intervals and listener
   * @return the report's future
   */
  public CompletableFuture<JobReport> waitForJobsAsync(BatchOutcome outcome, WaitOptions options) {
    return calls.waitForJobsAsync(outcome, options);
  }

  /**
   * A fleet rollout of {@code push} to every server it names: a canary wave first, then waves, a failure gate
   * after each wave, one shared request rate that slows down on 429, and (with a journal) a record of every step
   * that lets {@link #resumeRollout(RolloutJournal)} carry on after a crash without pushing any server twice.
   *
   * <pre>{@code
   * RolloutReport report = client.rollout(push)        // push: any number of server ids
   *     .canarySize(10).waveSize(500).maxFailureRatio(0.05)
   *     .journal(RolloutJournal.file(Path.of("rollout.jsonl")))
   *     .build().run();
   * }</pre>
   *
   * @param push the push, with any number of server ids; not {@code null}
   * @return a builder with the defaults (see {@link Rollout})
   * @throws IllegalStateException the client is closed
   */
  public Rollout.Builder rollout(ShareAppsRequest push) {
    checkOpen();
    return new RolloutBuilder(rolloutHost, push);
  }

  /**
   * Carries on the rollout a journal holds (push, servers and plan from the journal): servers with a recorded
   * job are not pushed again (their jobs are waited for again), servers never sent are sent, servers of a batch
   * sent without a recorded answer are reported unknown unless {@link Rollout.Builder#rePushAmbiguous} opts in.
   *
   * @param journal the journal of an earlier run; not {@code null}
   * @return a builder set to resume
   * @throws io.github.cphsdk.rollout.RolloutJournalException when the journal is missing, empty or damaged
   * @throws IllegalStateException the client is closed
   */
  public Rollout.Builder resumeRollout(RolloutJournal journal) {
    checkOpen();
    return RolloutBuilder.resume(rolloutHost, journal);
  }

  private static RolloutHost rolloutHost(ClientCalls calls, Timing timing, int maxServersPerRequest,
      int maxConcurrentBatches, RateLimiter rolloutRate) {
    return new RolloutHost() {
      @Override
      public CompletableFuture<ShareAppsResponse> push(ShareAppsRequest request) {
        return calls.shareAppsAsync(request);
      }

      @Override
      public JobList list(List<String> requestIds, Runnable beforePage) {
        return calls.listAll(requestIds, beforePage);
      }

      @Override
      public Job show(String jobId) {
        return calls.showJob(jobId);
      }

      @Override
      public Timing timing() {
        return timing;
      }

      @Override
      public int maxServersPerRequest() {
        return maxServersPerRequest;
      }

      @Override
      public int maxConcurrentBatches() {
        return maxConcurrentBatches;
      }

      @Override
      public RateLimiter rateLimiter() {
        return rolloutRate;
      }
    };
  }

  /** {@return the endpoint this client talks to (normalized: no default port, no trailing slash)} */
  public URI endpoint() {
    return endpoint;
  }

  /** {@return the project id of this client} */
  public String projectId() {
    return projectId;
  }

  private void checkOpen() {
    calls.checkOpen();
  }

  /**
   * Stops the client's timer thread and closes the transport if the client created it. A transport given
   * to the builder stays open. Calls in flight may fail. Idempotent.
   */
  @Override
  public void close() {
    if (calls.close() && ownedTransport != null) {
      ownedTransport.close();
    }
  }

  @Override
  public String toString() {
    return "CloudPhoneClient{endpoint=" + endpoint + ", projectId=" + projectId + '}';
  }

  /**
   * Builds a {@link CloudPhoneClient}. Required: a region or an endpoint, a project id and credentials.
   *
   * <pre>{@code
   * CloudPhoneClient client = CloudPhoneClient.builder()
   *     .region("cn-north-4")                       // or .endpoint(URI.create("https://..."))
   *     .projectId("0123456789abcdef0123456789abcdef")
   *     .credentials(Credentials.token("MIIZ..."))
   *     .retryPolicy(RetryPolicy.defaults())
   *     .connectTimeout(Duration.ofSeconds(10))
   *     .attemptTimeout(Duration.ofSeconds(30))
   *     .callTimeout(Duration.ofMinutes(2))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String region;
    private URI endpoint;
    private String projectId;
    private Credentials credentials;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration attemptTimeout = Duration.ofSeconds(30);
    private Duration callTimeout = Duration.ofMinutes(2);
    private HttpTransport transport;
    private SSLContext sslContext;
    private java.net.ProxySelector proxy;
    private java.net.Authenticator proxyAuthenticator;
    /** {@code null}: not chosen, HTTP/2 where offered. */
    private io.github.cphsdk.http.HttpVersion httpVersion;
    private String applicationId;
    private boolean allowInsecureHttp;
    private CallListener listener = CallListener.none();
    private Executor completionExecutor = ForkJoinPool.commonPool();
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private int maxServersPerRequest = 20;
    private int maxConcurrentBatches = 4;
    private int maxConcurrentRequests = CallPipeline.DEFAULT_MAX_CONCURRENT_REQUESTS;
    private Timing timing;
    private java.time.Clock virtualClock;
    private java.util.function.Consumer<Duration> virtualAdvance;

    private Builder() {}

    /**
     * The region, e.g. {@code cn-north-4}: the endpoint becomes {@code https://cph.{region}.myhuaweicloud.com}.
     *
     * @param region lowercase letters and digits separated by {@code -}, at most 32 characters
     * @return this builder
     */
    public Builder region(String region) {
      Endpoints.forRegion(region);
      this.region = region;
      return this;
    }

    /**
     * Any endpoint (other clouds, new regions, a local emulator); wins over {@link #region}. Must be absolute
     * http(s) without query or fragment; plain http only to loopback unless {@link #allowInsecureHttp}.
     *
     * @param endpoint the base URI, e.g. {@code https://cph.cn-north-4.myhuaweicloud.com}; checked in {@link #build()}
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * The project id.
     *
     * @param projectId 1 to 64 of {@code A-Z a-z 0-9 _ -}
     * @return this builder
     */
    public Builder projectId(String projectId) {
      this.projectId = Endpoints.checkProjectId(projectId);
      return this;
    }

    /**
     * How requests are authenticated: {@link Credentials#token(String)} and the other factories.
     *
     * @param credentials not {@code null}; shared by every call of the client
     * @return this builder
     */
    public Builder credentials(Credentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * When failed calls are retried (default {@link RetryPolicy#defaults()}).
     *
     * @param retryPolicy not {@code null}; {@link RetryPolicy#none()} turns retries off
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * How long establishing a connection may take (default 10 s); applies to the default transport.
     *
     * @param connectTimeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * How long one attempt may take, from connecting to the end of the answer (default 30 s).
     *
     * @param attemptTimeout positive
     * @return this builder
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = positive(attemptTimeout, "attemptTimeout");
      return this;
    }

    /**
     * How long the whole call may take: every attempt and every wait between them (default 2 min).
     *
     * @param callTimeout positive
     * @return this builder
     */
    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = positive(callTimeout, "callTimeout");
      return this;
    }

    /**
     * The HTTP transport. Default: a {@link io.github.cphsdk.http.JdkHttpTransport} ({@code java.net.http})
     * the client creates and closes; where the module {@code java.net.http} is absent (Android, a trimmed
     * runtime) a {@link io.github.cphsdk.http.UrlConnectionTransport} ({@code HttpURLConnection}) instead,
     * chosen at run time. A transport passed here is never closed by the client.
     *
     * @param transport not {@code null}; the caller closes it
     * @return this builder
     */
    public Builder transport(HttpTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * The TLS trust (and key) material for the default transport, e.g. to trust a private CA. There is no
     * trust-all switch. Ignored when a {@link #transport} is given (configure that transport instead).
     *
     * @param sslContext not {@code null}
     * @return this builder
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * The proxies of the default transport (default: {@link java.net.ProxySelector#getDefault()}, which follows
     * {@code -Dhttps.proxyHost}, {@code -Dhttps.proxyPort}, {@code -Dhttp.nonProxyHosts} and, with
     * {@code -Djava.net.useSystemProxies=true}, the operating system's settings). The environment variables
     * {@code https_proxy}/{@code HTTPS_PROXY} are not read. Applies to the default
     * {@link io.github.cphsdk.http.JdkHttpTransport} only (where {@code java.net.http} is absent,
     * {@code HttpURLConnection} uses the default proxy selector, and {@code build()} refuses this setting
     * there); refused by {@code build()} when a {@link #transport} is given too (set it on that transport).
     *
     * @param proxy not {@code null}; {@code ProxySelector.of(null)} for no proxy
     * @return this builder
     */
    public Builder proxy(java.net.ProxySelector proxy) {
      this.proxy = Objects.requireNonNull(proxy, "proxy");
      return this;
    }

    /**
     * Answers the proxy's authentication requests (407) of the default transport; never asked for the
     * service's credentials. Basic authentication of an https tunnel also needs the JVM option
     * {@code -Djdk.http.auth.tunneling.disabledSchemes=} (the JDK disables Basic for tunnels by default).
     * Applies to the default {@link io.github.cphsdk.http.JdkHttpTransport} only: {@code build()} refuses it
     * together with a {@link #transport}, or where {@code java.net.http} is absent.
     *
     * @param authenticator not {@code null}
     * @return this builder
     */
    public Builder proxyAuthenticator(java.net.Authenticator authenticator) {
      this.proxyAuthenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * The HTTP version of the default transport (default {@link io.github.cphsdk.http.HttpVersion#HTTP_2}:
     * offered by ALPN over TLS and used when the service accepts it, HTTP/1.1 otherwise; plain http is always
     * HTTP/1.1). Applies to the default {@link io.github.cphsdk.http.JdkHttpTransport} only: {@code build()}
     * refuses it together with a {@link #transport}, or where {@code java.net.http} is absent.
     *
     * @param httpVersion not {@code null}
     * @return this builder
     */
    public Builder httpVersion(io.github.cphsdk.http.HttpVersion httpVersion) {
      this.httpVersion = Objects.requireNonNull(httpVersion, "httpVersion");
      return this;
    }

    /**
     * An id of your application appended to the {@code User-Agent}.
     *
     * @param applicationId 1 to 64 of {@code A-Z a-z 0-9 . _ / + -}
     * @return this builder
     */
    public Builder applicationId(String applicationId) {
      this.applicationId = Endpoints.checkApplicationId(applicationId);
      return this;
    }

    /**
     * Allow plain {@code http://} to a host that is not loopback. Off by default: the token or signature
     * would travel in clear.
     *
     * @param allowInsecureHttp {@code true} to accept an {@code http://} endpoint on any host
     * @return this builder
     */
    public Builder allowInsecureHttp(boolean allowInsecureHttp) {
      this.allowInsecureHttp = allowInsecureHttp;
      return this;
    }

    /**
     * Hooks for metrics and tracing (default: none).
     *
     * @param listener not {@code null}; {@link CallListener#none()} for none
     * @return this builder
     */
    public Builder listener(CallListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Where asynchronous calls complete their futures, so your callbacks never run on HTTP I/O threads
     * (default: {@link ForkJoinPool#commonPool()}). Completions run on this executor; with an executor that runs
     * tasks inline (e.g. {@code Runnable::run}) they run on the SDK's threads, including the client's one timer
     * thread, so they must not block.
     *
     * @param completionExecutor not {@code null}; the client never shuts it down
     * @return this builder
     */
    public Builder completionExecutor(Executor completionExecutor) {
      this.completionExecutor = Objects.requireNonNull(completionExecutor, "completionExecutor");
      return this;
    }

    /**
     * The most answer-body bytes read for one call (default 1 MiB); a longer answer fails the call.
     *
     * @param maxResponseBytes 1 KiB (1024) to 256 MiB
     * @return this builder
     */
    public Builder maxResponseBytes(long maxResponseBytes) {
      if (maxResponseBytes < 1024 || maxResponseBytes > 256L * 1024 * 1024) {
        throw new IllegalArgumentException("maxResponseBytes must be 1 KiB to 256 MiB, got " + maxResponseBytes);
      }
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /**
     * How many server ids one push or delete request may carry (default 20, the newest API reference's limit;
     * the older one allowed 100). Range 1 to 100. {@link CloudPhoneClient#shareApps} refuses more;
     * {@link CloudPhoneClient#shareAppsInBatches} splits into batches of this size.
     *
     * @param maxServersPerRequest 1 to 100
     * @return this builder
     */
    public Builder maxServersPerRequest(int maxServersPerRequest) {
      if (maxServersPerRequest < 1 || maxServersPerRequest > 100) {
        throw new IllegalArgumentException("maxServersPerRequest must be 1 to 100, got " + maxServersPerRequest);
      }
      this.maxServersPerRequest = maxServersPerRequest;
      return this;
    }

    /**
     * How many batch requests {@link CloudPhoneClient#shareAppsInBatches} and
     * {@link CloudPhoneClient#deleteShareAppsInBatches} keep in flight at once (default 4). Range 1 to 64.
     *
     * @param maxConcurrentBatches 1 to 64
     * @return this builder
     */
    public Builder maxConcurrentBatches(int maxConcurrentBatches) {
      if (maxConcurrentBatches < 1 || maxConcurrentBatches > 64) {
        throw new IllegalArgumentException("maxConcurrentBatches must be 1 to 64, got " + maxConcurrentBatches);
      }
      this.maxConcurrentBatches = maxConcurrentBatches;
      return this;
    }

    /**
     * How many HTTP exchanges this client keeps in flight at once, synchronous and asynchronous calls
     * together (default 64; range 1 to 10,000). Each needs its own connection, so this also caps the
     * client's connections. Further calls wait their turn in order: an asynchronous call waits without
     * holding a thread, a synchronous one blocks, and either gives up when its attempt timeout or call
     * timeout passes first, failing with a {@link CloudPhoneTimeoutException} that says nothing was sent.
     * Waiting for a slot is not a retry.
     *
     * @param maxConcurrentRequests 1 to 10,000
     * @return this builder
     */
    public Builder maxConcurrentRequests(int maxConcurrentRequests) {
      if (maxConcurrentRequests < 1 || maxConcurrentRequests > 10_000) {
        throw new IllegalArgumentException("maxConcurrentRequests must be 1 to 10000, got " + maxConcurrentRequests);
      }
      this.maxConcurrentRequests = maxConcurrentRequests;
      return this;
    }

    /**
     * For tests: runs the client on a clock the test owns instead of real time. The client reads the time from
     * {@code clock} (call deadlines, the {@link WaitOptions#timeout() wait timeout}, {@code Retry-After} dates,
     * AK/SK signature dates) and, wherever it would wait (the backoff before a retry, the delay before each job
     * poll, synchronous or asynchronous), calls {@code advance} with that delay and goes on at once instead of
     * sleeping. With the testkit's {@code FakeClock} driving the emulator too, a wait for jobs takes as long as
     * the polls, whatever the job durations:
     *
     * <pre>{@code
     * FakeClock clock = new FakeClock();
     * FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().clock(clock).start();
     * CloudPhoneClient client = CloudPhoneClient.builder().endpoint(server.endpoint())
     *     .projectId(server.projectId()).credentials(credentials)
     *     .virtualTime(clock, clock::advance)
     *     .build();
     * JobReport report = client.waitForJobs(client.shareApps(request), WaitOptions.defaults());   // no real sleep
     * }</pre>
     *
     * <p>An HTTP exchange itself still runs on real time: the connect and attempt timeouts bound it as always.
     * Meant for tests only; the default is the system clock and real sleeping.
     *
     * @param clock the clock the client reads; {@code advance} must move it forward
     * @param advance moves {@code clock} forward by the given positive duration, on the thread that waits
     * @return this builder
     */
    public Builder virtualTime(java.time.Clock clock, java.util.function.Consumer<Duration> advance) {
      this.virtualClock = Objects.requireNonNull(clock, "clock");
      this.virtualAdvance = Objects.requireNonNull(advance, "advance");
      return this;
    }

    /** Test seam: the clocks, the sleeper and the timer. */
    Builder timing(Timing timing) {
      this.timing = Objects.requireNonNull(timing, "timing");
      return this;
    }

    /**
     * The client. Everything is checked here, before anything is sent.
     *
     * @return a new client; close it when done
     * @throws IllegalArgumentException naming the missing or invalid setting
     */
    public CloudPhoneClient build() {
      if (endpoint == null && region == null) {
        throw new IllegalArgumentException("region or endpoint is required");
      }
      if (projectId == null) {
        throw new IllegalArgumentException("projectId is required");
      }
      if (credentials == null) {
        throw new IllegalArgumentException("credentials are required, e.g. Credentials.token(...) or "
            + "Credentials.akSk(...)");
      }
      URI resolved = Endpoints.checkEndpoint(endpoint != null ? endpoint : Endpoints.forRegion(region),
          allowInsecureHttp);
      String jdkOnly = proxy != null ? "proxy" : proxyAuthenticator != null ? "proxyAuthenticator"
          : httpVersion != null ? "httpVersion" : null;
      if (transport != null) {
        if (jdkOnly != null) { // it would be ignored: say so instead
          throw new IllegalArgumentException(jdkOnly + " applies to the default transport, but transport(...)"
              + " was given too: set it on your transport instead");
        }
        return new CloudPhoneClient(this, resolved, transport, false);
      }
      if (jdkOnly != null && !DefaultTransport.javaNetHttpAvailable()) {
        throw new IllegalArgumentException(jdkOnly + " needs java.net.http, which this runtime does not have:"
            + " give transport(UrlConnectionTransport.builder()...build()) with the proxy it should use instead");
      }
      DefaultTransport.Settings settings = new DefaultTransport.Settings();
      settings.connectTimeout = connectTimeout;
      settings.sslContext = sslContext;
      settings.proxy = proxy;
      settings.proxyAuthenticator = proxyAuthenticator;
      if (httpVersion != null) {
        settings.httpVersion = httpVersion;
      }
      return new CloudPhoneClient(this, resolved, DefaultTransport.create(settings), true);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
