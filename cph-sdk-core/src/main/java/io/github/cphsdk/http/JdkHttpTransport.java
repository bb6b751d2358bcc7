// Over 500 lines on purpose: ArchitectureTest lets only JdkHttpTransport and its nested classes touch java.net.http.
package io.github.cphsdk.http;

import io.github.cphsdk.internal.ExchangeProgress;
import io.github.cphsdk.internal.JdkRetrySwitch;
import io.github.cphsdk.internal.Watchdog;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * The default transport on the JVM: the JDK's {@code java.net.http.HttpClient}. HTTP/2 where the server offers
 * it over TLS (ALPN), HTTP/1.1 otherwise and always on plain {@code http://}; redirects never followed; TLS with
 * the JDK's default trust unless an {@link SSLContext} is given; proxies from {@link ProxySelector#getDefault()}
 * (so {@code -Dhttps.proxyHost} and friends) unless one is given, with proxy authentication through an
 * {@link Authenticator} given to the builder. The environment variables {@code https_proxy}/{@code HTTPS_PROXY}
 * are <em>not</em> read (the JDK does not read them either): pass a proxy selector or the system properties.
 *
 * <pre>{@code
 * HttpTransport transport = new JdkHttpTransport();             // 10 s connect timeout
 * HttpTransport custom = JdkHttpTransport.builder()
 *     .connectTimeout(Duration.ofSeconds(3))
 *     .sslContext(mySslContext)
 *     .proxy(ProxySelector.of(new InetSocketAddress("proxy.example.com", 3128)))
 *     .proxyAuthenticator(myAuthenticator)
 *     .httpVersion(HttpVersion.HTTP_1_1)
 *     .build();
 * }</pre>
 *
 * <p>Asynchronous exchanges use {@code HttpClient.sendAsync}: no thread waits for an answer. The JDK's work
 * and the completion of the returned futures run on a small executor (by default {@value #THREADS} daemon
 * threads named {@code cph-sdk-http-N}, owned by the transport), never on the JDK's selector thread. On
 * machines with one or two cores the JDK itself hands the end of every {@code sendAsync} to a short-lived
 * thread of the common pool's stand-in (a JDK detail, {@code CompletableFuture}'s default executor).
 *
 * <p>Never resent on its own: java.net.http resends a request by itself only when nothing of it was processed
 * (a refused connection; on JDK 21+ an HTTP/2 stream the server refused), or a GET/HEAD on a pooled connection
 * found closed. If the JVM runs with {@code -Djdk.httpclient.enableAllMethodRetry=true} it would also resend a
 * POST or DELETE on such a connection: then this transport refuses every request other than GET and HEAD with
 * {@link HttpTransportException.Kind#CONNECT_FAILED} (nothing was sent); the client's default transport picks
 * {@link UrlConnectionTransport} instead in such a JVM.
 *
 * <p>On HTTP/2 a stream the server refused with REFUSED_STREAM was not processed (RFC 9113 8.7): it fails
 * with {@link HttpTransportException.Kind#CONNECT_FAILED}, so the client's retry policy may send it again (JDK 21+
 * already resends such a stream once itself, also a stream above the last id of a GOAWAY). Every other failure
 * after the request body was handed to the JDK stays "may have been sent".
 *
 * <p>A GET, HEAD or DELETE without a body is sent without a {@code Content-Length} header on JDK 19 and newer;
 * the JDK 17 client itself adds {@code Content-Length: 0} to them (JDK-8283544, fixed in 19).
 *
 * <p>This is the only class of the SDK that touches {@code java.net.http}; nothing in the SDK loads it where
 * that module is missing (Android), where the client's default is {@link UrlConnectionTransport}.
 *
 * <p>{@link #close()} fails the exchanges in flight and releases the HTTP client as far as the JDK allows: on
 * Java 21 and newer with {@code HttpClient.shutdownNow()} (its selector thread and connections end at once);
 * on older JDKs the client has no way to be closed, so the transport drops every reference to it and its
 * daemon selector thread and idle connections end only when the garbage collector collects it, which may be
 * long after {@code close()} (tens of seconds; figures: {@code docs/PERFORMANCE.md}, "JdkHttpTransport").
 */
@RequiresJavaNetHttp
public final class JdkHttpTransport implements HttpTransport {
  /** Headers java.net.http sets itself and refuses to take from callers. */
  private static final String[] RESTRICTED = {"host", "content-length", "connection", "expect", "upgrade"};

  /** How java.net.http (17 to 25) reports an HTTP/2 stream reset with REFUSED_STREAM. */
  private static final String REFUSED_STREAM = "Received RST_STREAM: Stream not processed";

  /** Threads of the executor a transport owns (when it was given none). */
  static final int THREADS = 4;

  /** {@code HttpClient.shutdownNow()} on Java 21+, else {@code null}; looked up once (compiled for 11). */
  private static final MethodHandle SHUTDOWN_NOW = shutdownNowHandle();

  /** Set while a task of the transport's executor runs: completions there need no hand-off. */
  private static final ThreadLocal<Boolean> ON_EXECUTOR = new ThreadLocal<>();

  /** {@code null} once closed, so that on JDK 17 the HttpClient (and its selector thread) can be collected. */
  private volatile HttpClient client;
  private final Watchdog watchdog = new Watchdog("cph-sdk-http-timeouts");
  /** The executor the transport created, shut down on close; {@code null} when the caller gave one. */
  private final ThreadPoolExecutor ownExecutor;
  /** The executor given to the HttpClient, which marks its threads. */
  private final Executor executor;
  /** Exchanges not finished yet: close() fails them. */
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  private final HttpVersion version;
  private final boolean proxyAuthentication;
  /**
   * The HttpClient's connect timeout, which java.net.http applies to the connection and its TLS handshake. A
   * request whose {@link HttpRequest#connectTimeout()} is shorter gets its own connect limit (see
   * {@link Exchange#connectExpired}).
   */
  private final long clientConnectTimeoutNanos;
  /** Builds the HttpClient, and a fresh one when {@link #retire} drops a client whose connection is in doubt. */
  private final HttpClient.Builder clientBuilder;
  /** Counts the clients {@link #retire} replaced; read with {@link #client}, written under the builder's lock. */
  private volatile int generation;

  /** A transport with a 10-second connect timeout, the JDK's default TLS settings and proxy selector. */
  public JdkHttpTransport() {
    this(builder());
  }

  /**
   * A transport with the given connect timeout and TLS context.
   *
   * @param connectTimeout how long establishing a connection may take; positive
   * @param sslContext the trust and key material for https, or {@code null} for the JDK default
   */
  public JdkHttpTransport(Duration connectTimeout, SSLContext sslContext) {
    this(builder().connectTimeout(connectTimeout).sslContextOrDefault(sslContext));
  }

  private JdkHttpTransport(Builder b) {
    this.version = b.version;
    this.proxyAuthentication = b.authenticator != null;
    this.clientConnectTimeoutNanos = b.connectTimeout.toNanos();
    Executor base;
    if (b.executor != null) {
      ownExecutor = null;
      base = b.executor;
    } else {
      ownExecutor = WorkerThreads.newPool(THREADS, "cph-sdk-http-");
      base = ownExecutor;
    }
    this.executor = task -> base.execute(() -> {
      ON_EXECUTOR.set(Boolean.TRUE);
      try {
        task.run();
      } finally {
        ON_EXECUTOR.remove();
      }
    });
    HttpClient.Builder hb = HttpClient.newBuilder()
        .version(b.version == HttpVersion.HTTP_2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(b.connectTimeout)
        .executor(executor);
    if (b.sslContext != null) {
      hb.sslContext(b.sslContext);
    }
    if (b.proxy != null) {
      hb.proxy(b.proxy);
    }
    if (b.authenticator != null) {
      hb.authenticator(new ProxyOnlyAuthenticator(b.authenticator));
    }
    this.clientBuilder = hb;
    this.client = hb.build();
  }

  /**
   * Moves new exchanges to a fresh HttpClient after an answer that must not have a body (204, 304) came on
   * {@code used}: bytes a server sends after such an answer would be read by java.net.http as the next answer
   * on that kept-alive connection, which the SDK cannot take out of the JDK's pool. The old client is dropped,
   * not closed (its other exchanges finish), and ends with its connections once it is unreachable. No answer of
   * the CPH API is a 204 or 304, so this happens only with a proxy or server that misbehaves.
   */
  private void retire(int used) {
    synchronized (clientBuilder) {
      if (client != null && generation == used) { // not closed, not already retired
        client = clientBuilder.build();
        generation++;
      }
    }
  }

  /**
   * A builder of a transport.
   *
   * @return a builder with the defaults of {@link #JdkHttpTransport()}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Sends on the calling thread with {@code HttpClient.send}. java.net.http's own timeout ends at the response
   * headers, so a watchdog bounds the body too: at {@link HttpRequest#timeout()} after the start it aborts the
   * exchange.
   */
  @Override
  public HttpResponse execute(HttpRequest request) throws IOException {
    HttpClient c = client;
    if (c == null) {
      throw closed(request);
    }
    HttpTransportException refused = refuseIfTheJdkWouldResend(request);
    if (refused != null) {
      throw refused;
    }
    if (needsOwnConnectLimit(request)) {
      // send() cannot be aborted before the answer's head; sendAsync can, when the connect limit passes
      return awaitAnswer(executeAsync(request), request);
    }
    Exchange exchange = new Exchange(request, false, generation);
    java.net.http.HttpRequest jdkRequest = toJdk(request, exchange);
    inFlight.add(exchange);
    exchange.arm(watchdog);
    try {
      exchange.ended(c.send(jdkRequest, exchange), null);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException("interrupted while waiting for " + request.uri().getHost());
      ie.initCause(e);
      throw ie;
    } catch (IOException | RuntimeException e) {
      exchange.ended(null, e);
    } finally {
      inFlight.remove(exchange);
    }
    try {
      return exchange.getNow(null);
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException ? (IOException) cause : classify(cause, request, exchange);
    }
  }

  /**
   * Sends with {@code HttpClient.sendAsync}; no thread waits for the answer. The returned future completes on
   * the transport's executor, never on the JDK's selector thread. Cancelling it aborts the exchange. At
   * {@link HttpRequest#timeout()} the exchange is aborted and the future fails with a timeout classified by
   * how far the exchange got; a late answer is dropped.
   */
  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
    HttpClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(closed(request));
    }
    HttpTransportException refused = refuseIfTheJdkWouldResend(request);
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    Exchange exchange = new Exchange(request, true, generation);
    java.net.http.HttpRequest jdkRequest = toJdk(request, exchange);
    inFlight.add(exchange);
    exchange.whenComplete((r, t) -> inFlight.remove(exchange));
    exchange.arm(watchdog);
    CompletableFuture<java.net.http.HttpResponse<Void>> sent;
    try {
      sent = c.sendAsync(jdkRequest, exchange);
    } catch (RuntimeException e) {
      exchange.fail(classify(e, request, exchange));
      return exchange;
    }
    exchange.sent = sent;
    if (exchange.isDone()) { // timed out or cancelled while starting
      sent.cancel(true);
    }
    sent.whenComplete(exchange::ended);
    return exchange;
  }

  /**
   * Whether the request's connect timeout is shorter than the HttpClient's, which java.net.http would apply
   * instead. Only requests with a body qualify: the JDK's taking of the body is the sign that the connection
   * is ready.
   */
  private boolean needsOwnConnectLimit(HttpRequest request) {
    return request.bodyLength() > 0 && request.connectTimeout().toNanos() < clientConnectTimeoutNanos
        && request.connectTimeout().compareTo(request.timeout()) < 0;
  }

  /** Waits for an asynchronous exchange on the calling thread; an interrupt aborts the exchange. */
  private static HttpResponse awaitAnswer(CompletableFuture<HttpResponse> exchange, HttpRequest request)
      throws IOException {
    try {
      return exchange.get();
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException("interrupted while waiting for " + request.uri().getHost());
      ie.initCause(e);
      throw ie;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      throw new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
          "exchange with " + request.uri().getHost() + " failed unexpectedly: " + cause, cause);
    }
  }

  private static HttpTransportException closed(HttpRequest request) {
    return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
        "the transport is closed; nothing was sent to " + request.uri().getHost(), null);
  }

  /** The JVM-wide switch that would make java.net.http resend this request on its own (see the class doc). */
  private static HttpTransportException refuseIfTheJdkWouldResend(HttpRequest request) {
    if (JdkRetrySwitch.idempotentForTheJdk(request.method()) || !JdkRetrySwitch.resendsAnyMethod()) {
      return null;
    }
    return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED, "refused to send "
        + request.method() + " to " + request.uri().getHost() + " through java.net.http: this JVM runs with "
        + JdkRetrySwitch.PROPERTY + "=true, which makes java.net.http resend it on its own after a dropped"
        + " connection (it might be applied twice). Nothing was sent. Remove the property, or give the client a"
        + " UrlConnectionTransport.", null);
  }

  private java.net.http.HttpRequest toJdk(HttpRequest request, Exchange exchange) {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(request.uri())
        .timeout(request.timeout());
    if (request.bodyLength() > 0) {
      b.method(request.method(), new KnownLengthBody(request.bodyBytes(), exchange));
    } else {
      noBody(b, request.method());
    }
    if (version == HttpVersion.HTTP_2 && !"https".equalsIgnoreCase(request.uri().getScheme())) {
      b.version(HttpClient.Version.HTTP_1_1); // cleartext: no h2c upgrade
    }
    List<Map.Entry<String, String>> headers = request.headers();
    for (int i = 0, n = headers.size(); i < n; i++) {
      Map.Entry<String, String> h = headers.get(i);
      if (!restricted(h.getKey())) {
        b.header(h.getKey(), h.getValue());
      }
    }
    return b.build();
  }

  /** A request without a body: no publisher at all, so that (on JDK 19+) no {@code Content-Length} is sent. */
  private static void noBody(java.net.http.HttpRequest.Builder b, String method) {
    switch (method) {
      case "GET":
        b.GET();
        break;
      case "DELETE":
        b.DELETE();
        break;
      case "HEAD":
        b.method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody());
        break;
      default: // POST, PUT, ...: an empty body says so with Content-Length: 0
        b.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
    }
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
  private IOException classify(Throwable error, HttpRequest request, Exchange exchange) {
    while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
      error = error.getCause();
    }
    Throwable own = exchange.failure;
    if (own instanceof HttpTransportException) {
      return (HttpTransportException) own; // our verdict (time up, unusable answer, closed) comes first
    }
    String host = request.uri().getHost();
    if (error instanceof HttpTransportException) {
      return (HttpTransportException) error;
    }
    // What java.net.http's exceptions prove; the table (ExchangeFailures) decides the kind.
    boolean sent = !(error instanceof HttpConnectTimeoutException) && exchange.requestMayHaveBeenSent();
    // HTTP/2 REFUSED_STREAM: "closed prior to any processing" (RFC 9113 8.7), so the push was not applied.
    // JDK 21+ resends such a stream once itself; this is what is left when that failed too, or on JDK 17.
    boolean refusedStream = error instanceof IOException && REFUSED_STREAM.equals(error.getMessage());
    HttpTransportException.Kind kind = ExchangeFailures.kind(sent, error instanceof HttpTimeoutException,
        error instanceof SSLHandshakeException, ExchangeFailures.neverConnected(error) || refusedStream);
    switch (kind) {
      case CONNECT_TIMEOUT:
        return new HttpTransportException(kind, "could not connect to " + host
            + " (connection, TLS handshake or proxy tunnel) within the time allowed; nothing was sent", error);
      case RESPONSE_TIMEOUT:
        return new HttpTransportException(kind, "no answer within " + request.timeout().toMillis() + " ms from "
            + host, error);
      case TLS_FAILED:
        return ExchangeFailures.tlsFailed(host, error);
      case CONNECT_FAILED:
        if (ExchangeFailures.neverConnected(error)) {
          return ExchangeFailures.couldNotConnect(host, error);
        }
        if (refusedStream) {
          return new HttpTransportException(kind, host + " refused the HTTP/2 stream before processing it"
              + " (REFUSED_STREAM); nothing was applied", error);
        }
        if (error instanceof CancellationException) {
          return new HttpTransportException(kind, "exchange with " + host + " cancelled", error);
        }
        // e.g. a proxy that refused the tunnel ("Tunnel failed, got: 403"), a reset during the handshake
        return new HttpTransportException(kind, "could not reach " + host + " (the connection, TLS handshake or"
            + " proxy tunnel failed before the request was sent; nothing was sent): " + error, error);
      default:
        if (error instanceof CancellationException) {
          return new HttpTransportException(kind, "exchange with " + host + " cancelled", error);
        }
        return new HttpTransportException(kind, "exchange with " + host + " failed"
            + (error instanceof IOException ? "" : " unexpectedly") + ": " + error, error);
    }
  }

  /**
   * Fails the exchanges in flight, stops the watchdog and the transport's own executor, and releases the HTTP
   * client: {@code shutdownNow()} on Java 21+, and on every JDK drops the reference to it (see the class doc
   * for what that means on JDK 17). Later requests fail without being sent. Idempotent.
   */
  @Override
  public void close() {
    HttpClient c;
    synchronized (clientBuilder) {
      c = client;
      client = null;
    }
    for (Exchange e : inFlight) {
      e.closeNow();
    }
    inFlight.clear();
    watchdog.close();
    if (c != null && SHUTDOWN_NOW != null) {
      try {
        SHUTDOWN_NOW.invoke(c);
      } catch (Throwable ignored) {
        // best effort: nothing useful to report on close
      }
    }
    if (ownExecutor != null) {
      ownExecutor.shutdown(); // the JDK falls back to its own pool for whatever it still hands over
    }
  }

  private static MethodHandle shutdownNowHandle() {
    try {
      return MethodHandles.publicLookup().findVirtual(HttpClient.class, "shutdownNow", MethodType.methodType(void.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // before Java 21
    }
  }

  @Override
  public String toString() {
    return "JdkHttpTransport(" + version + (proxyAuthentication ? ", proxy authentication" : "") + ")";
  }

  private static HttpTransportException proxyRefused(HttpRequest request) {
    return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED, "the proxy refused to connect to "
        + request.uri().getHost() + ": 407 Proxy Authentication Required; nothing was sent to the service. Give the"
        + " client a proxyAuthenticator (Basic authentication of https tunnels also needs"
        + " -Djdk.http.auth.tunneling.disabledSchemes= set to a list without Basic)", null);
  }

  /**
   * Lets java.net.http ask the user's authenticator for proxy credentials only, never for the service's. (Its
   * delegation method is Java 9+, not Android's: like the rest of this class, it never runs there.)
   */
  @RequiresJavaNetHttp
  private static final class ProxyOnlyAuthenticator extends Authenticator {
    private final Authenticator delegate;

    ProxyOnlyAuthenticator(Authenticator delegate) {
      this.delegate = delegate;
    }

    @Override
    protected PasswordAuthentication getPasswordAuthentication() {
      if (getRequestorType() != RequestorType.PROXY) {
        return null; // a 401 of the service is an answer, never a reason to resend a push
      }
      return delegate.requestPasswordAuthenticationInstance(getRequestingHost(), getRequestingSite(),
          getRequestingPort(), getRequestingProtocol(), getRequestingPrompt(), getRequestingScheme(),
          getRequestingURL(), getRequestorType());
    }
  }

  /**
   * The request body with its length known up front (so never chunked); tells the exchange when java.net.http
   * starts taking it, which happens only once the connection, TLS handshake and proxy tunnel are ready.
   */
  @RequiresJavaNetHttp
  private static final class KnownLengthBody implements java.net.http.HttpRequest.BodyPublisher {
    private final byte[] body;
    private final Exchange exchange;

    KnownLengthBody(byte[] body, Exchange exchange) {
      this.body = body;
      this.exchange = exchange;
    }

    @Override
    public long contentLength() {
      return body.length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      exchange.bodyStarted = true;
      exchange.connected();
      subscriber.onSubscribe(new Flow.Subscription() {
        private boolean done;

        @Override
        public synchronized void request(long n) {
          if (done) {
            return;
          }
          done = true;
          if (n <= 0) {
            subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
            return;
          }
          subscriber.onNext(ByteBuffer.wrap(body).asReadOnlyBuffer());
          subscriber.onComplete();
        }

        @Override
        public synchronized void cancel() {
          done = true;
        }
      });
    }
  }

  /**
   * One exchange: the body handler java.net.http asks for a subscriber, and the future the SDK waits on.
   * Completes with the answer when the body ends (or reaches the limit) and with the classified failure
   * when the exchange fails or its time is up. Cancelling it aborts the exchange.
   */
  @RequiresJavaNetHttp
  private final class Exchange extends CompletableFuture<HttpResponse>
      implements java.net.http.HttpResponse.BodyHandler<Void>, ExchangeProgress {
    private final HttpRequest request;
    /**
     * Which HttpClient of the transport this exchange runs on (see {@link #retire}); a number, not the client:
     * java.net.http may hold this exchange after it ended (a connection it keeps open), and a reference to the
     * client from here would keep the client and, on JDK 17, its selector thread alive.
     */
    private final int generation;
    /** Whether the future completes off the JDK's threads (async) or wakes the caller of send() (sync). */
    private final boolean async;
    private volatile Watchdog.Timeout timeout;
    /**
     * The request's own connect limit, when it is shorter than the HttpClient's (which java.net.http applies to
     * the connection and the TLS handshake): until the JDK takes the request body (connection, proxy tunnel and
     * TLS handshake ready) it ends the exchange at {@link HttpRequest#connectTimeout()}, nothing sent.
     * {@code null} when the client's own limit applies.
     */
    private volatile Watchdog.Timeout connectTimeout;
    private volatile BoundedBody body;
    /** The future of sendAsync, cancelled to abort the exchange; {@code null} for send(). */
    volatile CompletableFuture<?> sent;
    /** Set when java.net.http starts taking the request body: the connection (and tunnel, TLS) was ready. */
    volatile boolean bodyStarted;
    /** Why the exchange failed, once it has. */
    volatile Throwable failure;
    /** Set when the answer is in, before the future completes (which may happen a hand-off later). */
    private volatile boolean answered;

    Exchange(HttpRequest request, boolean async, int generation) {
      this.request = request;
      this.async = async;
      this.generation = generation;
    }

    @Override
    public boolean requestMayHaveBeenSent() {
      // without a body nothing tells when the head went out: assume it may have
      return bodyStarted || request.bodyLength() == 0;
    }

    void arm(Watchdog watchdog) {
      try {
        long deadline = request.timeout().toNanos();
        if (async && needsOwnConnectLimit(request)) {
          connectTimeout = watchdog.arm(request.connectTimeout().toNanos(), this::connectExpired);
          if (bodyStarted) { // the JDK took the body before the timer was set
            connected();
          }
        }
        timeout = watchdog.arm(deadline, this::expire);
      } catch (RejectedExecutionException closed) {
        // the transport is closed: java.net.http's own timeout still bounds the wait for the headers
      }
    }

    /** The JDK takes the request body: the connection is ready, the connect limit no longer applies. */
    void connected() {
      Watchdog.Timeout t = connectTimeout;
      if (t != null) {
        t.cancel(false);
      }
    }

    void disarm() {
      connected();
      Watchdog.Timeout t = timeout;
      if (t != null) {
        t.cancel(false);
      }
    }

    /** The connect limit passed and the JDK has not taken the body yet: nothing was sent. */
    private void connectExpired() {
      if (isDone() || answered || bodyStarted) {
        return;
      }
      long ms = request.connectTimeout().toMillis();
      fail(new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT, "could not connect to "
          + request.uri().getHost() + " (connection, TLS handshake or proxy tunnel) within the connect timeout of "
          + ms + " ms; nothing was sent", null));
      abort(new HttpConnectTimeoutException("not connected within " + ms + " ms"));
    }

    /** The watchdog's task: the time is up. */
    private void expire() {
      if (isDone() || answered) { // an answer in time is being handed over: it wins
        return;
      }
      String host = request.uri().getHost();
      long ms = request.timeout().toMillis();
      fail(requestMayHaveBeenSent()
          ? new HttpTransportException(HttpTransportException.Kind.RESPONSE_TIMEOUT,
              "no complete answer within " + ms + " ms from " + host, null)
          : new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT, "could not connect to " + host
              + " (connection, TLS handshake or proxy tunnel) within " + ms + " ms; nothing was sent", null));
      abort(new HttpTimeoutException("no complete answer within " + ms + " ms"));
    }

    /**
     * java.net.http is done with the exchange: normally the body subscriber has completed it by now. Two
     * answers never reach the subscriber: a proxy's 407 (the JDK hands back a synthetic response), and a 401
     * of the service with {@code WWW-Authenticate} once a proxy authenticator is set (the JDK asks it for the
     * service's credentials, which it declines, and fails with "No credentials provided").
     */
    void ended(java.net.http.HttpResponse<Void> response, Throwable error) {
      if (isDone() || answered) {
        return;
      }
      if (error == null) {
        if (response != null && response.statusCode() == 407) {
          fail(proxyRefused(request));
        } else {
          fail(new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
              "exchange with " + request.uri().getHost() + " ended without an answer", null));
        }
        return;
      }
      Throwable t = error;
      while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
        t = t.getCause();
      }
      if (bodyStarted && t instanceof IOException && "No credentials provided".equals(t.getMessage())) {
        // the service answered 401 and the JDK asked our proxy-only authenticator: that answer is the result
        succeed(HttpResponse.of(401, java.util.Collections.emptyMap(), new byte[0], false));
        return;
      }
      fail(classify(t, request, this));
    }

    /** Ends the exchange now: the transport closes. */
    void closeNow() {
      fail(new HttpTransportException(requestMayHaveBeenSent() ? HttpTransportException.Kind.FAILED_AFTER_SEND
          : HttpTransportException.Kind.CONNECT_FAILED, "the transport was closed during the exchange with "
          + request.uri().getHost(), null));
      abort(new CancellationException("transport closed"));
    }

    private void abort(Throwable why) {
      BoundedBody b = body;
      if (b != null) {
        b.abort(why);
      }
      CompletableFuture<?> s = sent;
      if (s != null) {
        s.cancel(true); // java.net.http (16+) aborts the exchange
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
      answered = true;
      disarm();
      if (response.statusCode() == 204 || response.statusCode() == 304) {
        retire(generation);
      }
      if (!async || ON_EXECUTOR.get() != null) {
        complete(response);
        return;
      }
      try {
        executor.execute(() -> complete(response)); // off the selector thread
      } catch (RejectedExecutionException closed) {
        complete(response);
      }
    }

    void fail(Throwable error) {
      disarm();
      if (!isDone() && failure == null) {
        failure = error;
      }
      completeExceptionally(error);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      disarm();
      abort(new CancellationException("exchange cancelled"));
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
      if (info.statusCode() == 407) { // only a proxy answers so; the request never reached the service
        HttpTransportException refused = proxyRefused(exchange.request);
        exchange.fail(refused);
        done.completeExceptionally(refused);
        return;
      }
      HttpResponse response;
      try {
        response = HttpResponse.of(info.statusCode(), info.headers().map(), join(), truncated);
      } catch (RuntimeException e) {
        HttpTransportException unusable = new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
            "unusable answer: " + e.getMessage(), e);
        exchange.fail(unusable);
        done.completeExceptionally(unusable);
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

  /** Settings of a {@link JdkHttpTransport}. */
  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(10);
    private SSLContext sslContext;
    private HttpVersion version = HttpVersion.HTTP_2;
    private ProxySelector proxy;
    private Authenticator authenticator;
    private Executor executor;

    private Builder() {}

    /**
     * How long establishing a connection may take (default 10 s).
     *
     * @param connectTimeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * The trust (and key) material for https (default: the JDK's).
     *
     * @param sslContext not {@code null}
     * @return this builder
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    Builder sslContextOrDefault(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /**
     * The HTTP version to ask for (default {@link HttpVersion#HTTP_2}: negotiated over TLS, HTTP/1.1 when the
     * server does not offer it; plain http is always HTTP/1.1).
     *
     * @param version not {@code null}
     * @return this builder
     */
    public Builder httpVersion(HttpVersion version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * The proxies to use (default: {@link ProxySelector#getDefault()}, which follows {@code https.proxyHost},
     * {@code https.proxyPort}, {@code http.nonProxyHosts} and, with {@code java.net.useSystemProxies}, the
     * operating system's settings). {@code ProxySelector.of(null)} means no proxy.
     *
     * @param proxy not {@code null}
     * @return this builder
     */
    public Builder proxy(ProxySelector proxy) {
      this.proxy = Objects.requireNonNull(proxy, "proxy");
      return this;
    }

    /**
     * Answers the proxy's authentication requests (407). It is never asked for the service's credentials.
     * The JDK does not offer Basic credentials to an https tunnel unless the JVM runs with
     * {@code -Djdk.http.auth.tunneling.disabledSchemes=} (empty, or a list without {@code Basic}).
     *
     * @param authenticator not {@code null}
     * @return this builder
     */
    public Builder proxyAuthenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * The executor java.net.http runs its work on and the futures complete on (default: {@value #THREADS}
     * daemon threads of the transport's own, stopped on close). An executor given here is never shut down by
     * the transport; it must not run tasks on the calling thread.
     *
     * @param executor not {@code null}
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Creates the transport.
     *
     * @return a new transport
     */
    public JdkHttpTransport build() {
      return new JdkHttpTransport(this);
    }
  }
}
