package io.github.cphsdk.http;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the SDK and an HTTP library: send one {@link HttpRequest}, hand back one
 * {@link HttpResponse}. The SDK does everything else (signing, retries, error mapping) around it, so an
 * implementation only moves bytes.
 *
 * <p>Rules for implementations:
 * <ul>
 *   <li>Send exactly the method, URI, headers and body given, with a {@code Content-Length} (never
 *       chunked), and never retry on your own: the push is not idempotent, and only the SDK knows when a
 *       retry is safe. Never follow redirects.
 *   <li>Honour {@link HttpRequest#connectTimeout()} and {@link HttpRequest#timeout()}, and keep at most
 *       {@link HttpRequest#maxResponseBytes()} of the body (mark the answer truncated past it).
 *   <li>Report failures as {@link HttpTransportException} with the right {@link HttpTransportException.Kind}:
 *       it decides whether the push may have reached the service. Any other {@link IOException} is taken
 *       to mean the request may have been sent.
 *   <li>Be thread-safe. Cancelling the future of {@link #executeAsync} should abort the exchange.
 * </ul>
 *
 * <p>The SDK ships {@link JdkHttpTransport} ({@code java.net.http}, the default on the JVM) and
 * {@link UrlConnectionTransport} ({@code HttpURLConnection}, the default where {@code java.net.http} is absent,
 * e.g. on Android). A client closes only a
 * transport it created itself, never one passed to its builder.
 *
 * <pre>{@code
 * try (HttpTransport transport = new UrlConnectionTransport()) {
 *   CloudPhoneClient client = CloudPhoneClient.builder()....transport(transport).build();
 * }
 * }</pre>
 */
public interface HttpTransport extends AutoCloseable {

  /**
   * Sends the request and waits for the whole answer (bounded by the request's timeouts).
   *
   * @param request the exchange to make, exactly as given
   * @return the answer, whatever its status (4xx and 5xx are answers, not failures)
   * @throws IOException when there is no usable answer; an {@link HttpTransportException} tells how far the
   *     exchange got
   */
  HttpResponse execute(HttpRequest request) throws IOException;

  /**
   * Sends the request without blocking the caller. The future fails with an {@link IOException} (usually an
   * {@link HttpTransportException}) when there is no usable answer.
   *
   * @param request the exchange to make, exactly as given
   * @return the answer's future, completed with any status
   */
  CompletableFuture<HttpResponse> executeAsync(HttpRequest request);

  /** Releases what the transport owns (connections, threads). Does not throw a checked exception. */
  @Override
  default void close() {}
}
