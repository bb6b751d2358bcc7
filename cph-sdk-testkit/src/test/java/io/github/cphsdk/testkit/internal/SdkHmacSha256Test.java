package io.github.cphsdk.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SdkHmacSha256Test {

  static Stream<JsonNode> vectors() throws Exception {
    try (InputStream in = SdkHmacSha256Test.class.getResourceAsStream("aksk-vectors.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      List<JsonNode> list = new ArrayList<>();
      root.get("vectors").forEach(list::add);
      assertEquals(3, list.size(), "vector file changed");
      return list.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void matchesPublishedVector(JsonNode v) {
    List<Map.Entry<String, String>> query = new ArrayList<>();
    v.get("query").forEach(p -> query.add(new AbstractMap.SimpleEntry<>(p.get(0).asText(), p.get(1).asText())));
    TreeMap<String, String> headers = new TreeMap<>();
    v.get("headers").properties().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT),
        h.getValue().asText()));
    List<String> signed = new ArrayList<>(headers.keySet());
    JsonNode expected = v.get("expected");

    String canonical = SdkHmacSha256.canonicalRequest(v.get("method").asText(), v.get("path").asText(), query,
        signed, headers::get, v.get("body").asText().getBytes(StandardCharsets.UTF_8));
    assertEquals(expected.get("canonical_request").asText(), canonical);
    assertEquals(expected.get("canonical_request_sha256").asText(),
        SdkHmacSha256.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8)));

    String signature = SdkHmacSha256.signature(v.get("sk").asText(),
        SdkHmacSha256.stringToSign(headers.get("x-sdk-date"), canonical));
    assertEquals(expected.get("signature").asText(), signature);
    assertEquals(expected.get("authorization").asText(),
        SdkHmacSha256.authorization(v.get("ak").asText(), signed, signature));

    AuthorizationHeader parsed = AuthorizationHeader.parse(expected.get("authorization").asText());
    assertEquals(v.get("ak").asText(), parsed.accessKey());
    assertEquals(signed, parsed.signedHeaders());
    assertEquals(signature, parsed.signature());
  }

  @Test
  void rawQueryStringGivesTheSameCanonicalQueryAsDecodedPairs() {
    // the list-jobs vector, as the query string arrives on the wire, in another order
    assertEquals("limit=100&offset=0&request_id=6837531fd3f54550927b930180a706bf",
        SdkHmacSha256.canonicalQuery(QueryString.parse("request_id=6837531fd3f54550927b930180a706bf&offset=0&limit=100")));
  }

  @Test
  void canonicalQueryEncodesReservedCharactersAndSortsByNameThenValue() {
    assertEquals("a=1&a=2&request_ids=x%2Cy&z=a%20b%2Bc",
        SdkHmacSha256.canonicalQuery(QueryString.parse("z=a%20b+c&request_ids=x,y&a=2&a=1")));
    assertEquals("flag=", SdkHmacSha256.canonicalQuery(QueryString.parse("flag")));
  }

  @Test
  void canonicalUriEncodesEachSegmentAndAppendsOneSlash() {
    assertEquals("/v1/p/jobs/", SdkHmacSha256.canonicalUri("/v1/p/jobs"));
    assertEquals("/v1/p/jobs/", SdkHmacSha256.canonicalUri("/v1/p/jobs/"));
    assertEquals("/a%20b/c~d/%C3%A9/", SdkHmacSha256.canonicalUri("/a%20b/c~d/%c3%a9"));
    assertEquals("/", SdkHmacSha256.canonicalUri(""));
  }

  @Test
  void malformedPercentEscapesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> QueryString.decode("a%2"));
    assertThrows(IllegalArgumentException.class, () -> QueryString.decode("a%zz"));
    assertEquals("a,b é", QueryString.decode("a%2Cb %C3%A9"));
  }

  @Test
  void sameSignatureComparesWholeValues() {
    assertTrue(SdkHmacSha256.sameSignature("abcd", "abcd"));
    assertFalse(SdkHmacSha256.sameSignature("abcd", "abce"));
    assertFalse(SdkHmacSha256.sameSignature("abcd", "abc"));
  }

  @Test
  void authorizationHeaderParsingNamesTheProblemAndHidesTheSignature() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AuthorizationHeader.parse("AWS4-HMAC-SHA256 Credential=x"));
    assertTrue(e.getMessage().contains("SDK-HMAC-SHA256"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> AuthorizationHeader.parse("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date"));
    assertTrue(e.getMessage().contains("Signature"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> AuthorizationHeader.parse("SDK-HMAC-SHA256 Access=AK, Bogus=1, SignedHeaders=host, Signature=ab"));

    AuthorizationHeader ok =
        AuthorizationHeader.parse("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=deadbeef");
    assertEquals(List.of("host", "x-sdk-date"), ok.signedHeaders());
    assertFalse(ok.toString().contains("deadbeef"), ok.toString());
  }
}
