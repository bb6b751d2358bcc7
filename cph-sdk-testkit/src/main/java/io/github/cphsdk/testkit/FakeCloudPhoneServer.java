package io.github.cphsdk.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.cphsdk.testkit.internal.FieldRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A local Huawei Cloud Phone Host (CPH) emulator on the JDK's built-in HTTP server, for tests and demos: it
 * serves push and delete shared applications, show job and list jobs with the service's answer shapes,
 * checks IAM tokens and AK/SK signatures, validates bodies, runs jobs on a clock the test controls, injects
 * faults and records every request. It depends only on the JDK and jackson-databind, so any client can be
 * tested against it.
 *
 * <pre>{@code
 * class PushTest {
 *   static final String S1 = "1234567b8bab40ffb711234cb80d0234";
 *   static final String S2 = "1678567b8bab40f93711234cb80d0764";
 *   final FakeClock clock = new FakeClock();                  // jobs move only when the test says so
 *   final FakeCloudPhoneServer server = FakeCloudPhoneServer.builder()
 *       .token("test-token")
 *       .clock(clock)
 *       .jobDuration(Duration.ofSeconds(30))
 *       .serverJobFails(S2, "CPS.0200", "Install failed.", "disk full")
 *       .start();
 *
 *   @AfterEach void stop() { server.close(); }
 *
 *   @Test void pushStartsOneJobPerServer() {
 *     CloudPhoneClient client = CloudPhoneClient.builder()   // or any other HTTP client
 *         .endpoint(server.endpoint())                      // http://127.0.0.1:<free port>
 *         .projectId(server.projectId())
 *         .credentials(Credentials.token("test-token"))
 *         .build();
 *     ShareAppsResponse response = client.shareApps(ShareAppsRequest.builder()
 *         .packageName("com.example.game").bucketName("bucket").objectPath("apps/game.tar")
 *         .addServerIds(S1, S2).build());
 *
 *     assertEquals(List.of(S1, S2), server.pushedServerIds());
 *     assertEquals("test-token", server.requests(Operation.PUSH).get(0).header("X-Auth-Token").orElseThrow());
 *     // list jobs now: status 1 (running); after clock.advance(Duration.ofSeconds(30)): S1 2, S2 -1
 *   }
 *
 *   @Test void retriesAfter503() {
 *     server.injectFault(Fault.serviceUnavailable(Duration.ofSeconds(1)).times(2).on(Operation.PUSH));
 *     // ... the third attempt succeeds; server.pushCount() == 1
 *   }
 * }
 * }</pre>
 *
 * <h2>What it serves</h2>
 * <ul>
 *   <li>{@code POST /v1/{project_id}/cloud-phone/phones/share-apps}: validates the body, answers 200
 *       {@code {"request_id","jobs":[{"server_id","job_id"}|{"server_id","error_code","error_msg"}]}} with one
 *       entry per server id, in order, and starts a job for each accepted server.</li>
 *   <li>{@code DELETE /v1/{project_id}/cloud-phone/phones/share-apps} with {@code {"package_name","server_ids"}}:
 *       the same answer; a server where the package is not present (never pushed by a finished, successful
 *       job, not {@linkplain Builder#sharedApp seeded}, or deleted since) gets a per-server rejection.</li>
 *   <li>{@code GET /v1/{project_id}/cloud-phone/jobs/{job_id}}: one job.</li>
 *   <li>{@code GET /v1/{project_id}/cloud-phone/jobs?request_id=..} or {@code request_ids=a,b} (at most 20;
 *       {@code request_ids} wins when both are given), {@code offset} (&ge; 0, default 0) and {@code limit}
 *       (1 to 100, default 100): {@code {"request_id","jobs":[..]}}, jobs in the order they were started.</li>
 * </ul>
 * A job is {@code {"request_id" (of the push or delete that started it),"server_id","job_id","begin_time",
 * "end_time" (once finished),"status","error_code","error_msg","execute_msg" (when failed)}}, times as UTC
 * {@code yyyy-MM-dd'T'HH:mm:ss'Z'}. Status is {@code 1} (running) until the job duration has passed on the
 * server's clock, then {@code 2} (succeeded) or {@code -1} (failed, for {@linkplain Builder#serverJobFails
 * servers configured to fail}); servers configured with {@link Builder#serverReportsUnknownStatus} report
 * {@code 3}, a status clients must treat as "not finished", while running. Every answer carries an
 * {@code X-Request-Id} header; for push and delete it equals the body's {@code request_id}.
 *
 * <h2>Authentication</h2>
 * With no {@linkplain Builder#token token} and no {@linkplain Builder#akSk key pair} configured, every request
 * is accepted. Otherwise a request needs either an accepted {@code X-Auth-Token} or an {@code Authorization:
 * SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..} header that the server recomputes from the
 * request (docs/API.md section 4): the signed headers must be lower case, in ascending order, and include
 * {@code host} and {@code x-sdk-date}; {@code X-Sdk-Date} must be within 15 minutes of the server's clock
 * (so give the client the same {@link FakeClock}); temporary key pairs also need a signed, matching
 * {@code X-Security-Token}. Query parameters are percent-decoded with {@code +} kept as a plus sign.
 *
 * <h2>Answers and error codes</h2>
 * Error bodies are {@code {"error_code","error_msg","request_id"}}. Codes marked * are the emulator's
 * choice where docs/API.md documents none.
 * <table>
 *   <caption>Errors</caption>
 *   <tr><th>situation</th><th>HTTP</th><th>error_code</th></tr>
 *   <tr><td>unknown path, or a known path with the wrong method</td><td>404</td><td>{@code APIGW.0101}</td></tr>
 *   <tr><td>no credentials, unknown token, bad or stale signature</td><td>401</td><td>{@code APIGW.0301}</td></tr>
 *   <tr><td>a token {@linkplain #expireToken expired} by the test</td><td>401</td><td>{@code APIGW.0307}</td></tr>
 *   <tr><td>project id in the path is not {@link #projectId()}</td><td>400</td><td>{@code CPS.0001}</td></tr>
 *   <tr><td>body not a JSON object; bad {@code bucket_name}, {@code object_path}, {@code server_ids} (missing,
 *       empty, repeated ids, more than {@linkplain Builder#maxServersPerRequest the limit}); list jobs without
 *       {@code request_id}/{@code request_ids} or with more than 20; body over 1 MiB</td><td>400</td>
 *       <td>{@code CPS.0100}*</td></tr>
 *   <tr><td>bad {@code package_name}</td><td>400</td><td>{@code CPS.0173}* (inferred from the service's
 *       error list)</td></tr>
 *   <tr><td>{@code pre_install_app} not 0 or 1</td><td>400</td><td>{@code CPS.0148}</td></tr>
 *   <tr><td>bad {@code offset} or {@code limit}</td><td>400</td><td>{@code CPS.0002}</td></tr>
 *   <tr><td>show job: no such job</td><td>404</td><td>{@code CPS.0018}*</td></tr>
 *   <tr><td>per server, in a 200: malformed (not 32 letters/digits) or unknown server id</td><td>200</td>
 *       <td>{@code CPS.0016}</td></tr>
 *   <tr><td>per server, in a 200: {@linkplain Builder#serverWithoutSharedApps server without shared
 *       applications}</td><td>200</td><td>{@code CPS.0149}* (inferred)</td></tr>
 *   <tr><td>per server, in a 200 to a delete: the package is not on the server</td><td>200</td>
 *       <td>{@code CPS.0150}*</td></tr>
 * </table>
 * {@link Fault}s add 503, 429 {@code APIGW.0308}, 500 {@code CPS.0003}, delays and dropped connections; a
 * {@linkplain Builder#requestRateQuota request-rate quota} answers 429 {@code APIGW.0308} with {@code Retry-After}
 * to every request above it.
 *
 * <h2>Threads</h2>
 * The server listens on {@code 127.0.0.1} on a free port and handles requests on a bounded pool of daemon
 * threads ({@link Builder#threads}), so a delayed answer does not hold up other requests; its dispatcher
 * thread is a daemon too. {@link #close()} stops it, ends pending delays and frees the port. All methods are
 * thread-safe.
 *
 * <p>The JDK server delays small answers by about 40 ms (Nagle's algorithm) unless the system property
 * {@code sun.net.httpserver.nodelay} is {@code true} when its classes load. Loading this class sets it to
 * {@code true} unless it was already set; set {@code -Dsun.net.httpserver.nodelay=true} yourself if another
 * {@code com.sun.net.httpserver} server starts earlier in the same JVM.
 */
public final class FakeCloudPhoneServer implements AutoCloseable {
  static {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** The project id the server expects when none is configured. */
  public static final String DEFAULT_PROJECT_ID = "0123456789abcdef0123456789abcdef";

  static final int MAX_REQUEST_BODY = 1024 * 1024;
  static final int MAX_RECORDED = 10_000;
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Emulator emulator;
  private final HttpServer http;
  private final ThreadPoolExecutor executor;
  private final URI endpoint;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong sequence = new AtomicLong();
  private final Deque<RecordedRequest> recorded = new ArrayDeque<>(); // guarded by itself
  private final List<ArmedFault> faults = new ArrayList<>(); // guarded by itself
  private final Consumer<? super RecordedRequest> requestListener;
  private final Quota quota;
  private final AtomicLong throttledByQuota = new AtomicLong();

  /** The request-rate quota: a token bucket refilled in real time, one second of burst. */
  private static final class Quota {
    final double rate;
    double tokens;
    long last = System.nanoTime();

    Quota(double rate) {
      this.rate = rate;
      this.tokens = Math.max(1, rate);
    }

    /** Takes a token; returns 0 when admitted, else the nanoseconds until the next token. */
    synchronized long take() {
      long now = System.nanoTime();
      tokens = Math.min(Math.max(1, rate), tokens + (now - last) * rate / 1e9);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / rate * 1e9));
    }
  }

  private static final class ArmedFault {
    final Fault fault;
    int remaining;

    int toPass; // matching requests still to let through before the fault applies (Fault.fromRequest)

    ArmedFault(Fault fault) {
      this.fault = fault;
      this.remaining = fault.times();
      this.toPass = fault.fromRequest() - 1;
    }
  }

  private FakeCloudPhoneServer(Builder b) {
    this.requestListener = b.requestListener;
    this.quota = b.requestsPerSecond > 0 ? new Quota(b.requestsPerSecond) : null;
    this.emulator = new Emulator(b.projectId, b.tokens, b.keyPairs, b.clock, b.jobDuration, b.maxServersPerRequest,
        b.acceptAnyServerId ? null : b.knownServers, b.profiles, b.sharedApps);
    int instance = INSTANCES.incrementAndGet();
    AtomicInteger threadNumber = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "fake-cph-" + instance + "-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.executor = new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        factory);
    executor.allowCoreThreadTimeOut(true);
    try {
      this.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
    }
    http.createContext("/", this::handle);
    http.setExecutor(executor);
    // The dispatcher thread inherits the daemon flag of the thread that starts the server.
    Thread starter = new Thread(http::start, "fake-cph-" + instance + "-start");
    starter.setDaemon(true);
    starter.start();
    try {
      starter.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      http.stop(0);
      executor.shutdownNow();
      throw new IllegalStateException("interrupted while starting the server", e);
    }
    this.endpoint = URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  /** {@return a new builder with the defaults; {@link Builder#start()} starts the server} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the base URI to give the client, {@code http://127.0.0.1:<port>}, without a trailing slash} */
  public URI endpoint() {
    return endpoint;
  }

  /** {@return the project id the server expects in paths} */
  public String projectId() {
    return emulator.projectId();
  }

  /** {@return the clock the server runs jobs and checks signature dates on} */
  public Clock clock() {
    return emulator.clock();
  }

  // ---------------------------------------------------------------- runtime configuration

  /**
   * Arms {@code fault} for its next {@link Fault#times() n} matching requests, after any fault armed
   * earlier.
   *
   * @param fault not {@code null}; may be armed again later, each arming counting afresh
   */
  public void injectFault(Fault fault) {
    Objects.requireNonNull(fault, "fault");
    synchronized (faults) {
      faults.add(new ArmedFault(fault));
    }
  }

  /** Disarms every fault that has not been used up. */
  public void clearFaults() {
    synchronized (faults) {
      faults.clear();
    }
  }

  /**
   * Accepts {@code token} as {@code X-Auth-Token} from now on (for example a refreshed token).
   *
   * @param token not {@code null} or blank
   */
  public void acceptToken(String token) {
    emulator.acceptToken(requireText("token", token));
  }

  /**
   * From now on answers requests carrying {@code token} with 401 {@code APIGW.0307} ("must be refreshed").
   *
   * @param token not {@code null} or blank
   */
  public void expireToken(String token) {
    emulator.expireToken(requireText("token", token));
  }

  // ---------------------------------------------------------------- recorded requests and counters

  /**
   * Every request received so far (the latest 10,000), oldest first; an immutable snapshot. To see every
   * request of a longer run, give the builder an {@link Builder#onRequest(Consumer) onRequest} listener.
   *
   * @return the recorded requests, oldest first
   */
  public List<RecordedRequest> requests() {
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  /**
   * The recorded requests for {@code operation}, oldest first.
   *
   * @param operation not {@code null}
   * @return an immutable snapshot; empty when there were none
   */
  public List<RecordedRequest> requests(Operation operation) {
    Objects.requireNonNull(operation, "operation");
    List<RecordedRequest> out = new ArrayList<>();
    for (RecordedRequest r : requests()) {
      if (r.operation() == operation) {
        out.add(r);
      }
    }
    return List.copyOf(out);
  }

  /**
   * How many push requests the server carried out (answered 200, or applied before a
   * {@link Fault#dropConnectionAfterApplying()}); faulted and rejected requests do not count.
   *
   * @return the count since the start or the last {@link #clearRecorded()}
   */
  public int pushCount() {
    return emulator.pushCount();
  }

  /**
   * How many requests the {@linkplain Builder#requestRateQuota request-rate quota} turned away with 429
   * {@code APIGW.0308}.
   *
   * @return the count since the start (not reset by {@link #clearRecorded()})
   */
  public long throttledCount() {
    return throttledByQuota.get();
  }

  /** {@return how many delete requests the server carried out} */
  public int deleteCount() {
    return emulator.deleteCount();
  }

  /**
   * The server id of every push job started, in order: an id that appears twice was pushed twice. Use it
   * to check that nothing was sent twice and nothing was lost.
   *
   * @return the server ids since the start or the last {@link #clearRecorded()}
   */
  public List<String> pushedServerIds() {
    return emulator.pushedServerIds();
  }

  /** {@return the server id of every delete job started, in order} */
  public List<String> deletedServerIds() {
    return emulator.deletedServerIds();
  }

  /**
   * Forgets the recorded requests and resets {@link #pushCount()}, {@link #deleteCount()},
   * {@link #pushedServerIds()} and {@link #deletedServerIds()}. Jobs, apps on servers and faults stay.
   */
  public void clearRecorded() {
    synchronized (recorded) {
      recorded.clear();
    }
    emulator.resetCounters();
  }

  /** Stops the server: closes its port and connections, ends pending delays and stops its threads. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    http.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "FakeCloudPhoneServer[" + endpoint + (closed.get() ? ", closed" : "") + "]";
  }

  // ---------------------------------------------------------------- HTTP

  private void handle(HttpExchange exchange) {
    try {
      String method = exchange.getRequestMethod();
      URI uri = exchange.getRequestURI();
      String rawPath = uri.getRawPath();
      String rawQuery = uri.getRawQuery();
      boolean tooLarge = false;
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = readAtMost(in, MAX_REQUEST_BODY + 1);
        if (body.length > MAX_REQUEST_BODY) {
          tooLarge = true;
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
      Instant now = emulator.clock().instant();
      Operation operation = Route.of(method, rawPath).operation;
      if (quota != null) {
        long wait = quota.take();
        if (wait > 0) {
          throttledByQuota.incrementAndGet();
          long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
          Answer throttled = Answer.error(429, "APIGW.0308", "The throttling threshold has been reached.",
              Emulator.newId());
          throttled.headers.put("Retry-After", Long.toString(seconds));
          record(exchange, body, now, operation, 429, false);
          send(exchange, throttled);
          return;
        }
      }
      Fault fault = takeFault(method, rawPath, operation, body);
      Fault.Kind kind = fault == null ? null : fault.kind();

      if (kind == Fault.Kind.DROP) {
        record(exchange, body, now, operation, 0, false);
        abort(exchange);
        return;
      }
      Answer answer;
      if (kind == Fault.Kind.RESPOND) {
        answer = Answer.raw(fault.status(), fault.contentType(), fault.body(), fault.headers(), Emulator.newId());
      } else if (kind == Fault.Kind.OVERSIZED_BODY) {
        answer = Answer.streamed(fault.status(), fault.contentType(), fault.bodyBytes(), fault.headers(),
            Emulator.newId());
      } else {
        Map<String, String> firstValues = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
          if (!values.isEmpty()) {
            firstValues.put(name.toLowerCase(Locale.ROOT), values.get(0));
          }
        });
        answer = emulator.handle(new Emulator.Incoming(method, rawPath, rawQuery, firstValues::get, body, tooLarge,
            now));
      }
      // Carried out: the emulator (not an answering fault) handled it and accepted it.
      boolean applied = (kind == null || kind == Fault.Kind.DELAY || kind == Fault.Kind.DROP_AFTER_APPLYING)
          && answer.status >= 200 && answer.status < 300;
      if (kind == Fault.Kind.DROP_AFTER_APPLYING) {
        record(exchange, body, now, operation, 0, applied);
        abort(exchange);
        return;
      }
      record(exchange, body, now, operation, answer.status, applied);
      if (kind == Fault.Kind.DELAY) {
        try {
          Thread.sleep(fault.delay().toMillis());
        } catch (InterruptedException e) {
          abort(exchange); // the server is closing
          return;
        }
      }
      send(exchange, answer);
    } catch (IOException e) {
      // the client went away; nothing to answer
    } catch (RuntimeException e) {
      try {
        send(exchange, Answer.error(500, "CPS.0003", "Service internal error.", Emulator.newId()));
      } catch (IOException | RuntimeException ignored) {
        // headers may already be out; the connection is closed below
      }
    } finally {
      exchange.close();
    }
  }

  private Fault takeFault(String method, String rawPath, Operation operation, byte[] body) {
    List<String> serverIds = null;
    synchronized (faults) {
      for (int i = 0; i < faults.size(); i++) {
        ArmedFault armed = faults.get(i);
        if (armed.fault.serverId() != null && serverIds == null) {
          serverIds = emulator.serverIdsIn(body);
        }
        if (armed.fault.matches(method, rawPath, operation, serverIds == null ? List.of() : serverIds)) {
          if (armed.toPass > 0) {
            armed.toPass--;
            continue;
          }
          if (--armed.remaining == 0) {
            faults.remove(i);
          }
          return armed.fault;
        }
      }
      return null;
    }
  }

  private void record(HttpExchange exchange, byte[] body, Instant now, Operation operation, int status,
      boolean applied) {
    URI uri = exchange.getRequestURI();
    RecordedRequest r = new RecordedRequest(sequence.incrementAndGet(), exchange.getRequestMethod(),
        uri.getRawPath(), uri.getRawQuery(), exchange.getRequestHeaders(), body, now, operation, status, applied);
    synchronized (recorded) {
      if (recorded.size() == MAX_RECORDED) {
        recorded.removeFirst();
      }
      recorded.addLast(r);
    }
    if (requestListener != null) {
      try {
        requestListener.accept(r);
      } catch (RuntimeException e) {
        // a test's listener must not change what the server answers
      }
    }
  }

  /** Closes the connection without an answer: the client reads end-of-stream where the status line should be. */
  private static void abort(HttpExchange exchange) {
    // Without sendResponseHeaders, HttpExchange.close() closes the underlying connection.
    exchange.close();
  }

  private static void send(HttpExchange exchange, Answer answer) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", answer.contentType);
    exchange.getResponseHeaders().set("X-Request-Id", answer.requestId);
    answer.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    if (answer.streamedBytes > 0) {
      exchange.sendResponseHeaders(answer.status, 0); // chunked
      try (OutputStream out = exchange.getResponseBody()) {
        writeOversized(out, answer.streamedBytes, answer.requestId);
      }
      return;
    }
    exchange.sendResponseHeaders(answer.status, answer.body.length == 0 ? -1 : answer.body.length);
    if (answer.body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body);
      }
    }
  }

  private static void writeOversized(OutputStream out, long total, String requestId) throws IOException {
    byte[] head = ("{\"request_id\":\"" + requestId + "\",\"jobs\":[],\"padding\":\"")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
    out.write(head);
    long padding = total - head.length - tail.length;
    byte[] chunk = new byte[8192];
    Arrays.fill(chunk, (byte) 'x');
    while (padding > 0) {
      int n = (int) Math.min(chunk.length, padding);
      out.write(chunk, 0, n);
      padding -= n;
    }
    out.write(tail);
  }

  private static byte[] readAtMost(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (out.size() < limit) {
      int n = in.read(buf, 0, Math.min(buf.length, limit - out.size()));
      if (n < 0) {
        break;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static String requireText(String field, String value) {
    if (value == null || value.trim().isEmpty()) {
      throw new IllegalArgumentException(field + " must not be null or blank");
    }
    return value;
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures and {@linkplain #start() starts} a {@link FakeCloudPhoneServer}. Every bad argument gets an
   * {@link IllegalArgumentException} naming the field and the rule. Not thread-safe.
   *
   * <pre>{@code
   * FakeCloudPhoneServer server = FakeCloudPhoneServer.builder()
   *     .projectId("0123456789abcdef0123456789abcdef")
   *     .akSk("AK", "SK")
   *     .servers(ids)                                         // only these exist (default: any well-formed id)
   *     .serverWithoutSharedApps("1234567b8bab40ffb711234cb80d0234")
   *     .start();
   * }</pre>
   */
  public static final class Builder {
    private String projectId = DEFAULT_PROJECT_ID;
    private final Set<String> tokens = new LinkedHashSet<>();
    private final Map<String, Emulator.KeyPair> keyPairs = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();
    private Duration jobDuration = Duration.ofSeconds(2);
    private int maxServersPerRequest = 20;
    private boolean acceptAnyServerId = true;
    private final Set<String> knownServers = new LinkedHashSet<>();
    private final Map<String, ServerProfile> profiles = new HashMap<>();
    private final Map<String, Set<String>> sharedApps = new HashMap<>();
    private int threads = 8;
    private double requestsPerSecond;
    private Consumer<? super RecordedRequest> requestListener;

    private Builder() {}

    /**
     * The project id expected in every path (default {@link #DEFAULT_PROJECT_ID}).
     *
     * @param projectId 1 to 64 letters, digits, {@code -} or {@code _}
     * @return this builder
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code -} or {@code _}
     */
    public Builder projectId(String projectId) {
      if (projectId == null || !projectId.matches("[A-Za-z0-9_-]{1,64}")) {
        throw new IllegalArgumentException("projectId must be 1 to 64 letters, digits, '-' or '_'");
      }
      this.projectId = projectId;
      return this;
    }

    /**
     * Accepts {@code token} as {@code X-Auth-Token}; may be called several times.
     *
     * @param token not {@code null} or blank
     * @return this builder
     */
    public Builder token(String token) {
      tokens.add(requireText("token", token));
      return this;
    }

    /**
     * Accepts requests signed with this permanent AK/SK pair; may be called for several pairs.
     *
     * @param accessKey not {@code null} or blank
     * @param secretKey not {@code null} or blank
     * @return this builder
     */
    public Builder akSk(String accessKey, String secretKey) {
      keyPairs.put(requireText("accessKey", accessKey), new Emulator.KeyPair(requireText("secretKey", secretKey),
          null));
      return this;
    }

    /**
     * Accepts requests signed with this temporary AK/SK pair, which must also carry a signed
     * {@code X-Security-Token} equal to {@code securityToken}.
     *
     * @param accessKey not {@code null} or blank
     * @param secretKey not {@code null} or blank
     * @param securityToken not {@code null} or blank
     * @return this builder
     */
    public Builder temporaryAkSk(String accessKey, String secretKey, String securityToken) {
      keyPairs.put(requireText("accessKey", accessKey), new Emulator.KeyPair(requireText("secretKey", secretKey),
          requireText("securityToken", securityToken)));
      return this;
    }

    /**
     * The clock jobs run on and signature dates are checked against (default {@link Clock#systemUTC()}, for
     * demos); give tests a {@link FakeClock}.
     *
     * @param clock not {@code null}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long a job runs before it succeeds or fails (default 2 seconds).
     *
     * @param jobDuration zero or more, on the server's {@link #clock clock}
     * @return this builder
     * @throws IllegalArgumentException when negative
     */
    public Builder jobDuration(Duration jobDuration) {
      this.jobDuration = nonNegative("jobDuration", jobDuration);
      return this;
    }

    /**
     * The most server ids one push or delete may carry (default 20, as the newest reference); more is a
     * 400 {@code CPS.0100}.
     *
     * @param max 1 to 1000
     * @return this builder
     * @throws IllegalArgumentException unless 1 to 1000
     */
    public Builder maxServersPerRequest(int max) {
      if (max < 1 || max > 1000) {
        throw new IllegalArgumentException("maxServersPerRequest must be 1 to 1000, got " + max);
      }
      this.maxServersPerRequest = max;
      return this;
    }

    /**
     * Only these servers (and those named in other per-server settings) exist; any other id is rejected per
     * server with {@code CPS.0016}. By default every well-formed id (32 letters or digits) exists.
     *
     * @param serverIds each 32 letters or digits
     * @return this builder
     */
    public Builder servers(String... serverIds) {
      return servers(Arrays.asList(serverIds));
    }

    /**
     * Like {@link #servers(String...)}.
     *
     * @param serverIds each 32 letters or digits
     * @return this builder
     */
    public Builder servers(Collection<String> serverIds) {
      for (String id : serverIds) {
        knownServers.add(serverId(id));
      }
      acceptAnyServerId = false;
      return this;
    }

    /**
     * Push and delete to {@code serverId} are rejected in the 200 answer with this code and message.
     *
     * @param serverId 32 letters or digits
     * @param errorCode the {@code error_code}, e.g. {@code CPS.0016}; not {@code null} or blank
     * @param errorMessage the {@code error_msg}; not {@code null} or blank
     * @return this builder
     */
    public Builder serverRejectsPush(String serverId, String errorCode, String errorMessage) {
      ServerProfile p = profile(serverId);
      p.rejectCode = requireText("errorCode", errorCode);
      p.rejectMessage = requireText("errorMessage", errorMessage);
      return this;
    }

    /**
     * Push and delete to these servers are rejected in the 200 answer with {@code CPS.0149} "The server does
     * not support shared applications."
     *
     * @param serverIds each 32 letters or digits
     * @return this builder
     */
    public Builder serverWithoutSharedApps(String... serverIds) {
      for (String id : serverIds) {
        serverRejectsPush(id, Emulator.NOT_SUPPORTED_CODE, Emulator.NOT_SUPPORTED_MESSAGE);
      }
      return this;
    }

    /**
     * Jobs on {@code serverId} are accepted but end with status {@code -1} and these {@code error_code},
     * {@code error_msg} and {@code execute_msg} ({@code executeMessage} may be null).
     *
     * @param serverId 32 letters or digits
     * @param errorCode the job's {@code error_code}; not {@code null} or blank
     * @param errorMessage the job's {@code error_msg}; not {@code null} or blank
     * @param executeMessage the job's {@code execute_msg}, or {@code null} to leave it out
     * @return this builder
     */
    public Builder serverJobFails(String serverId, String errorCode, String errorMessage, String executeMessage) {
      ServerProfile p = profile(serverId);
      p.failCode = requireText("errorCode", errorCode);
      p.failMessage = requireText("errorMessage", errorMessage);
      p.failExecuteMessage = executeMessage;
      return this;
    }

    /**
     * Jobs on these servers report status {@code 3} (not a documented value) instead of 1 while running.
     *
     * @param serverIds each 32 letters or digits
     * @return this builder
     */
    public Builder serverReportsUnknownStatus(String... serverIds) {
      for (String id : serverIds) {
        profile(id).unknownStatus = true;
      }
      return this;
    }

    /**
     * Jobs on {@code serverId} run for {@code duration} instead of the {@link #jobDuration default}.
     *
     * @param serverId 32 letters or digits
     * @param duration zero or more
     * @return this builder
     */
    public Builder serverJobDuration(String serverId, Duration duration) {
      profile(serverId).jobDuration = nonNegative("duration", duration);
      return this;
    }

    /**
     * {@code packageName} is already on {@code serverId}, so it can be deleted without pushing it first.
     *
     * @param serverId 32 letters or digits
     * @param packageName a valid Android package name, e.g. {@code com.miniteck.miniworld}
     * @return this builder
     */
    public Builder sharedApp(String serverId, String packageName) {
      String id = serverId(serverId);
      String problem = FieldRules.packageName(packageName);
      if (problem != null) {
        throw new IllegalArgumentException("packageName " + problem);
      }
      knownServers.add(id);
      sharedApps.computeIfAbsent(id, k -> new HashSet<>()).add(packageName);
      return this;
    }

    /**
     * The number of threads that handle requests (default 8); requests beyond it wait in a queue.
     *
     * @param threads 1 to 64
     * @return this builder
     * @throws IllegalArgumentException unless 1 to 64
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 64) {
        throw new IllegalArgumentException("threads must be 1 to 64, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Also hands every request to {@code listener} as it is recorded: on one of the server's threads, after
     * the request was carried out or refused and before the answer is sent (so before the client sees it),
     * possibly from several threads at once. For runs longer than the 10,000 requests {@link #requests()}
     * keeps, e.g. to count requests per {@code X-Client-Request-Id} in a soak test. The listener must be
     * thread-safe and fast; what it throws is ignored.
     *
     * <pre>{@code
     * Map<String, Integer> applied = new ConcurrentHashMap<>();
     * FakeCloudPhoneServer server = FakeCloudPhoneServer.builder()
     *     .onRequest(r -> { if (r.applied()) applied.merge(r.header("X-Client-Request-Id").orElse("-"), 1, Integer::sum); })
     *     .start();
     * }</pre>
     *
     * @param listener called with every recorded request; must be thread-safe
     * @return this builder
     */
    public Builder onRequest(Consumer<? super RecordedRequest> listener) {
      this.requestListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * A request-rate quota, as the API gateway enforces: at most {@code requestsPerSecond} requests per second
     * (a token bucket refilled in real time, with one second of burst), counted over every operation; a request
     * above it is answered 429 {@code APIGW.0308} with {@code Retry-After} (whole seconds until the next
     * request would be admitted, at least 1) and is not carried out. {@link #throttledCount()} counts them.
     * Default: no quota.
     *
     * @param requestsPerSecond more than 0, at most 100,000
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder requestRateQuota(double requestsPerSecond) {
      if (!(requestsPerSecond > 0 && requestsPerSecond <= 100_000)) {
        throw new IllegalArgumentException("requestRateQuota must be more than 0 and at most 100000 requests per "
            + "second, got " + requestsPerSecond);
      }
      this.requestsPerSecond = requestsPerSecond;
      return this;
    }

    /**
     * Starts the server on 127.0.0.1 and a free port.
     *
     * @return the running server; close it when done
     * @throws java.io.UncheckedIOException when it cannot listen on 127.0.0.1
     */
    public FakeCloudPhoneServer start() {
      return new FakeCloudPhoneServer(this);
    }

    private ServerProfile profile(String serverId) {
      String id = serverId(serverId);
      knownServers.add(id);
      return profiles.computeIfAbsent(id, k -> new ServerProfile());
    }

    private static String serverId(String id) {
      if (!FieldRules.isServerId(id)) {
        throw new IllegalArgumentException("serverId must be " + FieldRules.SERVER_ID_LENGTH
            + " letters or digits, got " + (id == null ? "null" : "\"" + id + "\""));
      }
      return id;
    }

    private static Duration nonNegative(String field, Duration d) {
      Objects.requireNonNull(d, field);
      if (d.isNegative()) {
        throw new IllegalArgumentException(field + " must not be negative, got " + d);
      }
      return d;
    }
  }
}
