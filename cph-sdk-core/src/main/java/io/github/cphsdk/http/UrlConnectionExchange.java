// Over 500 lines on purpose: one exchange's phases, watchdog abort and answer reading share its lock.
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * One exchange: its connection, how far it got, and whether someone stopped it (the watchdog at the connect
 * limit or the deadline, {@link UrlConnectionTransport#close()}, or a cancelled future). The behaviour is stated
 * in the class documentation of {@link UrlConnectionTransport}.
 */
final class UrlConnectionExchange {
  private static final int NEW = 0;
  private static final int CONNECTING = 1;
  private static final int SENDING = 2;
  private static final int AWAITING_ANSWER = 3;
  private static final int READING_BODY = 4;
  private static final int DONE = 5;
  /** After the watchdog disconnected a connection that was still connecting, how soon it tries again. */
  private static final long RETRY_DISCONNECT_NANOS = 50_000_000L;

  /** Headers HttpURLConnection sets itself (or silently drops when a caller sets them). */
  private static final Set<String> SET_BY_CONNECTION = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
      "host", "content-length", "connection", "expect", "upgrade", "transfer-encoding", "keep-alive", "te",
      "trailer")));
  private static final int BUFFER_SIZE = 8192;

  // the transport's settings
  private final Watchdog watchdog;
  private final LongSupplier nanoTime;
  private final Proxy proxy;
  private final SSLSocketFactory sslSocketFactory;
  private final HostnameVerifier hostnameVerifier;

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

  UrlConnectionExchange(UrlConnectionTransport transport, HttpRequest request, long startNanos) {
    this.watchdog = transport.watchdog;
    this.nanoTime = transport.nanoTime;
    this.proxy = transport.proxy;
    this.sslSocketFactory = transport.sslSocketFactory;
    this.hostnameVerifier = transport.hostnameVerifier;
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
        out.write(request.bodyBytes()); // the body itself: the stream only reads it
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
}
