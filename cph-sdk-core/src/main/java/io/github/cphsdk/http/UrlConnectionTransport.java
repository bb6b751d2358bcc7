package io.github.cphsdk.http;

import io.github.cphsdk.internal.Watchdog;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * A transport on {@link HttpURLConnection}, which exists everywhere Java runs, including Android (API level
 * 26 and newer). Use it when you want the platform's HTTP stack, or a {@link Proxy}, an {@link SSLSocketFactory}
 * or a {@code HostnameVerifier} of your own. It is the default where {@code java.net.http} is absent (Android);
 * on the JVM the default {@link JdkHttpTransport} is faster (see Latency).
 *
 * <pre>{@code
 * CloudPhoneClient client = CloudPhoneClient.builder()
 *     .region("cn-north-4")
 *     .projectId(projectId)
 *     .credentials(credentials)
 *     .transport(new UrlConnectionTransport())
 *     .build();
 *
 * UrlConnectionTransport custom = UrlConnectionTransport.builder()
 *     .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("proxy.example.com", 3128)))
 *     .sslSocketFactory(mySslContext.getSocketFactory())
 *     .build();
 * }</pre>
 *
 * <p>How it sends: the request's method, URI, headers and body, with a fixed {@code Content-Length}
 * (streaming mode, so the body is never chunked and {@code HttpURLConnection} never resends it on its own),
 * without following redirects and without caches. {@code Host} and {@code Content-Length} are derived by
 * {@code HttpURLConnection} itself (it refuses to take them from callers): the {@code Host} it sends is the
 * URI's authority without a default port, which is what the AK/SK signature covers. A request without an
 * {@code Accept} header is sent with {@code Accept: *}{@code /*} instead of {@code HttpURLConnection}'s
 * default. GET and HEAD requests carry no body; for those the JDK's {@code HttpURLConnection} may itself
 * resend the request once on a stale keep-alive connection, which is harmless for reads.
 *
 * <p>Latency: before the JDK's {@code HttpURLConnection} sends a POST in streaming mode on a kept-alive
 * connection, it reads from that idle connection with a 1 ms timeout, to learn whether the server has closed
 * it (it will not resend such a POST, so it checks first). Every POST but the first on a connection waits for
 * that read to time out. This transport keeps the check, because without it a POST on a connection the server
 * has closed fails after it was sent; over a network the millisecond adds to each round trip. Prefer the
 * default transport when latency matters (figures: {@code docs/PERFORMANCE.md}, "UrlConnectionTransport").
 * PUT and DELETE are not checked by the JDK: on a kept-alive connection the server has already closed they
 * fail with {@link HttpTransportException.Kind#FAILED_AFTER_SEND}, never resent. The JDK sets {@code TCP_NODELAY} on
 * every connection it opens (http and https), so the request head and body, which it writes separately, are
 * not held back by Nagle's algorithm.
 *
 * <p>Timeouts: connecting (TCP, a proxy tunnel and the TLS handshake together) may take
 * {@link HttpRequest#connectTimeout()} (at most {@link HttpRequest#timeout()}); the answer must be complete
 * within {@link HttpRequest#timeout()} of the start. {@code HttpURLConnection}'s own timeouts cannot promise
 * that (its connect timeout covers the TCP connect only, and its read timeout starts again with every byte), so
 * a watchdog thread of this transport disconnects an exchange whose connect limit or deadline passed while it
 * connects, sends or waits for the status line and headers: synchronous and asynchronous exchanges alike fail
 * then with {@link HttpTransportException.Kind#CONNECT_TIMEOUT} (not connected yet: nothing was sent) or
 * {@link HttpTransportException.Kind#RESPONSE_TIMEOUT}. While the body is read, the deadline is checked
 * between reads (disconnecting then would wait for the read in progress), so a body that trickles is cut off
 * at the deadline; one that stalls completely is cut off by the socket read timeout, which
 * {@code HttpURLConnection} fixes when it connects (so such an exchange may last up to one further read
 * timeout past the deadline).
 *
 * <p>Answers: at most {@link HttpRequest#maxResponseBytes()} bytes are kept (the answer is then marked
 * {@linkplain HttpResponse#bodyTruncated() truncated} and the exchange disconnects rather than leave the rest
 * on the connection; the JDK may still drain a short remainder in the background before it reuses the
 * socket); error answers (4xx, 5xx) are read from the error stream like any other. Bodies are read to their
 * end and closed, so the connection stays alive for the next request to the same host, except after an
 * answer whose framing is suspect: a {@code 204} or {@code 304} (bytes after it would be read as the next
 * answer), an answer with both {@code Content-Length} and {@code Transfer-Encoding}, a failed exchange. A
 * {@code Content-Length} that is not one number (such as {@code 197, 5}) fails at once with
 * {@link HttpTransportException.Kind#FAILED_AFTER_SEND} instead of a read until the deadline. Interim answers
 * ({@code 102}, {@code 103}) are skipped by the {@code HttpURLConnection} of newer Java releases (checked: 25);
 * older ones (checked: 17.0.15) take them for the final answer, and this transport then fails at once with
 * {@link HttpTransportException.Kind#FAILED_AFTER_SEND}, saying so (the final answer cannot be read there:
 * use {@link JdkHttpTransport}). On the JDK (not on
 * Android), a {@code 401} or {@code 407} answer to a request sent in streaming mode (every method but GET and
 * HEAD) comes back with its status and headers but without its body, which {@code HttpURLConnection} drops.
 * Methods other than GET, POST, HEAD, OPTIONS, PUT, DELETE and TRACE are refused with an
 * {@link IllegalArgumentException}.
 *
 * <p>Asynchronous calls run the same blocking exchange on an executor: the one given to the builder (never
 * shut down by this transport), else a small pool of daemon threads this transport creates on first use
 * and stops on {@link #close()}. Cancelling the future of {@link #executeAsync} disconnects the exchange in
 * flight. Thread-safe.
 */
public final class UrlConnectionTransport implements HttpTransport {
  private static final int MAX_ASYNC_THREADS = 8;
  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

  final SSLSocketFactory sslSocketFactory;
  final HostnameVerifier hostnameVerifier;
  final Proxy proxy;
  private final Executor userExecutor;
  final LongSupplier nanoTime;
  private final int number = POOL_NUMBER.incrementAndGet();
  private final String threadPrefix = "cph-sdk-urlconnection-" + number + "-";
  /**
   * Disconnects exchanges whose connect limit or deadline passed: one daemon thread, started by the first
   * exchange, ended after 30 s without exchanges and on {@link #close()}.
   */
  final Watchdog watchdog = new Watchdog("cph-sdk-urlconnection-timeouts-" + number);

  private final Object lock = new Object();
  private ThreadPoolExecutor ownedExecutor; // guarded by lock; created on first async call
  private boolean closed; // guarded by lock
  private final Set<UrlConnectionExchange> inFlight = ConcurrentHashMap.newKeySet();

  /** A transport with the JDK's (or Android's) default proxy selection and TLS settings. */
  public UrlConnectionTransport() {
    this(new Builder(), System::nanoTime);
  }

  private UrlConnectionTransport(Builder b, LongSupplier nanoTime) {
    this.sslSocketFactory = b.sslSocketFactory;
    this.hostnameVerifier = b.hostnameVerifier;
    this.proxy = b.proxy;
    this.userExecutor = b.executor;
    this.nanoTime = nanoTime;
  }

  /** For tests: a transport that reads time from {@code nanoTime}. */
  static UrlConnectionTransport withClock(Builder b, LongSupplier nanoTime) {
    return new UrlConnectionTransport(b, nanoTime);
  }

  /**
   * Starts a transport with a proxy, TLS settings or an executor of your own.
   *
   * @return a new builder with the defaults of {@link #UrlConnectionTransport()}
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public HttpResponse execute(HttpRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    ensureOpen();
    return new UrlConnectionExchange(this, request, nanoTime.getAsLong()).run();
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    UrlConnectionExchange exchange = new UrlConnectionExchange(this, request, nanoTime.getAsLong());
    CompletableFuture<HttpResponse> future = new CompletableFuture<HttpResponse>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        exchange.abort("the call was cancelled");
        return cancelled;
      }
    };
    Executor executor = executor();
    exchange.future = future;
    inFlight.add(exchange);
    try {
      executor.execute(() -> {
        try {
          if (!future.isDone()) {
            future.complete(exchange.run());
          }
        } catch (Throwable t) {
          future.completeExceptionally(t);
        } finally {
          inFlight.remove(exchange);
        }
      });
    } catch (RejectedExecutionException e) {
      inFlight.remove(exchange);
      future.completeExceptionally(e);
    }
    return future;
  }

  /**
   * Stops the threads this transport created (in-flight asynchronous exchanges are disconnected and their
   * futures fail). An executor given to the builder is left running. Idle keep-alive connections belong to
   * the JDK's (or Android's) shared connection cache, which closes them after its idle timeout. Later calls
   * fail with {@link IllegalStateException}.
   */
  @Override
  public void close() {
    ThreadPoolExecutor executor;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      executor = ownedExecutor;
    }
    for (UrlConnectionExchange exchange : inFlight) {
      exchange.abort("the transport was closed");
      if (exchange.future != null) {
        exchange.future.completeExceptionally(exchange.abortedFailure());
      }
    }
    if (executor != null) {
      executor.shutdownNow();
    }
    watchdog.close();
  }

  @Override
  public String toString() {
    return "UrlConnectionTransport" + (proxy != null ? "{proxy=" + proxy + '}' : "");
  }

  private void ensureOpen() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("this UrlConnectionTransport is closed");
      }
    }
  }

  private Executor executor() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("this UrlConnectionTransport is closed");
      }
      if (userExecutor != null) {
        return userExecutor;
      }
      if (ownedExecutor == null) {
        ownedExecutor = WorkerThreads.newPool(MAX_ASYNC_THREADS, threadPrefix); // no thread stays once idle
      }
      return ownedExecutor;
    }
  }

  /** The names of the threads of this transport's own pool start with this. For tests. */
  String threadPrefix() {
    return threadPrefix;
  }

  /**
   * Options for an {@link UrlConnectionTransport}. Everything is optional.
   *
   * <pre>{@code
   * UrlConnectionTransport transport = UrlConnectionTransport.builder()
   *     .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("proxy.example.com", 3128)))
   *     .executor(myExecutor)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private SSLSocketFactory sslSocketFactory;
    private HostnameVerifier hostnameVerifier;
    private Proxy proxy;
    private Executor executor;

    private Builder() {}

    /**
     * The TLS socket factory for https, e.g. from an {@code SSLContext} that trusts a private CA. Default: the
     * platform's ({@link HttpsURLConnection#getDefaultSSLSocketFactory()}).
     *
     * @param factory the factory to use for every https connection
     * @return this builder
     */
    public Builder sslSocketFactory(SSLSocketFactory factory) {
      this.sslSocketFactory = Objects.requireNonNull(factory, "sslSocketFactory");
      return this;
    }

    /**
     * How https host names are checked against the server's certificate. Default: the platform's strict
     * check. Only replace it with a verifier that still checks something.
     *
     * @param verifier the verifier to use for every https connection
     * @return this builder
     */
    public Builder hostnameVerifier(HostnameVerifier verifier) {
      this.hostnameVerifier = Objects.requireNonNull(verifier, "hostnameVerifier");
      return this;
    }

    /**
     * The proxy every request goes through ({@link Proxy#NO_PROXY} for a direct connection). Default: the
     * platform's proxy selection ({@code http.proxyHost}, {@code https.proxyHost}, system settings).
     *
     * @param proxy the proxy to use
     * @return this builder
     */
    public Builder proxy(Proxy proxy) {
      this.proxy = Objects.requireNonNull(proxy, "proxy");
      return this;
    }

    /**
     * Where asynchronous exchanges run (each blocks its thread for the whole exchange). The transport never
     * shuts this executor down. Default: up to 8 daemon threads the transport creates when first needed and
     * stops on {@link UrlConnectionTransport#close()}.
     *
     * @param executor the executor to run asynchronous exchanges on
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the transport.
     *
     * @return a new transport with these options
     */
    public UrlConnectionTransport build() {
      return new UrlConnectionTransport(this, System::nanoTime);
    }
  }
}
