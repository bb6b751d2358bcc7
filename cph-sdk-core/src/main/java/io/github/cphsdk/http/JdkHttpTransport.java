package io.github.cphsdk.http;

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
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * The default transport, on the JDK's {@code java.net.http.HttpClient} (HTTP/1.1, redirects never
 * followed, TLS with the JDK's default trust unless an {@link SSLContext} is given).
 *
 * <p>This is the only class of the SDK that touches {@code java.net.http}; the client loads it only when
 * no transport was given, so the rest of the SDK runs where that module is missing (Android: use
 * {@link UrlConnectionTransport}).
 *
 * <pre>{@code
 * HttpTransport transport = new JdkHttpTransport();             // 10 s connect timeout
 * HttpTransport custom = new JdkHttpTransport(Duration.ofSeconds(3), mySslContext);
 * }</pre>
 *
 * <p>{@link #close()} releases the HTTP client where the JDK allows it (Java 21 and newer). On older JDKs the
 * client's single daemon selector thread ends only when the JDK's HttpClient is garbage-collected, so
 * {@code close()} lets go of it: the thread ends at the next garbage collection after the exchanges in flight
 * are over, even while the closed transport itself is still referenced.
 */
@RequiresJavaNetHttp
public final class JdkHttpTransport implements HttpTransport {
  /** Headers java.net.http sets itself and refuses to take from callers. */
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

  /** {@code null} once closed, so that on JDK 17 the HttpClient (and its selector thread) can be collected. */
  private volatile HttpClient client;

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
  }

  @Override
  public HttpResponse execute(HttpRequest request) throws IOException {
    CompletableFuture<HttpResponse> future = send(request);
    try {
      return future.get(request.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new HttpTransportException(HttpTransportException.Kind.RESPONSE_TIMEOUT,
          "no complete answer within " + request.timeout().toMillis() + " ms from " + request.uri().getHost(), e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException("interrupted while waiting for " + request.uri().getHost());
      ie.initCause(e);
      throw ie;
    } catch (ExecutionException e) {
      throw classify(unwrap(e.getCause()), request);
    }
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
    CompletableFuture<HttpResponse> sent = send(request);
    CompletableFuture<HttpResponse> result = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        sent.cancel(mayInterruptIfRunning);
        return super.cancel(mayInterruptIfRunning);
      }
    };
    sent.whenComplete((response, error) -> {
      if (error == null) {
        result.complete(response);
      } else if (!(unwrap(error) instanceof CancellationException)) {
        result.completeExceptionally(classify(unwrap(error), request));
      }
    });
    return result;
  }

  private CompletableFuture<HttpResponse> send(HttpRequest request) {
    HttpClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED,
          "the transport is closed; nothing was sent to " + request.uri().getHost(), null));
    }
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(request.uri())
        .timeout(request.timeout())
        .method(request.method(), request.bodyLength() == 0
            ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofByteArray(request.body()));
    for (Map.Entry<String, String> h : request.headers()) {
      if (!RESTRICTED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
        b.header(h.getKey(), h.getValue());
      }
    }
    long limit = request.maxResponseBytes();
    return c.sendAsync(b.build(), info -> new BoundedBody(limit))
        .thenApply(r -> HttpResponse.of(r.statusCode(), r.headers().map(), r.body().bytes, r.body().truncated));
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

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Releases the HTTP client: closes it on Java 21+, where {@code HttpClient} is {@link AutoCloseable}, and
   * drops the reference to it on every JDK. Later requests fail without being sent. Idempotent.
   */
  @Override
  public void close() {
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

  /** The kept bytes of an answer and whether more were dropped. */
  @RequiresJavaNetHttp
  private static final class Body {
    final byte[] bytes;
    final boolean truncated;

    Body(byte[] bytes, boolean truncated) {
      this.bytes = bytes;
      this.truncated = truncated;
    }
  }

  /** Collects at most {@code limit} bytes; past it cancels the stream (the connection is not reused). */
  @RequiresJavaNetHttp
  private static final class BoundedBody implements java.net.http.HttpResponse.BodySubscriber<Body> {
    private final long limit;
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>(4);
    private long size;
    private Flow.Subscription subscription;

    BoundedBody(long limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<Body> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
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
          result.complete(new Body(join(), true));
          return;
        }
        parts.add(b);
        size += n;
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(new Body(join(), false));
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
