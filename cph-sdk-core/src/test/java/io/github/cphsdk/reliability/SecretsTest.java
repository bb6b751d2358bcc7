package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cphsdk.CallListener;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.model.DeleteShareAppsRequest;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Fault;
import io.github.cphsdk.testkit.Operation;
import io.github.cphsdk.testkit.RecordedRequest;
import io.github.cphsdk.testsupport.CapturedLogs;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every flow, with logging at TRACE, and then a search of everything the SDK said for the secrets it was given
 * or made: IAM tokens (given, supplied, wrong, and the ones IAM issued), secret keys (right and wrong), the
 * security token, the password, and the signature of every request the server received. Searched: every log
 * line (with its throwables), every exception (message, causes, suppressed, stack trace text), and the
 * {@code toString()} of clients, credentials, requests and responses handed to and from the transport, and
 * results. A secret also counts as leaked when any 12 characters of it in a row appear.
 *
 * <p>Flows, for each of token, token supplier, AK/SK, temporary AK/SK and IAM password: push (sync and async),
 * list jobs, show job, wait for jobs, delete; a 503 retried; 500; a dropped connection; an attempt timeout;
 * throttling until the attempts run out; 401 with wrong credentials; an invalid request; invalid credential
 * input; and for IAM: an expired token refreshed, IAM refusing the password, IAM failing, IAM dropping the
 * connection and IAM too slow.
 */
class SecretsTest {
  static final String TOKEN = "MIIZq7Rt-4c1f9a42e5d3b8a0Xv";
  static final String SUPPLIED_TOKEN = "MIIZs9Kp-44aa19c3f07e52d1Wq";
  static final String WRONG_TOKEN = "MIIZw2Ld-0b8d2e6a11c47f93Ty";
  static final String AK = "AKIDRELIABILITY00001";
  static final String SK = "Qz9f8e7d6c5b4a3f2e1d0cJxVb";
  static final String WRONG_SK = "Wk1a2b3c4d5e6f7a8b9c0dHyNm";
  static final String TEMP_AK = "AKIDTEMPORARY0000002";
  static final String TEMP_SK = "Tp5566778899aabbccddeeGtRf";
  static final String SECURITY_TOKEN = "Sx0011223344556677q8Zx3Lk";
  static final String WRONG_SECURITY_TOKEN = "Sw8899aabbccddeeffP4oU7n";
  static final String PASSWORD = "P@5sw0rd-3141592653-Kv!";
  static final String WRONG_PASSWORD = "Wr0ng-2718281828-Zq#";
  static final String SERVER = "1234567b8bab40ffb711234cb80d0234";
  static final ObjectMapper JSON = new ObjectMapper();

  /** Everything the SDK handed back or printed, apart from the log lines. */
  final List<String> said = new CopyOnWriteArrayList<>();
  /** The IAM tokens the IAM stub issued. */
  final List<String> issued = new CopyOnWriteArrayList<>();
  final AtomicReference<String> iamMode = new AtomicReference<>("ok");
  final AtomicInteger failures = new AtomicInteger();
  FakeCloudPhoneServer cph;

  @Test
  void noSecretAppearsInLogsExceptionsOrToString() throws Exception {
    CapturedLogs.enabled(true);
    CapturedLogs.clear();
    cph = FakeCloudPhoneServer.builder()
        .token(TOKEN).token(SUPPLIED_TOKEN)
        .akSk(AK, SK).temporaryAkSk(TEMP_AK, TEMP_SK, SECURITY_TOKEN)
        .jobDuration(Duration.ofMillis(50))
        .start();
    LoopbackServer iam = new LoopbackServer(this::iamAnswer);
    try {
      Map<String, Supplier<Credentials>> kinds = new LinkedHashMap<>();
      kinds.put("token", () -> Credentials.token(TOKEN));
      kinds.put("token supplier", () -> Credentials.token(() -> SUPPLIED_TOKEN));
      kinds.put("AK/SK", () -> Credentials.akSk(AK, SK));
      kinds.put("temporary AK/SK", () -> Credentials.akSk(TEMP_AK, TEMP_SK, SECURITY_TOKEN));
      kinds.put("IAM password", () -> Credentials.iamPassword().userName("alice").password(PASSWORD)
          .accountName("acme").iamEndpoint(iam.endpoint()).build());
      for (Map.Entry<String, Supplier<Credentials>> kind : kinds.entrySet()) {
        everyFlow(kind.getValue().get());
      }
      // 401: credentials the service does not take.
      for (Credentials wrong : List.of(Credentials.token(WRONG_TOKEN), Credentials.token(() -> WRONG_TOKEN),
          Credentials.akSk(AK, WRONG_SK), Credentials.akSk(TEMP_AK, TEMP_SK, WRONG_SECURITY_TOKEN))) {
        try (CloudPhoneClient c = client(wrong)) {
          expectFailure(() -> c.shareApps(request()));
          expectFailure(() -> c.shareAppsAsync(request()).join());
        }
      }
      iamFlows(iam);
      invalidInput(iam);
    } finally {
      iam.close();
      cph.close();
    }

    // The signatures of every request the service received are secrets too.
    List<String> secrets = new ArrayList<>(List.of(TOKEN, SUPPLIED_TOKEN, WRONG_TOKEN, SK, WRONG_SK, TEMP_SK,
        SECURITY_TOKEN, WRONG_SECURITY_TOKEN, PASSWORD, WRONG_PASSWORD));
    secrets.addAll(issued);
    Pattern signature = Pattern.compile("Signature=([0-9a-f]{64})");
    int signatures = 0;
    for (RecordedRequest r : cph.requests()) {
      Matcher m = signature.matcher(r.header("Authorization").orElse(""));
      if (m.find()) {
        secrets.add(m.group(1));
        signatures++;
      }
    }

    List<String> lines = CapturedLogs.lines();
    // The scan is only worth something if the SDK did talk: per-attempt DEBUG lines, WARN for failed calls,
    // and exceptions of every kind.
    assertTrue(lines.size() > 150, "log lines: " + lines.size());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("DEBUG") && l.contains("attempt 2/3")), "a retry was logged");
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARN") && l.contains("HTTP 401")), "a 401 was logged");
    assertTrue(lines.stream().anyMatch(l -> l.contains("IAM")), "an IAM line was logged");
    assertTrue(said.stream().anyMatch(s -> s.contains("HTTP 500")) && said.stream().anyMatch(s -> s.contains("HTTP 401"))
        && said.stream().anyMatch(s -> s.contains("no answer")), "the failures happened");
    assertTrue(signatures > 30, "signed requests seen: " + signatures);
    assertTrue(issued.size() >= 3, "IAM tokens issued: " + issued.size());

    List<String> leaks = new ArrayList<>();
    List<String> all = new ArrayList<>(lines);
    all.addAll(said);
    for (String secret : secrets) {
      for (String text : all) {
        String window = leakedWindow(text, secret);
        if (window != null && leaks.size() < 20) {
          leaks.add("\"" + window + "\" of a secret in: " + text.substring(0, Math.min(text.length(), 400)));
        }
      }
    }
    System.out.println("secrets scan: " + lines.size() + " log lines and " + said.size() + " exception, toString and "
        + "result texts searched for " + secrets.size() + " secrets (" + signatures + " signatures, " + issued.size()
        + " IAM-issued tokens) after " + failures.get() + " failures; leaks " + leaks.size());
    assertEquals(List.of(), leaks);
    CapturedLogs.clear();
  }

  /** The first 12-character piece of {@code secret} found in {@code text}, or {@code null}. */
  static String leakedWindow(String text, String secret) {
    int w = Math.min(12, secret.length());
    for (int i = 0; i + w <= secret.length(); i++) {
      String piece = secret.substring(i, i + w);
      if (text.contains(piece)) {
        return piece;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- flows

  CloudPhoneClient client(Credentials credentials) {
    said.add(credentials.toString());
    HttpTransport tap = new Tap(new JdkHttpTransport(Duration.ofSeconds(2), null));
    CloudPhoneClient c = CloudPhoneClient.builder()
        .endpoint(cph.endpoint())
        .projectId(cph.projectId())
        .credentials(credentials)
        .transport(tap)
        .retryPolicy(RetryPolicy.builder().maxAttempts(3).backoff(BackoffStrategy.fixed(Duration.ofMillis(5)))
            .maxRetryAfter(Duration.ofMillis(20)).build())
        .attemptTimeout(Duration.ofMillis(400))
        .callTimeout(Duration.ofSeconds(3))
        .listener(new CallListener() {
          @Override
          public void attemptFinished(String operation, String callId, int attempt, int statusCode,
              Duration duration, Throwable failure) {
            if (failure != null) {
              collect(failure);
            }
          }
        })
        .build();
    said.add(c.toString());
    return c;
  }

  static ShareAppsRequest request() {
    return ShareAppsRequest.builder().packageName("com.example.secret").bucketName("bucket")
        .objectPath("apps/app.tar").addServerIds(SERVER).build();
  }

  void everyFlow(Credentials credentials) throws Exception {
    try (CloudPhoneClient c = client(credentials)) {
      ShareAppsResponse pushed = c.shareApps(request());
      said.add(pushed.toString());
      said.add(c.shareAppsAsync(request()).get(10, TimeUnit.SECONDS).toString());
      said.add(c.listJobs(pushed.requestId()).toString());
      said.add(c.showJob(pushed.jobs().get(0).jobId().orElseThrow()).toString());
      JobReport report = c.waitForJobs(pushed, WaitOptions.builder().initialDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50)).maxPollInterval(Duration.ofMillis(100)).timeout(Duration.ofSeconds(10))
          .build());
      said.add(report.toString());
      said.add(c.deleteShareApps(DeleteShareAppsRequest.builder().packageName("com.example.secret")
          .addServerIds(SERVER).build()).toString());

      cph.injectFault(Fault.serviceUnavailable(Duration.ofSeconds(1)).on(Operation.PUSH));
      said.add(c.shareApps(request()).toString()); // retried
      cph.injectFault(Fault.internalError().on(Operation.PUSH));
      expectFailure(() -> c.shareApps(request()));
      cph.injectFault(Fault.internalError().on(Operation.PUSH));
      expectFailure(() -> c.shareAppsAsync(request()).join());
      cph.injectFault(Fault.dropConnection().on(Operation.PUSH));
      expectFailure(() -> c.shareApps(request()));
      cph.injectFault(Fault.dropConnectionAfterApplying().on(Operation.PUSH));
      expectFailure(() -> c.shareAppsAsync(request()).join());
      cph.injectFault(Fault.delay(Duration.ofMillis(900)).on(Operation.PUSH));
      expectFailure(() -> c.shareApps(request()));
      cph.injectFault(Fault.delay(Duration.ofMillis(900)).times(3).on(Operation.LIST_JOBS)); // reads are retried
      expectFailure(() -> c.listJobsAsync("ffffffffffffffffffffffffffffffff").join());
      cph.clearFaults();
      cph.injectFault(Fault.throttled().times(3).on(Operation.PUSH));
      expectFailure(() -> c.shareApps(request()));
      expectFailure(() -> c.showJob("no/such/job"));
      expectFailure(() -> c.showJob("ffffffffffffffffffffffffffffffff"));
      expectFailure(() -> ShareAppsRequest.builder().packageName("com.example.secret").bucketName("Bad Bucket")
          .objectPath("apps/app.tar").addServerIds(SERVER).build());
    }
  }

  void iamFlows(LoopbackServer iam) throws Exception {
    Supplier<Credentials> fresh = () -> Credentials.iamPassword().userName("alice").password(PASSWORD)
        .accountName("acme").iamEndpoint(iam.endpoint()).build();
    // The token expires at CPH: 401 APIGW.0307, a new login, the push repeated once.
    Credentials credentials = fresh.get();
    try (CloudPhoneClient c = client(credentials)) {
      said.add(c.shareApps(request()).toString());
      cph.expireToken(issued.get(issued.size() - 1));
      said.add(c.shareApps(request()).toString());
      said.add(credentials.toString());
    }
    // IAM refuses the password.
    try (CloudPhoneClient c = client(Credentials.iamPassword().userName("alice").password(WRONG_PASSWORD)
        .accountName("acme").iamEndpoint(iam.endpoint()).build())) {
      expectFailure(() -> c.shareApps(request()));
      expectFailure(() -> c.shareAppsAsync(request()).join());
    }
    for (String mode : List.of("500", "drop", "slow", "garbage")) {
      iamMode.set(mode);
      try (CloudPhoneClient c = client(fresh.get())) {
        expectFailure(() -> c.shareApps(request()));
        expectFailure(() -> c.shareAppsAsync(request()).join());
      }
    }
    iamMode.set("ok");
  }

  void invalidInput(LoopbackServer iam) {
    expectFailure(() -> Credentials.token(TOKEN + "\r\nX-Injected: 1"));
    expectFailure(() -> Credentials.token(" " + TOKEN));
    expectFailure(() -> Credentials.akSk(AK, SK + " "));
    expectFailure(() -> Credentials.akSk(AK, "\u00e9" + SK));
    expectFailure(() -> Credentials.akSk(AK, SK, SECURITY_TOKEN + "\n"));
    expectFailure(() -> Credentials.akSk(AK + ",", SK));
    expectFailure(() -> Credentials.iamPassword().userName("alice\n").password(PASSWORD).accountName("acme").build());
    expectFailure(() -> Credentials.iamPassword().userName("alice").password(PASSWORD).build());
    expectFailure(() -> Credentials.fromEnvironment(Map.of("HUAWEICLOUD_SDK_AK", AK, "HUAWEICLOUD_SDK_SK", SK + " x",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)::get));
    expectFailure(() -> Credentials.fromEnvironment(Map.of("HUAWEICLOUD_SDK_AK", AK, "HUAWEICLOUD_SDK_SK", SK,
        "HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN + "\u0000x")::get)); // trimmed, so inside
    expectFailure(() -> HttpRequest.builder("GET", cph.endpoint()).header("X-Auth-Token", TOKEN + "\n"));
    expectFailure(() -> HttpRequest.builder("GET", cph.endpoint()).header("X-Auth-Token", TOKEN + "\u00e9"));
    // A supplier that hands out a bad token fails the call before anything is sent.
    try (CloudPhoneClient c = client(Credentials.token(() -> TOKEN + "\n"))) {
      expectFailure(() -> c.shareApps(request()));
      expectFailure(() -> c.shareAppsAsync(request()).join());
    }
    said.add(Credentials.fromEnvironment(Map.of("HUAWEICLOUD_SDK_AK", AK, "HUAWEICLOUD_SDK_SK", SK,
        "HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)::get).toString());
    said.add(HttpRequest.builder("POST", cph.endpoint()).header("X-Auth-Token", TOKEN)
        .header("Authorization", "SDK-HMAC-SHA256 Access=" + AK + ", SignedHeaders=host, Signature=" + SK)
        .header("X-Security-Token", SECURITY_TOKEN).body(PASSWORD.getBytes(StandardCharsets.UTF_8)).build().toString());
  }

  interface Code {
    void run() throws Exception;
  }

  /** Runs {@code code}, which must fail, and keeps what it said. */
  void expectFailure(Code code) {
    try {
      code.run();
    } catch (Throwable t) {
      failures.incrementAndGet();
      collect(t);
      return;
    }
    throw new AssertionError("expected a failure");
  }

  /** Message, string form and stack trace text of {@code t}, its causes and its suppressed, recursively. */
  void collect(Throwable t) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> todo = new ArrayList<>(List.of(t));
    while (!todo.isEmpty()) {
      Throwable e = todo.remove(todo.size() - 1);
      if (e == null || !seen.add(e)) {
        continue;
      }
      said.add(String.valueOf(e.getMessage()));
      said.add(e.toString());
      todo.add(e.getCause());
      todo.addAll(List.of(e.getSuppressed()));
    }
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    said.add(trace.toString());
  }

  /** A transport that keeps the {@code toString()} of every request, answer and failure passing through. */
  final class Tap implements HttpTransport {
    final HttpTransport delegate;

    Tap(HttpTransport delegate) {
      this.delegate = delegate;
    }

    @Override
    public HttpResponse execute(HttpRequest request) throws IOException {
      said.add(request.toString());
      try {
        HttpResponse response = delegate.execute(request);
        said.add(response.toString());
        return response;
      } catch (IOException | RuntimeException e) {
        collect(e);
        throw e;
      }
    }

    @Override
    public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
      said.add(request.toString());
      CompletableFuture<HttpResponse> f = delegate.executeAsync(request);
      f.whenComplete((response, error) -> {
        if (response != null) {
          said.add(response.toString());
        } else {
          collect(error);
        }
      });
      return f;
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public String toString() {
      return "Tap(" + delegate + ")";
    }
  }

  // ---------------------------------------------------------------- a minimal IAM

  boolean iamAnswer(LoopbackServer.Request request, java.io.OutputStream out) throws IOException, InterruptedException {
    String mode = iamMode.get();
    if (mode.equals("drop")) {
      throw new SocketException("IAM drops the connection");
    }
    if (mode.equals("slow")) {
      Thread.sleep(5000);
      return false;
    }
    JsonNode body = JSON.readTree(request.body);
    String password = body.path("auth").path("identity").path("password").path("user").path("password").asText();
    String status;
    String json;
    String tokenHeader = "";
    if (mode.equals("500")) {
      status = "500 Internal Server Error";
      json = "{\"error\":{\"code\":500,\"message\":\"IAM is down\",\"title\":\"Internal Server Error\"}}";
    } else if (mode.equals("garbage")) {
      status = "201 Created";
      json = "<html>not json</html>";
      tokenHeader = "X-Subject-Token: " + newToken() + "\r\n";
    } else if (!password.equals(PASSWORD)) {
      status = "401 Unauthorized";
      json = "{\"error\":{\"code\":401,\"message\":\"The username or password is wrong.\",\"title\":\"Unauthorized\"}}";
    } else {
      String token = newToken();
      cph.acceptToken(token);
      status = "201 Created";
      Instant now = Instant.now();
      json = "{\"token\":{\"expires_at\":\"" + now.plus(Duration.ofHours(24)) + "\",\"issued_at\":\"" + now + "\"}}";
      tokenHeader = "X-Subject-Token: " + token + "\r\n";
    }
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    out.write(LoopbackServer.ascii("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n" + tokenHeader
        + "Content-Length: " + bytes.length + "\r\n\r\n"));
    out.write(bytes);
    return true;
  }

  String newToken() {
    String token = "MIIZiam" + issued.size() + "x" + "-" + Long.toHexString(System.nanoTime()) + "abcdef";
    issued.add(token);
    return token;
  }
}
