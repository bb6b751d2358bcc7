package io.github.cphsdk.http;

import java.io.IOException;
import java.util.Objects;

/**
 * A transport failure, classified by how far the exchange got. The {@link Kind} decides whether the SDK
 * may retry without the risk of pushing twice.
 *
 * <pre>{@code
 * throw new HttpTransportException(HttpTransportException.Kind.CONNECT_FAILED, "connection refused: " + uri, e);
 * }</pre>
 */
public class HttpTransportException extends IOException {
  private static final long serialVersionUID = 1L;

  /** How far the exchange got before it failed. */
  public enum Kind {
    /** No connection was established (refused, unknown host, no route): nothing was sent. */
    CONNECT_FAILED(false, false),
    /** Connecting took longer than the connect timeout: nothing was sent. */
    CONNECT_TIMEOUT(false, true),
    /** The TLS handshake failed (e.g. an untrusted certificate): nothing was sent. */
    TLS_FAILED(false, false),
    /** The connection broke once the request was being written or after (reset, closed early, bad framing). */
    FAILED_AFTER_SEND(true, false),
    /** The answer did not arrive within the timeout; the request may have been processed. */
    RESPONSE_TIMEOUT(true, true);

    private final boolean requestMayHaveBeenSent;
    private final boolean timeout;

    Kind(boolean requestMayHaveBeenSent, boolean timeout) {
      this.requestMayHaveBeenSent = requestMayHaveBeenSent;
      this.timeout = timeout;
    }

    /** {@return true when the server may have received (and acted on) the request} */
    public boolean requestMayHaveBeenSent() {
      return requestMayHaveBeenSent;
    }

    /** {@return true for the two timeout kinds} */
    public boolean isTimeout() {
      return timeout;
    }
  }

  /** How far the exchange got. */
  private final Kind kind;

  /**
   * A failure of the given kind; the message must not contain header values.
   *
   * @param kind how far the exchange got; not {@code null}
   * @param message what failed, e.g. {@code "connection refused: " + uri}
   * @param cause the underlying failure, or {@code null}
   */
  public HttpTransportException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** {@return how far the exchange got} */
  public Kind kind() {
    return kind;
  }
}
