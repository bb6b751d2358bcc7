package io.github.cphsdk.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A misbehaviour {@link FakeCloudPhoneServer} shows for the next {@link #times(int) n} matching requests:
 * an error answer, a late answer, a dropped connection or an oversized body. Immutable; the {@code with}-style
 * methods return a copy.
 *
 * <pre>{@code
 * server.injectFault(Fault.serviceUnavailable(Duration.ofSeconds(2)).times(2).on(Operation.PUSH));
 * server.injectFault(Fault.dropConnection().on(Operation.PUSH));          // read the push, answer nothing
 * server.injectFault(Fault.delay(Duration.ofSeconds(5)).on(Operation.LIST_JOBS));
 * }</pre>
 *
 * <p>Faults are kept in the order injected; each request consumes at most one: the first armed fault that
 * matches it. To make a staged test deterministic when batches run concurrently or the client retries, aim
 * a fault at the request that lists one server ({@link #forServer(String)}) or at the n-th matching request
 * ({@link #fromRequest(int)}). A fault is checked before authentication, as a gateway or network fault would be. Unless
 * stated otherwise the faulted request has no effect (no job is started).
 *
 * <table>
 *   <caption>Kinds of fault</caption>
 *   <tr><th>factory</th><th>answer</th><th>request applied?</th></tr>
 *   <tr><td>{@link #serviceUnavailable(Duration)}</td><td>503, {@code Retry-After: <seconds>}, an HTML body
 *       (as a load balancer sends)</td><td>no</td></tr>
 *   <tr><td>{@link #throttled()}</td><td>429 {@code APIGW.0308}</td><td>no</td></tr>
 *   <tr><td>{@link #internalError()}</td><td>500 {@code CPS.0003}</td><td>no</td></tr>
 *   <tr><td>{@link #error(int, String, String)}</td><td>any status with a CPH JSON error body</td><td>no</td></tr>
 *   <tr><td>{@link #response(int, String, String)}</td><td>any status, content type and body</td><td>no</td></tr>
 *   <tr><td>{@link #oversizedBody(long)}</td><td>200 with a valid JSON body of the given size, chunked</td>
 *       <td>no</td></tr>
 *   <tr><td>{@link #delay(Duration)}</td><td>the normal answer, sent after the delay (real time)</td>
 *       <td>yes, before the delay</td></tr>
 *   <tr><td>{@link #dropConnection()}</td><td>none: the request is read, then the connection closed</td>
 *       <td>no</td></tr>
 *   <tr><td>{@link #dropConnectionAfterApplying()}</td><td>none: the request is carried out, then the
 *       connection closed</td><td>yes</td></tr>
 * </table>
 */
public final class Fault {
  enum Kind { RESPOND, OVERSIZED_BODY, DELAY, DROP, DROP_AFTER_APPLYING }

  private final Kind kind;
  private final int status;
  private final String contentType;
  private final String body;
  private final Map<String, String> headers;
  private final Duration delay;
  private final long bodyBytes;
  private final int times;
  private final Set<Operation> operations;
  private final String method;
  private final Pattern path;
  private final String description;
  private final String serverId;
  private final int fromRequest;

  private Fault(Kind kind, int status, String contentType, String body, Map<String, String> headers,
      Duration delay, long bodyBytes, int times, Set<Operation> operations, String method, Pattern path,
      String description) {
    this(kind, status, contentType, body, headers, delay, bodyBytes, times, operations, method, path, description,
        null, 1);
  }

  private Fault(Kind kind, int status, String contentType, String body, Map<String, String> headers,
      Duration delay, long bodyBytes, int times, Set<Operation> operations, String method, Pattern path,
      String description, String serverId, int fromRequest) {
    this.kind = kind;
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    this.headers = headers;
    this.delay = delay;
    this.bodyBytes = bodyBytes;
    this.times = times;
    this.operations = operations;
    this.method = method;
    this.path = path;
    this.description = description;
    this.serverId = serverId;
    this.fromRequest = fromRequest;
  }

  private static Fault of(Kind kind, int status, String contentType, String body, Map<String, String> headers,
      Duration delay, long bodyBytes, String description) {
    return new Fault(kind, status, contentType, body, Collections.unmodifiableMap(new LinkedHashMap<>(headers)),
        delay, bodyBytes, 1, Set.of(), null, null, description);
  }

  /**
   * 503 with {@code Retry-After} in whole seconds (rounded up) and an HTML body, as a load balancer answers.
   *
   * @param retryAfter zero or more; 1.2 s is sent as {@code Retry-After: 2}
   * @return a new fault, for one request of any operation
   */
  public static Fault serviceUnavailable(Duration retryAfter) {
    long seconds = seconds("retryAfter", retryAfter);
    return of(Kind.RESPOND, 503, "text/html; charset=UTF-8", SERVICE_UNAVAILABLE_HTML,
        Map.of("Retry-After", Long.toString(seconds)), null, 0, "503 Retry-After: " + seconds);
  }

  /** {@return a 503 without {@code Retry-After}, with an HTML body} */
  public static Fault serviceUnavailable() {
    return of(Kind.RESPOND, 503, "text/html; charset=UTF-8", SERVICE_UNAVAILABLE_HTML, Map.of(), null, 0, "503");
  }

  /** {@return a 429 {@code APIGW.0308} ("throttled"), without {@code Retry-After} (the service documents none)} */
  public static Fault throttled() {
    return error(429, "APIGW.0308", "The throttling threshold has been reached.");
  }

  /**
   * 429 {@code APIGW.0308} with {@code Retry-After} in whole seconds (rounded up).
   *
   * @param retryAfter zero or more; 1.2 s is sent as {@code Retry-After: 2}
   * @return a new fault, for one request of any operation
   */
  public static Fault throttled(Duration retryAfter) {
    long seconds = seconds("retryAfter", retryAfter);
    return throttled().withHeader("Retry-After", Long.toString(seconds));
  }

  /** {@return a 500 {@code CPS.0003} ("Service internal error.")} */
  public static Fault internalError() {
    return error(500, "CPS.0003", "Service internal error.");
  }

  /**
   * An answer with {@code status} and a JSON error body {@code {"error_code","error_msg","request_id"}}.
   *
   * @param status 200 to 599
   * @param errorCode the {@code error_code}, e.g. {@code CPS.0148}; not {@code null}
   * @param errorMessage the {@code error_msg}; not {@code null}
   * @return a new fault, for one request of any operation
   * @throws IllegalArgumentException when {@code status} is not 200 to 599
   */
  public static Fault error(int status, String errorCode, String errorMessage) {
    checkStatus(status);
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(errorMessage, "errorMessage");
    return of(Kind.RESPOND, status, "application/json;charset=UTF-8",
        "{\"error_code\":" + jsonString(errorCode) + ",\"error_msg\":" + jsonString(errorMessage)
            + ",\"request_id\":\"{request_id}\"}",
        Map.of(), null, 0, status + " " + errorCode);
  }

  /**
   * A raw answer. In {@code body}, {@code {request_id}} is replaced by the answer's request id.
   *
   * @param status 200 to 599
   * @param contentType the {@code Content-Type}; not {@code null}
   * @param body the body; not {@code null}
   * @return a new fault, for one request of any operation
   * @throws IllegalArgumentException when {@code status} is not 200 to 599
   */
  public static Fault response(int status, String contentType, String body) {
    checkStatus(status);
    return of(Kind.RESPOND, status, Objects.requireNonNull(contentType, "contentType"),
        Objects.requireNonNull(body, "body"), Map.of(), null, 0, status + " raw");
  }

  /**
   * 200 with a syntactically valid JSON body ({@code {"request_id":..,"jobs":[],"padding":"xxx.."}}) of
   * exactly {@code bytes} bytes, sent chunked (no {@code Content-Length}), to test a client's body limit.
   *
   * @param bytes the body size, at least 100
   * @return a new fault, for one request of any operation
   * @throws IllegalArgumentException when {@code bytes} is below 100
   */
  public static Fault oversizedBody(long bytes) {
    if (bytes < 100) {
      throw new IllegalArgumentException("bytes must be at least 100, got " + bytes);
    }
    return of(Kind.OVERSIZED_BODY, 200, "application/json;charset=UTF-8", null, Map.of(), null, bytes,
        "200 with " + bytes + " bytes");
  }

  /**
   * Carries out the request, then waits {@code delay} (real time, on one of the server's threads, so other
   * requests are still served) before sending the normal answer. Closing the server ends the wait and drops
   * the connection.
   *
   * @param delay zero or more
   * @return a new fault, for one request of any operation
   */
  public static Fault delay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    return of(Kind.DELAY, 0, null, null, Map.of(), delay, 0, "delay " + delay);
  }

  /**
   * {@return a fault that reads the whole request, does nothing with it and closes the connection without
   * answering}
   */
  public static Fault dropConnection() {
    return of(Kind.DROP, 0, null, null, Map.of(), null, 0, "drop connection");
  }

  /**
   * {@return a fault that carries out the request (jobs are started), then closes the connection without
   * answering}
   */
  public static Fault dropConnectionAfterApplying() {
    return of(Kind.DROP_AFTER_APPLYING, 0, null, null, Map.of(), null, 0, "drop connection after applying");
  }

  /**
   * The fault applies to the next {@code n} matching requests (default 1).
   *
   * @param n 1 or more
   * @return a copy; this fault is unchanged
   * @throws IllegalArgumentException when {@code n} is below 1
   */
  public Fault times(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("times must be at least 1, got " + n);
    }
    return new Fault(kind, status, contentType, body, headers, delay, bodyBytes, n, operations, method, path,
        description,
        serverId, fromRequest);
  }

  /**
   * The fault applies only to requests for one of {@code ops} (default: any request).
   *
   * @param ops at least one, none {@code null}
   * @return a copy; this fault is unchanged
   */
  public Fault on(Operation... ops) {
    if (ops.length == 0) {
      throw new IllegalArgumentException("on(...) needs at least one operation");
    }
    Set<Operation> set = EnumSet.noneOf(Operation.class);
    for (Operation op : ops) {
      set.add(Objects.requireNonNull(op, "operation"));
    }
    return new Fault(kind, status, contentType, body, headers, delay, bodyBytes, times,
        Collections.unmodifiableSet(set), method, path, description,
        serverId, fromRequest);
  }

  /**
   * The fault applies only to requests with {@code method} (any when {@code null}) whose raw path contains a
   * match of {@code pathRegex} (any when {@code null}).
   *
   * @param method an HTTP method, any case, or {@code null}
   * @param pathRegex a {@link java.util.regex.Pattern} found anywhere in the raw path, or {@code null}
   * @return a copy; this fault is unchanged
   */
  public Fault matching(String method, String pathRegex) {
    return new Fault(kind, status, contentType, body, headers, delay, bodyBytes, times, operations, method,
        pathRegex == null ? null : Pattern.compile(pathRegex), description,
        serverId, fromRequest);
  }

  /**
   * The fault applies only to a push or delete whose body lists {@code serverId} in {@code server_ids}
   * (other requests pass it by untouched). With batches, the fault hits the batch that carries this server,
   * whichever batch reaches the server first; with {@link #times(int) times(1)} (the default) the client's
   * retry of that batch is answered normally.
   *
   * <pre>{@code
   * server.injectFault(Fault.throttled().forServer(ids.get(25)));   // the batch of server #26, once
   * }</pre>
   *
   * @param serverId a server id, not {@code null}
   * @return a copy; this fault is unchanged
   */
  public Fault forServer(String serverId) {
    Objects.requireNonNull(serverId, "serverId");
    return new Fault(kind, status, contentType, body, headers, delay, bodyBytes, times, operations, method, path,
        description, serverId, fromRequest);
  }

  /**
   * The fault lets the first {@code n - 1} requests it matches pass untouched and applies from the
   * {@code n}-th on (for {@link #times(int)} requests). Requests are counted from the time the fault is armed,
   * among those that reach it (not taken by a fault armed before it). {@code fromRequest(2).on(Operation.PUSH)}
   * is "the second push", retries included; for a target that does not depend on arrival order among
   * concurrent batches, use {@link #forServer(String)}.
   *
   * @param n 1 or more (default 1: the next matching request)
   * @return a copy; this fault is unchanged
   * @throws IllegalArgumentException when {@code n} is below 1
   */
  public Fault fromRequest(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("fromRequest must be at least 1, got " + n);
    }
    return new Fault(kind, status, contentType, body, headers, delay, bodyBytes, times, operations, method, path,
        description, serverId, n);
  }

  /**
   * Adds a response header (for answering faults).
   *
   * @param name the header name; not {@code null}
   * @param value the header value; not {@code null}
   * @return a copy; this fault is unchanged
   * @throws IllegalStateException for a fault that does not answer (delay, dropped connection)
   */
  public Fault withHeader(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (kind != Kind.RESPOND && kind != Kind.OVERSIZED_BODY) {
      throw new IllegalStateException("withHeader applies only to faults that answer, not to " + description);
    }
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new Fault(kind, status, contentType, body, Collections.unmodifiableMap(h), delay, bodyBytes, times,
        operations, method, path, description,
        serverId, fromRequest);
  }

  /** {@return how many requests this fault applies to} */
  public int times() {
    return times;
  }

  boolean matches(String requestMethod, String rawPath, Operation op, List<String> bodyServerIds) {
    if (!operations.isEmpty() && !operations.contains(op)) {
      return false;
    }
    if (method != null && !method.equalsIgnoreCase(requestMethod)) {
      return false;
    }
    if (serverId != null && !bodyServerIds.contains(serverId)) {
      return false;
    }
    return path == null || path.matcher(rawPath).find();
  }

  /** {@return the server id a matching body must list, or {@code null}} */
  String serverId() {
    return serverId;
  }

  /** {@return the first matching request (1-based) the fault applies to} */
  int fromRequest() {
    return fromRequest;
  }

  Kind kind() {
    return kind;
  }

  int status() {
    return status;
  }

  String contentType() {
    return contentType;
  }

  String body() {
    return body;
  }

  Map<String, String> headers() {
    return headers;
  }

  Duration delay() {
    return delay;
  }

  long bodyBytes() {
    return bodyBytes;
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    parts.add(description);
    parts.add("times=" + times);
    if (!operations.isEmpty()) {
      parts.add("on=" + operations);
    }
    if (method != null) {
      parts.add("method=" + method);
    }
    if (path != null) {
      parts.add("path~" + path.pattern());
    }
    if (serverId != null) {
      parts.add("server=" + serverId);
    }
    if (fromRequest > 1) {
      parts.add("fromRequest=" + fromRequest);
    }
    return "Fault[" + String.join(", ", parts) + "]";
  }

  private static final String SERVICE_UNAVAILABLE_HTML =
      "<html><head><title>503 Service Temporarily Unavailable</title></head>"
          + "<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>";

  private static long seconds(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, got " + d);
    }
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }

  private static void checkStatus(int status) {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status must be 200 to 599, got " + status);
    }
  }

  static String jsonString(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
