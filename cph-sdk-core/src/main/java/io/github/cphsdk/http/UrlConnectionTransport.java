package io.github.cphsdk.http;

import io.github.cphsdk.internal.Watchdog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpRetryException;
import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URLConnection;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
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
  /** Headers HttpURLConnection sets itself (or silently drops when a caller sets them). */
  private static final Set<String> SET_BY_CONNECTION = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
      "host", "content-length", "connection", "expect", "upgrade", "transfer-encoding", "keep-alive", "te",
      "trailer")));
  private static final int BUFFER_SIZE = 8192;
  private static final int MAX_ASYNC_THREADS = 8;
  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

  private final SSLSocketFactory sslSocketFactory;
  private final HostnameVerifier hostnameVerifier;
  private final Proxy proxy;
  private final Executor userExecutor;
  private final LongSupplier nanoTime;
  private final int number = POOL_NUMBER.incrementAndGet();
  private final String threadPrefix = "cph-sdk-urlconnection-" + number + "-";
  /**
   * Disconnects exchanges whose connect limit or deadline passed: one daemon thread, started by the first
   * exchange, ended after 30 s without exchanges and on {@link #close()}.
   */
  private final Watchdog watchdog = new Watchdog("cph-sdk-urlconnection-timeouts-" + number);

  private final Object lock = new Object();
  private ThreadPoolExecutor ownedExecutor; // guarded by lock; created on first async call
  private boolean closed; // guarded by lock
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();

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
    return new Exchange(request, nanoTime.getAsLong()).run();
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    Exchange exchange = new Exchange(request, nanoTime.getAsLong());
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
    for (Exchange exchange : inFlight) {
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
        AtomicInteger thread = new AtomicInteger();
        ThreadFactory factory = r -> {
          Thread t = new Thread(r, threadPrefix + thread.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
        ThreadPoolExecutor e = new ThreadPoolExecutor(MAX_ASYNC_THREADS, MAX_ASYNC_THREADS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), factory);
        e.allowCoreThreadTimeOut(true); // no thread stays once the transport is idle
        ownedExecutor = e;
      }
      return ownedExecutor;
    }
  }

  /** The names of the threads of this transport's own pool start with this. For tests. */
  String threadPrefix() {
    return threadPrefix;
  }

  /**
   * One exchange: its connection, how far it got, and whether someone stopped it (the watchdog at the connect
   * limit or the deadline, {@link #close()}, or a cancelled future).
   */
  private final class Exchange {
    private static final int NEW = 0;
    private static final int CONNECTING = 1;
    private static final int SENDING = 2;
    private static final int AWAITING_ANSWER = 3;
    private static final int READING_BODY = 4;
    private static final int DONE = 5;
    /** After the watchdog disconnected a connection that was still connecting, how soon it tries again. */
    private static final long RETRY_DISCONNECT_NANOS = 50_000_000L;

    private final HttpRequest request;
    private final long startNanos;
    private final long deadlineNanos;
    volatile CompletableFuture<HttpResponse> future;
    /** The armed watchdog timeout; only the exchange's own thread arms and cancels it. */
    private Watchdog.Timeout timer;

    private int phase = NEW; // guarded by this
    private String abortReason; // guarded by this
    /** When the watchdog stopped the exchange: the limit that passed, in ms; else -1. Guarded by this. */
    private long timedOutAfterMillis = -1;
    /** Whether the watchdog stopped the exchange before it was connected (TCP and TLS). Guarded by this. */
    private boolean timedOutConnecting;
    private HttpURLConnection connection; // guarded by this

    Exchange(HttpRequest request, long startNanos) {
      this.request = request;
      this.startNanos = startNanos;
      this.deadlineNanos = startNanos + request.timeout().toNanos();
    }

    HttpResponse run() throws IOException {
      String host = request.uri().getHost();
      HttpURLConnection c = open();
      boolean hasBody = sendsBody();
      try {
        // Connect first and on its own, so a failure here is known to have sent nothing.
        enter(CONNECTING, c);
        long left = remainingNanos();
        if (left <= 0) {
          throw new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT,
              "no time left to connect to " + host + " (timeout " + request.timeout().toMillis() + " ms)", null);
        }
        long connectNanos = Math.min(request.connectTimeout().toNanos(), left);
        c.setConnectTimeout(millis(connectNanos));
        c.setReadTimeout(millis(left));
        // HttpURLConnection's connect timeout covers the TCP connect only, and its read timeout restarts with
        // every byte (of a TLS handshake, a status line, headers): the watchdog disconnects at the connect limit
        // (TCP, proxy tunnel and TLS handshake together) and at the deadline.
        boolean separateConnectLimit = connectNanos < left;
        arm(connectNanos, separateConnectLimit ? millis(connectNanos) : request.timeout().toMillis());
        try {
          c.connect();
        } catch (IOException e) {
          throw connectFailure(e);
        }
        if (separateConnectLimit) {
          if (!timer.cancel(false)) {
            throw abortedFailure(); // the connect limit passed just as the connection came up
          }
        }
        left = remainingNanos();
        if (left <= 0) {
          throw new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT,
              "connected to " + host + " but the timeout (" + request.timeout().toMillis()
                  + " ms) passed before anything was sent", null);
        }
        if (separateConnectLimit) {
          arm(left, request.timeout().toMillis());
        }

        enter(SENDING, c);
        if (hasBody) {
          OutputStream out;
          try {
            out = c.getOutputStream();
          } catch (ProtocolException e) {
            // Refused locally before anything was written (some HttpURLConnections refuse a DELETE body).
            c.disconnect();
            throw new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
                "this HttpURLConnection cannot send a body with " + request.method() + ": " + e.getMessage(), e);
          }
          out.write(request.body());
          out.close();
        }

        enter(AWAITING_ANSWER, c);
        int status = responseCode(c);
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        Map<String, List<String>> headers = c.getHeaderFields();
        checkFraming(headers);

        enter(READING_BODY, c);
        return readAnswer(c, status, headers, in);
      } catch (HttpTransportException e) {
        c.disconnect();
        throw aborted() ? abortedFailure() : e;
      } catch (IOException | RuntimeException e) {
        c.disconnect();
        if (aborted()) {
          throw abortedFailure();
        }
        if (phase() <= CONNECTING) {
          if (e instanceof RuntimeException) {
            throw (RuntimeException) e;
          }
          throw connectFailure((IOException) e);
        }
        // Connected: no exception proves now that nothing was sent (the same table as connectFailure).
        HttpTransportException.Kind kind = ExchangeFailures.kind(true, e instanceof SocketTimeoutException, false,
            false);
        if (kind == HttpTransportException.Kind.RESPONSE_TIMEOUT) {
          throw new HttpTransportException(kind,
              "no answer from " + host + " within the timeout (" + request.timeout().toMillis() + " ms)", e);
        }
        throw new HttpTransportException(kind, "exchange with " + host + " failed after connecting: " + e, e);
      } finally {
        if (timer != null) {
          timer.cancel(false);
        }
        finish();
      }
    }

    /** Arms the watchdog to stop the exchange in {@code nanos}, reporting {@code limitMillis} as the limit. */
    private void arm(long nanos, long limitMillis) throws HttpTransportException {
      try {
        timer = watchdog.arm(nanos, () -> expire(limitMillis));
      } catch (RejectedExecutionException e) {
        throw new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
            "this UrlConnectionTransport was closed before " + request.uri().getHost() + " was contacted", e);
      }
    }

    private HttpURLConnection open() throws IOException {
      URLConnection raw;
      try {
        raw = proxy != null ? request.uri().toURL().openConnection(proxy) : request.uri().toURL().openConnection();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot open a connection to " + request.uri() + ": " + e.getMessage(), e);
      }
      if (!(raw instanceof HttpURLConnection)) {
        throw new IllegalArgumentException("not an http or https URI: " + request.uri().getScheme());
      }
      HttpURLConnection c = (HttpURLConnection) raw;
      if (c instanceof HttpsURLConnection) {
        HttpsURLConnection https = (HttpsURLConnection) c;
        if (sslSocketFactory != null) {
          https.setSSLSocketFactory(sslSocketFactory);
        }
        if (hostnameVerifier != null) {
          https.setHostnameVerifier(hostnameVerifier);
        }
      }
      try {
        c.setRequestMethod(request.method());
      } catch (ProtocolException e) {
        throw new IllegalArgumentException("UrlConnectionTransport cannot send the method " + request.method()
            + ": HttpURLConnection supports GET, POST, HEAD, OPTIONS, PUT, DELETE and TRACE", e);
      }
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setDoInput(true);
      boolean accept = false;
      for (Map.Entry<String, String> h : request.headers()) {
        String name = h.getKey().toLowerCase(Locale.ROOT);
        if (!SET_BY_CONNECTION.contains(name)) {
          c.addRequestProperty(h.getKey(), h.getValue());
          accept |= name.equals("accept");
        }
      }
      if (!accept) {
        c.setRequestProperty("Accept", "*/*");
      }
      if (sendsBody()) {
        c.setDoOutput(true);
        // Never chunked; and in streaming mode HttpURLConnection never resends the request on its own.
        c.setFixedLengthStreamingMode(request.bodyLength());
      }
      return c;
    }

    /**
     * Every method but GET and HEAD is sent in streaming mode, with a Content-Length (0 when there is no
     * body): HttpURLConnection would turn a GET with output into a POST.
     */
    private boolean sendsBody() {
      String m = request.method();
      return !m.equals("GET") && !m.equals("HEAD");
    }

    private int responseCode(HttpURLConnection c) throws IOException {
      int status;
      try {
        status = c.getResponseCode();
      } catch (HttpRetryException e) {
        // The JDK in streaming mode: a 401 (or 407) answer arrived, and HttpURLConnection dropped its body.
        return e.responseCode();
      }
      if (status < 100) {
        throw new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
            "invalid HTTP answer from " + request.uri().getHost(), null);
      }
      if (status < 200) {
        // The HttpURLConnection of older Java releases (17) takes an interim answer (102 Processing, 103 Early
        // Hints) for the final one and would read the real answer as its body until the connection closes (a
        // timeout, on a kept-alive connection). The final answer cannot be read through this class there: say so.
        throw new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
            request.uri().getHost() + " sent the interim answer " + status + " (informational), which this "
                + "Java's HttpURLConnection takes for the final answer, so the final answer could not be read "
                + "(newer Java releases skip interim answers, as JdkHttpTransport does)", null);
      }
      return status;
    }

    /**
     * Refuses an answer whose length HttpURLConnection would misread: a {@code Content-Length} that is not one
     * number (such as {@code 197, 5}, or two headers that disagree) makes it read until the connection closes,
     * which on a kept-alive connection ends only at the deadline.
     */
    private void checkFraming(Map<String, List<String>> headers) throws HttpTransportException {
      String length = null;
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey() == null || !h.getKey().equalsIgnoreCase("Content-Length")) {
          continue;
        }
        for (String value : h.getValue()) {
          String v = value == null ? "" : value.trim();
          boolean digits = !v.isEmpty() && v.length() <= 18;
          for (int i = 0; i < v.length() && digits; i++) {
            digits = v.charAt(i) >= '0' && v.charAt(i) <= '9';
          }
          if (!digits || (length != null && !length.equals(v))) {
            throw new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
                "the answer from " + request.uri().getHost() + " has a Content-Length that is not one number (\""
                    + shorten(value) + "\"" + (length != null && digits ? " after \"" + length + "\"" : "")
                    + "), so where it ends cannot be told; it was not read", null);
          }
          length = v;
        }
      }
    }

    private HttpResponse readAnswer(HttpURLConnection c, int status, Map<String, List<String>> headers,
        InputStream in) throws IOException {
      long limit = Math.min(request.maxResponseBytes(), Integer.MAX_VALUE - 8);
      // An answer without a body by its status (204, 304) may still be followed by bytes that HttpURLConnection
      // would read as the next exchange's answer: such connections are not kept. So are those that carried both
      // a Content-Length and a Transfer-Encoding (RFC 9112 section 6.3: close after such an answer).
      boolean keep = status != 204 && status != 304
          && !(has(headers, "Content-Length") && has(headers, "Transfer-Encoding"));
      if (in == null) {
        if (!keep) {
          dropConnection(c, status);
        }
        return HttpResponse.of(status, headers, new byte[0], false);
      }
      // one byte more than the limit is enough to tell that the answer is longer than the limit
      byte[] buffer = new byte[limit >= BUFFER_SIZE ? BUFFER_SIZE : (int) limit + 1];
      byte[] kept = new byte[(int) Math.min(limit, 4096)];
      int size = 0;
      boolean truncated = false;
      while (true) {
        checkDeadline(c);
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
          break;
        }
        int keepBytes = (int) Math.min(n, limit - size);
        if (keepBytes > 0) {
          if (size + keepBytes > kept.length) {
            kept = Arrays.copyOf(kept, (int) Math.min(limit, Math.max(size + keepBytes, 2L * kept.length)));
          }
          System.arraycopy(buffer, 0, kept, size, keepBytes);
          size += keepBytes;
        }
        if (keepBytes < n) {
          truncated = true;
          break;
        }
      }
      // HttpURLConnection reports the end of a body cut short by a closed connection as a normal end of stream;
      // a Content-Length says how much should have come (a valid-looking prefix must not pass as the answer).
      long declared = c.getContentLengthLong();
      if (!truncated && declared > size && status != 204 && status != 304 && !request.method().equals("HEAD")) {
        throw new IOException("the answer from " + request.uri().getHost() + " ended after " + size + " of the "
            + declared + " bytes its Content-Length announced");
      }
      // A failed read throws past this point, and the caller disconnects.
      if (truncated) {
        c.disconnect(); // do not leave a half-read answer on a connection that could be reused
      } else if (!keep) {
        dropConnection(c, status);
      } else {
        in.close(); // read to the end: the connection goes back to the keep-alive cache
      }
      return HttpResponse.of(status, headers, size == kept.length ? kept : Arrays.copyOf(kept, size), truncated);
    }

    /**
     * Keeps a suspect connection from being reused. {@code disconnect()} closes it while the connection still
     * holds it; but for a 204 or 304 HttpURLConnection has already put it back in its keep-alive cache and let
     * go of it, so it is taken out of the cache the only public way: a connection object to the same host that
     * connects (which takes the most recently cached connection to that host, sending nothing) and disconnects
     * (which closes it). Best effort: with other exchanges to the same host returning connections at the same
     * moment it may close one of theirs (idle, so harmless) instead; and when the JDK did not cache the
     * connection, the probe opens a new one and closes it at once.
     */
    private void dropConnection(HttpURLConnection c, int status) {
      c.disconnect();
      if (status != 204 && status != 304) {
        return;
      }
      long left = remainingNanos();
      if (left <= 0) {
        return;
      }
      try {
        URLConnection raw = proxy != null ? request.uri().toURL().openConnection(proxy)
            : request.uri().toURL().openConnection();
        if (raw instanceof HttpsURLConnection) {
          HttpsURLConnection https = (HttpsURLConnection) raw;
          if (sslSocketFactory != null) {
            https.setSSLSocketFactory(sslSocketFactory); // the cache keeps https connections per factory
          }
          if (hostnameVerifier != null) {
            https.setHostnameVerifier(hostnameVerifier);
          }
        }
        HttpURLConnection probe = (HttpURLConnection) raw;
        probe.setUseCaches(false);
        probe.setConnectTimeout(millis(Math.min(left, request.connectTimeout().toNanos())));
        probe.setReadTimeout(1); // a new https connection would fail its handshake at once rather than wait
        probe.connect();
        probe.disconnect();
      } catch (IOException | RuntimeException ignored) {
        // nothing cached, or the host is gone: nothing left to reuse either way
      }
    }

    private void checkDeadline(HttpURLConnection c) throws HttpTransportException {
      if (remainingNanos() <= 0) {
        c.disconnect();
        throw new HttpTransportException(HttpTransportException.Kind.RESPONSE_TIMEOUT,
            "the answer from " + request.uri().getHost() + " was not complete within "
                + request.timeout().toMillis() + " ms", null);
      }
      if (aborted()) {
        throw abortedFailure();
      }
    }

    private long remainingNanos() {
      return deadlineNanos - nanoTime.getAsLong();
    }

    private HttpTransportException connectFailure(IOException e) {
      String host = request.uri().getHost();
      if (aborted()) {
        return abortedFailure();
      }
      // Nothing of the request was written yet; the table (ExchangeFailures) decides the kind.
      HttpTransportException.Kind kind = ExchangeFailures.kind(false, e instanceof SocketTimeoutException,
          e instanceof SSLException, ExchangeFailures.neverConnected(e));
      switch (kind) {
        case CONNECT_TIMEOUT:
          return new HttpTransportException(kind, "could not connect to " + host + " within "
              + Math.min(request.connectTimeout().toMillis(), request.timeout().toMillis()) + " ms", e);
        case TLS_FAILED:
          return ExchangeFailures.tlsFailed(host, e);
        default: // refused, unknown host, or any other failure (a proxy refusing the tunnel, a reset in the handshake)
          return ExchangeFailures.couldNotConnect(host, e);
      }
    }

    /** Moves to the next phase, unless the exchange was aborted meanwhile. */
    private void enter(int next, HttpURLConnection c) throws HttpTransportException {
      synchronized (this) {
        if (abortReason == null) {
          phase = next;
          connection = c;
          return;
        }
      }
      throw abortedFailure();
    }

    private synchronized int phase() {
      return phase;
    }

    private synchronized void finish() {
      phase = DONE;
      connection = null;
    }

    private synchronized boolean aborted() {
      return abortReason != null;
    }

    /**
     * Stops the exchange from another thread without blocking it: before the answer is being read, the
     * connection is disconnected at once (which closes its socket and wakes a blocked connect, handshake or
     * read); while the body is read, the reading thread stops at its next read.
     */
    void abort(String reason) {
      synchronized (this) {
        if (abortReason != null || phase == DONE) {
          return;
        }
        abortReason = reason;
        disconnectUnlessReadingBody();
      }
    }

    /** The watchdog's task: the connect limit or the deadline ({@code limitMillis}) passed. */
    private void expire(long limitMillis) {
      synchronized (this) {
        if (abortReason != null || phase == DONE) {
          return;
        }
        abortReason = "timeout";
        timedOutAfterMillis = limitMillis;
        timedOutConnecting = phase <= CONNECTING;
        disconnectUnlessReadingBody();
      }
      retryDisconnectWhileConnecting();
    }

    /**
     * While the TCP connect runs, HttpURLConnection has no socket to close yet, so a disconnect then does
     * nothing and a TLS handshake could start after it: until the connecting thread notices, disconnect again.
     */
    private void retryDisconnectWhileConnecting() {
      synchronized (this) {
        if (phase != CONNECTING) {
          return;
        }
        disconnectUnlessReadingBody();
      }
      try {
        watchdog.arm(RETRY_DISCONNECT_NANOS, this::retryDisconnectWhileConnecting);
      } catch (RejectedExecutionException closed) {
        // the transport closed: close() aborted this exchange already
      }
    }

    /**
     * Under this exchange's lock. Disconnecting while the body is read would close the body's stream, which
     * waits for the read in progress (HttpURLConnection's streams are locked): the reading thread checks
     * between reads instead, and the socket's read timeout bounds a stall. Once the reading thread holds the
     * lock to enter that phase, no disconnect is under way.
     */
    private void disconnectUnlessReadingBody() {
      HttpURLConnection c = connection;
      if (phase == READING_BODY || phase == NEW || c == null) {
        return;
      }
      try {
        c.disconnect();
      } catch (RuntimeException ignored) {
        // the exchange's own thread reports the failure
      }
    }

    /**
     * The failure a stopped exchange reports: for the watchdog, a timeout of the phase it stopped (connect
     * when not connected yet, so nothing was sent); else whether anything may have been sent by the phase.
     */
    synchronized HttpTransportException abortedFailure() {
      String host = request.uri().getHost();
      if (timedOutAfterMillis >= 0) {
        if (timedOutConnecting) {
          return new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT,
              "could not connect to " + host + " (TCP connect and TLS handshake) within " + timedOutAfterMillis
                  + " ms", null);
        }
        return new HttpTransportException(HttpTransportException.Kind.RESPONSE_TIMEOUT,
            "no complete answer from " + host + " within the timeout (" + timedOutAfterMillis + " ms)", null);
      }
      String reason = abortReason != null ? abortReason : "the exchange was aborted";
      if (phase <= CONNECTING) {
        return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
            reason + " before anything was sent to " + host, null);
      }
      return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND,
          reason + " while exchanging with " + host, null);
    }

    @Override
    public String toString() {
      return "Exchange{" + request + ", started " + startNanos + '}';
    }
  }

  private static boolean has(Map<String, List<String>> headers, String name) {
    for (String key : headers.keySet()) {
      if (key != null && key.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** At most 40 printable ASCII characters of a header value, for a message. */
  private static String shorten(String value) {
    if (value == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && i < 40; i++) {
      char ch = value.charAt(i);
      sb.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
    }
    return value.length() > 40 ? sb + "..." : sb.toString();
  }

  private static int millis(long nanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
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
