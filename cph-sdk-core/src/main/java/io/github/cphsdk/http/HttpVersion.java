package io.github.cphsdk.http;

/**
 * The HTTP version a transport asks for. {@link #HTTP_2} is offered by ALPN during the TLS handshake and
 * used only when the server accepts it (otherwise the exchange runs on HTTP/1.1); plain {@code http://}
 * always runs on HTTP/1.1 (no cleartext upgrade is attempted).
 *
 * <pre>{@code
 * CloudPhoneClient.builder().httpVersion(HttpVersion.HTTP_1_1)...   // never negotiate HTTP/2
 * }</pre>
 */
public enum HttpVersion {
  /** HTTP/1.1 only. */
  HTTP_1_1,
  /** HTTP/2 where the server offers it over TLS, HTTP/1.1 otherwise (the default). */
  HTTP_2
}
