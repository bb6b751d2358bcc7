package io.github.cphsdk.http;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP exchange as the SDK hands it to an {@link HttpTransport}: method, absolute URI, headers,
 * body bytes and the limits the transport must honour. Immutable; the {@code with*} methods return a copy.
 *
 * <p>Header names must be HTTP tokens and values printable ASCII (tab allowed): no CR, LF or other control
 * character (so a value can never start a second header), and nothing a transport would re-encode; the
 * check names the header but never echoes its value, which may be a secret.
 *
 * <pre>{@code
 * HttpRequest request = HttpRequest.builder("POST", URI.create("https://cph.cn-north-4.myhuaweicloud.com/v1/p/cloud-phone/phones/share-apps"))
 *     .header("Content-Type", "application/json")
 *     .body(jsonBytes)
 *     .timeout(Duration.ofSeconds(30))
 *     .build();
 * }</pre>
 */
public final class HttpRequest {
  private static final byte[] EMPTY = new byte[0];

  private final String method;
  private final URI uri;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final Duration timeout;
  private final Duration connectTimeout;
  private final long maxResponseBytes;

  private HttpRequest(Builder b) {
    this.method = b.method;
    this.uri = b.uri;
    this.headers = Collections.unmodifiableList(new ArrayList<>(b.headers));
    this.body = b.body;
    this.timeout = b.timeout;
    this.connectTimeout = b.connectTimeout;
    this.maxResponseBytes = b.maxResponseBytes;
  }

  /**
   * Starts a request for {@code method} (upper case, e.g. {@code "POST"}) on an absolute http(s) URI.
   *
   * @param method an HTTP token such as {@code POST}; kept upper case
   * @param uri absolute, with a host
   * @return a new builder: no headers, no body, timeout 30 s, connect timeout 10 s, at most 1 MiB kept
   */
  public static Builder builder(String method, URI uri) {
    return new Builder(method, uri);
  }

  /** {@return the HTTP method, upper case} */
  public String method() {
    return method;
  }

  /** {@return the absolute URI, including the encoded path and query} */
  public URI uri() {
    return uri;
  }

  /** {@return all headers in the order they were added, unmodifiable; names keep their case} */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /**
   * The first value of the header {@code name} (case-insensitive).
   *
   * @param name the header name
   * @return the first value; empty when the request has no such header
   */
  public Optional<String> header(String name) {
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return Optional.of(h.getValue());
      }
    }
    return Optional.empty();
  }

  /** {@return a copy of the body bytes; empty when there is no body} */
  public byte[] body() {
    return body.length == 0 ? body : body.clone();
  }

  /** The body itself, for transports of this package: they only read it. */
  byte[] bodyBytes() {
    return body;
  }

  /** {@return the body length in bytes, sent as {@code Content-Length}} */
  public int bodyLength() {
    return body.length;
  }

  /**
   * How long this exchange may take, from the start of connecting to the last byte of the answer. The
   * SDK already clipped it to what is left of the whole call.
   *
   * @return the exchange's timeout; positive
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * {@return how long establishing the connection (TCP and TLS) may take, for transports that set it per
   * request}
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * The most answer-body bytes the transport may keep. A transport stops reading past it and marks the
   * answer {@linkplain HttpResponse#bodyTruncated() truncated}, so a huge answer never exhausts memory.
   *
   * @return the limit in bytes; zero or more
   */
  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  /**
   * A copy with one more header (an existing header of the same name is replaced).
   *
   * @param name an HTTP token
   * @param value no CR, LF or other control characters
   * @return a new request; this one is unchanged
   */
  public HttpRequest withHeader(String name, String value) {
    return toBuilder().setHeader(name, value).build();
  }

  /** {@return a builder that starts with everything this request has} */
  public Builder toBuilder() {
    Builder b = new Builder(method, uri);
    b.headers.addAll(headers);
    b.body = body;
    b.timeout = timeout;
    b.connectTimeout = connectTimeout;
    b.maxResponseBytes = maxResponseBytes;
    return b;
  }

  /** Method, URI and header names only: values may be secrets. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("HttpRequest{").append(method).append(' ').append(uri.getRawPath());
    sb.append(", headers=[");
    for (int i = 0; i < headers.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(headers.get(i).getKey());
    }
    return sb.append("], bodyLength=").append(body.length).append('}').toString();
  }

  /** Builds an {@link HttpRequest}; header names and values are checked as they are added. */
  public static final class Builder {
    private final String method;
    private final URI uri;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>(8);
    private byte[] body = EMPTY;
    private Duration timeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private long maxResponseBytes = 1024 * 1024;

    private Builder(String method, URI uri) {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(uri, "uri");
      if (!HeaderRules.isToken(method)) {
        throw new IllegalArgumentException("HTTP method must be a token, got \"" + HeaderRules.printable(method) + "\"");
      }
      if (!uri.isAbsolute() || uri.getHost() == null) {
        throw new IllegalArgumentException("request URI must be absolute with a host: " + uri);
      }
      this.method = method.toUpperCase(Locale.ROOT);
      this.uri = uri;
    }

    /**
     * Adds a header, keeping any earlier one of the same name.
     *
     * @param name an HTTP token
     * @param value no CR, LF or other control characters
     * @return this builder
     */
    public Builder header(String name, String value) {
      HeaderRules.check(name, value);
      headers.add(Map.entry(name, value));
      return this;
    }

    /**
     * Sets a header, replacing every earlier one of the same name (case-insensitive).
     *
     * @param name an HTTP token
     * @param value no CR, LF or other control characters
     * @return this builder
     */
    public Builder setHeader(String name, String value) {
      HeaderRules.check(name, value);
      headers.removeIf(h -> h.getKey().equalsIgnoreCase(name));
      headers.add(Map.entry(name, value));
      return this;
    }

    /**
     * Removes every header of that name (case-insensitive).
     *
     * @param name the header name; no header of that name is fine
     * @return this builder
     */
    public Builder removeHeader(String name) {
      headers.removeIf(h -> h.getKey().equalsIgnoreCase(name));
      return this;
    }

    /**
     * The body; the array is copied.
     *
     * @param bytes the body, not {@code null}; empty for none (the default)
     * @return this builder
     */
    public Builder body(byte[] bytes) {
      this.body = bytes.length == 0 ? EMPTY : bytes.clone();
      return this;
    }

    /**
     * See {@link HttpRequest#timeout()}.
     *
     * @param timeout positive (default 30 s)
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * See {@link HttpRequest#connectTimeout()}.
     *
     * @param connectTimeout positive (default 10 s)
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * See {@link HttpRequest#maxResponseBytes()}.
     *
     * @param maxResponseBytes zero or more (default 1 MiB)
     * @return this builder
     */
    public Builder maxResponseBytes(long maxResponseBytes) {
      if (maxResponseBytes < 0) {
        throw new IllegalArgumentException("maxResponseBytes must be >= 0, got " + maxResponseBytes);
      }
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /** {@return the request} */
    public HttpRequest build() {
      return new HttpRequest(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
