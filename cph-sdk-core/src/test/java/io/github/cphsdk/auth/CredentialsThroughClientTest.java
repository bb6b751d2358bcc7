package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AK/SK and IAM password credentials driven by the real {@link CloudPhoneClient} and its call pipeline. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CredentialsThroughClientTest {
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final String AK = "HPUAXMPLE4PL1BLQ7Y2Q";
  static final String SK = "q9dY3ht8vWmE2nR0xKcJ5pLs7uBfGa1Zo4Ti6NyM";
  static final String PASSWORD = "Client-Pa55word-unique-91c2";
  static final String ANSWER = "{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\"jobs\":[{\"server_id\":"
      + "\"1234567b8bab40ffb711234cb80d0234\",\"job_id\":\"1564567b8bab40f34711234cb80d0123\"}]}";
  static final String MUST_REFRESH = "{\"error_code\":\"APIGW.0307\",\"error_msg\":\"The token must be updated.\","
      + "\"request_id\":\"r-401\"}";
  static final Instant T0 = Instant.parse("2026-11-27T09:05:22Z");

  MockWebServer cph;
  IamServer iam;

  @BeforeEach
  void start() throws Exception {
    cph = new MockWebServer();
    cph.start(InetAddress.getByName("127.0.0.1"), 0);
    iam = new IamServer();
  }

  @AfterEach
  void stop() {
    cph.close();
    iam.close();
  }

  CloudPhoneClient client(Credentials credentials, RetryPolicy retryPolicy) {
    return CloudPhoneClient.builder()
        .endpoint(URI.create("http://127.0.0.1:" + cph.getPort()))
        .projectId(PROJECT)
        .credentials(credentials)
        .retryPolicy(retryPolicy)
        .attemptTimeout(Duration.ofSeconds(5))
        .callTimeout(Duration.ofSeconds(20))
        .build();
  }

  static ShareAppsRequest push() {
    return ShareAppsRequest.builder()
        .packageName("com.miniteck.miniworld")
        .bucketName("bucket")
        .objectPath("my_apps/test.tar")
        .preInstallApp(true)
        .addServerIds("1234567b8bab40ffb711234cb80d0234")
        .build();
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
  }

  IamPasswordCredentials.Builder iamPassword() {
    return Credentials.iamPassword().userName("alice").password(PASSWORD).accountName("acme")
        .iamEndpoint(iam.endpoint());
  }

  // ---- AK/SK -------------------------------------------------------------------------------------------

  @Test
  void everyAttemptOfAPushIsSignedAfreshAndVerifiesOnTheServer() throws Exception {
    cph.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "0")
        .body("{\"error_code\":\"CPS.0003\",\"error_msg\":\"busy\"}").build());
    cph.enqueue(json(200, ANSWER));
    Credentials credentials = AkSkCredentials.builder().accessKey(AK).secretKey(SK).clock(new TickingClock(T0)).build();

    try (CloudPhoneClient client = client(credentials,
        RetryPolicy.builder().maxAttempts(2).backoff(BackoffStrategy.fixed(Duration.ZERO)).build())) {
      ShareAppsResponse response = client.shareApps(push());
      assertEquals("6837531fd3f54550927b930180a706bf", response.requestId());
    }

    RecordedRequest first = cph.takeRequest();
    RecordedRequest second = cph.takeRequest();
    for (RecordedRequest r : List.of(first, second)) {
      AkSkOnTheWireTest.Verified v = AkSkOnTheWireTest.verify(r, SK);
      assertEquals(AK, v.access);
      assertEquals(List.of("content-type", "host", "user-agent", "x-project-id", "x-sdk-date"), v.signedHeaders);
      assertEquals(PROJECT, r.getHeaders().get("X-Project-Id"));
    }
    assertNotEquals(first.getHeaders().get("X-Sdk-Date"), second.getHeaders().get("X-Sdk-Date"),
        "the retry carries a new date and signature");
  }

  @Test
  void asyncPushesAreSignedAndVerifyToo() throws Exception {
    cph.enqueue(json(200, ANSWER));
    String securityToken = "temporary-security-token-value";
    try (CloudPhoneClient client = client(Credentials.akSk(AK, SK, securityToken), RetryPolicy.none())) {
      client.shareAppsAsync(push()).join();
    }
    RecordedRequest r = cph.takeRequest();
    AkSkOnTheWireTest.Verified v = AkSkOnTheWireTest.verify(r, SK);
    assertEquals(List.of("content-type", "host", "user-agent", "x-project-id", "x-sdk-date", "x-security-token"),
        v.signedHeaders);
    assertEquals(securityToken, r.getHeaders().get("X-Security-Token"));
  }

  // ---- IAM password --------------------------------------------------------------------------------

  @Test
  void anExpiredToken401CausesExactlyOneRefreshAndOneRepeat() throws Exception {
    iam.enqueueToken("token-1", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("token-2", T0, T0.plus(Duration.ofHours(24)));
    cph.enqueue(json(401, MUST_REFRESH));
    cph.enqueue(json(200, ANSWER));

    try (CloudPhoneClient client = client(iamPassword().build(), RetryPolicy.none())) {
      assertEquals("6837531fd3f54550927b930180a706bf", client.shareApps(push()).requestId());
    }

    assertEquals("token-1", cph.takeRequest().getHeaders().get("X-Auth-Token"));
    assertEquals("token-2", cph.takeRequest().getHeaders().get("X-Auth-Token"));
    assertEquals(2, cph.getRequestCount());
    assertEquals(2, iam.requests.get());
  }

  @Test
  void aSecond401AfterTheRefreshFailsTheCallInsteadOfLooping() {
    iam.enqueueToken("token-1", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("token-2", T0, T0.plus(Duration.ofHours(24)));
    cph.enqueue(json(401, MUST_REFRESH));
    cph.enqueue(json(401, MUST_REFRESH));

    try (CloudPhoneClient client = client(iamPassword().build(), RetryPolicy.defaults())) {
      CloudPhoneServiceException e = assertThrows(CloudPhoneServiceException.class, () -> client.shareApps(push()));
      assertEquals(401, e.statusCode());
      assertEquals("APIGW.0307", e.errorCode());
      assertFalse(e.mayHaveBeenApplied());
    }
    assertEquals(2, cph.getRequestCount());
    assertEquals(2, iam.requests.get());
  }

  @Test
  void theAsyncPathRefreshesOnceToo() throws Exception {
    iam.enqueueToken("token-1", T0, T0.plus(Duration.ofHours(24)));
    iam.enqueueToken("token-2", T0, T0.plus(Duration.ofHours(24)));
    cph.enqueue(json(401, "{\"error_code\":\"APIGW.0301\",\"error_msg\":\"Incorrect IAM authentication information:"
        + " Token expired\"}"));
    cph.enqueue(json(200, ANSWER));

    try (CloudPhoneClient client = client(iamPassword().build(), RetryPolicy.none())) {
      assertEquals("6837531fd3f54550927b930180a706bf", client.shareAppsAsync(push()).join().requestId());
    }
    assertEquals("token-1", cph.takeRequest().getHeaders().get("X-Auth-Token"));
    assertEquals("token-2", cph.takeRequest().getHeaders().get("X-Auth-Token"));
    assertEquals(2, iam.requests.get());
  }

  @Test
  void theTokenIsSharedAcrossCallsOfTheClient() throws Exception {
    iam.enqueueToken("token-1", T0, T0.plus(Duration.ofHours(24)));
    for (int i = 0; i < 3; i++) {
      cph.enqueue(json(200, ANSWER));
    }
    try (CloudPhoneClient client = client(iamPassword().build(), RetryPolicy.none())) {
      client.shareApps(push());
      client.shareAppsAsync(push()).join();
      client.shareApps(push());
    }
    assertEquals(1, iam.requests.get());
    for (int i = 0; i < 3; i++) {
      assertEquals("token-1", cph.takeRequest().getHeaders().get("X-Auth-Token"));
    }
  }

  @Test
  void aWrongPasswordFailsTheCallBeforeAnythingIsSentToCph() {
    iam.enqueue(new MockResponse.Builder().code(401)
        .body("{\"error\":{\"code\":401,\"message\":\"The username or password is wrong.\",\"title\":\"Unauthorized\"}}")
        .build());

    try (CloudPhoneClient client = client(iamPassword().build(), RetryPolicy.defaults())) {
      CloudPhoneServiceException sync = assertThrows(CloudPhoneServiceException.class, () -> client.shareApps(push()));
      CompletionException async = assertThrows(CompletionException.class, () -> client.shareAppsAsync(push()).join());
      for (CloudPhoneServiceException e : List.of(sync,
          assertInstanceOf(CloudPhoneServiceException.class, async.getCause()))) {
        assertTrue(e.getMessage().startsWith("IAM refused the password login of user 'alice' in account 'acme'"),
            e.getMessage());
        assertEquals(401, e.statusCode());
        assertEquals(0, e.attempts());
        assertFalse(e.mayHaveBeenApplied());
        IamPasswordCredentialsTest.assertNoSecret(e);
        assertFalse(e.getMessage().contains(PASSWORD));
      }
    }
    assertEquals(0, cph.getRequestCount());
    assertEquals(1, iam.requests.get(), "the refusal is remembered: a second login could lock the user");
  }

  /** A clock that moves one second each time it is read, so consecutive signatures differ. */
  static final class TickingClock extends Clock {
    private final AtomicLong seconds;

    TickingClock(Instant start) {
      this.seconds = new AtomicLong(start.getEpochSecond());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochSecond(seconds.getAndIncrement());
    }
  }
}
