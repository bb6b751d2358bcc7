package io.github.cphsdk.http;

import io.github.cphsdk.internal.Watchdog;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * A transport on the JDK's {@code java.net.http.HttpClient} (HTTP/1.1, redirects never followed, TLS with
 * the JDK's default trust unless an {@link SSLContext} is given). Pick it over the default
 * {@link SocketHttpTransport} for what {@code java.net.http} brings: its proxy handling and authentication,
 * or one client shared with the rest of an application's {@code java.net.http} code. A synchronous call
 * costs more here than on the default transport: {@code java.net.http} hands every exchange from a selector
 * thread to the caller (see docs/PERFORMANCE.md).
 *
 * <p>This is the only class of the SDK that touches {@code java.net.http}, and nothing in the SDK loads it
 * unless you create one, so the SDK runs where that module is missing (Android).
 *
 * <pre>{@code
 * HttpTransport transport = new JdkHttpTransport();             // 10 s connect timeout
 * HttpTransport custom = new JdkHttpTransport(Duration.ofSeconds(3), mySslContext);
 * }</pre>
 *
 * <p>{@link #close()} stops the transport's own threads and releases the HTTP client where the JDK allows it
 * (Java 21 and newer). On older JDKs the client's single daemon selector thread ends only when the JDK's
 * HttpClient is garbage-collected, so {@code close()} lets go of it: the thread ends at the next garbage
 * collection after the exchanges in flight are over, even while the closed transport itself is still referenced.
 */
@RequiresJavaNetHttp
public final class JdkHttpTransport implements HttpTransport {
  /** Headers java.net.http sets itself and refuses to take from callers. */
  private static final String[] RESTRICTED = {"host", "content-length", "connection", "expect", "upgrade"};

  /** {@code null} once closed, so that on JDK 17 the HttpClient (and its selector thread) can be collected. */
  private volatile HttpClient client;
  /**
   * The most exchanges this transport runs at once, one pooled thread each (the client's default
   * {@code maxConcurrentRequests} is the same); more wait for a free thread, within their timeouts.
   */
  static final int MAX_WORKERS = 64;

  private final Watchdog watchdog = new Watchdog("cph-sdk-http-timeouts");
  private final ThreadPoolExecutor workers;

  /** A transport with a 10-second connect timeout and the JDK's default TLS settings. */
  public JdkHttpTransport() {
    this(Duration.ofSeconds(10), null);
  }

  /**
   * A transport with the given connect timeout and TLS context.
   *
   * @param connectTimeout how long establishing a connection may take; positive
   * @param sslContext the trust and key material for https, or {@code null} for the JDK default
   */
  public JdkHttpTransport(Duration connectTimeout, SSLContext sslContext) {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        // Completions run on the selector thread: our body subscriber never blocks, and the SDK moves
        // user callbacks to its own completion executor.
        .executor(Runnable::run);
    if (sslContext != null) {
      b.sslContext(sslContext);
    }
    this.client = b.build();
    this.workers = WorkerThreads.newPool(MAX_WORKERS);
  }

  /**
   * Sends on the calling thread with {@code HttpClient.send}, which (unlike {@code sendAsync}) completes
   * without a hop through the common pool. java.net.http's own timeout ends at the response headers, so a
   * watchdog bounds the body too: at {@link HttpRequest#timeout()} after the start it aborts the exchange.
   */
  @Override
  public HttpResponse execute(HttpRequest request) throws IOException {
    HttpClient c = client;
    if (c == null) {
      throw closed(request);
    }
    Exchange exchange = new Exchange(request, watchdog);
    java.net.http.HttpRequest jdkRequest = toJdk(request);
    exchange.arm();
    try {
      c.send(jdkRequest, exchange);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException("interrupted while waiting for " + request.uri().getHost());
      ie.initCause(e);
      throw ie;
    } catch (IOException | RuntimeException e) {
      exchange.disarm();
      // our own verdict (time up, unusable answer) wins over the copy send() makes of it
      Throwable own = exchange.failure;
      throw own instanceof IOException ? (IOException) own : classify(e, request);
    }
    HttpResponse response = exchange.getNow(null);
    if (response == null) { // cannot happen: send() returns only after the body subscriber finished
      throw new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
          "exchange with " + request.uri().getHost() + " ended without an answer", null);
    }
    return response;
  }

  /**
   * Runs the exchange on a pooled daemon thread that calls {@code HttpClient.send}; the caller never
   * blocks. Why not {@code sendAsync}: it completes every exchange with {@code whenCompleteAsync} on the
   * JDK's default async executor, which on machines with one or two cores (most containers) starts a new
   * thread for every call. Measured on two cores, the pool carries about twice the calls per second. The
   * returned future completes on the selector thread as soon as the answer is in. Cancelling it aborts the
   * exchange (on Java 16+ also while waiting for the headers). At most {@value #MAX_WORKERS} exchanges run
   * at once; more wait for the first free thread, their timeouts running.
   */
  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
    HttpClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(closed(request));
    }
    Exchange exchange = new Exchange(request, watchdog);
    java.net.http.HttpRequest jdkRequest = toJdk(request);
    exchange.arm();
    try {
      workers.execute(() -> sendOnWorker(c, exchange, jdkRequest, request));
    } catch (RejectedExecutionException closing) {
      exchange.fail(closed(request));
    }
    return exchange;
  }

  private static HttpTransportException closed(HttpRequest request) {
    return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
        "the transport is closed; nothing was sent to " + request.uri().getHost(), null);
  }

  private static void sendOnWorker(HttpClient c, Exchange exchange, java.net.http.HttpRequest jdkRequest,
      HttpRequest request) {
    if (!exchange.claimWorker()) {
      return; // cancelled or timed out before it started
    }
    try {
      c.send(jdkRequest, exchange);
    } catch (InterruptedException e) {
      exchange.fail(new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND, "exchange cancelled", e));
    } catch (IOException | RuntimeException e) {
      Throwable own = exchange.failure;
      exchange.fail(own != null ? own : classify(e, request));
    } finally {
      exchange.releaseWorker();
    }
  }

  private static java.net.http.HttpRequest toJdk(HttpRequest request) {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(request.uri())
        .timeout(request.timeout())
        .method(request.method(), request.bodyLength() == 0
            ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofByteArray(request.bodyBytes()));
    List<Map.Entry<String, String>> headers = request.headers();
    for (int i = 0, n = headers.size(); i < n; i++) {
      Map.Entry<String, String> h = headers.get(i);
      if (!restricted(h.getKey())) {
        b.header(h.getKey(), h.getValue());
      }
    }
    return b.build();
  }

  /** Whether java.net.http sets this header itself (case-insensitive, without allocating). */
  private static boolean restricted(String name) {
    if (name.isEmpty()) {
      return false;
    }
    switch (name.charAt(0)) { // every restricted name starts with one of these
      case 'c': case 'C': case 'e': case 'E': case 'h': case 'H': case 'u': case 'U':
        break;
      default:
        return false;
    }
    for (String r : RESTRICTED) {
      if (r.length() == name.length() && r.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Maps a java.net.http failure onto how far the exchange got. */
  static IOException classify(Throwable error, HttpRequest request) {
    String host = request.uri().getHost();
    if (error instanceof HttpTransportException) {
      return (HttpTransportException) error;
    }
    if (error instanceof HttpConnectTimeoutException) {
      return new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT,
          "could not connect to " + host + " within the connect timeout", error);
    }
    if (error instanceof HttpTimeoutException) {
      return new HttpTransportException(HttpTransportException.Kind.RESPONSE_TIMEOUT,
          "no answer within " + request.timeout().toMillis() + " ms from " + host, error);
    }
    if (error instanceof ConnectException || error instanceof UnknownHostException
        || error instanceof NoRouteToHostException) {
      return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
          "could not connect to " + host + ": " + error, error);
    }
    if (error instanceof SSLHandshakeException) {
      return new HttpTransportException(HttpTransportException.Kind.TLS_FAILED,
          "TLS handshake with " + host + " failed: " + error.getMessage(), error);
    }
    if (error instanceof IOException) {
      return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
          "exchange with " + host + " failed: " + error, error);
    }
    return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
        "exchange with " + host + " failed unexpectedly: " + error, error);
  }

  /**
   * Stops the worker and watchdog threads (exchanges still running on workers are aborted) and releases the
   * HTTP client: closes it on Java 21+, where {@code HttpClient} is {@link AutoCloseable}, and drops the
   * reference to it on every JDK. Later requests fail without being sent. Idempotent.
   */
  @Override
  public void close() {
    workers.shutdownNow();
    watchdog.close();
    Object c = client;
    client = null;
    if (c instanceof AutoCloseable) {
      try {
        ((AutoCloseable) c).close();
      } catch (Exception ignored) {
        // best effort: nothing useful to report on close
      }
    }
  }

  @Override
  public String toString() {
    return "JdkHttpTransport";
  }

  /**
   * One exchange: the body handler java.net.http asks for a subscriber, and the future the SDK waits on.
   * Completes with the answer when the body ends (or reaches the limit) and with the classified failure
   * when the exchange fails or its time is up. Cancelling it aborts the exchange.
   */
  @RequiresJavaNetHttp
  private static final class Exchange extends CompletableFuture<HttpResponse>
      implements java.net.http.HttpResponse.BodyHandler<Void> {
    private final HttpRequest request;
    private final Watchdog watchdog;
    private volatile Watchdog.Timeout timeout;
    private volatile BoundedBody body;
    /** Why the exchange failed, once it has. */
    volatile Throwable failure;
    /** The pooled thread blocked in send() for this exchange; guarded by this. */
    private Thread worker;

    Exchange(HttpRequest request, Watchdog watchdog) {
      this.request = request;
      this.watchdog = watchdog;
    }

    void arm() {
      try {
        timeout = watchdog.arm(request.timeout().toNanos(), this::expire);
      } catch (RejectedExecutionException closed) {
        // the transport is closed: java.net.http's own timeout still bounds the wait for the headers
      }
    }

    void disarm() {
      Watchdog.Timeout t = timeout;
      if (t != null) {
        t.cancel(false);
      }
    }

    private HttpTransportException timeoutException() {
      return new HttpTransportException(HttpTransportException.Kind.RESPONSE_TIMEOUT, "no complete answer within "
          + request.timeout().toMillis() + " ms from " + request.uri().getHost(), null);
    }

    /** The watchdog's task: the time is up. */
    private void expire() {
      if (isDone()) {
        return;
      }
      fail(timeoutException());
      abort(new HttpTimeoutException("no complete answer within " + request.timeout().toMillis() + " ms"));
      interruptWorker(); // a pooled worker only (never the caller of execute()): free it
    }

    private void abort(Throwable why) {
      BoundedBody b = body;
      if (b != null) {
        b.abort(why);
      }
    }

    @Override
    public java.net.http.HttpResponse.BodySubscriber<Void> apply(java.net.http.HttpResponse.ResponseInfo info) {
      BoundedBody b = new BoundedBody(this, info, request.maxResponseBytes());
      body = b;
      if (isDone()) { // timed out or cancelled while waiting for the headers
        b.abort(new HttpTimeoutException("exchange ended before the body"));
      }
      return b;
    }

    void succeed(HttpResponse response) {
      disarm();
      complete(response);
    }

    void fail(Throwable error) {
      disarm();
      if (!isDone()) {
        failure = error;
      }
      completeExceptionally(error);
    }

    /** The worker starts: false when the exchange already ended (nothing is sent then). */
    synchronized boolean claimWorker() {
      if (isDone()) {
        return false;
      }
      worker = Thread.currentThread();
      return true;
    }

    /** The worker is done with this exchange: from here on it is never interrupted on its behalf. */
    void releaseWorker() {
      synchronized (this) {
        worker = null;
      }
      Thread.interrupted(); // an interrupt that arrived after send() returned belongs to no one
    }

    /** Interrupts the worker blocked in send(), which makes java.net.http (16+) abort the exchange. */
    private synchronized void interruptWorker() {
      if (worker != null) {
        worker.interrupt();
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      disarm();
      abort(new CancellationException("exchange cancelled"));
      interruptWorker();
      return cancelled;
    }
  }

  /**
   * Collects at most {@code limit} bytes and completes the exchange with the answer; past the limit it
   * cancels the stream (the connection is not reused).
   */
  @RequiresJavaNetHttp
  private static final class BoundedBody implements java.net.http.HttpResponse.BodySubscriber<Void> {
    private final Exchange exchange;
    private final java.net.http.HttpResponse.ResponseInfo info;
    private final long limit;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>(4);
    private long size;
    private volatile Flow.Subscription subscription;
    private volatile boolean aborted;

    BoundedBody(Exchange exchange, java.net.http.HttpResponse.ResponseInfo info, long limit) {
      this.exchange = exchange;
      this.info = info;
      this.limit = limit;
    }

    @Override
    public CompletionStage<Void> getBody() {
      return done;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      if (aborted) {
        s.cancel();
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    /** Stops reading and fails the body (the send unblocks with {@code why}); safe from any thread. */
    void abort(Throwable why) {
      aborted = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      done.completeExceptionally(why);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (done.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        int n = b.remaining();
        if (size + n > limit) {
          int keep = (int) (limit - size);
          ByteBuffer head = b.duplicate();
          head.limit(head.position() + keep);
          parts.add(head);
          size += keep;
          subscription.cancel();
          finish(true);
          return;
        }
        parts.add(b);
        size += n;
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      finish(false);
    }

    private void finish(boolean truncated) {
      if (done.isDone()) {
        return;
      }
      HttpResponse response;
      try {
        response = HttpResponse.of(info.statusCode(), info.headers().map(), join(), truncated);
      } catch (RuntimeException e) {
        HttpTransportException unusable = new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
            "unusable answer: " + e.getMessage(), e);
        done.completeExceptionally(unusable);
        exchange.fail(unusable);
        return;
      }
      // the exchange first: a synchronous send() returns as soon as done completes
      exchange.succeed(response);
      done.complete(null);
    }

    private byte[] join() {
      byte[] out = new byte[(int) size];
      int pos = 0;
      for (ByteBuffer b : parts) {
        int n = b.remaining();
        b.get(out, pos, n);
        pos += n;
      }
      parts.clear();
      return out;
    }
  }
}
