package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.http.HttpRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AkSkCredentialsTest {
  static final String AK = "QTWAOYTTINDUT2QVKYUC";
  static final String SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
  static final String SECURITY_TOKEN = "gQpjbi1ub3J0aC00jdzlv3Fu+PzX/tempToken=";
  static final String PROJECT = "0123456789abcdef0123456789abcdef";

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T18:28:29Z"));

  HttpRequest push() {
    return HttpRequest.builder("POST",
            URI.create("https://cph.cn-north-4.myhuaweicloud.com/v1/" + PROJECT + "/cloud-phone/phones/share-apps"))
        .header("Content-Type", "application/json")
        .header("User-Agent", "cph-sdk-java/0.1.0")
        .header("Accept", "application/json")
        .body("{\"package_name\":\"com.example.game\"}".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  AuthContext context() {
    return SdkHmacSignerTest.context(PROJECT);
  }

  @Test
  void addsDateProjectAndAuthorizationAndSignsWhatIsSent() {
    AkSkCredentials credentials = AkSkCredentials.builder().accessKey(AK).secretKey(SK).clock(clock).build();

    AkSkCredentials.Signed signed = credentials.sign(push(), context());
    HttpRequest r = signed.request;

    assertEquals("20261127T182829Z", r.header("X-Sdk-Date").orElseThrow());
    assertEquals(PROJECT, r.header("X-Project-Id").orElseThrow());
    assertFalse(r.header("X-Security-Token").isPresent());
    assertEquals("content-type;host;user-agent;x-project-id;x-sdk-date", signed.signature.signedHeaders,
        "Accept is not signed: transports may rewrite it");
    assertEquals("SDK-HMAC-SHA256 Access=" + AK + ", SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date,"
        + " Signature=" + signed.signature.signature, r.header("Authorization").orElseThrow());
    assertTrue(signed.signature.canonicalRequest.startsWith("POST\n/v1/" + PROJECT + "/cloud-phone/phones/share-apps/\n\n"
        + "content-type:application/json\nhost:cph.cn-north-4.myhuaweicloud.com\nuser-agent:cph-sdk-java/0.1.0\n"
        + "x-project-id:" + PROJECT + "\nx-sdk-date:20261127T182829Z\n\n"), signed.signature.canonicalRequest);
    assertTrue(signed.signature.canonicalRequest.endsWith(
        SigningText.hex(SigningText.sha256("{\"package_name\":\"com.example.game\"}".getBytes(StandardCharsets.UTF_8)))));
    assertEquals(List.of("Content-Type", "User-Agent", "Accept", "X-Sdk-Date", "X-Project-Id", "Authorization"),
        r.headers().stream().map(h -> h.getKey()).collect(java.util.stream.Collectors.toList()));
  }

  @Test
  void temporaryCredentialsSendAndSignTheSecurityToken() {
    AkSkCredentials.Signed signed = AkSkCredentials.builder().accessKey(AK).secretKey(SK)
        .securityToken(SECURITY_TOKEN).clock(clock).build().sign(push(), context());

    assertEquals(SECURITY_TOKEN, signed.request.header("X-Security-Token").orElseThrow());
    assertTrue(signed.signature.signedHeaders.endsWith(";x-project-id;x-sdk-date;x-security-token"));
    assertTrue(signed.signature.canonicalRequest.contains("\nx-security-token:" + SECURITY_TOKEN + "\n"));
  }

  @Test
  void keepsAProjectHeaderTheRequestAlreadyHasAndSignsIt() {
    HttpRequest request = push().withHeader("X-Project-Id", "fedcba9876543210fedcba9876543210");
    AkSkCredentials.Signed signed = AkSkCredentials.builder().accessKey(AK).secretKey(SK).clock(clock).build()
        .sign(request, context());

    assertEquals(List.of("fedcba9876543210fedcba9876543210"), signed.request.headers().stream()
        .filter(h -> h.getKey().equalsIgnoreCase("x-project-id")).map(h -> h.getValue())
        .collect(java.util.stream.Collectors.toList()));
    assertTrue(signed.signature.canonicalRequest.contains("\nx-project-id:fedcba9876543210fedcba9876543210\n"));
  }

  @Test
  void everyAttemptGetsAFreshDateAndSignatureAndResigningReplacesTheOldHeaders() {
    Credentials credentials = AkSkCredentials.builder().accessKey(AK).secretKey(SK).clock(clock).build();
    HttpRequest first = credentials.authorize(push(), context());
    clock.advance(Duration.ofSeconds(1));
    HttpRequest second = credentials.authorize(first, context());

    assertEquals("20261127T182830Z", second.header("X-Sdk-Date").orElseThrow());
    assertNotEquals(first.header("Authorization"), second.header("Authorization"));
    assertEquals(1, second.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("Authorization")).count());
    assertEquals(1, second.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("X-Sdk-Date")).count());
    // the same request signed fresh at the same instant gives the same answer: nothing leaks between attempts
    assertEquals(second.header("Authorization"), credentials.authorize(push(), context()).header("Authorization"));
  }

  @Test
  void withoutItsOwnClockUsesTheClientClock() {
    HttpRequest signed = Credentials.akSk(AK, SK).authorize(push(), context());
    assertEquals("20300101T000000Z", signed.header("X-Sdk-Date").orElseThrow(), "AuthContext's clock");
  }

  @Test
  void aHeaderThatWouldBeSignedTwiceIsRefused() {
    HttpRequest request = push().toBuilder().header("Content-Type", "text/plain").build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Credentials.akSk(AK, SK).authorize(request, context()));
    assertTrue(e.getMessage().contains("Content-Type"), e.getMessage());
  }

  @Test
  void badKeysAreRefusedNamingTheArgumentWithoutEchoingIt() {
    String badSk = "MFyfvK41ba2giqM7Uio6 PznpdUKGpownRZlmVmHc";
    String badToken = "temporary\r\nX-Evil: 1";
    assertIae("accessKey", () -> Credentials.akSk(null, SK));
    assertIae("accessKey", () -> Credentials.akSk("  ", SK));
    assertIae("secretKey", () -> Credentials.akSk(AK, null));
    assertIae("secretKey", () -> Credentials.akSk(AK, ""));
    assertIae("secretKey", () -> Credentials.akSk(AK, "\t"));
    assertIae("securityToken", () -> Credentials.akSk(AK, SK, null));
    assertIae("securityToken", () -> Credentials.akSk(AK, SK, " "));
    assertIae("accessKey", () -> AkSkCredentials.builder().secretKey(SK).build());
    for (String message : List.of(
        assertIae("secretKey", () -> Credentials.akSk(AK, badSk)),
        assertIae("secretKey", () -> Credentials.akSk(AK, "MFyfvK41ba2giqM7Uio6PznpdUKG\u00e9pownRZlmVmHc")),
        assertIae("securityToken", () -> Credentials.akSk(AK, SK, badToken)))) {
      assertFalse(message.contains("MFyfvK41"), message);
      assertFalse(message.contains("temporary"), message);
    }
    assertTrue(assertIae("securityToken", () -> Credentials.akSk(AK, SK, badToken)).contains("CR"));
  }

  private static String assertIae(String argument, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(argument + " "), e.getMessage());
    return e.getMessage();
  }

  @Test
  void toStringMasksEverySecret() {
    String permanent = Credentials.akSk(AK, SK).toString();
    String temporary = Credentials.akSk(AK, SK, SECURITY_TOKEN).toString();
    assertEquals("Credentials.akSk(AK=QTWA****, SK=****)", permanent);
    assertEquals("Credentials.akSk(AK=QTWA****, SK=****, securityToken=****)", temporary);
    assertEquals("Credentials.akSk(AK=****, SK=****)", Credentials.akSk("SHORTAK", SK).toString());
    AkSkCredentials.Signed signed = AkSkCredentials.builder().accessKey(AK).secretKey(SK)
        .securityToken(SECURITY_TOKEN).clock(clock).build().sign(push(), context());
    for (String s : List.of(permanent, temporary, signed.request.toString(), signed.signature.toString(),
        new SdkHmacSigner(AK, SK).toString())) {
      assertFalse(s.contains(SK), s);
      assertFalse(s.contains(SECURITY_TOKEN), s);
      assertFalse(s.contains(signed.signature.signature), s);
      assertFalse(s.contains(AK), s);
    }
  }
}
