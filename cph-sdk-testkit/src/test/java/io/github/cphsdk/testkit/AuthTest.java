package io.github.cphsdk.testkit;

import static io.github.cphsdk.testkit.TestHttp.S1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthTest {
  static final String TOKEN = "MIIZ-token-one";
  static final String AK = "QTWAOYTTINDUT2QVKYUC";
  static final String SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
  static final String TEMP_AK = "TEMPAK";
  static final String TEMP_SK = "TEMPSK-secret";
  static final String SECURITY_TOKEN = "security-token-value";

  final FakeClock clock = new FakeClock(Instant.parse("2026-11-27T12:00:00Z"));
  FakeCloudPhoneServer server;
  TestHttp http;

  @BeforeEach
  void start() {
    server = FakeCloudPhoneServer.builder()
        .token(TOKEN)
        .akSk(AK, SK)
        .temporaryAkSk(TEMP_AK, TEMP_SK, SECURITY_TOKEN)
        .clock(clock)
        .start();
    http = new TestHttp(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void acceptedTokenPasses() throws Exception {
    assertEquals(200, http.push(TOKEN, S1).status);
  }

  @Test
  void missingOrWrongTokenIs401WithoutEchoingTheSecret() throws Exception {
    TestHttp.Response none = http.push(null, S1);
    assertEquals(401, none.status);
    assertEquals("APIGW.0301", none.errorCode());
    assertTrue(none.json().get("error_msg").asText().startsWith("Incorrect IAM authentication information: "));
    assertEquals(none.header("X-Request-Id"), none.json().get("request_id").asText());

    TestHttp.Response wrong = http.push("not-the-token", S1);
    assertEquals(401, wrong.status);
    assertEquals("APIGW.0301", wrong.errorCode());
    assertFalse(wrong.body.contains("not-the-token"), wrong.body);
    assertEquals(0, server.pushCount());
  }

  @Test
  void expiredTokenIs0307UntilANewTokenIsAccepted() throws Exception {
    server.expireToken(TOKEN);
    TestHttp.Response expired = http.push(TOKEN, S1);
    assertEquals(401, expired.status);
    assertEquals("APIGW.0307", expired.errorCode());

    server.acceptToken("MIIZ-token-two");
    assertEquals(200, http.push("MIIZ-token-two", S1).status);
    assertEquals("APIGW.0307", http.push(TOKEN, S1).errorCode(), "the old token stays expired");
    assertEquals(1, server.pushCount());
  }

  @Test
  void signedPushIsVerified() throws Exception {
    String body = TestHttp.pushBody(S1);
    TestHttp.Response r = http.send(http.signed("POST", http.shareApps(), body, AK, SK, clock.instant(),
        Map.of("x-project-id", server.projectId())));
    assertEquals(200, r.status, r.body);
    assertEquals(1, server.pushCount());
  }

  @Test
  void signedListJobsWithQueryIsVerified() throws Exception {
    String requestId = http.push(TOKEN, S1).json().get("request_id").asText();
    String path = http.base() + "/jobs?request_ids=" + requestId + ",ffffffffffffffffffffffffffffffff&offset=0"
        + "&limit=100";
    TestHttp.Response r = http.send(http.signed("GET", path, null, AK, SK, clock.instant(), Map.of()));
    assertEquals(200, r.status, r.body);
    assertEquals(1, r.json().get("jobs").size());
  }

  @Test
  void signedDeleteWithBodyIsVerified() throws Exception {
    TestHttp.Response r = http.send(http.signed("DELETE", http.shareApps(),
        TestHttp.deleteBody(TestHttp.PKG, S1), AK, SK, clock.instant(), Map.of()));
    assertEquals(200, r.status, r.body);
    assertEquals("CPS.0150", r.json().get("jobs").get(0).get("error_code").asText(), "never pushed");
  }

  @Test
  void tamperedBodyWrongSecretOrUnknownAccessKeyIs0301() throws Exception {
    HttpRequest.Builder signedForOtherBody = http.signed("POST", http.shareApps(), TestHttp.pushBody(S1), AK, SK,
        clock.instant(), Map.of());
    signedForOtherBody.method("POST", HttpRequest.BodyPublishers.ofString(TestHttp.pushBody(TestHttp.S2)));
    assertUnauthorized(http.send(signedForOtherBody), "signature does not match");

    assertUnauthorized(http.send(http.signed("POST", http.shareApps(), TestHttp.pushBody(S1), AK, "wrong-sk",
        clock.instant(), Map.of())), "signature does not match");
    assertUnauthorized(http.send(http.signed("POST", http.shareApps(), TestHttp.pushBody(S1), "OTHERAK", SK,
        clock.instant(), Map.of())), "access key is not known");
    assertEquals(0, server.pushCount());
  }

  @Test
  void signatureDateMustBeWithin15MinutesOfTheServerClock() throws Exception {
    Instant now = clock.instant();
    assertEquals(200, http.send(http.signed("POST", http.shareApps(), TestHttp.pushBody(S1), AK, SK,
        now.minus(Duration.ofMinutes(15)), Map.of())).status);
    assertEquals(200, http.send(http.signed("POST", http.shareApps(), TestHttp.pushBody(S1), AK, SK,
        now.plus(Duration.ofMinutes(15)), Map.of())).status);
    assertUnauthorized(http.send(http.signed("POST", http.shareApps(), TestHttp.pushBody(S1), AK, SK,
        now.minus(Duration.ofMinutes(15)).minusSeconds(1), Map.of())), "15 minutes");
    assertUnauthorized(http.send(http.signed("POST", http.shareApps(), TestHttp.pushBody(S1), AK, SK,
        now.plus(Duration.ofMinutes(16)), Map.of())), "15 minutes");
  }

  @Test
  void malformedAuthorizationHeadersAre0301() throws Exception {
    assertUnauthorized(http.send(http.request("GET", http.base() + "/jobs?request_id=x", null)
        .header("Authorization", "Basic dXNlcjpwYXNz")), "SDK-HMAC-SHA256");
    String date = TestHttp.SDK_DATE.format(clock.instant());
    // host not signed
    assertUnauthorized(http.send(http.request("GET", http.base() + "/jobs?request_id=x", null)
        .header("X-Sdk-Date", date)
        .header("Authorization", "SDK-HMAC-SHA256 Access=" + AK + ", SignedHeaders=x-sdk-date, Signature=00")),
        "host and x-sdk-date");
    // not in ascending order
    assertUnauthorized(http.send(http.request("GET", http.base() + "/jobs?request_id=x", null)
        .header("X-Sdk-Date", date)
        .header("Authorization", "SDK-HMAC-SHA256 Access=" + AK + ", SignedHeaders=x-sdk-date;host, Signature=00")),
        "ascending");
    // signed header absent
    assertUnauthorized(http.send(http.request("GET", http.base() + "/jobs?request_id=x", null)
        .header("X-Sdk-Date", date)
        .header("Authorization", "SDK-HMAC-SHA256 Access=" + AK
            + ", SignedHeaders=host;x-project-id;x-sdk-date, Signature=00")), "x-project-id is missing");
    // bad date format
    assertUnauthorized(http.send(http.request("GET", http.base() + "/jobs?request_id=x", null)
        .header("X-Sdk-Date", "2026-11-27T12:00:00Z")
        .header("Authorization", "SDK-HMAC-SHA256 Access=" + AK + ", SignedHeaders=host;x-sdk-date, Signature=00")),
        "X-Sdk-Date must be");
  }

  @Test
  void temporaryCredentialsNeedTheSignedSecurityToken() throws Exception {
    String body = TestHttp.pushBody(S1);
    assertEquals(200, http.send(http.signed("POST", http.shareApps(), body, TEMP_AK, TEMP_SK, clock.instant(),
        Map.of("x-security-token", SECURITY_TOKEN))).status);
    assertUnauthorized(http.send(http.signed("POST", http.shareApps(), body, TEMP_AK, TEMP_SK, clock.instant(),
        Map.of())), "X-Security-Token");
    assertUnauthorized(http.send(http.signed("POST", http.shareApps(), body, TEMP_AK, TEMP_SK, clock.instant(),
        Map.of("x-security-token", "another-token"))), "security token is not valid");
    // sent but not signed
    assertUnauthorized(http.send(http.signed("POST", http.shareApps(), body, TEMP_AK, TEMP_SK, clock.instant(),
        Map.of()).header("X-Security-Token", SECURITY_TOKEN)), "X-Security-Token");
  }

  @Test
  void projectIdInThePathMustBeTheConfiguredOne() throws Exception {
    TestHttp.Response r = http.send("POST", "/v1/ffffffffffffffffffffffffffffffff/cloud-phone/phones/share-apps",
        TestHttp.pushBody(S1), TOKEN);
    assertEquals(400, r.status);
    assertEquals("CPS.0001", r.errorCode());
    assertEquals(0, server.pushCount());
  }

  @Test
  void unknownPathIs404EvenWithoutCredentials() throws Exception {
    TestHttp.Response r = http.send("GET", "/v2/nothing", null, null);
    assertEquals(404, r.status);
    assertEquals("APIGW.0101", r.errorCode());
  }

  @Test
  void serverWithoutCredentialsAcceptsAnything() throws Exception {
    try (FakeCloudPhoneServer open = FakeCloudPhoneServer.builder().start()) {
      assertEquals(200, new TestHttp(open).push(null, S1).status);
    }
  }

  private static void assertUnauthorized(TestHttp.Response r, String reasonPart) {
    assertEquals(401, r.status, r.body);
    assertEquals("APIGW.0301", r.errorCode(), r.body);
    String message = r.json().get("error_msg").asText();
    assertTrue(message.startsWith("Incorrect IAM authentication information: "), message);
    assertTrue(message.contains(reasonPart), message);
    assertFalse(message.contains(SK) || message.contains(TEMP_SK) || message.contains(SECURITY_TOKEN), message);
  }
}
