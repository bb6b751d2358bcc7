package io.github.cphsdk;

import io.github.cphsdk.auth.AuthContext;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.internal.CallPipeline;
import io.github.cphsdk.internal.DefaultTransport;
import io.github.cphsdk.internal.Endpoints;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.Json;
import io.github.cphsdk.internal.Operation;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *   <li>{@link #close()} closes only what the client created (its default transport, its timer thread),
 *       never a transport you passed in.
 * </ul>
 */
public final class CloudPhoneClient implements AutoCloseable {
  /** Default cap on an answer body of the push. */
  static final long DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

  private final URI endpoint;
  private final String projectId;
  private final String pathPrefix;
  private final CallPipeline pipeline;
  private final HttpTransport ownedTransport;
  private final long maxResponseBytes;
  private final int maxServersPerRequest;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CloudPhoneClient(Builder b, URI endpoint, HttpTransport transport, boolean ownsTransport) {
    this.endpoint = endpoint;
    this.projectId = b.projectId;
    this.pathPrefix = endpoint.getRawPath() + "/v1/" + b.projectId;
    this.ownedTransport = ownsTransport ? transport : null;
    this.maxResponseBytes = b.maxResponseBytes;
    this.maxServersPerRequest = b.maxServersPerRequest;
    CallPipeline.Config c = new CallPipeline.Config();
    c.transport = transport;
    c.credentials = b.credentials;
    c.timing = b.timing != null ? b.timing : Timing.system();
    c.authContext = AuthContext.of(b.projectId, b.region, endpoint, transport, c.timing.clock());
    c.retryPolicy = b.retryPolicy;
    c.connectTimeout = b.connectTimeout;
    c.attemptTimeout = b.attemptTimeout;
    c.callTimeout = b.callTimeout;
    c.userAgent = Endpoints.userAgent(b.applicationId);
    c.projectId = b.projectId;
    c.listener = b.listener;
    c.completionExecutor = b.completionExecutor;
    this.pipeline = new CallPipeline(c);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Pushes the app's {@code .tar} from OBS to the servers of the request: one HTTP request, one job per
   * accepted server. Blocks until the answer, retries included.
   *
   * @throws IllegalArgumentException when the request names more servers than one request may carry
   *     ({@link Builder#maxServersPerRequest(int)}, 20 by default)
   * @throws CloudPhoneServiceException the service answered with an error
   * @throws CloudPhoneTransportException no usable answer (see {@link CloudPhoneException#mayHaveBeenApplied()})
   * @throws IllegalStateException the client is closed
   */
  public ShareAppsResponse shareApps(ShareAppsRequest request) {
    return pipeline.execute(shareAppsOperation(request));
  }

  /**
   * {@link #shareApps} without blocking. The future completes on the completion executor (by default the
   * common pool), never on an HTTP I/O thread, and fails with the same exception types as the synchronous
   * call ({@link java.util.concurrent.CompletableFuture#join()} wraps them in a
   * {@link java.util.concurrent.CompletionException}). Cancelling it aborts the exchange in flight and any
   * pending retry; a cancelled push may still have reached the service.
   */
  public CompletableFuture<ShareAppsResponse> shareAppsAsync(ShareAppsRequest request) {
    Operation<ShareAppsResponse> op;
    try {
      op = shareAppsOperation(request);
    } catch (RuntimeException e) {
      return Futures.failed(e);
    }
    return pipeline.executeAsync(op);
  }

  private Operation<ShareAppsResponse> shareAppsOperation(ShareAppsRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen();
    int servers = request.serverIds().size();
    if (servers > maxServersPerRequest) {
      throw new IllegalArgumentException("server_ids has " + servers + " ids but one request may carry at most "
          + maxServersPerRequest + " (CloudPhoneClient.Builder.maxServersPerRequest); split the servers into batches");
    }
    String path = pathPrefix + "/cloud-phone/phones/share-apps";
    return new Operation<>("push shared apps", "POST", endpoint.resolve(path), path, Json.shareAppsBody(request),
        false, maxResponseBytes,
        response -> Json.shareAppsResponse(response.body(), response.header("X-Request-Id").orElse(null)));
  }

  /** The endpoint this client talks to (normalized: no default port, no trailing slash). */
  public URI endpoint() {
    return endpoint;
  }

  /** The project id of this client. */
  public String projectId() {
    return projectId;
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this CloudPhoneClient is closed");
    }
  }

  /**
   * Stops the client's timer thread and closes the transport if the client created it. A transport given
   * to the builder stays open. Calls in flight may fail. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      pipeline.close();
      if (ownedTransport != null) {
        ownedTransport.close();
      }
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
    private String applicationId;
    private boolean allowInsecureHttp;
    private CallListener listener = CallListener.none();
    private Executor completionExecutor = ForkJoinPool.commonPool();
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private int maxServersPerRequest = 20;
    private Timing timing;

    private Builder() {}

    /** The region, e.g. {@code cn-north-4}: the endpoint becomes {@code https://cph.{region}.myhuaweicloud.com}. */
    public Builder region(String region) {
      Endpoints.forRegion(region);
      this.region = region;
      return this;
    }

    /**
     * Any endpoint (other clouds, new regions, a local emulator); wins over {@link #region}. Must be absolute
     * http(s) without query or fragment; plain http only to loopback unless {@link #allowInsecureHttp}.
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** The project id (1 to 64 of {@code A-Z a-z 0-9 _ -}). */
    public Builder projectId(String projectId) {
      this.projectId = Endpoints.checkProjectId(projectId);
      return this;
    }

    /** How requests are authenticated: {@link Credentials#token(String)} and the other factories. */
    public Builder credentials(Credentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** When failed calls are retried (default {@link RetryPolicy#defaults()}). */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** How long establishing a connection may take (default 10 s); applies to the default transport. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /** How long one attempt may take, from connecting to the end of the answer (default 30 s). */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = positive(attemptTimeout, "attemptTimeout");
      return this;
    }

    /** How long the whole call may take: every attempt and every wait between them (default 2 min). */
    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = positive(callTimeout, "callTimeout");
      return this;
    }

    /**
     * The HTTP transport (default: a {@link io.github.cphsdk.http.JdkHttpTransport} the client creates and
     * closes). A transport passed here is never closed by the client. On Android pass
     * {@link io.github.cphsdk.http.UrlConnectionTransport}.
     */
    public Builder transport(HttpTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * The TLS trust (and key) material for the default transport, e.g. to trust a private CA. There is no
     * trust-all switch. Ignored when a {@link #transport} is given (configure that transport instead).
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** An id of your application appended to the {@code User-Agent} (1 to 64 of {@code A-Z a-z 0-9 . _ / + -}). */
    public Builder applicationId(String applicationId) {
      this.applicationId = Endpoints.checkApplicationId(applicationId);
      return this;
    }

    /**
     * Allow plain {@code http://} to a host that is not loopback. Off by default: the token or signature
     * would travel in clear.
     */
    public Builder allowInsecureHttp(boolean allowInsecureHttp) {
      this.allowInsecureHttp = allowInsecureHttp;
      return this;
    }

    /** Hooks for metrics and tracing (default: none). */
    public Builder listener(CallListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Where asynchronous calls complete their futures, so your callbacks never run on HTTP I/O threads
     * (default: {@link ForkJoinPool#commonPool()}).
     */
    public Builder completionExecutor(Executor completionExecutor) {
      this.completionExecutor = Objects.requireNonNull(completionExecutor, "completionExecutor");
      return this;
    }

    /** The most answer-body bytes read for one call (default 1 MiB); a longer answer fails the call. */
    public Builder maxResponseBytes(long maxResponseBytes) {
      if (maxResponseBytes < 1024 || maxResponseBytes > 256L * 1024 * 1024) {
        throw new IllegalArgumentException("maxResponseBytes must be 1 KiB to 256 MiB, got " + maxResponseBytes);
      }
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /**
     * How many server ids one push request may carry (default 20, the newest API reference's limit; the
     * older one allowed 100). Range 1 to 100.
     */
    public Builder maxServersPerRequest(int maxServersPerRequest) {
      if (maxServersPerRequest < 1 || maxServersPerRequest > 100) {
        throw new IllegalArgumentException("maxServersPerRequest must be 1 to 100, got " + maxServersPerRequest);
      }
      this.maxServersPerRequest = maxServersPerRequest;
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
      if (transport != null) {
        return new CloudPhoneClient(this, resolved, transport, false);
      }
      return new CloudPhoneClient(this, resolved, DefaultTransport.create(connectTimeout, sslContext), true);
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
