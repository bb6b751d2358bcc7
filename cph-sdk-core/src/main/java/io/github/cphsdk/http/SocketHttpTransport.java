package io.github.cphsdk.http;

import io.github.cphsdk.internal.Endpoints;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.Watchdog;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The default transport: HTTP/1.1 on the JDK's blocking sockets ({@link Socket}, {@link SSLSocket}), with a
 * pool of keep-alive connections. A synchronous call makes its exchange on the calling thread: it writes the
 * request in one go and reads the answer itself, with no hand-over to a selector or executor thread. It needs
 * only {@code java.base}, so it runs on every JVM and on Android (API level 26 and newer).
 *
 * <pre>{@code
 * HttpTransport transport = new SocketHttpTransport();
 * HttpTransport custom = SocketHttpTransport.builder()
 *     .sslContext(mySslContext)                                   // default: the JDK's default trust
 *     .proxySelector(ProxySelector.of(new InetSocketAddress("proxy.example.com", 3128)))
 *     .build();
 * }</pre>
 *
 * <p>How it sends: exactly the method, URI, headers and body given, plus {@code Host} (the URI's host, with
 * the port only when it is not the scheme's default: what an AK/SK signature covers) and a fixed
 * {@code Content-Length} (never chunked). Path and query go in the URI's raw (encoded) form; characters
 * beyond ASCII in them go as their UTF-8 percent-escapes, as in {@link URI#toASCIIString()}. It never
 * retries and never follows redirects. TLS checks the server's certificate chain and its host name
 * ({@code SSLParameters} endpoint identification {@code "HTTPS"}) and sends the host name (SNI).
 *
 * <p>Proxies: the {@link ProxySelector} given to the builder, else the JVM's default one (the
 * {@code https.proxyHost}, {@code http.proxyHost}, {@code socksProxyHost} and {@code http.nonProxyHosts}
 * properties), asked once per new connection. HTTPS goes through an HTTP proxy in a {@code CONNECT} tunnel;
 * proxies that ask for authentication ({@code 407}) are not supported (use {@link JdkHttpTransport} with
 * an authenticator instead).
 *
 * <p>Timeouts: connecting (TCP, proxy tunnel and TLS handshake) may take {@link HttpRequest#connectTimeout()};
 * the whole exchange, from the first connection attempt to the last byte of the answer, is bounded by
 * {@link HttpRequest#timeout()}: when it runs out, the socket is closed under the exchange. Host name lookup
 * runs before that, as in every JDK client, and is bounded only by the system's resolver.
 *
 * <p>Answers: at most {@link HttpRequest#maxResponseBytes()} bytes of the body are kept (memory grows with the
 * bytes that arrive, not with the length the server announces); past that the answer is marked
 * {@linkplain HttpResponse#bodyTruncated() truncated} and the connection is closed instead of read on. The
 * answer's head is bounded too (16 KiB per line, 64 KiB and 256 fields in all). Interim (1xx) answers are
 * skipped; bodies are framed by chunked encoding, {@code Content-Length} or the end of the connection. An
 * answer that breaks these rules fails with {@link HttpTransportException.Kind#FAILED_AFTER_SEND}.
 *
 * <p>Connections: an answer read to its end leaves its connection in the pool for the next request to the
 * same scheme, host and port (most recently used first; at most {@value #MAX_IDLE} idle, each for at most
 * 30 s). A connection idle for more than a second is checked before it is reused (a 1 ms read: a server
 * that closed it is noticed then). A request can still meet a connection the server closes at that very
 * moment; the push then fails as "may have been applied", never resent on its own.
 *
 * <p>Asynchronous exchanges run the same blocking exchange on pooled daemon threads (at most
 * {@value #MAX_WORKERS} at once, idle ones end after 30 s); more wait for the first free thread, their
 * timeouts running. Cancelling the future of {@link #executeAsync} closes the exchange's connection.
 * Interrupting a thread blocked in {@link #execute} does not abort the exchange (the JDK's sockets are
 * not interruptible); the request's timeout does. {@link #close()} stops the threads, closes the idle
 * connections and aborts the exchanges in flight, including those still waiting for a thread. Thread-safe.
 */
public final class SocketHttpTransport implements HttpTransport {
  /** The most exchanges run at once on pooled threads (the client's default {@code maxConcurrentRequests}). */
  static final int MAX_WORKERS = 64;
  /** The most idle connections kept. */
  static final int MAX_IDLE = 64;
  private static final long KEEP_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Idle longer than this, a connection is checked before it is reused. */
  private static final long CHECK_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Headers this transport writes itself; the request's own are not sent. */
  private static final String[] SET_BY_TRANSPORT = {"host", "content-length", "connection", "transfer-encoding",
      "expect", "upgrade", "keep-alive", "te", "trailer", "proxy-connection"};

  private final SSLContext sslContext;
  private final ProxySelector proxySelector;
  /** The pool's clock ({@link System#nanoTime()}; a test's own for the idle rules). */
  private final LongSupplier nanoTime;
  private volatile SSLSocketFactory tlsFactory;
  private final Watchdog watchdog = new Watchdog("cph-sdk-http-timeouts");
  private final ThreadPoolExecutor workers;
  /** Idle connections, most recently used first; guarded by itself. */
  private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
  /** Exchanges running, and asynchronous ones waiting for a thread: what {@link #close()} must fail. */
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  /** The route of the last URI sent to (the client sends to the same URI object again and again). */
  private volatile Route lastRoute;

  /** A transport with the JDK's default TLS trust and proxy selection. */
  public SocketHttpTransport() {
    this(new Builder(), System::nanoTime);
  }

  /** For tests: a transport whose pool reads time from {@code nanoTime} (how long a connection sat idle). */
  static SocketHttpTransport withClock(Builder b, LongSupplier nanoTime) {
    return new SocketHttpTransport(b, nanoTime);
  }

  private SocketHttpTransport(Builder b, LongSupplier nanoTime) {
    this.sslContext = b.sslContext;
    this.proxySelector = b.proxySelector;
    this.nanoTime = nanoTime;
    this.workers = WorkerThreads.newPool(MAX_WORKERS);
  }

  /**
   * Starts a transport with TLS or proxy settings of your own.
   *
   * @return a builder with the defaults of {@link #SocketHttpTransport()}
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Makes the exchange on the calling thread. */
  @Override
  public HttpResponse execute(HttpRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    if (closed) {
      throw closed(request);
    }
    Exchange exchange = new Exchange(request);
    exchange.arm();
    return exchange.exchange();
  }

  /** Makes the exchange on a pooled thread; the returned future completes on that thread. */
  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed) {
      return Futures.failed(closed(request)); // CompletableFuture.failedFuture is not on Android 26
    }
    Exchange exchange = new Exchange(request);
    exchange.arm();
    inFlight.add(exchange); // from now on close() fails it, even while it waits for a thread
    if (closed) {
      exchange.abortBecauseClosed();
      return exchange;
    }
    try {
      workers.execute(exchange);
    } catch (RejectedExecutionException closing) {
      inFlight.remove(exchange);
      exchange.disarm();
      exchange.completeExceptionally(closed(request));
    }
    return exchange;
  }

  /**
   * Stops the worker and timeout threads, closes the idle connections and aborts the exchanges in flight
   * (they fail, as do asynchronous ones still waiting for a thread). Later requests fail without being sent.
   * Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    for (Runnable waiting : workers.shutdownNow()) { // exchanges still waiting for a thread: never sent
      if (waiting instanceof Exchange) {
        Exchange e = (Exchange) waiting;
        e.disarm();
        e.completeExceptionally(closed(e.request));
      }
    }
    watchdog.close();
    List<Http1Connection> toClose;
    synchronized (idle) {
      toClose = new ArrayList<>(idle);
      idle.clear();
    }
    for (Http1Connection c : toClose) {
      c.close();
    }
    for (Exchange e : inFlight) {
      e.abortBecauseClosed();
    }
  }

  @Override
  public String toString() {
    return "SocketHttpTransport";
  }

  /** Longer timeouts count as this long (100 years): {@code Duration.toNanos} overflows past 292 years. */
  private static final Duration LONGEST = Duration.ofDays(36_500);

  private static long nanos(Duration d) {
    return (d.compareTo(LONGEST) < 0 ? d : LONGEST).toNanos();
  }

  private static HttpTransportException closed(HttpRequest request) {
    return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
        "the transport is closed; nothing was sent to " + request.uri().getHost(), null);
  }

  /** Whether this transport writes the header itself (case-insensitive, without allocating). */
  static boolean setByTransport(String name) {
    for (String s : SET_BY_TRANSPORT) {
      if (s.length() == name.length() && s.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ routes and the pool

  /** Where a URI's requests go: scheme, host (lower case, IPv6 in brackets), port, and the Host header. */
  private static final class Route {
    final URI uri;
    final String scheme;
    final String host;
    final int port;
    final String hostHeader;

    Route(URI uri) {
      this.uri = uri;
      String s = uri.getScheme();
      this.scheme = s == null ? "" : s.toLowerCase(Locale.ROOT);
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("the URI's scheme must be http or https, got " + HeaderRules.printable(
            String.valueOf(s)));
      }
      String h = uri.getHost();
      if (h == null || h.isEmpty()) {
        throw new IllegalArgumentException("the URI has no host (scheme " + scheme + ")");
      }
      this.host = h.toLowerCase(Locale.ROOT);
      int defaultPort = "https".equals(scheme) ? 443 : 80;
      this.port = uri.getPort() == -1 ? defaultPort : uri.getPort();
      this.hostHeader = Endpoints.hostHeader(uri);
    }

    /** The host without IPv6 brackets, for resolving, TLS and SNI. */
    String bareHost() {
      return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
  }

  /** For tests: the {@code Host} header sent for {@code uri}. */
  static String hostHeader(URI uri) {
    return new Route(uri).hostHeader;
  }

  private Route route(URI uri) {
    Route r = lastRoute;
    if (r != null && r.uri == uri) {
      return r;
    }
    r = new Route(uri);
    lastRoute = r;
    return r;
  }

  /** An idle connection to the route that still looks usable, or null. */
  private Http1Connection pooled(Route route) {
    while (true) {
      long now = nanoTime.getAsLong();
      Http1Connection found = null;
      List<Http1Connection> stale = null;
      synchronized (idle) {
        Http1Connection oldest;
        while ((oldest = idle.peekLast()) != null && now - oldest.idleSince > KEEP_IDLE_NANOS) {
          idle.pollLast();
          stale = add(stale, oldest);
        }
        for (Iterator<Http1Connection> it = idle.iterator(); it.hasNext(); ) {
          Http1Connection c = it.next();
          if (c.goesTo(route.scheme, route.host, route.port)) {
            it.remove();
            found = c;
            break;
          }
        }
      }
      if (stale != null) {
        stale.forEach(Http1Connection::close);
      }
      if (found == null) {
        return null;
      }
      if (!found.hasWaitingBytes() && (now - found.idleSince < CHECK_AFTER_IDLE_NANOS || found.isHealthy())) {
        return found;
      }
      found.close(); // the server closed it (or sent something unasked): try the next one
    }
  }

  private static List<Http1Connection> add(List<Http1Connection> list, Http1Connection c) {
    List<Http1Connection> l = list == null ? new ArrayList<>(2) : list;
    l.add(c);
    return l;
  }

  /** Gives a connection whose answer was read to its end back to the pool. */
  private void release(Http1Connection c) {
    Http1Connection evicted = null;
    synchronized (idle) {
      if (!closed) {
        c.idleSince = nanoTime.getAsLong();
        idle.push(c);
        if (idle.size() > MAX_IDLE) {
          evicted = idle.pollLast();
        }
        c = null;
      }
    }
    if (c != null) {
      c.close(); // closed meanwhile
    }
    if (evicted != null) {
      evicted.close();
    }
  }

  // ------------------------------------------------------------------ connecting

  private SSLSocketFactory tlsFactory() throws IOException {
    SSLSocketFactory f = tlsFactory;
    if (f == null) {
      try {
        f = (sslContext != null ? sslContext : SSLContext.getDefault()).getSocketFactory();
      } catch (NoSuchAlgorithmException e) {
        throw new SSLException("no default TLS context: " + e.getMessage(), e);
      }
      tlsFactory = f;
    }
    return f;
  }

  private Proxy proxyFor(URI uri) {
    ProxySelector ps = proxySelector != null ? proxySelector : ProxySelector.getDefault();
    if (ps == null) {
      return Proxy.NO_PROXY;
    }
    List<Proxy> proxies = ps.select(uri);
    return proxies == null || proxies.isEmpty() || proxies.get(0) == null ? Proxy.NO_PROXY : proxies.get(0);
  }

  // ------------------------------------------------------------------ one exchange

  private static final int CONNECTING = 0;
  private static final int SENDING = 1;

  /**
   * One exchange on one connection: the future the async caller holds, and what the watchdog and
   * {@code cancel} need to abort it (the socket in use).
   */
  private final class Exchange extends CompletableFuture<HttpResponse> implements Runnable {
    private final HttpRequest request;
    private final long started = System.nanoTime();
    private Watchdog.Timeout timeout;
    /** The socket the exchange is blocked on; guarded by this. */
    private Socket socket;
    /** Why it was aborted: "expired", "cancelled", "closed"; guarded by this. */
    private String aborted;
    private volatile int phase = CONNECTING;
    /** Set once a thread runs the exchange; until then {@link #abortBecauseClosed} completes it itself. */
    private volatile boolean running;

    Exchange(HttpRequest request) {
      this.request = request;
    }

    void arm() {
      try {
        timeout = watchdog.arm(nanos(request.timeout()), this::expire);
      } catch (RejectedExecutionException closing) {
        abort("closed");
      }
    }

    void disarm() {
      Watchdog.Timeout t = timeout;
      if (t != null) {
        t.cancel(false);
      }
    }

    /** The watchdog's task: the time is up. */
    private void expire() {
      abort("expired");
      if (!running) {
        // Still waiting for a pooled thread: nothing was sent, and no thread will come soon. Fail it now, but
        // not on the watchdog's thread, which every other timeout of this transport waits for (the caller's
        // callbacks run where the future completes).
        inFlight.remove(this);
        workers.remove(this);
        HttpTransportException e = new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT,
            "no thread of the transport was free within " + request.timeout().toMillis() + " ms; nothing was sent to "
            + request.uri().getHost(), null);
        ForkJoinPool.commonPool().execute(() -> completeExceptionally(e));
      }
    }

    void abortBecauseClosed() {
      abort("closed");
      if (!running) {
        disarm();
        // waiting for a thread (none will come after close): fail it here; should a thread start it
        // meanwhile, it finds the exchange aborted before sending anything and fails it the same way
        inFlight.remove(this);
        completeExceptionally(closed(request));
      }
    }

    /** Marks the exchange aborted and closes its socket, so the thread blocked on it fails at once. */
    private void abort(String why) {
      Socket s;
      synchronized (this) {
        if (aborted != null) {
          return;
        }
        aborted = why;
        s = socket;
      }
      if (s != null) {
        try {
          s.close();
        } catch (IOException | RuntimeException ignored) {
          // it is being torn down either way
        }
      }
    }

    /** Registers the socket the exchange is about to block on; fails when it was aborted already. */
    private void use(Socket s) throws IOException {
      synchronized (this) {
        if (aborted == null) {
          socket = s;
          return;
        }
      }
      try {
        s.close();
      } catch (IOException | RuntimeException ignored) {
        // never used
      }
      throw new IOException("aborted");
    }

    private synchronized String abortedWhy() {
      return aborted;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      disarm();
      abort("cancelled");
      if (!running) {
        inFlight.remove(this);
        workers.remove(this);
      }
      return cancelled;
    }

    /** The asynchronous exchange, on a pooled thread. */
    @Override
    public void run() {
      running = true;
      if (isDone()) {
        inFlight.remove(this);
        return; // cancelled, timed out or failed by close while it waited for a thread
      }
      try {
        complete(exchange());
      } catch (Throwable e) { // an Error too: the future must complete whatever happens
        completeExceptionally(e);
      }
    }

    /** Connects (or takes a pooled connection), sends, reads the answer; on the calling thread. */
    HttpResponse exchange() throws IOException {
      running = true;
      inFlight.add(this);
      Http1Connection c = null;
      try {
        if (closed) {
          abort("closed");
        }
        Route route = route(request.uri());
        c = pooled(route);
        if (c == null) {
          c = connect(route);
        } else {
          use(c.raw);
        }
        phase = SENDING;
        c.writeRequest(request, route.hostHeader);
        Http1Connection.Answer a = c.readAnswer(request.maxResponseBytes(), "HEAD".equals(request.method()));
        HttpResponse response = HttpResponse.of(a.status, a.headers, a.body, a.truncated);
        disarm();
        boolean abortedMeanwhile;
        synchronized (this) {
          socket = null;
          // the timeout (or cancel) came just as the answer was complete: the answer counts, the socket is gone
          abortedMeanwhile = aborted != null;
        }
        if (!abortedMeanwhile && a.reusable && !c.hasUnreadBytes()) {
          release(c);
        } else {
          c.close();
        }
        c = null;
        return response;
      } catch (IOException | RuntimeException e) {
        throw classify(e);
      } finally {
        disarm();
        inFlight.remove(this);
        if (c != null) {
          c.abort(); // failed or aborted: never reused
        } else {
          closeSocket(); // connecting failed (e.g. the proxy refused the tunnel): its socket is of no use
        }
      }
    }

    /** Closes the socket registered by {@link #use}, if any (none after a completed exchange). */
    private void closeSocket() {
      Socket s;
      synchronized (this) {
        s = socket;
        socket = null;
      }
      if (s != null) {
        try {
          s.close();
        } catch (IOException | RuntimeException ignored) {
          // unusable either way
        }
      }
    }

    private Http1Connection connect(Route route) throws IOException {
      Proxy proxy = proxyFor(route.uri);
      boolean https = "https".equals(route.scheme);
      long connectDeadline = started + Math.min(nanos(request.connectTimeout()), nanos(request.timeout()));
      Socket raw;
      boolean absoluteForm = false;
      if (proxy.type() == Proxy.Type.DIRECT) {
        raw = connectDirect(route.bareHost(), route.port, connectDeadline);
      } else if (proxy.type() == Proxy.Type.SOCKS) {
        raw = new Socket(proxy);
        use(raw);
        raw.connect(InetSocketAddress.createUnresolved(route.bareHost(), route.port), millisUntil(connectDeadline));
      } else {
        raw = new Socket();
        use(raw);
        raw.connect(resolved(proxy.address()), millisUntil(connectDeadline));
        absoluteForm = !https;
      }
      raw.setTcpNoDelay(true);
      if (!https) {
        return new Http1Connection(route.scheme, route.host, route.port, absoluteForm, raw, raw);
      }
      raw.setSoTimeout(millisUntil(connectDeadline)); // bounds each read of the tunnel's answer and the handshake
      if (proxy.type() == Proxy.Type.HTTP) {
        Http1Connection tunnel = new Http1Connection(route.scheme, route.host, route.port, false, raw, raw);
        int status = tunnel.connectTunnel(route.bareHost().indexOf(':') >= 0
            ? '[' + route.bareHost() + "]:" + route.port : route.bareHost() + ':' + route.port);
        if (status < 200 || status > 299) {
          throw new ProxyRefused("the proxy " + proxy.address() + " refused the tunnel to " + route.host + " with "
              + status + (status == 407 ? " (it asks for authentication, which this transport does not support)"
              : ""));
        }
      }
      SSLSocket tls = (SSLSocket) tlsFactory().createSocket(raw, route.bareHost(), route.port, true);
      SSLParameters p = tls.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      if (!isIpLiteral(route.bareHost())) {
        try {
          p.setServerNames(Collections.singletonList(new SNIHostName(route.bareHost())));
        } catch (IllegalArgumentException notAHostName) {
          // no SNI for such a name; the certificate check still applies
        }
      }
      tls.setSSLParameters(p);
      tls.startHandshake();
      raw.setSoTimeout(0);
      return new Http1Connection(route.scheme, route.host, route.port, false, tls, raw);
    }

    /** Tries each address of the host in turn until one accepts, within the connect deadline. */
    private Socket connectDirect(String host, int port, long connectDeadline) throws IOException {
      InetAddress[] addresses = InetAddress.getAllByName(host);
      IOException last = null;
      for (InetAddress address : addresses) {
        Socket raw = new Socket();
        use(raw);
        try {
          raw.connect(new InetSocketAddress(address, port), millisUntil(connectDeadline));
          return raw;
        } catch (SocketException | SocketTimeoutException e) { // refused, unreachable, no route, timed out: the next
          raw.close();
          last = e;
          if (abortedWhy() != null || connectDeadline - System.nanoTime() <= 0) {
            break;
          }
        }
      }
      throw last != null ? last : new UnknownHostException(host);
    }

    /** Milliseconds left until the deadline, at least 1 (0 would mean no timeout to the JDK). */
    private int millisUntil(long deadline) throws SocketTimeoutException {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("connect timed out");
      }
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
    }

    /** Maps a failure onto how far the exchange got. */
    private IOException classify(Exception e) {
      String host = request.uri().getHost();
      String why = abortedWhy();
      boolean sent = phase != CONNECTING;
      if ("expired".equals(why)) {
        return sent
            ? new HttpTransportException(HttpTransportException.Kind.RESPONSE_TIMEOUT, "no complete answer within "
                + request.timeout().toMillis() + " ms from " + host, e)
            : new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT, "could not connect to " + host
                + " within " + request.timeout().toMillis() + " ms (the request's timeout)", e);
      }
      if (why != null) {
        String what = "cancelled".equals(why) ? "exchange cancelled" : "the transport was closed";
        return sent
            ? new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND, what + " while talking to "
                + host + " (the request may have been received)", e)
            : new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED, what + "; nothing was sent to "
                + host, e);
      }
      if (!sent) {
        if (e instanceof SocketTimeoutException) {
          return new HttpTransportException(HttpTransportException.Kind.CONNECT_TIMEOUT, "could not connect to " + host
              + " within the connect timeout (" + Math.min(request.connectTimeout().toMillis(),
              request.timeout().toMillis()) + " ms)", e);
        }
        if (e instanceof SSLException && causedBy(e, SocketException.class, EOFException.class)) {
          // the connection broke during the handshake (a reset, an early close): a network fault, not trust
          return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED, "the connection to " + host
              + " broke during the TLS handshake: " + e.getMessage(), e);
        }
        if (e instanceof SSLException) {
          return new HttpTransportException(HttpTransportException.Kind.TLS_FAILED, "TLS handshake with " + host
              + " failed: " + e.getMessage(), e);
        }
        if (e instanceof ProxyRefused) {
          return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED, e.getMessage(), e);
        }
        if (e instanceof IllegalArgumentException) {
          return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED, "cannot send to " + host
              + ": " + e.getMessage(), e);
        }
        return new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED, "could not connect to " + host
            + ": " + e, e);
      }
      if (e instanceof Http1Connection.Malformed) {
        return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND, "unusable answer from "
            + host + ": " + e.getMessage(), e);
      }
      if (e instanceof EOFException) {
        return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND, host
            + " closed the connection before answering (the request may have been received)", e);
      }
      if (e instanceof RuntimeException) {
        return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND, "unusable answer from "
            + host + ": " + e.getMessage(), e);
      }
      return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND, "exchange with " + host
          + " failed: " + e, e);
    }
  }

  /** Whether {@code e} or one of its causes is of one of the given types. */
  @SafeVarargs
  private static boolean causedBy(Throwable e, Class<? extends Throwable>... types) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }

  private static SocketAddress resolved(SocketAddress address) {
    if (address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved()) {
      InetSocketAddress a = (InetSocketAddress) address;
      return new InetSocketAddress(a.getHostString(), a.getPort());
    }
    return address;
  }

  /** An IPv4 or IPv6 literal (no SNI for those). */
  private static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** The proxy did not open a tunnel: nothing was sent to the server. */
  private static final class ProxyRefused extends IOException {
    private static final long serialVersionUID = 1L;

    ProxyRefused(String message) {
      super(message);
    }
  }

  /**
   * Settings of a {@link SocketHttpTransport}.
   *
   * <pre>{@code
   * SocketHttpTransport transport = SocketHttpTransport.builder().sslContext(mySslContext).build();
   * }</pre>
   */
  public static final class Builder {
    private SSLContext sslContext;
    private ProxySelector proxySelector;

    private Builder() {}

    /**
     * The trust (and key) material for https.
     *
     * @param sslContext not {@code null}; default: {@link SSLContext#getDefault()}
     * @return this builder
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * Which proxy new connections go through ({@code ProxySelector.of(address)} for one HTTP proxy).
     *
     * @param proxySelector not {@code null}; default: {@link ProxySelector#getDefault()} at each new connection
     * @return this builder
     */
    public Builder proxySelector(ProxySelector proxySelector) {
      this.proxySelector = Objects.requireNonNull(proxySelector, "proxySelector");
      return this;
    }

    /** {@return a new transport with these settings} */
    public SocketHttpTransport build() {
      return new SocketHttpTransport(this, System::nanoTime);
    }
  }
}
