package io.github.cphsdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testsupport.CapturedLogs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CloudPhoneClientTest {
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final String TOKEN = "MIIZsecretTOKENvalue-0123456789";
  static final String DOC_BODY = "{\"package_name\":\"com.miniteck.miniworld\",\"pre_install_app\":1,"
      + "\"bucket_name\":\"bucket\",\"object_path\":\"my_apps/test.tar\",\"server_ids\":"
      + "[\"1234567b8bab40ffb711234cb80d0234\",\"1678567b8bab40f93711234cb80d0764\"]}";
  static final String DOC_ANSWER = "{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\"jobs\":[{\"server_id\":"
      + "\"1234567b8bab40ffb711234cb80d0234\",\"job_id\":\"1564567b8bab40f34711234cb80d0123\"},{\"server_id\":"
      + "\"1678567b8bab40f93711234cb80d0764\",\"job_id\":\"1564567b8bab40f34711234cb80d5678\"}]}";

  MockWebServer server;
  CloudPhoneClient client;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    client = clientBuilder().build();
    CapturedLogs.clear();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  CloudPhoneClient.Builder clientBuilder() {
    return CloudPhoneClient.builder()
        .endpoint(server.url("/").uri())
        .projectId(PROJECT)
        .credentials(Credentials.token(TOKEN))
        .retryPolicy(RetryPolicy.none())
        .attemptTimeout(Duration.ofSeconds(5))
        .callTimeout(Duration.ofSeconds(10));
  }

  static ShareAppsRequest request() {
    return ShareAppsRequest.builder()
        .packageName("com.miniteck.miniworld")
        .bucketName("bucket")
        .objectPath("my_apps/test.tar")
        .preInstallApp(true)
        .addServerIds("1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764")
        .build();
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
  }

  /** Runs the push the sync and the async way against the same queued answers; both must agree. */
  <T extends Throwable> T failsBothWays(Class<T> type, Function<Integer, MockResponse> answer) {
    server.enqueue(answer.apply(0));
    T sync = assertThrows(type, () -> client.shareApps(request()));
    server.enqueue(answer.apply(1));
    CompletionException wrapped = assertThrows(CompletionException.class, () -> client.shareAppsAsync(request()).join());
    T async = assertInstanceOf(type, wrapped.getCause());
    assertEquals(sync.getClass(), async.getClass());
    assertEquals(sync.getMessage(), async.getMessage());
    return sync;
  }

  @Test
  void pushSendsTheDocumentedRequestAndReadsTheAnswer() throws Exception {
    server.enqueue(json(200, DOC_ANSWER));
    ShareAppsResponse response = client.shareApps(request());

    assertEquals("6837531fd3f54550927b930180a706bf", response.requestId());
    assertEquals(Optional.of("1564567b8bab40f34711234cb80d0123"), response.jobs().get(0).jobId());
    RecordedRequest sent = server.takeRequest();
    assertEquals("POST", sent.getMethod());
    assertEquals("/v1/" + PROJECT + "/cloud-phone/phones/share-apps", sent.getTarget());
    assertEquals(DOC_BODY, sent.getBody().utf8());
    assertEquals("application/json", sent.getHeaders().get("Content-Type"));
    assertEquals(String.valueOf(DOC_BODY.length()), sent.getHeaders().get("Content-Length"));
    assertNull(sent.getHeaders().get("Transfer-Encoding"));
    assertEquals(TOKEN, sent.getHeaders().get("X-Auth-Token"));
    assertEquals(PROJECT, sent.getHeaders().get("X-Project-Id"));
    assertTrue(sent.getHeaders().get("X-Client-Request-Id").matches("[0-9a-f]{32}"));
  }

  @Test
  void asyncPushGivesTheSameAnswer() throws Exception {
    server.enqueue(json(200, DOC_ANSWER));
    ShareAppsResponse response = client.shareAppsAsync(request()).get(5, TimeUnit.SECONDS);
    assertEquals(2, response.accepted().size());
    assertEquals(DOC_BODY, server.takeRequest().getBody().utf8());
  }

  @Test
  void userAgentNamesSdkJavaOsAndApplication() throws Exception {
    try (CloudPhoneClient withApp = clientBuilder().applicationId("push-tool/1.2").build()) {
      server.enqueue(json(200, DOC_ANSWER));
      withApp.shareApps(request());
    }
    String ua = server.takeRequest().getHeaders().get("User-Agent");
    String expected = "cph-sdk-java/0.1.0-SNAPSHOT Java/" + System.getProperty("java.version") + " ("
        + System.getProperty("os.name") + ") push-tool/1.2";
    assertEquals(expected, ua);
  }

  @Test
  void partialRejectionInside200IsVisible() {
    server.enqueue(json(200, "{\"request_id\":\"r1\",\"jobs\":[{\"server_id\":\"1234567b8bab40ffb711234cb80d0234\","
        + "\"job_id\":\"j1\"},{\"server_id\":\"1678567b8bab40f93711234cb80d0764\",\"error_code\":\"CPS.0016\","
        + "\"error_msg\":\"invalid server_id\"}]}"));
    ShareAppsResponse response = client.shareApps(request());
    assertFalse(response.allAccepted());
    assertEquals("1678567b8bab40f93711234cb80d0764", response.rejected().get(0).serverId());
    assertEquals(Optional.of("CPS.0016"), response.rejected().get(0).errorCode());
  }

  @Test
  void cpsErrorBodyBecomesServiceException() {
    CloudPhoneServiceException e = failsBothWays(CloudPhoneServiceException.class, i -> json(400,
        "{\"request_id\":\"aad0860d089c482b943971f802a6718e\",\"error_code\":\"CPS.0148\","
            + "\"error_msg\":\"Invalid pre_install_app.\"}"));
    assertEquals(400, e.statusCode());
    assertEquals("CPS.0148", e.errorCode());
    assertEquals("Invalid pre_install_app.", e.errorMessage());
    assertEquals("aad0860d089c482b943971f802a6718e", e.requestId());
    assertFalse(e.mayHaveBeenApplied());
    assertEquals(1, e.attempts());
    assertTrue(e.getMessage().contains("HTTP 400 CPS.0148 \"Invalid pre_install_app.\""), e.getMessage());
    assertTrue(e.getMessage().contains("nothing was started"), e.getMessage());
  }

  @Test
  void gatewayErrorWithRequestIdFromHeader() {
    CloudPhoneServiceException e = failsBothWays(CloudPhoneServiceException.class, i -> new MockResponse.Builder()
        .code(401).addHeader("X-Request-Id", "hdr-req-0")
        .body("{\"error_code\":\"APIGW.0301\",\"error_msg\":\"Incorrect IAM authentication information\"}").build());
    assertEquals(401, e.statusCode());
    assertEquals("APIGW.0301", e.errorCode());
    assertEquals("hdr-req-0", e.requestId());
    assertFalse(e.mayHaveBeenApplied());
  }

  @Test
  void iamNestedErrorBody() {
    CloudPhoneServiceException e = failsBothWays(CloudPhoneServiceException.class, i -> json(403,
        "{\"error\":{\"code\":403,\"message\":\"The request you have made requires authentication.\","
            + "\"title\":\"Forbidden\"}}"));
    assertEquals("403", e.errorCode());
    assertEquals("The request you have made requires authentication.", e.errorMessage());
    assertNull(e.requestId());
  }

  @Test
  void htmlFromAProxyGivesBoundedSnippet() {
    String page = "<html><body><h1>502 Bad Gateway</h1>" + "<p>nginx</p>".repeat(1000) + "</body></html>";
    CloudPhoneServiceException e = failsBothWays(CloudPhoneServiceException.class, i -> new MockResponse.Builder()
        .code(502).addHeader("Content-Type", "text/html").body(page).build());
    assertEquals(502, e.statusCode());
    assertNull(e.errorCode());
    assertNull(e.errorMessage());
    assertTrue(e.getMessage().contains("the answer starts: \"<html><body><h1>502 Bad Gateway</h1>"), e.getMessage());
    assertTrue(e.getMessage().length() < 800, "message is bounded: " + e.getMessage().length());
    assertTrue(e.mayHaveBeenApplied(), "a 502 may hide an applied push");
    assertTrue(e.getMessage().contains("before repeating it"), e.getMessage());
  }

  @Test
  void serverErrorsMayHaveBeenApplied() {
    for (int status : new int[] {500, 502, 504}) {
      server.enqueue(json(status, "{\"error_code\":\"CPS.0003\",\"error_msg\":\"internal\",\"request_id\":\"rq\"}"));
      CloudPhoneServiceException e = assertThrows(CloudPhoneServiceException.class, () -> client.shareApps(request()));
      assertTrue(e.mayHaveBeenApplied(), "status " + status);
      assertTrue(e.getMessage().contains("list the jobs of request id rq"), e.getMessage());
    }
  }

  @Test
  void throttlingAndUnavailableWereNotApplied() {
    server.enqueue(json(429, "{\"error_code\":\"APIGW.0308\",\"error_msg\":\"The throttling threshold has been reached\"}"));
    CloudPhoneServiceException throttled = assertThrows(CloudPhoneServiceException.class, () -> client.shareApps(request()));
    assertFalse(throttled.mayHaveBeenApplied());
    assertEquals("APIGW.0308", throttled.errorCode());
    server.enqueue(json(503, "{}"));
    assertFalse(assertThrows(CloudPhoneServiceException.class, () -> client.shareApps(request())).mayHaveBeenApplied());
  }

  @Test
  void connectionRefusedWasNotApplied() throws IOException {
    int freePort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      freePort = s.getLocalPort();
    }
    try (CloudPhoneClient refused = clientBuilder().endpoint(URI.create("http://127.0.0.1:" + freePort)).build()) {
      CloudPhoneTransportException e = assertThrows(CloudPhoneTransportException.class, () -> refused.shareApps(request()));
      assertFalse(e.mayHaveBeenApplied());
      assertTrue(e.getMessage().contains("Nothing was sent"), e.getMessage());
      assertTrue(e.getMessage().startsWith("push shared apps: could not connect to 127.0.0.1:" + freePort + " ("),
          "the port is named: " + e.getMessage());
      assertEquals(1, e.getMessage().split("could not connect", -1).length - 1, "said once: " + e.getMessage());
      CompletionException async = assertThrows(CompletionException.class, () -> refused.shareAppsAsync(request()).join());
      assertFalse(((CloudPhoneTransportException) async.getCause()).mayHaveBeenApplied());
      assertEquals(1, async.getCause().getMessage().split("could not connect", -1).length - 1,
          async.getCause().getMessage());
      List<String> debug = CapturedLogs.lines().stream().filter(l -> l.startsWith("DEBUG") && l.contains("no answer"))
          .collect(java.util.stream.Collectors.toList());
      assertEquals(2, debug.size(), CapturedLogs.lines().toString());
      assertTrue(debug.stream().allMatch(l -> l.contains("request id none") && !l.contains("request id null")),
          debug.toString());
    }
  }

  @Test
  void aJsonErrorWithNullFieldsIsNotCalledNotJson() {
    CloudPhoneServiceException e = failsBothWays(CloudPhoneServiceException.class,
        i -> json(503, "{\"error_code\":null,\"error_msg\":null,\"request_id\":null}"));
    assertFalse(e.getMessage().contains("not a JSON error"), e.getMessage());
    assertTrue(e.getMessage().contains("HTTP 503 (a JSON answer without an error code or message: \"{\"error_code\":null"),
        e.getMessage());
    CloudPhoneServiceException html = failsBothWays(CloudPhoneServiceException.class,
        i -> new MockResponse.Builder().code(503).addHeader("Content-Type", "text/html").body("<html>busy</html>").build());
    assertTrue(html.getMessage().contains("(not a JSON error; the answer starts: \"<html>busy</html>\")"),
        html.getMessage());
  }

  @Test
  void connectionDroppedAfterRequestMayHaveBeenApplied() {
    CloudPhoneTransportException e = failsBothWays(CloudPhoneTransportException.class, i -> new MockResponse.Builder()
        .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    assertTrue(e.mayHaveBeenApplied());
    assertTrue(e.getMessage().contains("failed after the request was sent"), e.getMessage());
    assertEquals(2, server.getRequestCount(), "each way sent exactly once");
  }

  @Test
  void readTimeoutMayHaveBeenApplied() {
    try (CloudPhoneClient impatient = clientBuilder().attemptTimeout(Duration.ofMillis(300)).build()) {
      server.enqueue(new MockResponse.Builder().headersDelay(3, TimeUnit.SECONDS).body(DOC_ANSWER).build());
      CloudPhoneTimeoutException e = assertThrows(CloudPhoneTimeoutException.class, () -> impatient.shareApps(request()));
      assertTrue(e.mayHaveBeenApplied());
      assertEquals(1, e.attempts());
    }
  }

  @Test
  void unreadable200MayHaveBeenApplied() {
    CloudPhoneTransportException e = failsBothWays(CloudPhoneTransportException.class, i -> json(200, "{\"jobs\":[{"));
    assertTrue(e.mayHaveBeenApplied());
    assertTrue(e.getMessage().contains("could not be read"), e.getMessage());
  }

  @Test
  void answerLargerThanTheLimitIsRefusedWithoutReadingIt() {
    try (CloudPhoneClient small = clientBuilder().maxResponseBytes(4096).build()) {
      server.enqueue(json(200, "{\"request_id\":\"" + "x".repeat(100_000) + "\"}"));
      CloudPhoneTransportException e = assertThrows(CloudPhoneTransportException.class, () -> small.shareApps(request()));
      assertTrue(e.getMessage().contains("larger than the limit of 4096 bytes"), e.getMessage());
      assertTrue(e.mayHaveBeenApplied());
    }
  }

  @Test
  void redirectsAreNotFollowed() {
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "https://evil.example.com/steal").build());
    CloudPhoneServiceException e = assertThrows(CloudPhoneServiceException.class, () -> client.shareApps(request()));
    assertEquals(307, e.statusCode());
    assertTrue(e.getMessage().contains("evil.example.com"), e.getMessage());
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void tooManyServersForOneRequestIsRefusedBeforeSending() {
    ShareAppsRequest.Builder b = ShareAppsRequest.builder().packageName("a.b").bucketName("bucket").objectPath("a.tar");
    for (int i = 0; i < 21; i++) {
      b.addServerIds(String.format("%032d", i));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.shareApps(b.build()));
    assertTrue(e.getMessage().contains("server_ids has 21 ids but one request may carry at most 20"), e.getMessage());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void builderRefusesBadSettingsBeforeAnythingIsSent() {
    assertMessage(() -> CloudPhoneClient.builder().projectId(PROJECT).credentials(Credentials.token(TOKEN)).build(),
        "region or endpoint is required");
    assertMessage(() -> CloudPhoneClient.builder().region("cn-north-4").credentials(Credentials.token(TOKEN)).build(),
        "projectId is required");
    assertMessage(() -> CloudPhoneClient.builder().region("cn-north-4").projectId(PROJECT).build(),
        "credentials are required");
    assertMessage(() -> CloudPhoneClient.builder().projectId("../other"), "projectId must be 1 to 64");
    assertMessage(() -> CloudPhoneClient.builder().projectId("a/b"), "projectId must be 1 to 64");
    assertMessage(() -> CloudPhoneClient.builder().projectId("a%2Fb"), "projectId must be 1 to 64");
    assertMessage(() -> CloudPhoneClient.builder().region("CN north"), "region must be a Huawei Cloud region id");
    assertMessage(() -> CloudPhoneClient.builder().applicationId("my app\r\nX: y"), "applicationId must be 1 to 64");
    assertMessage(() -> Credentials.token("abc\r\nX-Evil: 1"), "token must be printable ASCII");
    assertMessage(() -> Credentials.token(" "), "token must not be blank");
    for (String endpoint : new String[] {"ftp://host", "cph.example.com", "https://host/?q=1", "https://host/#f",
        "https://user:pw@host", "http://cph.cn-north-4.myhuaweicloud.com"}) {
      assertThrows(IllegalArgumentException.class, () -> CloudPhoneClient.builder().endpoint(URI.create(endpoint))
          .projectId(PROJECT).credentials(Credentials.token(TOKEN)).build(), endpoint);
    }
    // a setting of the default transport next to a transport of the user's would be ignored: refused instead
    try (io.github.cphsdk.http.UrlConnectionTransport own = new io.github.cphsdk.http.UrlConnectionTransport()) {
      java.util.Map<String, java.util.function.Consumer<CloudPhoneClient.Builder>> defaultOnly = new java.util.LinkedHashMap<>();
      defaultOnly.put("proxy", b -> b.proxy(java.net.ProxySelector.of(null)));
      defaultOnly.put("proxyAuthenticator", b -> b.proxyAuthenticator(new java.net.Authenticator() {}));
      defaultOnly.put("httpVersion", b -> b.httpVersion(io.github.cphsdk.http.HttpVersion.HTTP_1_1));
      defaultOnly.forEach((name, setting) -> {
        CloudPhoneClient.Builder b = CloudPhoneClient.builder().region("cn-north-4").projectId(PROJECT)
            .credentials(Credentials.token(TOKEN)).transport(own);
        setting.accept(b);
        assertMessage(b::build, name + " applies to the default transport, but transport(...) was given too");
      });
    }
    assertMessage(() -> CloudPhoneClient.builder().endpoint(URI.create("http://10.0.0.8:8080")).projectId(PROJECT)
        .credentials(Credentials.token(TOKEN)).build(), "the token or signature would travel in clear");
    // a name under .localhost may resolve anywhere (the resolver decides): not loopback without a lookup
    for (String name : new String[] {"http://evil.localhost:8080", "http://cph.LOCALHOST", "http://a.b.localhost"}) {
      assertMessage(() -> CloudPhoneClient.builder().endpoint(URI.create(name)).projectId(PROJECT)
          .credentials(Credentials.token(TOKEN)).build(), "the token or signature would travel in clear");
    }
    for (String name : new String[] {"http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"}) {
      try (CloudPhoneClient c = CloudPhoneClient.builder().endpoint(URI.create(name)).projectId(PROJECT)
          .credentials(Credentials.token(TOKEN)).build()) {
        assertEquals(URI.create(name), c.endpoint(), "literal loopback stays allowed");
      }
    }
    assertMessage(() -> CloudPhoneClient.builder().endpoint(URI.create("https://user:secretpw@host")).projectId(PROJECT)
        .credentials(Credentials.token(TOKEN)).build(), "must not carry user info");
    try (CloudPhoneClient c = CloudPhoneClient.builder().endpoint(URI.create("http://10.0.0.8:8080")).allowInsecureHttp(true)
        .projectId(PROJECT).credentials(Credentials.token(TOKEN)).build()) {
      assertEquals(URI.create("http://10.0.0.8:8080"), c.endpoint());
    }
    try (CloudPhoneClient c = CloudPhoneClient.builder().region("cn-north-4").projectId(PROJECT)
        .credentials(Credentials.token(TOKEN)).build()) {
      assertEquals(URI.create("https://cph.cn-north-4.myhuaweicloud.com"), c.endpoint());
    }
    try (CloudPhoneClient c = CloudPhoneClient.builder().endpoint(URI.create("https://cph.example.com:443/base/"))
        .region("cn-north-4").projectId(PROJECT).credentials(Credentials.token(TOKEN)).build()) {
      assertEquals(URI.create("https://cph.example.com/base"), c.endpoint(), "endpoint wins, default port dropped");
    }
  }

  @Test
  void endpointPathPrefixIsKept() throws Exception {
    try (CloudPhoneClient prefixed = clientBuilder().endpoint(server.url("/gateway/").uri()).build()) {
      server.enqueue(json(200, DOC_ANSWER));
      prefixed.shareApps(request());
    }
    assertEquals("/gateway/v1/" + PROJECT + "/cloud-phone/phones/share-apps", server.takeRequest().getTarget());
  }

  @Test
  void endpointEndingInTheApiVersionIsRefusedNamingTheEndpointToUse() {
    for (String endpoint : new String[] {"https://cph.cn-north-4.myhuaweicloud.com/v1",
        "https://cph.cn-north-4.myhuaweicloud.com/v1/", "https://cph.cn-north-4.myhuaweicloud.com:443/V1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CloudPhoneClient.builder()
          .endpoint(URI.create(endpoint)).projectId(PROJECT).credentials(Credentials.token(TOKEN)).build(), endpoint);
      assertTrue(e.getMessage().contains("must not end in the API version /v1"), e.getMessage());
      assertTrue(e.getMessage().contains("Use \"https://cph.cn-north-4.myhuaweicloud.com\" instead"), e.getMessage());
    }
    IllegalArgumentException prefixed = assertThrows(IllegalArgumentException.class, () -> CloudPhoneClient.builder()
        .endpoint(URI.create("https://gw.example.com/cph/v1")).projectId(PROJECT).credentials(Credentials.token(TOKEN))
        .build());
    assertTrue(prefixed.getMessage().contains("Use \"https://gw.example.com/cph\""), prefixed.getMessage());
    // a segment that merely contains v1 is a path prefix like any other
    try (CloudPhoneClient c = CloudPhoneClient.builder().endpoint(URI.create("https://gw.example.com/v1gw"))
        .projectId(PROJECT).credentials(Credentials.token(TOKEN)).build()) {
      assertEquals(URI.create("https://gw.example.com/v1gw"), c.endpoint());
    }
  }

  @Test
  void rotatedTokenIsAskedOnEveryAttempt() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    try (CloudPhoneClient rotating = clientBuilder()
        .credentials(Credentials.token(() -> "token-" + asked.incrementAndGet())).build()) {
      server.enqueue(json(200, DOC_ANSWER));
      server.enqueue(json(200, DOC_ANSWER));
      rotating.shareApps(request());
      rotating.shareAppsAsync(request()).join();
    }
    assertEquals("token-1", server.takeRequest().getHeaders().get("X-Auth-Token"));
    assertEquals("token-2", server.takeRequest().getHeaders().get("X-Auth-Token"));
  }

  @Test
  void supplierGivingABadTokenFailsBeforeSending() {
    try (CloudPhoneClient bad = clientBuilder().credentials(Credentials.token(() -> "x\r\nX-Evil: 1")).build()) {
      CloudPhoneException e = assertThrows(CloudPhoneException.class, () -> bad.shareApps(request()));
      assertFalse(e.mayHaveBeenApplied());
      assertEquals(0, e.attempts());
      assertInstanceOf(IllegalArgumentException.class, e.getCause());
      CompletionException async = assertThrows(CompletionException.class, () -> bad.shareAppsAsync(request()).join());
      assertEquals(e.getMessage(), async.getCause().getMessage());
    }
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void secretsNeverReachLogsMessagesOrToString() {
    server.enqueue(json(200, DOC_ANSWER));
    server.enqueue(json(401, "{\"error_code\":\"APIGW.0301\",\"error_msg\":\"Incorrect IAM authentication information\"}"));
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    client.shareApps(request());
    List<Throwable> failures = new java.util.ArrayList<>();
    failures.add(assertThrows(CloudPhoneException.class, () -> client.shareApps(request())));
    failures.add(assertThrows(CloudPhoneException.class, () -> client.shareApps(request())));

    List<String> logs = CapturedLogs.lines();
    assertTrue(logs.stream().anyMatch(l -> l.startsWith("DEBUG") && l.contains("attempt 1/1")), logs.toString());
    assertTrue(logs.stream().anyMatch(l -> l.startsWith("WARN") && l.contains("failed after 1 attempt")), logs.toString());
    for (String line : logs) {
      assertFalse(line.contains(TOKEN), line);
    }
    for (Throwable t : failures) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        assertFalse(String.valueOf(c.getMessage()).contains(TOKEN));
      }
    }
    assertFalse(client.toString().contains(TOKEN));
    assertFalse(Credentials.token(TOKEN).toString().contains(TOKEN));
    assertFalse(Credentials.token(() -> TOKEN).toString().contains(TOKEN));
  }

  @Test
  void closedClientRefusesCallsAndCloseIsIdempotent() {
    client.close();
    client.close();
    assertThrows(IllegalStateException.class, () -> client.shareApps(request()));
    CompletionException e = assertThrows(CompletionException.class, () -> client.shareAppsAsync(request()).join());
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void userTransportIsNotClosedByTheClient() throws Exception {
    AtomicInteger closed = new AtomicInteger();
    io.github.cphsdk.http.HttpTransport real = new io.github.cphsdk.http.JdkHttpTransport();
    io.github.cphsdk.http.HttpTransport counting = new io.github.cphsdk.http.HttpTransport() {
      @Override
      public io.github.cphsdk.http.HttpResponse execute(io.github.cphsdk.http.HttpRequest r) throws IOException {
        return real.execute(r);
      }

      @Override
      public java.util.concurrent.CompletableFuture<io.github.cphsdk.http.HttpResponse> executeAsync(
          io.github.cphsdk.http.HttpRequest r) {
        return real.executeAsync(r);
      }

      @Override
      public void close() {
        closed.incrementAndGet();
      }
    };
    server.enqueue(json(200, DOC_ANSWER));
    try (CloudPhoneClient c = clientBuilder().transport(counting).build()) {
      assertNotNull(c.shareApps(request()));
    }
    assertEquals(0, closed.get());
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), () -> "\"" + e.getMessage() + "\" lacks \"" + expected + "\"");
    assertFalse(e.getMessage().contains("secretpw"));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
