package io.github.cphsdk.http;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An answer as a transport hands it back: status, headers and the body bytes it kept (at most the
 * request's {@link HttpRequest#maxResponseBytes()}). Immutable.
 *
 * <pre>{@code
 * HttpResponse response = HttpResponse.of(200, Map.of("X-Request-Id", List.of("abc")), bodyBytes, false);
 * response.header("x-request-id");   // Optional[abc]
 * }</pre>
 */
public final class HttpResponse {
  private final int statusCode;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final boolean bodyTruncated;

  private HttpResponse(int statusCode, Map<String, List<String>> headers, byte[] body, boolean bodyTruncated) {
    this.statusCode = statusCode;
    this.headers = headers;
    this.body = body;
    this.bodyTruncated = bodyTruncated;
  }

  /**
   * An answer. Header names are matched case-insensitively; {@code bodyTruncated} says the transport
   * stopped reading at the limit and {@code body} is only the start of the answer. The body array is
   * not copied: hand over an array nobody else writes to.
   *
   * @param statusCode 100 to 999
   * @param headers the header values by name; entries with a {@code null} name are dropped
   * @param body the body bytes kept; empty for none
   * @param bodyTruncated whether the answer went on past {@code body}
   * @return a new answer
   */
  public static HttpResponse of(int statusCode, Map<String, List<String>> headers, byte[] body, boolean bodyTruncated) {
    if (statusCode < 100 || statusCode > 999) {
      throw new IllegalArgumentException("status code must be 100 to 999, got " + statusCode);
    }
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null) { // HttpURLConnection reports the status line under a null key
        copy.merge(e.getKey(), List.copyOf(e.getValue()), (a, b) -> {
          java.util.ArrayList<String> all = new java.util.ArrayList<>(a);
          all.addAll(b);
          return List.copyOf(all);
        });
      }
    }
    return new HttpResponse(statusCode, Collections.unmodifiableMap(copy), body, bodyTruncated);
  }

  /** {@return the HTTP status code} */
  public int statusCode() {
    return statusCode;
  }

  /** {@return all headers, unmodifiable; keys are case-insensitive} */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * The first value of header {@code name}, case-insensitive.
   *
   * @param name the header name
   * @return the first value; empty when the answer has no such header
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** {@return a copy of the body bytes the transport kept} */
  public byte[] body() {
    return body.clone();
  }

  /** {@return the body length in bytes (of what was kept)} */
  public int bodyLength() {
    return body.length;
  }

  /** {@return the body decoded as UTF-8} */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** {@return true when the answer was longer than the request allowed and only its start was kept} */
  public boolean bodyTruncated() {
    return bodyTruncated;
  }

  /** Status and body length; header values and the body are left out. */
  @Override
  public String toString() {
    return "HttpResponse{status=" + statusCode + ", bodyLength=" + body.length
        + (bodyTruncated ? ", truncated" : "") + '}';
  }
}
