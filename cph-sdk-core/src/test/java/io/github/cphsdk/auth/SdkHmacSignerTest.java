package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.internal.Endpoints;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The signer against the vectors in {@code cph-sdk-core/src/test/resources/aksk-vectors.json} (data only; the
 * first vector is Huawei's published example, the second a capture of the official Java SDK). The testkit's
 * {@code src/test/resources/io/github/cphsdk/testkit/internal/aksk-vectors.json} is the same file, for the
 * emulator's independent verifier; keep the two in sync (docs/API.md section 4).
 */
class SdkHmacSignerTest {

  static JsonNode loadVectors() throws IOException {
    try (InputStream in = SdkHmacSignerTest.class.getResourceAsStream("/aksk-vectors.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static Stream<Arguments> vectors() throws IOException {
    JsonNode root = loadVectors();
    assertEquals("SDK-HMAC-SHA256", root.get("algorithm").asText());
    List<Arguments> out = new ArrayList<>();
    for (JsonNode v : root.get("vectors")) {
      out.add(Arguments.of(v.get("name").asText(), v));
    }
    assertTrue(out.size() >= 3, "expected the shared vectors, found " + out.size());
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void reproducesEveryVector(String name, JsonNode v) {
    SdkHmacSigner signer = new SdkHmacSigner(v.get("ak").asText(), v.get("sk").asText());
    List<Map.Entry<String, String>> query = new ArrayList<>();
    for (JsonNode p : v.get("query")) {
      query.add(new AbstractMap.SimpleImmutableEntry<>(p.get(0).asText(), p.get(1).asText()));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.get("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      headers.put(h.getKey(), h.getValue().asText());
    }
    byte[] body = v.get("body").asText().getBytes(StandardCharsets.UTF_8);

    SdkHmacSigner.Signature s = signer.sign(v.get("method").asText(), v.get("path").asText(), query, headers, body);

    JsonNode expected = v.get("expected");
    assertEquals(expected.get("canonical_request").asText(), s.canonicalRequest, "canonical request");
    assertEquals(expected.get("canonical_request_sha256").asText(), s.canonicalRequestHash, "canonical request hash");
    assertEquals("SDK-HMAC-SHA256\n" + headers.get("X-Sdk-Date") + "\n" + expected.get("canonical_request_sha256").asText(),
        s.stringToSign, "string to sign");
    assertEquals(expected.get("signature").asText(), s.signature, "signature");
    assertEquals(expected.get("authorization").asText(), s.authorization, "authorization");
    assertFalse(s.toString().contains(s.signature), "Signature.toString must not show the signature");
  }

  /** The official SDK's capture, produced through the credentials: same headers signed, same Authorization. */
  @Test
  void akSkCredentialsReproduceTheOfficialSdkCapture() throws IOException {
    JsonNode v = null;
    for (JsonNode candidate : loadVectors().get("vectors")) {
      if (candidate.get("name").asText().equals("official-java-sdk-share-apps")) {
        v = candidate;
      }
    }
    Instant date = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
        .parse(v.get("headers").get("X-Sdk-Date").asText(), Instant::from);
    String projectId = v.get("headers").get("X-Project-Id").asText();
    HttpRequest request = HttpRequest.builder(v.get("method").asText(),
            URI.create("http://" + v.get("headers").get("Host").asText() + v.get("path").asText()))
        .header("User-Agent", v.get("headers").get("User-Agent").asText())
        .body(v.get("body").asText().getBytes(StandardCharsets.UTF_8))
        .build();
    AkSkCredentials credentials = AkSkCredentials.builder()
        .accessKey(v.get("ak").asText()).secretKey(v.get("sk").asText())
        .clock(Clock.fixed(date, ZoneOffset.UTC))
        .build();

    HttpRequest signed = credentials.authorize(request, context(projectId));

    assertEquals(v.get("expected").get("authorization").asText(), signed.header("Authorization").orElseThrow());
    assertEquals(v.get("headers").get("X-Sdk-Date").asText(), signed.header("X-Sdk-Date").orElseThrow());
    assertEquals(projectId, signed.header("X-Project-Id").orElseThrow());
  }

  @Test
  void canonicalUriEncodesEachDecodedSegmentAndAppendsASlash() {
    assertEquals("/", SigningText.canonicalUri(""));
    assertEquals("/", SigningText.canonicalUri("/"));
    assertEquals("/a/b/", SigningText.canonicalUri("/a/b"));
    assertEquals("/a/b/", SigningText.canonicalUri("/a/b/"));
    assertEquals("/a%20b/c~d-_.e/%E4%BD%A0/", SigningText.canonicalUri("/a%20b/c~d-_.e/%E4%BD%A0"));
    assertEquals("/a%2Fb/", SigningText.canonicalUri("/a%2Fb"), "an encoded slash stays inside its segment");
    assertEquals("/a%2Bb/a%3Ab%40c/%2A/", SigningText.canonicalUri("/a+b/a:b@c/*"));
    assertEquals("/%257E/", SigningText.canonicalUri("/%257E"), "a literal percent is encoded again");
    assertEquals("/x~/", SigningText.canonicalUri("/x%7e"), "unreserved characters are not escaped");
    assertEquals("//a/", SigningText.canonicalUri("//a"));
    assertEquals("/%25zz%25/%C3%A9%E4%BD%A0/", SigningText.canonicalUri("/%zz%/\u00e9%E4%BD%A0"),
        "a stray percent is kept and encoded; raw non-ASCII mixes with escapes");
  }

  @Test
  void canonicalQuerySortsByNameThenValueAndEncodesBoth() {
    assertEquals("", SigningText.canonicalQuery(SigningText.parseQuery(null)));
    assertEquals("a=0&a=1&b=2&c=", SigningText.canonicalQuery(SigningText.parseQuery("b=2&a=1&c&a=0")));
    assertEquals("k=x%2Fy%20z&q=%E4%BD%A0%2B",
        SigningText.canonicalQuery(SigningText.parseQuery("q=%E4%BD%A0+&k=x/y%20z")));
    assertEquals("empty=&x=%3D", SigningText.canonicalQuery(SigningText.parseQuery("x==&empty=")));
  }

  @Test
  void hostLeavesOutDefaultPortsAndKeepsIpv6Brackets() {
    assertEquals("cph.example.com", Endpoints.hostHeader(URI.create("https://cph.example.com/v1")));
    assertEquals("cph.example.com", Endpoints.hostHeader(URI.create("https://cph.example.com:443/v1")));
    assertEquals("cph.example.com:8443", Endpoints.hostHeader(URI.create("https://cph.example.com:8443/v1")));
    assertEquals("127.0.0.1", Endpoints.hostHeader(URI.create("http://127.0.0.1:80/")));
    assertEquals("127.0.0.1:443", Endpoints.hostHeader(URI.create("http://127.0.0.1:443/")));
    assertEquals("[::1]:8080", Endpoints.hostHeader(URI.create("http://[::1]:8080/")));
  }

  @Test
  void signingRequiresDateAndHostAndRejectsDuplicateNames() {
    SdkHmacSigner signer = new SdkHmacSigner("AK", "SK");
    assertThrows(IllegalArgumentException.class,
        () -> signer.sign("GET", "/", List.of(), Map.of("Host", "h"), new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> signer.sign("GET", "/", List.of(), Map.of("X-Sdk-Date", "20260101T000000Z"), new byte[0]));
    Map<String, String> twice = new LinkedHashMap<>();
    twice.put("Host", "h");
    twice.put("host", "h");
    twice.put("X-Sdk-Date", "20260101T000000Z");
    assertThrows(IllegalArgumentException.class, () -> signer.sign("GET", "/", List.of(), twice, new byte[0]));
  }

  @Test
  void hexAndDateFormats() {
    assertEquals("00ff10ab", SigningText.hex(new byte[] {0, (byte) 0xff, 0x10, (byte) 0xab}));
    assertEquals("20261127T182829Z", SigningText.formatDate(Instant.parse("2026-11-27T18:28:29.999Z")));
  }

  static AuthContext context(String projectId) {
    return AuthContext.of(projectId, "cn-north-4", URI.create("https://cph.cn-north-4.myhuaweicloud.com"),
        new HttpTransport() {
          @Override
          public HttpResponse execute(HttpRequest request) {
            throw new AssertionError("AK/SK signing must not send anything");
          }

          @Override
          public CompletableFuture<HttpResponse> executeAsync(HttpRequest request) {
            throw new AssertionError("AK/SK signing must not send anything");
          }
        }, Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
  }
}
