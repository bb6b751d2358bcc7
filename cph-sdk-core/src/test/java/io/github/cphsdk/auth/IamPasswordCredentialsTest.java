package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.CloudPhoneTimeoutException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.HttpTransportException;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.testsupport.CapturedLogs;
import io.github.cphsdk.testsupport.RecordingTransport;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IamPasswordCredentialsTest {
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final String PASSWORD = "Pa55w0rd!\"quote\\slash-unique-7f3a";
  static final Instant T0 = Instant.parse("2026-11-27T09:05:22.701Z");

  IamServer iam;
  HttpTransport transport;
  final MutableClock clock = new MutableClock(T0);

  @BeforeEach
  void start() throws Exception {
    iam = new IamServer();
    transport = new JdkHttpTransport();
    CapturedLogs.clear();
  }

  @AfterEach
  void stop() {
    iam.close();
    transport.close();
    for (String line : CapturedLogs.lines()) {
      assertNoSecret(line);
    }
  }

  IamPasswordCredentials.Builder builder() {
    return Credentials.iamPassword().userName("alice").password(PASSWORD).accountName("acme")
        .iamEndpoint(iam.endpoint()).clock(clock);
  }

  AuthContext context() {
    return AuthContext.of(PROJECT, "cn-north-4", URI.create("https://cph.cn-north-4.myhuaweicloud.com"), transport,
        clock);
  }

  static HttpRequest cphRequest() {
    return HttpRequest.builder("POST",
            URI.create("https://cph.cn-north-4.myhuaweicloud.com/v1/" + PROJECT + "/cloud-phone/phones/share-apps"))
        .header("Content-Type", "application/json").body("{}".getBytes()).build();
  }

  String tokenOf(Credentials credentials) {
    return credentials.authorize(cphRequest(), context()).header("X-Auth-Token").orElseThrow();
  }

  // ---- the login request ---------------------------------------------------------------------------

  @Test
  void logsInWithTheDocumentedBodyScopedToTheClientsProject() throws Exception {
    iam.enqueueToken("MIItoken-1", T0, T0.plus(Duration.ofHours(24)));

    HttpRequest authorized = builder().build().authorize(cphRequest(), context());

    assertEquals("MIItoken-1", authorized.header("X-Auth-Token").orElseThrow());
    RecordedRequest r = iam.recorded().get(0);
    assertEquals("POST", r.getMethod());
    assertEquals("/v3/auth/tokens?nocatalog=true", r.getTarget());
    assertTrue(r.getHeaders().get("Content-Type").startsWith("application/json"));
    JsonNode body = new ObjectMapper().readTree(r.getBody().utf8());
    JsonNode expected = new ObjectMapper().readTree("{\"auth\":{\"identity\":{\"methods\":[\"password\"],"
        + "\"password\":{\"user\":{\"name\":\"alice\",\"password\":" + new ObjectMapper().writeValueAsString(PASSWORD)
        + ",\"domain\":{\"name\":\"acme\"}}}},\"scope\":{\"project\":{\"id\":\"" + PROJECT + "\"}}}}");
    assertEquals(expected, body);
    assertEquals(PASSWORD, body.at("/auth/identity/password/user/password").asText(), "escaped, not mangled");
  }

  @Test
  void projectNameOrAnExplicitProjectIdSetsTheScope() throws Exception {
    iam.enqueueToken("t-name", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("t-id", T0, T0.plus(Duration.ofHours(24)));

    tokenOf(builder().projectName("cn-north-4_sub").build());
    tokenOf(builder().projectId("fedcba9876543210fedcba9876543210").build());

    ObjectMapper json = new ObjectMapper();
    assertEquals(json.readTree("{\"project\":{\"name\":\"cn-north-4_sub\"}}"),
        json.readTree(iam.recorded().get(0).getBody().utf8()).at("/auth/scope"));
    assertEquals(json.readTree("{\"project\":{\"id\":\"fedcba9876543210fedcba9876543210\"}}"),
        json.readTree(iam.recorded().get(1).getBody().utf8()).at("/auth/scope"));
  }

  @Test
  void theDefaultEndpointIsTheRegionsAndWithoutARegionOneMustBeSet() {
    RecordingTransport recording = RecordingTransport.answering(httpResponse(IamServer.tokenAnswer("t", T0, T0.plus(Duration.ofHours(24))))).asyncOnly();
    Credentials credentials = Credentials.iamPassword().userName("alice").password(PASSWORD).accountName("acme")
        .clock(clock).build();

    credentials.authorize(cphRequest(), AuthContext.of(PROJECT, "ap-southeast-1",
        URI.create("https://cph.ap-southeast-1.myhuaweicloud.com"), recording, clock));

    assertEquals(URI.create("https://iam.ap-southeast-1.myhuaweicloud.com/v3/auth/tokens?nocatalog=true"),
        recording.requests().get(0).uri());

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> credentials.authorize(cphRequest(),
        AuthContext.of(PROJECT, null, URI.create("http://127.0.0.1:1"), recording, clock)));
    assertTrue(e.getMessage().contains("iamEndpoint"), e.getMessage());
    assertEquals(1, recording.requests().size());

    RecordingTransport global = RecordingTransport.answering(httpResponse(IamServer.tokenAnswer("t", T0, T0.plus(Duration.ofHours(24))))).asyncOnly();
    Credentials.iamPassword().userName("alice").password(PASSWORD).accountName("acme")
        .iamEndpoint(IamPasswordCredentials.GLOBAL_ENDPOINT).build()
        .authorize(cphRequest(), AuthContext.of(PROJECT, null, URI.create("http://127.0.0.1:1"), global, clock));
    assertEquals(URI.create("https://iam.myhuaweicloud.com/v3/auth/tokens?nocatalog=true"), global.requests().get(0).uri());
  }

  // ---- caching and renewal -------------------------------------------------------------------------

  @Test
  void theTokenIsCachedAcrossCallsAndSyncAndAsync() throws Exception {
    iam.enqueueToken("MIItoken-1", T0, T0.plus(Duration.ofHours(24)));
    Credentials credentials = builder().build();

    for (int i = 0; i < 5; i++) {
      assertEquals("MIItoken-1", tokenOf(credentials));
      clock.advance(Duration.ofHours(4));
    }
    assertEquals("MIItoken-1", credentials.authorizeAsync(cphRequest(), context()).get().header("X-Auth-Token")
        .orElseThrow());
    assertEquals(1, iam.requests.get());
  }

  @Test
  void theTokenIsRenewedAnHourBeforeItExpires() {
    iam.enqueueToken("first", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("second", T0.plus(Duration.ofHours(23)), T0.plus(Duration.ofHours(47)));
    Credentials credentials = builder().build();

    assertEquals("first", tokenOf(credentials));
    clock.set(T0.plus(Duration.ofHours(23)).minusMillis(1));
    assertEquals("first", tokenOf(credentials));
    assertEquals(1, iam.requests.get());
    clock.set(T0.plus(Duration.ofHours(23)));
    assertEquals("second", tokenOf(credentials));
    assertEquals(2, iam.requests.get());
    clock.set(T0.plus(Duration.ofHours(46)).minusMillis(1));
    assertEquals("second", tokenOf(credentials));
    assertEquals(2, iam.requests.get());
  }

  @Test
  void refreshAheadIsConfigurableAndNeverBeforeHalfTheLifetime() {
    iam.enqueueToken("a", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("b", T0, T0.plus(Duration.ofMinutes(10)));
    iam.enqueueToken("c", T0, T0.plus(Duration.ofHours(24)));
    Credentials credentials = builder().refreshAhead(Duration.ofHours(3)).build();

    assertEquals("a", tokenOf(credentials));
    clock.set(T0.plus(Duration.ofHours(21)).minusMillis(1));
    assertEquals("a", tokenOf(credentials));
    clock.set(T0.plus(Duration.ofHours(21)));
    assertEquals("b", tokenOf(credentials), "3 hours ahead of expiry");
    // b lives 10 minutes: with 3 hours ahead it would be stale at once; it is used for half its life
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertEquals("b", tokenOf(credentials));
    clock.advance(Duration.ofMillis(1));
    assertEquals("c", tokenOf(credentials));
    assertEquals(3, iam.requests.get());
  }

  @Test
  void theLifetimeIsMeasuredOnIamsClockSoALocalClockOffByDaysDoesNotMatter() {
    Instant iamNow = Instant.parse("2020-01-01T00:00:00Z");
    iam.enqueueToken("skewed", iamNow, iamNow.plus(Duration.ofHours(24)));
    Credentials credentials = builder().build();

    assertEquals("skewed", tokenOf(credentials));
    clock.advance(Duration.ofHours(22));
    assertEquals("skewed", tokenOf(credentials));
    assertEquals(1, iam.requests.get(), "not treated as expired although expires_at is years before the local clock");
  }

  @Test
  void aFailedRenewalKeepsUsingTheValidTokenAndTriesAgainAMinuteLater() {
    iam.enqueueToken("MIIfirst-9d1", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueue(new MockResponse.Builder().code(503).body("<html>busy</html>").build());
    iam.enqueueToken("MIIsecond-4e7", T0, T0.plus(Duration.ofHours(24)));
    Credentials credentials = builder().build();

    assertEquals("MIIfirst-9d1", tokenOf(credentials));
    clock.set(T0.plus(Duration.ofHours(23)));
    assertEquals("MIIfirst-9d1", tokenOf(credentials), "IAM failed, the old token is still valid");
    assertEquals(2, iam.requests.get());
    clock.advance(Duration.ofSeconds(59));
    assertEquals("MIIfirst-9d1", tokenOf(credentials));
    assertEquals(2, iam.requests.get(), "no new attempt within the pause");
    clock.advance(Duration.ofSeconds(1));
    assertEquals("MIIsecond-4e7", tokenOf(credentials));
    assertEquals(3, iam.requests.get());
    List<String> warnings = CapturedLogs.lines().stream().filter(l -> l.startsWith("WARN"))
        .collect(java.util.stream.Collectors.toList());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("Renewing the IAM token for user 'alice' in account 'acme'"), warnings.get(0));
    assertTrue(warnings.get(0).contains("503"), warnings.get(0));
    for (String line : CapturedLogs.lines()) {
      assertFalse(line.contains("MIIfirst-9d1") || line.contains("MIIsecond-4e7"), line);
    }
  }

  // ---- single flight -------------------------------------------------------------------------------

  @Test
  void aHundredConcurrentThreadsCauseOneIamRequest() throws Exception {
    iam.enqueueToken("shared", T0, T0.plus(Duration.ofHours(24)));
    iam.hold();
    Credentials credentials = builder().build();
    List<Thread> threads = new ArrayList<>();
    Set<String> tokens = ConcurrentHashMap.newKeySet();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicInteger entered = new AtomicInteger();
    for (int i = 0; i < 100; i++) {
      Thread t = new Thread(() -> {
        try {
          entered.incrementAndGet();
          tokens.add(tokenOf(credentials));
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(t);
      t.start();
    }
    // wait until every caller is parked waiting for the token while IAM holds its answer
    while (entered.get() < 100 || !threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
        || t.getState() == Thread.State.TIMED_WAITING)) {
      Thread.sleep(1);
    }
    iam.release();
    for (Thread t : threads) {
      t.join();
    }

    assertEquals(List.of(), failures);
    assertEquals(Set.of("shared"), tokens);
    assertEquals(1, iam.requests.get());
    assertEquals(1, iam.server.getRequestCount());
  }

  @Test
  void aHundredConcurrentAsyncCallsCauseOneIamRequestAndBlockNoThread() throws Exception {
    iam.enqueueToken("shared", T0, T0.plus(Duration.ofHours(24)));
    iam.hold();
    Credentials credentials = builder().build();
    List<CompletableFuture<HttpRequest>> futures = new ArrayList<>();

    for (int i = 0; i < 100; i++) {
      futures.add(credentials.authorizeAsync(cphRequest(), context()));   // returns at once: IAM holds its answer
    }
    assertTrue(futures.stream().noneMatch(CompletableFuture::isDone));
    iam.release();

    for (CompletableFuture<HttpRequest> f : futures) {
      assertEquals("shared", f.get().header("X-Auth-Token").orElseThrow());
    }
    assertEquals(1, iam.requests.get());
  }

  // ---- 401 from the service ------------------------------------------------------------------------

  @Test
  void aTokenTheServiceRefusesIsDroppedAndTheNextCallFetchesANewOne() {
    iam.enqueueToken("old", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("new", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("newer", T0, T0.plus(Duration.ofHours(24)));
    Credentials credentials = builder().build();
    assertEquals("old", tokenOf(credentials));

    assertTrue(credentials.refreshAfterUnauthorized("APIGW.0307", "The token must be updated."));
    assertEquals("new", tokenOf(credentials));
    assertEquals(2, iam.requests.get());

    // other calls refused with the old token report late: the brand-new token is kept
    assertTrue(credentials.refreshAfterUnauthorized("APIGW.0307", "The token must be updated."));
    assertEquals("new", tokenOf(credentials));
    assertEquals(2, iam.requests.get());

    // but a refusal 10 seconds later is about the new token
    clock.advance(TokenSlot.PROTECT_AFTER_DROP);
    assertTrue(credentials.refreshAfterUnauthorized("APIG.0301", "Incorrect IAM authentication information: Token expired"));
    assertEquals("newer", tokenOf(credentials));
    assertEquals(3, iam.requests.get());
  }

  @Test
  void aBodiless401RenewsTheToken() {
    // HttpURLConnection drops the body of a 401 to a streamed POST: no code to go by, so assume expiry.
    iam.enqueueToken("old", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("new", T0, T0.plus(Duration.ofHours(24)));
    Credentials credentials = builder().build();
    assertEquals("old", tokenOf(credentials));
    assertTrue(credentials.refreshAfterUnauthorized(null, null));
    assertEquals("new", tokenOf(credentials));
    assertEquals(2, iam.requests.get());
  }

  @Test
  void onlyTokenRefusalsAskForARefresh() {
    iam.enqueueToken("kept", T0, T0.plus(Duration.ofHours(24)));
    Credentials credentials = builder().build();
    assertEquals("kept", tokenOf(credentials));

    assertFalse(credentials.refreshAfterUnauthorized("APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"));
    assertFalse(credentials.refreshAfterUnauthorized("APIGW.0301", null));
    assertFalse(credentials.refreshAfterUnauthorized("APIGW.0308", "token"));
    assertFalse(credentials.refreshAfterUnauthorized("CPS.0001", "No permission to request resources."));
    assertEquals("kept", tokenOf(credentials));
    assertEquals(1, iam.requests.get());

    assertTrue(credentials.refreshAfterUnauthorized("apigw.0307", null), "codes are matched case-insensitively");
    assertFalse(Credentials.token("x").refreshAfterUnauthorized("APIGW.0307", "token"), "a fixed token cannot be renewed");
  }

  // ---- IAM failures --------------------------------------------------------------------------------

  @Test
  void aWrongPasswordGivesAClearErrorNamingIamWithoutThePassword() throws Exception {
    iam.enqueue(new MockResponse.Builder().code(401).addHeader("X-Request-Id", "req-42")
        .body("{\"error\":{\"code\":401,\"message\":\"The username or password is wrong.\",\"title\":\"Unauthorized\"}}")
        .build());
    Credentials credentials = builder().build();

    CloudPhoneServiceException e = assertThrows(CloudPhoneServiceException.class, () -> tokenOf(credentials));

    assertTrue(e.getMessage().startsWith("IAM refused the password login of user 'alice' in account 'acme'"),
        e.getMessage());
    assertTrue(e.getMessage().contains("401 The username or password is wrong."), e.getMessage());
    assertEquals(401, e.statusCode());
    assertEquals("The username or password is wrong.", e.errorMessage());
    assertNull(e.errorCode());
    assertEquals("req-42", e.requestId());
    assertFalse(e.mayHaveBeenApplied());
    assertEquals(0, e.attempts());
    assertNoSecret(e);
    assertNoSecret(credentials.toString());
  }

  @Test
  void aRefusedLoginIsNotRepeatedForFiveMinutesSoTheUserIsNotLocked() throws Exception {
    iam.enqueue(new MockResponse.Builder().code(401)
        .body("{\"error\":{\"code\":401,\"message\":\"The account is locked.\",\"title\":\"Unauthorized\"}}").build());
    iam.enqueueToken("after-unlock", T0, T0.plus(Duration.ofHours(24)));
    Credentials credentials = builder().build();

    assertThrows(CloudPhoneServiceException.class, () -> tokenOf(credentials));
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    CloudPhoneServiceException again = assertThrows(CloudPhoneServiceException.class, () -> tokenOf(credentials));
    ExecutionException async = assertThrows(ExecutionException.class,
        () -> credentials.authorizeAsync(cphRequest(), context()).get());
    assertEquals(1, iam.requests.get());
    assertTrue(again.getMessage().startsWith("IAM refused"), again.getMessage());
    assertTrue(again.getMessage().contains("The account is locked."), again.getMessage());
    assertInstanceOf(CloudPhoneServiceException.class, async.getCause());
    assertNoSecret(again);

    clock.advance(Duration.ofMillis(1));
    assertEquals("after-unlock", tokenOf(credentials));
    assertEquals(2, iam.requests.get());
  }

  @Test
  void iamEchoingThePasswordIsScrubbed() {
    iam.enqueue(new MockResponse.Builder().code(400)
        .body("{\"error_code\":\"IAM.0011\",\"error_msg\":\"bad request: " + PASSWORD.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\",\"request_id\":\"r-1\"}").build());

    CloudPhoneServiceException e = assertThrows(CloudPhoneServiceException.class, () -> tokenOf(builder().build()));

    assertTrue(e.getMessage().startsWith("IAM rejected the token request of user 'alice'"), e.getMessage());
    assertEquals("IAM.0011", e.errorCode());
    assertEquals("r-1", e.requestId());
    assertEquals("bad request: ****", e.errorMessage());
    assertNoSecret(e);
  }

  @Test
  void iamServerErrorsFailTheCallAndAreNotRemembered() throws Exception {
    iam.enqueue(new MockResponse.Builder().code(503).body("<html><body>Service Unavailable</body></html>").build());
    iam.enqueue(new MockResponse.Builder().code(500)
        .body("{\"error\":{\"code\":500,\"message\":\"internal error\",\"title\":\"Internal Server Error\"}}").build());
    iam.enqueueToken("finally", T0, T0.plus(Duration.ofHours(24)));
    Credentials credentials = builder().build();

    CloudPhoneServiceException first = assertThrows(CloudPhoneServiceException.class, () -> tokenOf(credentials));
    assertTrue(first.getMessage().startsWith("IAM could not issue a token for user 'alice' in account 'acme'"),
        first.getMessage());
    assertTrue(first.getMessage().contains(": 503 (no error message)"), first.getMessage());
    assertEquals(503, first.statusCode());
    assertFalse(first.mayHaveBeenApplied(), "nothing reached the cloud phone service");

    ExecutionException second = assertThrows(ExecutionException.class,
        () -> credentials.authorizeAsync(cphRequest(), context()).get());
    CloudPhoneServiceException cause = assertInstanceOf(CloudPhoneServiceException.class, second.getCause());
    assertTrue(cause.getMessage().contains("500 internal error"), cause.getMessage());
    assertNoSecret(first);
    assertNoSecret(cause);

    assertEquals("finally", tokenOf(credentials));
    assertEquals(3, iam.requests.get());
  }

  @Test
  void anUnreachableIamIsATransportErrorNamingIam() throws Exception {
    URI closed;
    try (MockWebServer gone = new MockWebServer()) {
      gone.start(InetAddress.getByName("127.0.0.1"), 0);
      closed = URI.create("http://127.0.0.1:" + gone.getPort());
    }
    Credentials credentials = builder().iamEndpoint(closed).build();

    CloudPhoneTransportException e = assertThrows(CloudPhoneTransportException.class, () -> tokenOf(credentials));

    assertTrue(e.getMessage().startsWith("IAM token request failed (IAM at 127.0.0.1)"), e.getMessage());
    assertEquals(HttpTransportException.Kind.CONNECT_FAILED, ((HttpTransportException) e.getCause()).kind());
    assertFalse(e.mayHaveBeenApplied());
    assertNoSecret(e);
  }

  @Test
  void theIamRequestHonoursItsTimeout() {
    iam.hold();
    Credentials credentials = builder().timeout(Duration.ofMillis(300)).build();

    CloudPhoneTimeoutException e = assertThrows(CloudPhoneTimeoutException.class, () -> tokenOf(credentials));

    assertTrue(e.getMessage().startsWith("IAM did not answer the token request within 300 ms"), e.getMessage());
    assertFalse(e.mayHaveBeenApplied());
  }

  @Test
  void eachCallerWaitsNoLongerThanItsOwnTimeoutAndTheFetchGoesOn() throws Exception {
    iam.enqueueToken("late", T0, T0.plus(Duration.ofHours(24)));
    iam.hold();
    Credentials credentials = builder().build();
    HttpRequest impatient = cphRequest().toBuilder().timeout(Duration.ofMillis(200)).build();

    CloudPhoneTimeoutException sync = assertThrows(CloudPhoneTimeoutException.class,
        () -> credentials.authorize(impatient, context()));
    ExecutionException async = assertThrows(ExecutionException.class,
        () -> credentials.authorizeAsync(impatient, context()).get());
    assertTrue(sync.getMessage().startsWith("no token from IAM within 200 ms"), sync.getMessage());
    assertInstanceOf(CloudPhoneTimeoutException.class, async.getCause());

    iam.release();
    assertEquals("late", tokenOf(credentials));
    assertEquals(1, iam.requests.get(), "the timed-out callers shared the one request, whose token is now cached");
  }

  @Test
  void unusableSuccessAnswersAreTransportErrors() {
    iam.enqueue(new MockResponse.Builder().code(201).body("{\"token\":{\"expires_at\":\"2026-11-28T09:05:22Z\"}}").build());
    iam.enqueue(new MockResponse.Builder().code(201).addHeader("X-Subject-Token", "t").body("{\"token\":{}}").build());
    iam.enqueue(new MockResponse.Builder().code(201).addHeader("X-Subject-Token", "t").body("<html>").build());
    Credentials credentials = builder().build();

    assertTrue(assertThrows(CloudPhoneTransportException.class, () -> tokenOf(credentials)).getMessage()
        .contains("no X-Subject-Token"));
    assertTrue(assertThrows(CloudPhoneTransportException.class, () -> tokenOf(credentials)).getMessage()
        .contains("token.expires_at"));
    assertTrue(assertThrows(CloudPhoneTransportException.class, () -> tokenOf(credentials)).getMessage()
        .contains("not JSON"));
  }

  @Test
  void parsesIamTimesWithAnyFractionAndOffset() {
    assertEquals(Instant.parse("2026-11-28T09:05:22.701Z"), IamTokenExchange.parseTime("2026-11-28T09:05:22.701000Z"));
    assertEquals(Instant.parse("2026-11-28T09:05:22Z"), IamTokenExchange.parseTime("2026-11-28T09:05:22Z"));
    assertEquals(Instant.parse("2026-11-28T01:05:22Z"), IamTokenExchange.parseTime("2026-11-28T09:05:22+08:00"));
    assertEquals(Instant.parse("2026-11-28T09:05:22.5Z"), IamTokenExchange.parseTime("2026-11-28T09:05:22.5"));
    assertNull(IamTokenExchange.parseTime("tomorrow"));
    assertNull(IamTokenExchange.parseTime(null));
  }

  // ---- builder and secrets -------------------------------------------------------------------------

  @Test
  void theBuilderRefusesIncompleteOrContradictoryOptionsWithoutEchoingThePassword() {
    assertIae("userName", () -> Credentials.iamPassword().password(PASSWORD).accountName("acme").build());
    assertIae("userName", () -> Credentials.iamPassword().userName(" ").password(PASSWORD).accountName("acme").build());
    assertIae("password", () -> Credentials.iamPassword().userName("alice").accountName("acme").build());
    assertIae("password", () -> Credentials.iamPassword().userName("alice").password("").accountName("acme").build());
    assertIae("accountName", () -> Credentials.iamPassword().userName("alice").password(PASSWORD).build());
    assertIae("set either projectId or projectName", () -> builder().projectId(PROJECT).projectName("cn-north-4").build());
    assertIae("iamEndpoint must use https", () -> builder().iamEndpoint(URI.create("http://iam.example.com")));
    assertIae("iamEndpoint must be an absolute", () -> builder().iamEndpoint(URI.create("/v3")));
    assertIae("iamEndpoint must not have a query", () -> builder().iamEndpoint(URI.create("https://iam.example.com/?a=1")));
    assertIae("refreshAhead", () -> builder().refreshAhead(Duration.ofSeconds(-1)));
    assertIae("timeout", () -> builder().timeout(Duration.ZERO));
    builder().iamEndpoint(URI.create("http://localhost:8080")).iamEndpoint(URI.create("https://iam.example.com/"));
  }

  @Test
  void toStringShowsWhoButNeverThePasswordOrToken() {
    iam.enqueueToken("MIIsecret-token-value", T0, T0.plus(Duration.ofHours(24)));
    IamPasswordCredentials credentials = builder().projectName("cn-north-4").build();
    tokenOf(credentials);

    String s = credentials.toString();
    assertTrue(s.startsWith("Credentials.iamPassword(user=alice, account=acme, password=****, project=name cn-north-4"), s);
    assertNoSecret(s);
    assertFalse(s.contains("MIIsecret-token-value"), s);
    assertFalse(new IamToken("MIIsecret-token-value", T0, T0).toString().contains("MIIsecret"));
  }

  private static void assertIae(String start, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
    assertNoSecret(e.getMessage());
  }

  static void assertNoSecret(String s) {
    assertFalse(s.contains(PASSWORD), s);
    assertFalse(s.contains("Pa55w0rd"), s);
  }

  static void assertNoSecret(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertNoSecret(String.valueOf(t.getMessage()));
      assertNoSecret(t.toString());
    }
  }

  /** {@code answer} as a transport hands it back. */
  static io.github.cphsdk.http.HttpResponse httpResponse(MockResponse answer) {
    java.util.Map<String, List<String>> headers = new java.util.HashMap<>();
    for (kotlin.Pair<? extends String, ? extends String> h : answer.getHeaders()) {
      headers.computeIfAbsent(h.getFirst(), k -> new ArrayList<>()).add(h.getSecond());
    }
    okio.Buffer body = new okio.Buffer();
    try {
      answer.getBody().writeTo(body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return io.github.cphsdk.http.HttpResponse.of(answer.getCode(), headers, body.readByteArray(), false);
  }

  @SuppressWarnings("unused")
  private static void unused(CloudPhoneException e) {}
}
