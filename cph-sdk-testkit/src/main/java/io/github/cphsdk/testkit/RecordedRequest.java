package io.github.cphsdk.testkit;

import io.github.cphsdk.testkit.internal.QueryString;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One request as {@link FakeCloudPhoneServer} received it, with the status it answered: for assertions
 * on what a client sent.
 *
 * <pre>{@code
 * RecordedRequest push = server.requests(Operation.PUSH).get(0);
 * assertEquals("application/json", push.header("Content-Type").orElseThrow());
 * assertTrue(push.bodyUtf8().contains("\"pre_install_app\":1"));
 * assertEquals(200, push.responseStatus());
 * }</pre>
 *
 * <p>Immutable. Header names are kept in lower case. {@link #toString()} hides the values of
 * {@code X-Auth-Token}, {@code Authorization} and {@code X-Security-Token}; the accessors do not, so tests
 * can check them.
 */
public final class RecordedRequest {
  private static final Set<String> SECRET_HEADERS = Set.of("x-auth-token", "authorization", "x-security-token");

  private final long sequence;
  private final String method;
  private final String path;
  private final String query;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final Instant receivedAt;
  private final Operation operation;
  private final int responseStatus;
  private final boolean applied;

  RecordedRequest(long sequence, String method, String path, String query, Map<String, List<String>> headers,
      byte[] body, Instant receivedAt, Operation operation, int responseStatus, boolean applied) {
    this.sequence = sequence;
    this.method = method;
    this.path = path;
    this.query = query == null ? "" : query;
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((name, values) -> copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
        .addAll(values));
    copy.replaceAll((name, values) -> List.copyOf(values));
    this.headers = Collections.unmodifiableMap(copy);
    this.body = body.clone();
    this.receivedAt = receivedAt;
    this.operation = operation;
    this.responseStatus = responseStatus;
    this.applied = applied;
  }

  /** {@return the position of this request among all requests the server received, from 1} */
  public long sequence() {
    return sequence;
  }

  /** {@return the HTTP method, e.g. {@code POST}} */
  public String method() {
    return method;
  }

  /** {@return the path as sent (still percent-encoded), without the query} */
  public String path() {
    return path;
  }

  /**
   * {@return the query string as sent (still percent-encoded), without {@code ?}; empty when there was none}
   */
  public String query() {
    return query;
  }

  /**
   * The first value of query parameter {@code name}, percent-decoded.
   *
   * @param name the parameter name, matched exactly (case-sensitive)
   * @return the first value; empty when the query has no such parameter
   */
  public Optional<String> queryParameter(String name) {
    for (Map.Entry<String, String> p : QueryString.parse(query)) {
      if (p.getKey().equals(name)) {
        return Optional.of(p.getValue());
      }
    }
    return Optional.empty();
  }

  /** {@return all headers, unmodifiable; names in lower case, values in the order received} */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * The first value of header {@code name} (any case).
   *
   * @param name the header name
   * @return the first value; empty when the request had no such header
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** {@return a copy of the body bytes; empty when there was no body} */
  public byte[] body() {
    return body.clone();
  }

  /** {@return the body decoded as UTF-8} */
  public String bodyUtf8() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** {@return when the request arrived, by the server's clock (a {@link FakeClock} when the test gave one)} */
  public Instant receivedAt() {
    return receivedAt;
  }

  /** {@return which operation the method and path address; {@link Operation#UNKNOWN} for none} */
  public Operation operation() {
    return operation;
  }

  /**
   * The HTTP status the server answered, or {@code 0} when it dropped the connection without answering
   * (a {@link Fault#dropConnection()} fault).
   *
   * @return the status, or {@code 0}
   */
  public int responseStatus() {
    return responseStatus;
  }

  /**
   * Whether the server carried the request out: a push or delete that started its jobs (answered 200, also
   * when a {@link Fault#delay} held the answer back or a {@link Fault#dropConnectionAfterApplying()} dropped
   * it), or any other request answered 2xx. {@code false} when an answering fault (503, 429, 500, ...) or a
   * {@link Fault#dropConnection()} took it, or the emulator refused it (400, 401, 404).
   *
   * @return {@code true} when the server acted on the request
   */
  public boolean applied() {
    return applied;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("RecordedRequest[#").append(sequence).append(' ')
        .append(method).append(' ').append(path);
    if (!query.isEmpty()) {
      sb.append('?').append(query);
    }
    sb.append(" -> ").append(responseStatus == 0 ? "dropped" : String.valueOf(responseStatus))
        .append(applied ? ", applied" : "")
        .append(", headers={");
    String sep = "";
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      sb.append(sep).append(h.getKey()).append('=')
          .append(SECRET_HEADERS.contains(h.getKey()) ? "<redacted>" : String.join(",", h.getValue()));
      sep = ", ";
    }
    return sb.append("}, body=").append(body.length).append(" bytes]").toString();
  }
}
