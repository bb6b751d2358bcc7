package io.github.cphsdk;

import static io.github.cphsdk.CloudPhoneClientTest.DOC_ANSWER;
import static io.github.cphsdk.CloudPhoneClientTest.DOC_BODY;
import static io.github.cphsdk.CloudPhoneClientTest.PROJECT;
import static io.github.cphsdk.CloudPhoneClientTest.TOKEN;
import static io.github.cphsdk.CloudPhoneClientTest.json;
import static io.github.cphsdk.CloudPhoneClientTest.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.Harness.Mode;
import io.github.cphsdk.Harness.RecordingListener;
import io.github.cphsdk.auth.AuthContext;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testsupport.CapturedLogs;
import io.github.cphsdk.testsupport.RecordingTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The retry rules of issue 3, each proved against a real HTTP server on loopback, with time injected
 * ({@link FakeTiming}: backoff sleeps return at once and are recorded; async retries wait in its queue), and
 * each run both the synchronous and the asynchronous way with the same expected outcome.
 */
class RetryTest {
  static final Duration BACKOFF = Duration.ofMillis(100);
  static final String BUSY_503 = "{\"error_code\":\"CPS.0011\",\"error_msg\":\"Service busy\",\"request_id\":\"rq-503\"}";
  static final String THROTTLED_429 =
      "{\"error_code\":\"APIGW.0308\",\"error_msg\":\"The throttling threshold has been reached\"}";
  static final String INTERNAL_500 = "{\"error_code\":\"CPS.0003\",\"error_msg\":\"internal\",\"request_id\":\"rq-500\"}";

  MockWebServer server;
  FakeTiming timing;
  RecordingListener listener;
  AtomicInteger tokensAsked;
  CloudPhoneClient client;
  final List<AutoCloseable> closeAfter = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    timing = new FakeTiming();
    listener = new RecordingListener();
    tokensAsked = new AtomicInteger();
    CapturedLogs.clear();
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
    server.close();
  }

  /** 3 attempts, a fixed 100 ms backoff (so waits are exact), a token supplier that counts. */
  CloudPhoneClient.Builder builder() {
    return CloudPhoneClient.builder()
        .endpoint(server.url("/").uri())
        .projectId(PROJECT)
        .credentials(Credentials.token(() -> {
          tokensAsked.incrementAndGet();
          return TOKEN;
        }))
        .retryPolicy(RetryPolicy.builder().backoff(BackoffStrategy.fixed(BACKOFF)).build())
        .attemptTimeout(Duration.ofSeconds(5))
        .callTimeout(Duration.ofSeconds(60))
        .listener(listener)
        .timing(timing);
  }

  CloudPhoneClient client(UnaryOperator<CloudPhoneClient.Builder> settings) {
    client = settings.apply(builder()).build();
    return client;
  }

  static RetryPolicy.Builder policy() {
    return RetryPolicy.builder().backoff(BackoffStrategy.fixed(BACKOFF));
  }

  ShareAppsResponse push(Mode mode) {
    return Harness.push(client, timing, mode);
  }

  <T extends Throwable> T pushFails(Class<T> type, Mode mode) {
    return assertThrows(type, () -> push(mode));
  }

  static MockResponse busy(String retryAfter) {
    return new MockResponse.Builder().code(503).addHeader("Content-Type", "application/json")
        .addHeader("Retry-After", retryAfter).body(BUSY_503).build();
  }

  static MockResponse dropAfterRequest() {
    return new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build();
  }

  List<RecordedRequest> taken(int n) throws InterruptedException {
    assertEquals(n, server.getRequestCount(), "requests that reached the server");
    List<RecordedRequest> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(server.takeRequest());
    }
    return all;
  }

  // ------------------------------------------------------------------ Retry-After

  @ParameterizedTest
  @EnumSource(Mode.class)
  void unavailableWithRetryAfterSecondsIsRetriedAfterThatWaitWithTheSameBytes(Mode mode) throws Exception {
    client(b -> b);
    server.enqueue(busy("2"));
    server.enqueue(json(200, DOC_ANSWER));

    ShareAppsResponse response = push(mode);

    assertEquals("6837531fd3f54550927b930180a706bf", response.requestId());
    List<RecordedRequest> sent = taken(2);
    assertArrayEquals(sent.get(0).getBody().toByteArray(), sent.get(1).getBody().toByteArray(), "byte-identical bodies");
    assertEquals(DOC_BODY, sent.get(1).getBody().utf8());
    assertEquals(sent.get(0).getHeaders().get("X-Client-Request-Id"), sent.get(1).getHeaders().get("X-Client-Request-Id"),
        "one call, one client request id");
    assertEquals(TOKEN, sent.get(1).getHeaders().get("X-Auth-Token"));
    assertEquals(2, tokensAsked.get(), "the credentials step runs again for every attempt");
    assertEquals(List.of(Duration.ofSeconds(2)), Harness.retryWaits(timing, mode), "Retry-After wins over the backoff");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retryAfterHttpDateIsMeasuredFromTheInjectedClock(Mode mode) {
    client(b -> b);
    // FakeTiming's wall clock reads 2026-11-27T12:00:00Z (a Friday) until a wait moves it.
    server.enqueue(busy("Fri, 27 Nov 2026 12:00:07 GMT"));
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    assertEquals(2, server.getRequestCount());
    assertEquals(List.of(Duration.ofSeconds(7)), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retryAfterInThePastOrZeroWaitsTheBackoff(Mode mode) {
    // A date in the past (a server clock behind ours) or 0 asks for no wait: the backoff still applies, or the
    // retries would come as a burst (3 attempts within 123 ms, measured before the fix).
    client(b -> b);
    server.enqueue(busy("Fri, 27 Nov 2026 11:59:00 GMT"));
    server.enqueue(busy("0"));
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    assertEquals(3, server.getRequestCount());
    assertEquals(List.of(BACKOFF, BACKOFF), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retryAfterShorterThanTheBackoffWaitsTheBackoff(Mode mode) {
    client(b -> b.retryPolicy(RetryPolicy.builder().backoff(BackoffStrategy.fixed(Duration.ofSeconds(3))).build()));
    server.enqueue(busy("1"));
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    assertEquals(List.of(Duration.ofSeconds(3)), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retryAfterAboveTheMaximumIsCapped(Mode mode) {
    client(b -> b.retryPolicy(policy().maxRetryAfter(Duration.ofSeconds(3)).build()));
    server.enqueue(busy("3600"));
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    assertEquals(List.of(Duration.ofSeconds(3)), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retryAfterLongerThanTheRemainingDeadlineFailsAtOnceWithTheServiceAnswer(Mode mode) {
    client(b -> b.callTimeout(Duration.ofSeconds(10)));
    server.enqueue(busy("30"));
    server.enqueue(json(200, DOC_ANSWER)); // would succeed, if the client waited

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(503, e.statusCode());
    assertEquals("CPS.0011", e.errorCode());
    assertEquals("rq-503", e.requestId());
    assertFalse(e.mayHaveBeenApplied());
    assertEquals(1, e.attempts());
    assertTrue(e.getMessage().contains("(not retried: waiting 30000 ms would pass the call timeout)"), e.getMessage());
    assertEquals(1, server.getRequestCount());
    assertEquals(List.of(), timing.slept(), "no sleep was started");
    assertEquals(0, timing.pending(), "no retry was scheduled");
    assertEquals(mode == Mode.SYNC ? 0 : 1, timing.scheduledCount(), "only the attempt's own timer, for async");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void unreadableRetryAfterFallsBackToTheBackoff(Mode mode) {
    client(b -> b);
    server.enqueue(busy("soon"));
    server.enqueue(busy("-5"));
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    assertEquals(List.of(BACKOFF, BACKOFF), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void backoffPastTheDeadlineFailsAtOnceEvenWhenItIsAbsurdlyLong(Mode mode) {
    // A custom strategy may answer anything; a delay beyond Long.MAX_VALUE nanoseconds must not overflow.
    client(b -> b.retryPolicy(RetryPolicy.builder().backoff(n -> Duration.ofDays(1_000_000)).build()));
    server.enqueue(json(503, BUSY_503));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(1, e.attempts());
    assertTrue(e.getMessage().contains("would pass the call timeout"), e.getMessage());
    assertEquals(List.of(), timing.slept());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theTimeLeftIsReadAfterASlowBackoffStrategy(Mode mode) {
    // The strategy itself takes 9.9 s of the 10 s call: its 1 s wait would then pass the deadline, so the call
    // must end now with the service's answer, not sleep and then fail by timeout before the next attempt.
    client(b -> b.callTimeout(Duration.ofSeconds(10)).retryPolicy(RetryPolicy.builder().backoff(n -> {
      timing.advance(Duration.ofMillis(9_900));
      return Duration.ofSeconds(1);
    }).build()));
    server.enqueue(json(503, BUSY_503));
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(503, e.statusCode());
    assertTrue(e.getMessage().contains("(not retried: waiting 1000 ms would pass the call timeout)"), e.getMessage());
    assertEquals(1, server.getRequestCount());
    assertEquals(List.of(), timing.slept(), "no sleep was started");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aThrowingBackoffStrategyMeansNoRetryNotAHungCall(Mode mode) {
    client(b -> b.retryPolicy(RetryPolicy.builder().backoff(n -> {
      throw new IllegalStateException("bug in user code");
    }).build()));
    server.enqueue(json(503, BUSY_503));
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(503, e.statusCode());
    assertEquals(1, e.attempts());
    assertEquals(1, server.getRequestCount());
  }

  /**
   * An {@code Error} from user code or a broken class path (here a {@code NoClassDefFoundError}, as an old
   * library on the class path gives) ends the call with that error: the asynchronous call does not hang.
   */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void anErrorInsideTheCallEndsItInsteadOfHangingIt(Mode mode) {
    client(b -> b.retryPolicy(RetryPolicy.builder().backoff(n -> {
      throw new NoClassDefFoundError("com/example/Missing");
    }).build()));
    server.enqueue(json(503, BUSY_503));

    Throwable thrown = assertThrows(Throwable.class, () -> push(mode));
    Throwable error = thrown instanceof java.util.concurrent.CompletionException ? thrown.getCause() : thrown;
    assertTrue(error instanceof NoClassDefFoundError, mode + ": " + thrown);
    assertEquals(1, server.getRequestCount());
  }

  // ------------------------------------------------------------------ what is retried by default

  @ParameterizedTest
  @EnumSource(Mode.class)
  void throttledApigw0308IsRetried(Mode mode) throws Exception {
    client(b -> b);
    server.enqueue(json(429, THROTTLED_429));
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    List<RecordedRequest> sent = taken(2);
    assertArrayEquals(sent.get(0).getBody().toByteArray(), sent.get(1).getBody().toByteArray());
    assertEquals(List.of(BACKOFF), Harness.retryWaits(timing, mode), "no Retry-After: the backoff decides");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void throttlingThatNeverEndsGivesUpAfterMaxAttempts(Mode mode) {
    client(b -> b);
    for (int i = 0; i < 3; i++) {
      server.enqueue(json(429, THROTTLED_429));
    }
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(429, e.statusCode());
    assertEquals("APIGW.0308", e.errorCode());
    assertEquals(3, e.attempts());
    assertFalse(e.mayHaveBeenApplied());
    assertEquals(3, server.getRequestCount());
    assertTrue(e.getMessage().contains("(gave up after 3 attempts)"), e.getMessage());
    assertEquals(List.of(BACKOFF, BACKOFF), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void serverErrorIsSentOnceByDefault(Mode mode) {
    client(b -> b);
    server.enqueue(json(500, INTERNAL_500));
    server.enqueue(json(200, DOC_ANSWER)); // a retry would succeed: it must not happen

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(500, e.statusCode());
    assertTrue(e.mayHaveBeenApplied());
    assertEquals(1, e.attempts());
    assertEquals(0, e.getSuppressed().length);
    assertTrue(e.getMessage().contains("list the jobs of request id rq-500"), e.getMessage());
    assertEquals(1, server.getRequestCount());
    assertEquals(List.of(), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void badGatewayAndGatewayTimeoutAreSentOnceByDefault(Mode mode) {
    client(b -> b);
    for (int status : new int[] {502, 504}) {
      server.enqueue(json(status, "{}"));
      CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);
      assertEquals(status, e.statusCode());
      assertTrue(e.mayHaveBeenApplied());
      assertEquals(1, e.attempts());
    }
    assertEquals(2, server.getRequestCount(), "one request per call");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void serverErrorIsSentThreeTimesWithTheOptIn(Mode mode) {
    client(b -> b.retryPolicy(policy().retryAmbiguousFailures(true).build()));
    server.enqueue(json(500, INTERNAL_500));
    server.enqueue(json(502, "{}"));
    server.enqueue(json(504, "{}"));
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(504, e.statusCode());
    assertEquals(3, e.attempts());
    assertTrue(e.mayHaveBeenApplied());
    assertEquals(3, server.getRequestCount());
    assertEquals(2, e.getSuppressed().length);
    assertEquals(500, ((CloudPhoneServiceException) e.getSuppressed()[0]).statusCode());
    assertEquals(502, ((CloudPhoneServiceException) e.getSuppressed()[1]).statusCode());
    assertEquals(List.of(BACKOFF, BACKOFF), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void droppedConnectionAfterTheRequestIsSentOnceByDefault(Mode mode) {
    client(b -> b);
    server.enqueue(dropAfterRequest());
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneTransportException e = pushFails(CloudPhoneTransportException.class, mode);

    assertTrue(e.mayHaveBeenApplied());
    assertEquals(1, e.attempts());
    assertTrue(e.getMessage().contains("failed after the request was sent"), e.getMessage());
    assertEquals(1, server.getRequestCount(), "exactly one request at the server");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void droppedConnectionIsRetriedWithTheOptIn(Mode mode) {
    client(b -> b.retryPolicy(policy().retryAmbiguousFailures(true).build()));
    server.enqueue(dropAfterRequest());
    server.enqueue(json(200, DOC_ANSWER));

    assertEquals(2, push(mode).accepted().size());
    assertEquals(2, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void connectionRefusedIsTriedMaxAttemptsTimesAndWasNotApplied(Mode mode) throws IOException {
    int freePort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      freePort = s.getLocalPort();
    }
    client(b -> b.endpoint(URI.create("http://127.0.0.1:" + freePort))
        .retryPolicy(policy().maxAttempts(4).build()));

    CloudPhoneTransportException e = pushFails(CloudPhoneTransportException.class, mode);

    assertFalse(e.mayHaveBeenApplied());
    assertEquals(4, e.attempts());
    assertTrue(e.getMessage().contains("Nothing was sent"), e.getMessage());
    assertTrue(e.getMessage().contains("(gave up after 4 attempts)"), e.getMessage());
    Throwable[] earlier = e.getSuppressed();
    assertEquals(3, earlier.length, "the three earlier attempts, attached as suppressed");
    for (int i = 0; i < earlier.length; i++) {
      CloudPhoneTransportException before = assertInstanceOf(CloudPhoneTransportException.class, earlier[i]);
      assertEquals(i + 1, before.attempts());
      assertFalse(before.mayHaveBeenApplied());
    }
    assertEquals(4, listener.count("started"));
    assertEquals(4, tokensAsked.get());
    assertEquals(List.of(BACKOFF, BACKOFF, BACKOFF), Harness.retryWaits(timing, mode));
  }

  @Test
  void syncAndAsyncFailTheSameWayAfterRetries() {
    client(b -> b.retryPolicy(policy().retryAmbiguousFailures(true).build()));
    List<CloudPhoneException> failures = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      server.enqueue(json(503, BUSY_503));
      server.enqueue(json(429, THROTTLED_429));
      server.enqueue(json(500, INTERNAL_500));
      failures.add(pushFails(CloudPhoneException.class, mode));
    }
    CloudPhoneException sync = failures.get(0);
    CloudPhoneException async = failures.get(1);
    assertEquals(sync.getClass(), async.getClass());
    assertEquals(sync.getMessage(), async.getMessage());
    assertEquals(3, async.attempts());
    assertEquals(sync.mayHaveBeenApplied(), async.mayHaveBeenApplied());
    assertEquals(2, async.getSuppressed().length);
    for (int i = 0; i < 2; i++) {
      assertEquals(sync.getSuppressed()[i].getMessage(), async.getSuppressed()[i].getMessage());
    }
    assertEquals(6, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void clientErrorIsNeverRetried(Mode mode) {
    client(b -> b);
    server.enqueue(json(400, "{\"error_code\":\"CPS.0148\",\"error_msg\":\"Invalid pre_install_app.\"}"));
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(400, e.statusCode());
    assertEquals(1, e.attempts());
    assertFalse(e.mayHaveBeenApplied());
    assertEquals(1, server.getRequestCount());
  }

  static final String TIMEOUT_408 = "<html><body>408 Request Time-out</body></html>";

  /**
   * 408 is ambiguous (see RetryPolicy): nothing proves the service did not act, so the push is not repeated and
   * the failure says it may have been applied. The job waiter polls again after it (JobWaiterTest).
   */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void requestTimeout408IsAmbiguousSoThePushIsNotRepeated(Mode mode) {
    client(b -> b);
    server.enqueue(json(408, TIMEOUT_408));
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(408, e.statusCode());
    assertEquals(1, e.attempts());
    assertTrue(e.mayHaveBeenApplied());
    assertTrue(e.getMessage().contains("list-jobs API"), e.getMessage());
    assertEquals(1, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void requestTimeout408IsRetriedWithTheOptInForAmbiguousFailures(Mode mode) {
    client(b -> b.retryPolicy(policy().retryAmbiguousFailures(true).build()));
    server.enqueue(json(408, TIMEOUT_408));
    server.enqueue(json(200, DOC_ANSWER));

    assertEquals("6837531fd3f54550927b930180a706bf", push(mode).requestId());
    assertEquals(2, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void requestTimeout408OfAReadIsRetriedLikeEveryAmbiguousFailure(Mode mode) {
    client(b -> b);
    server.enqueue(json(408, TIMEOUT_408));
    server.enqueue(json(200, "{\"job_id\":\"j1\",\"server_id\":\"s1\",\"status\":2}"));

    int before = timing.scheduledCount();
    io.github.cphsdk.model.Job job = mode == Mode.SYNC ? client.showJob("j1")
        : Harness.drive(client.showJobAsync("j1"), timing, before);

    assertEquals("j1", job.jobId());
    assertEquals(2, server.getRequestCount());
    assertEquals(List.of(BACKOFF), Harness.retryWaits(timing, mode));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void mayHaveBeenAppliedAccumulatesOverAttempts(Mode mode) {
    client(b -> b.retryPolicy(policy().retryAmbiguousFailures(true).build()));
    server.enqueue(json(500, INTERNAL_500));
    server.enqueue(json(400, "{\"error_code\":\"CPS.0148\",\"error_msg\":\"Invalid pre_install_app.\"}"));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(400, e.statusCode(), "the last answer is the one reported");
    assertTrue(e.mayHaveBeenApplied(), "but the first attempt may have started jobs");
    assertEquals(2, e.attempts());
    assertTrue(e.getMessage().contains("An earlier attempt may have been applied"), e.getMessage());
    CloudPhoneServiceException first = assertInstanceOf(CloudPhoneServiceException.class, e.getSuppressed()[0]);
    assertEquals(500, first.statusCode());
    assertEquals("rq-500", first.requestId());
  }

  // ------------------------------------------------------------------ 401 and fresh credentials

  /** A token whose {@code refreshAfterUnauthorized} answers {@code refresh} and counts the questions. */
  static class RefreshingToken implements Credentials {
    final AtomicInteger authorized = new AtomicInteger();
    final AtomicInteger refreshAsked = new AtomicInteger();
    final List<String> codes = new CopyOnWriteArrayList<>();
    final boolean refresh;

    RefreshingToken(boolean refresh) {
      this.refresh = refresh;
    }

    @Override
    public HttpRequest authorize(HttpRequest request, AuthContext context) {
      return request.withHeader("X-Auth-Token", "token-" + authorized.incrementAndGet());
    }

    @Override
    public boolean refreshAfterUnauthorized(String errorCode, String errorMessage) {
      refreshAsked.incrementAndGet();
      codes.add(errorCode);
      return refresh;
    }
  }

  static MockResponse unauthorized() {
    return json(401, "{\"error_code\":\"APIGW.0307\",\"error_msg\":\"The token must be updated.\"}");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void unauthorizedIsRepeatedOnceWithFreshCredentialsWhenTheyCanRefresh(Mode mode) throws Exception {
    RefreshingToken credentials = new RefreshingToken(true);
    client(b -> b.credentials(credentials));
    server.enqueue(unauthorized());
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    List<RecordedRequest> sent = taken(2);
    assertEquals("token-1", sent.get(0).getHeaders().get("X-Auth-Token"));
    assertEquals("token-2", sent.get(1).getHeaders().get("X-Auth-Token"));
    assertEquals(List.of("APIGW.0307"), credentials.codes);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void unauthorizedIsRepeatedAtMostOnce(Mode mode) {
    RefreshingToken credentials = new RefreshingToken(true);
    client(b -> b.credentials(credentials));
    server.enqueue(unauthorized());
    server.enqueue(unauthorized());
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(401, e.statusCode());
    assertEquals(2, e.attempts());
    assertFalse(e.mayHaveBeenApplied());
    assertEquals(2, server.getRequestCount(), "exactly one repeat");
    assertEquals(1, credentials.refreshAsked.get());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void unauthorizedIsNotRepeatedWhenTheCredentialsCannotRefresh(Mode mode) {
    RefreshingToken credentials = new RefreshingToken(false);
    client(b -> b.credentials(credentials));
    server.enqueue(unauthorized());
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(401, e.statusCode());
    assertEquals(1, e.attempts());
    assertEquals(1, server.getRequestCount());
    assertEquals(1, credentials.refreshAsked.get());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aThrowingRefreshHookMeansNoRepeatNotAHungCall(Mode mode) {
    client(b -> b.credentials(new RefreshingToken(true) {
      @Override
      public boolean refreshAfterUnauthorized(String errorCode, String errorMessage) {
        throw new IllegalStateException("IAM is down");
      }
    }));
    server.enqueue(unauthorized());
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(401, e.statusCode());
    assertEquals(1, e.attempts());
    assertEquals(1, server.getRequestCount());
  }

  // ------------------------------------------------------------------ the user's RetryCondition

  /** Records every question and says yes to 400 CPS.0005 only. */
  static final class RetryOnCps0005 implements io.github.cphsdk.retry.RetryCondition {
    final List<String> asked = new CopyOnWriteArrayList<>();

    @Override
    public boolean shouldRetry(CloudPhoneException failure, int attempt) {
      String code = failure instanceof CloudPhoneServiceException
          ? ((CloudPhoneServiceException) failure).statusCode() + " " + ((CloudPhoneServiceException) failure).errorCode()
          : failure.getClass().getSimpleName();
      asked.add(code + " @" + attempt);
      return code.equals("400 CPS.0005");
    }
  }

  static MockResponse cps0005() {
    return json(400, "{\"error_code\":\"CPS.0005\",\"error_msg\":\"try again\"}");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void customConditionIsAskedOnlyAboutWhatTheBuiltInRulesDoNotRetry(Mode mode) {
    RetryOnCps0005 condition = new RetryOnCps0005();
    client(b -> b.retryPolicy(policy().retryCondition(condition).build()));
    server.enqueue(json(503, BUSY_503)); // built-in: retried without asking
    server.enqueue(cps0005());           // not built-in: asked, says yes
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    assertEquals(List.of("400 CPS.0005 @2"), condition.asked);
    assertEquals(3, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void customConditionDecidesAmbiguousFailuresWithoutTheOptIn(Mode mode) {
    RetryOnCps0005 condition = new RetryOnCps0005();
    client(b -> b.retryPolicy(policy().retryCondition(condition).build()));
    server.enqueue(json(500, INTERNAL_500));
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(List.of("500 CPS.0003 @1"), condition.asked, "asked, and it said no");
    assertEquals(1, e.attempts());
    assertEquals(1, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void customConditionIsNotAskedWhenNoAttemptIsLeft(Mode mode) {
    RetryOnCps0005 condition = new RetryOnCps0005();
    client(b -> b.retryPolicy(policy().maxAttempts(2).retryCondition(condition).build()));
    server.enqueue(cps0005());
    server.enqueue(cps0005());

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(2, e.attempts());
    assertEquals(List.of("400 CPS.0005 @1"), condition.asked, "attempt 2 was the last: nothing to ask");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aThrowingConditionMeansNoRetry(Mode mode) {
    client(b -> b.retryPolicy(policy().retryCondition((f, n) -> {
      throw new IllegalStateException("bug in user code");
    }).build()));
    server.enqueue(cps0005());
    server.enqueue(json(200, DOC_ANSWER));

    CloudPhoneServiceException e = pushFails(CloudPhoneServiceException.class, mode);

    assertEquals(1, e.attempts());
    assertEquals(1, server.getRequestCount());
  }

  // ------------------------------------------------------------------ listener and logs

  @ParameterizedTest
  @EnumSource(Mode.class)
  void listenerSeesEveryAttemptAndEveryScheduledRetry(Mode mode) throws Exception {
    RecordingTransport transport = RecordingTransport.delegatingTo(new JdkHttpTransport())
        .advancingClock(timing::advance, Duration.ofMillis(250)); // each exchange "takes" 250 ms on the injected clock
    closeAfter.add(transport);
    client(b -> b.transport(transport));
    server.enqueue(busy("1"));
    server.enqueue(json(429, THROTTLED_429));
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    assertEquals(List.of(
        "started 1", "finished 1 503 PT0.25S CloudPhoneServiceException", "retry 2 PT1S CloudPhoneServiceException",
        "started 2", "finished 2 429 PT0.25S CloudPhoneServiceException", "retry 3 PT0.1S CloudPhoneServiceException",
        "started 3", "finished 3 200 PT0.25S"), listener.events);
    String callId = taken(3).get(0).getHeaders().get("X-Client-Request-Id");
    assertEquals(List.of(callId), listener.callIds.stream().distinct().collect(Collectors.toList()),
        "every callback names the call by the id the server saw");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aThrowingListenerDoesNotBreakTheCall(Mode mode) {
    client(b -> b.listener(new CallListener() {
      @Override
      public void attemptStarted(String operation, String callId, int attempt) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void retryScheduled(String operation, String callId, int nextAttempt, Duration delay,
          CloudPhoneException cause) {
        throw new IllegalStateException("listener bug");
      }
    }));
    server.enqueue(json(503, BUSY_503));
    server.enqueue(json(200, DOC_ANSWER));

    assertNotNull(push(mode));
    assertEquals(2, server.getRequestCount());
  }

  List<String> logsOf(String callId) {
    return CapturedLogs.lines().stream().filter(l -> l.contains(callId)).collect(Collectors.toList());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void logsDebugPerAttemptAndPerRetryAndNoWarningWhenTheCallSucceeds(Mode mode) throws Exception {
    client(b -> b);
    server.enqueue(json(503, BUSY_503));
    server.enqueue(json(200, DOC_ANSWER));

    push(mode);

    String callId = taken(2).get(0).getHeaders().get("X-Client-Request-Id");
    List<String> lines = logsOf(callId);
    String path = "/v1/" + PROJECT + "/cloud-phone/phones/share-apps";
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("DEBUG io.github.cphsdk.CloudPhoneClient POST " + path + " -> 503 (attempt 1/3, "),
        lines.get(0));
    assertTrue(lines.get(0).contains("request id rq-503"), lines.get(0));
    assertTrue(lines.get(1).startsWith("DEBUG io.github.cphsdk.CloudPhoneClient POST " + path + ": retry 2 of call "
        + callId + " in 100 ms"), lines.get(1));
    assertTrue(lines.get(2).startsWith("DEBUG io.github.cphsdk.CloudPhoneClient POST " + path + " -> 200 (attempt 2/3, "),
        lines.get(2));
    assertTrue(lines.get(2).contains("request id 6837531fd3f54550927b930180a706bf"), "the answer's: " + lines.get(2));
    assertTrue(CapturedLogs.lines().stream().noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR")),
        CapturedLogs.lines().toString());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void logsOneWarningWhenTheWholeCallFails(Mode mode) throws Exception {
    client(b -> b);
    for (int i = 0; i < 3; i++) {
      server.enqueue(json(503, BUSY_503));
    }

    pushFails(CloudPhoneServiceException.class, mode);

    String callId = taken(3).get(0).getHeaders().get("X-Client-Request-Id");
    List<String> lines = logsOf(callId);
    assertEquals(3, lines.stream().filter(l -> l.startsWith("DEBUG") && l.contains(" -> 503 (attempt ")).count(),
        lines.toString());
    assertEquals(2, lines.stream().filter(l -> l.startsWith("DEBUG") && l.contains(": retry ")).count(),
        lines.toString());
    List<String> warnings = CapturedLogs.lines().stream().filter(l -> l.startsWith("WARN")).collect(Collectors.toList());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("failed after 3 attempt(s) (call " + callId + ")"), warnings.get(0));
    assertFalse(String.join("\n", CapturedLogs.lines()).contains(TOKEN));
  }

  // ------------------------------------------------------------------ interrupting a synchronous call

  @Test
  void interruptingASyncCallDuringItsBackoffStopsItAndKeepsTheInterruptFlag() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    client = CloudPhoneClient.builder() // real time: the backoff is a real, long sleep
        .endpoint(server.url("/").uri())
        .projectId(PROJECT)
        .credentials(Credentials.token(TOKEN))
        .retryPolicy(RetryPolicy.builder().backoff(BackoffStrategy.fixed(Duration.ofMinutes(1))).build())
        .callTimeout(Duration.ofMinutes(5))
        .listener(new CallListener() {
          @Override
          public void retryScheduled(String operation, String callId, int nextAttempt, Duration delay,
              CloudPhoneException cause) {
            waiting.countDown();
          }
        })
        .build();
    server.enqueue(json(503, BUSY_503));
    server.enqueue(json(200, DOC_ANSWER));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flagKept = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        client.shareApps(request());
      } catch (Throwable t) {
        thrown.set(t);
      }
      flagKept.set(Thread.currentThread().isInterrupted());
    }, "sync-caller");
    caller.setDaemon(true);
    caller.start();

    assertTrue(waiting.await(10, TimeUnit.SECONDS), "the call reached its backoff");
    caller.interrupt();
    caller.join(TimeUnit.SECONDS.toMillis(10));

    assertFalse(caller.isAlive(), "the interrupt ended the one-minute wait");
    CloudPhoneException e = assertInstanceOf(CloudPhoneException.class, thrown.get());
    assertTrue(e.getMessage().contains("interrupted while waiting to retry"), e.getMessage());
    assertEquals(1, e.attempts());
    assertFalse(e.mayHaveBeenApplied(), "the only attempt was a 503");
    assertInstanceOf(InterruptedException.class, e.getCause());
    assertEquals(Boolean.TRUE, flagKept.get(), "the interrupt flag is restored for the caller");
    assertEquals(1, server.getRequestCount());
  }
}
