package io.github.cphsdk.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;

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
  private final Headers headers;
  private final byte[] body;
  private final Duration timeout;
  private final Duration connectTimeout;
  private final long maxResponseBytes;

  private HttpRequest(Builder b) {
    this.method = b.method;
    this.uri = b.uri;
    this.headers = new Headers(b.headers, b.headerCount); // the builder copies before it changes them again
    b.shared = true;
    this.body = b.body;
    this.timeout = b.timeout;
    this.connectTimeout = b.connectTimeout;
    this.maxResponseBytes = b.maxResponseBytes;
  }

  /** {@code from} with other headers: everything else is shared (all of it is immutable). */
  private HttpRequest(HttpRequest from, Headers headers) {
    this.method = from.method;
    this.uri = from.uri;
    this.headers = headers;
    this.body = from.body;
    this.timeout = from.timeout;
    this.connectTimeout = from.connectTimeout;
    this.maxResponseBytes = from.maxResponseBytes;
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

  /**
   * The body as a read-only view, without a copy: for transports and signers that only read it. Each call
   * gives a new view (its own position and limit) over the same bytes.
   *
   * <pre>{@code
   * ByteBuffer body = request.bodyBuffer();
   * sha256.update(body);                      // hashes the body without a copy of the request's bytes
   * }</pre>
   *
   * @return a read-only buffer from position 0 to {@link #bodyLength()}; empty when there is no body
   */
  public ByteBuffer bodyBuffer() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
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
    return withHeaders(name, value);
  }

  /**
   * A copy with several headers set, in one copy of the header list: what
   * {@code toBuilder().setHeader(name1, value1).setHeader(name2, value2)...build()} gives, checked the same way,
   * without copying the body. Every earlier header of a name given here (case-insensitive) is dropped, and the
   * given ones follow the others in their order (of a name given twice, the last).
   *
   * <pre>{@code
   * HttpRequest signed = request.withHeaders(
   *     "X-Sdk-Date", "20261203T123000Z",
   *     "Authorization", authorization);
   * }</pre>
   *
   * @param namesAndValues header names and values, alternating: name, value, name, value...
   * @return a new request; this one is unchanged
   * @throws IllegalArgumentException when a name or value is not allowed, or a name has no value
   */
  public HttpRequest withHeaders(String... namesAndValues) {
    int pairs = namesAndValues.length / 2;
    if (namesAndValues.length % 2 != 0) {
      // the count only: in a misaligned call the odd one out is often a value, perhaps a token
      throw new IllegalArgumentException("withHeaders takes header names and values in pairs; got an odd "
          + "number of arguments (" + namesAndValues.length + ")");
    }
    for (int j = 0; j < pairs; j++) {
      HeaderRules.check(namesAndValues[2 * j], namesAndValues[2 * j + 1]);
    }
    int n = headers.size();
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] out = new Map.Entry[n + pairs];
    int k = 0;
    for (int i = 0; i < n; i++) {
      Map.Entry<String, String> h = headers.get(i);
      if (indexOfName(namesAndValues, 0, pairs, h.getKey()) < 0) {
        out[k++] = h;
      }
    }
    for (int j = 0; j < pairs; j++) {
      String name = namesAndValues[2 * j];
      if (indexOfName(namesAndValues, j + 1, pairs, name) < 0) { // a later setHeader of the same name would drop it
        out[k++] = Map.entry(name, namesAndValues[2 * j + 1]);
      }
    }
    return new HttpRequest(this, new Headers(out, k));
  }

  /** The first pair from {@code from} (inclusive) to {@code to} whose name is {@code name}, or -1. */
  private static int indexOfName(String[] namesAndValues, int from, int to, String name) {
    for (int j = from; j < to; j++) {
      if (namesAndValues[2 * j].equalsIgnoreCase(name)) {
        return j;
      }
    }
    return -1;
  }

  /** {@return a builder that starts with everything this request has} */
  public Builder toBuilder() {
    Builder b = new Builder(method, uri);
    b.headers = headers.entries; // shared until the builder changes them (then it copies)
    b.headerCount = headers.size;
    b.shared = true;
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
    /** The headers in {@code [0, headerCount)}; shared with built requests while {@link #shared}. */
    private Map.Entry<String, String>[] headers = entries(8);
    private int headerCount;
    /** Whether a request (built from this or the source of {@code toBuilder}) holds {@link #headers}. */
    private boolean shared;
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
      add(Map.entry(name, value));
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
      remove(name);
      add(Map.entry(name, value));
      return this;
    }

    /**
     * Removes every header of that name (case-insensitive).
     *
     * @param name the header name; no header of that name is fine
     * @return this builder
     */
    public Builder removeHeader(String name) {
      remove(name);
      return this;
    }

    private void add(Map.Entry<String, String> header) {
      if (shared || headerCount == headers.length) {
        headers = Arrays.copyOf(headers, headerCount == headers.length ? headerCount * 2 + 1 : headers.length);
        shared = false;
      }
      headers[headerCount++] = header;
    }

    private void remove(String name) {
      int i = 0;
      while (i < headerCount && !headers[i].getKey().equalsIgnoreCase(name)) {
        i++;
      }
      if (i == headerCount) {
        return; // none of that name: nothing changes, nothing is copied
      }
      if (shared) {
        headers = Arrays.copyOf(headers, headers.length);
        shared = false;
      }
      int kept = i;
      for (int j = i + 1; j < headerCount; j++) {
        if (!headers[j].getKey().equalsIgnoreCase(name)) {
          headers[kept++] = headers[j];
        }
      }
      Arrays.fill(headers, kept, headerCount, null);
      headerCount = kept;
    }

    @SuppressWarnings("unchecked")
    private static Map.Entry<String, String>[] entries(int capacity) {
      return new Map.Entry[capacity];
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
     * The body, without a copy: the request keeps {@code bytes} itself (as {@link ByteBuffer#wrap(byte[])}
     * does), so a body serialized once is never copied per request. Hand over an array nobody writes to
     * afterwards; {@link #body(byte[])} is the safe choice otherwise.
     *
     * <pre>{@code
     * byte[] json = serialize(payload);        // written once, never touched again
     * HttpRequest request = HttpRequest.builder("POST", uri).wrapBody(json).build();
     * }</pre>
     *
     * @param bytes the body, not {@code null}; empty for none
     * @return this builder
     */
    public Builder wrapBody(byte[] bytes) {
      this.body = bytes.length == 0 ? EMPTY : bytes;
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

  /**
   * The headers of a request: an unmodifiable list over the first {@code size} entries of an array nobody writes
   * to any more (one object and one array, where {@code Collections.unmodifiableList(new ArrayList<>(...))} takes
   * three objects). A builder hands its array over at {@code build()} and copies it before it changes it again.
   */
  private static final class Headers extends AbstractList<Map.Entry<String, String>> implements RandomAccess {
    private final Map.Entry<String, String>[] entries;
    private final int size;

    Headers(Map.Entry<String, String>[] entries, int size) {
      this.entries = entries;
      this.size = size;
    }

    @Override
    public Map.Entry<String, String> get(int index) {
      if (index < 0 || index >= size) { // Objects.checkIndex is not on Android 26
        throw new IndexOutOfBoundsException("index " + index + " out of bounds for length " + size);
      }
      return entries[index];
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Object[] toArray() {
      return Arrays.copyOf(entries, size, Object[].class);
    }
  }
}
