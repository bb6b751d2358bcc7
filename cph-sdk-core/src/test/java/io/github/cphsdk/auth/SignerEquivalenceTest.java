package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.internal.Endpoints;
import io.github.cphsdk.internal.PercentEncoding;
import io.github.cphsdk.testkit.internal.SdkHmacSha256;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The signer writes the canonical request as bytes into reused buffers, with pooled digests; these tests
 * hold it to the text-building implementation it replaced ({@link Reference}, kept verbatim) and to the
 * testkit's independent one, field by field, over generated edge cases: header names in any case, values
 * with surrounding or inner whitespace, empty and non-ASCII values, encoded and raw path segments, repeated
 * and encoded query names, empty and large bodies. The vectors are in {@link SdkHmacSignerTest}.
 */
class SignerEquivalenceTest {
  private static final String AK = "QTWAOYTTINDUT2QVKYUC";
  private static final String SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";

  private static final String[] SEGMENTS = {"v1", "0123456789abcdef0123456789abcdef", "cloud-phone", "share-apps",
      "a%20b", "x%2Fy", "%E4%BD%A0", "\u00e9t\u00e9", "a+b", "a:b@c", "*", "~tilde", "%7e", "%257E", "", "%zz", "100%",
      "seg.with-all_unreserved~"};
  private static final String[] QUERY_NAMES = {"limit", "offset", "name", "Name", "a b", "x/y", "\u4f60", "", "k=",
      "request_id"};
  private static final String[] QUERY_VALUES = {"", "0", "100", "a", "x/y z", "%41", "+", "\u4f60+", "=", "a&b"};
  private static final String[] HEADER_NAMES = {"Content-Type", "content-type", "CONTENT-TYPE", "User-Agent",
      "X-Project-Id", "X-Security-Token", "X-Custom", "x-a", "X-B", "Accept"};
  private static final String[] HEADER_VALUES = {"application/json", "", "  padded value  ", "\tTabbed\t", "a  b",
      "caf\u00e9", "\u4f60\u597d", "MIIZ/+=", "   ", "0123456789abcdef0123456789abcdef"};

  @Test
  void signsExactlyAsTheTextBuildingSignerAndTheTestkitVerifier() {
    SdkHmacSigner signer = new SdkHmacSigner(AK, SK);
    Random random = new Random(20261127);
    for (int n = 0; n < 2000; n++) {
      Case c = Case.random(random);
      SdkHmacSigner.Signature actual = signer.sign(c.method, c.rawPath, c.query, c.headers, c.body);
      SdkHmacSigner.Signature expected = Reference.sign(AK, SK, c.method, c.rawPath, c.query, c.headers, c.body);
      assertSame(expected, actual, c.toString());
      if (c.wellFormed()) { // the testkit's decoder refuses malformed escapes, which the SDK keeps as they are
        assertEquals(testkitAuthorization(c), actual.authorization, c.toString());
      }
    }
  }

  @Test
  void aSigningThatKeepsNothingGivesTheSameAuthorization() {
    SdkHmacSigner signer = new SdkHmacSigner(AK, SK);
    Random random = new Random(7);
    for (int n = 0; n < 500; n++) {
      Case c = Case.random(random);
      int count = c.headers.size();
      String[] names = new String[count];
      String[] values = new String[count];
      int i = 0;
      for (Map.Entry<String, String> h : c.headers.entrySet()) {
        names[i] = h.getKey().toLowerCase(Locale.ROOT);
        values[i++] = h.getValue();
      }
      SdkHmacSigner.Signature lean = signer.sign(c.method, c.rawPath, SigningText.canonicalQuery(c.query), names,
          values, count, ByteBuffer.wrap(c.body).asReadOnlyBuffer(), false); // a view as HttpRequest.bodyBuffer() gives
      assertEquals(Reference.sign(AK, SK, c.method, c.rawPath, c.query, c.headers, c.body).authorization,
          lean.authorization, c.toString());
      assertEquals(null, lean.canonicalRequest);
    }
  }

  @Test
  void longPathsAndBodiesGrowTheBuffersAndLaterSigningsAreStillRight() {
    SdkHmacSigner signer = new SdkHmacSigner(AK, SK);
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      path.append("/seg%20").append(i); // about 30 KB of canonical URI: past what the signer keeps between calls
    }
    byte[] body = new byte[100_000];
    new Random(1).nextBytes(body);
    Map<String, String> headers = headers("Host", "h", "X-Sdk-Date", "20261127T182829Z");
    for (String p : List.of(path.toString(), "/v1/p", path.toString(), "/")) {
      for (byte[] b : List.of(body, new byte[0])) {
        assertSame(Reference.sign(AK, SK, "POST", p, List.of(), headers, b), signer.sign("POST", p, List.of(), headers, b),
            p.length() + " " + b.length);
      }
    }
  }

  @Test
  void threadsSigningAtOnceEachGetTheirOwnRightSignature() throws Exception {
    SdkHmacSigner signer = new SdkHmacSigner(AK, SK);
    Random random = new Random(99);
    List<Case> cases = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      Case c = Case.random(random);
      cases.add(c);
      expected.add(Reference.sign(AK, SK, c.method, c.rawPath, c.query, c.headers, c.body).authorization);
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        done.add(pool.submit((Callable<Void>) () -> {
          for (int round = 0; round < 300; round++) {
            int k = (round * 7 + offset) % cases.size();
            Case c = cases.get(k);
            assertEquals(expected.get(k), signer.sign(c.method, c.rawPath, c.query, c.headers, c.body).authorization);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(); // rethrows an assertion failure of that thread
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void headerNameCasesAndDuplicatesAreHandledAsBefore() {
    SdkHmacSigner signer = new SdkHmacSigner(AK, SK);
    Map<String, String> mixed = headers("HOST", "h", "x-SDK-date", " 20261127T182829Z ", "X-Empty", "",
        "x-b", " two  words ", "X-A", "1");
    SdkHmacSigner.Signature s = signer.sign("post", "/p", List.of(), mixed, new byte[0]);
    assertSame(Reference.sign(AK, SK, "post", "/p", List.of(), mixed, new byte[0]), s, "mixed");
    assertEquals("host;x-a;x-b;x-empty;x-sdk-date", s.signedHeaders);
    assertTrue(s.canonicalRequest.startsWith("POST\n/p/\n\nhost:h\nx-a:1\nx-b:two  words\nx-empty:\n"
        + "x-sdk-date:20261127T182829Z\n\n"), s.canonicalRequest);
    assertTrue(s.stringToSign.startsWith("SDK-HMAC-SHA256\n20261127T182829Z\n"), "the date is signed trimmed");

    for (Map<String, String> twice : List.of(
        headers("Host", "h", "X-Sdk-Date", "d", "X-A", "1", "x-a", "2"),
        headers("Host", "h", "X-Sdk-Date", "d", "X-Z", "1", "X-A", "1", "x-z", "2"),
        headers("host", "h", "X-Sdk-Date", "d", "HOST", "h"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> signer.sign("GET", "/", List.of(), twice, new byte[0]));
      assertTrue(e.getMessage().endsWith(" is given twice; AK/SK signing needs one value per header"), e.getMessage());
    }
    assertEquals("the signed headers must include X-Sdk-Date", assertThrows(IllegalArgumentException.class,
        () -> signer.sign("GET", "/", List.of(), headers("Host", "h"), new byte[0])).getMessage());
    assertEquals("the signed headers must include Host", assertThrows(IllegalArgumentException.class,
        () -> signer.sign("GET", "/", List.of(), headers("X-Sdk-Date", "d"), new byte[0])).getMessage());
  }

  /**
   * Through the credentials: the request that comes out carries exactly the headers, in the order, that the
   * former builder chain gave ({@code removeHeader(Authorization)}, then {@code setHeader} of the date, the
   * project when absent, the security token, the authorization), and the body the caller gave.
   */
  @Test
  void theSignedRequestHasTheHeadersTheBuilderChainGave() {
    Instant now = Instant.parse("2026-11-27T18:28:29Z");
    String project = "0123456789abcdef0123456789abcdef";
    AuthContext context = SdkHmacSignerTest.context(project);
    for (String token : new String[] {null, "gQpjbi1ub3J0aC00jdzlv3Fu+PzX/tempToken="}) {
      AkSkCredentials credentials = AkSkCredentials.builder().accessKey(AK).secretKey(SK).securityToken(token)
          .clock(Clock.fixed(now, ZoneOffset.UTC)).build();
      List<HttpRequest> requests = List.of(
          HttpRequest.builder("POST", URI.create("https://cph.example.com/v1/" + project + "/cloud-phone/phones/share-apps"))
              .header("user-agent", "cph-sdk-java/0.1.0").header("Accept", "application/json")
              .header("CONTENT-TYPE", "application/json").header("X-Client-Request-Id", "abc")
              .body("{\"a\":1}".getBytes(StandardCharsets.UTF_8)).build(),
          HttpRequest.builder("GET", URI.create("http://127.0.0.1:8080/v1/p/cloud-phone/jobs?limit=100&offset=0&name=a"
                  + "&name=x%2Fy%20z&flag"))
              .header("Authorization", "stale").header("x-sdk-date", "19700101T000000Z")
              .header("x-project-id", "fedcba9876543210fedcba9876543210")
              .header("X-Security-Token", "stale-token").header("X-Other", "kept").build(),
          HttpRequest.builder("DELETE", URI.create("https://[::1]:8443/a%2Fb/%E4%BD%A0")).build());
      for (HttpRequest request : requests) {
        HttpRequest signed = credentials.authorize(request, context);

        String date = "20261127T182829Z";
        HttpRequest.Builder b = request.toBuilder().removeHeader("Authorization").setHeader("X-Sdk-Date", date);
        Map<String, String> toSign = new LinkedHashMap<>();
        toSign.put("host", Endpoints.hostHeader(request.uri()));
        toSign.put("x-sdk-date", date);
        for (Map.Entry<String, String> h : request.headers()) {
          String name = h.getKey().toLowerCase(Locale.ROOT);
          if (name.equals("content-type") || name.equals("user-agent") || name.equals("x-project-id")) {
            toSign.put(name, h.getValue());
          }
        }
        if (!toSign.containsKey("x-project-id")) {
          b.setHeader("X-Project-Id", project);
          toSign.put("x-project-id", project);
        }
        if (token != null) {
          b.setHeader("X-Security-Token", token);
          toSign.put("x-security-token", token);
        }
        b.setHeader("Authorization", Reference.sign(AK, SK, request.method(), request.uri().getRawPath(),
            SigningText.parseQuery(request.uri().getRawQuery()), toSign, request.body()).authorization);
        HttpRequest expected = b.build();

        assertEquals(expected.headers(), signed.headers(), request.toString());
        assertEquals(List.copyOf(expected.headers()), List.copyOf(signed.headers()));
        assertEquals(new String(request.body(), StandardCharsets.UTF_8), new String(signed.body(), StandardCharsets.UTF_8));
        assertEquals(request.timeout(), signed.timeout());
        assertEquals(request.uri(), signed.uri());
      }
    }
  }

  @Test
  void aProjectIdThatCannotBeAHeaderIsStillRefused() {
    AuthContext context = SdkHmacSignerTest.context("bad\r\nX-Evil: 1");
    HttpRequest request = HttpRequest.builder("GET", URI.create("https://cph.example.com/v1")).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Credentials.akSk(AK, SK).authorize(request, context));
    assertTrue(e.getMessage().startsWith("value of header X-Project-Id must not contain CR, LF"), e.getMessage());
  }

  private static void assertSame(SdkHmacSigner.Signature expected, SdkHmacSigner.Signature actual, String what) {
    assertEquals(expected.canonicalRequest, actual.canonicalRequest, what);
    assertEquals(expected.canonicalRequestHash, actual.canonicalRequestHash, what);
    assertEquals(expected.stringToSign, actual.stringToSign, what);
    assertEquals(expected.signedHeaders, actual.signedHeaders, what);
    assertEquals(expected.signature, actual.signature, what);
    assertEquals(expected.authorization, actual.authorization, what);
  }

  private static String testkitAuthorization(Case c) {
    TreeMap<String, String> lower = new TreeMap<>();
    c.headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    List<String> names = new ArrayList<>(lower.keySet());
    String canonical = SdkHmacSha256.canonicalRequest(c.method.toUpperCase(Locale.ROOT), c.rawPath, c.query, names,
        lower::get, c.body);
    String stringToSign = SdkHmacSha256.stringToSign(lower.get("x-sdk-date").trim(), canonical);
    return SdkHmacSha256.authorization(AK, names, SdkHmacSha256.signature(SK, stringToSign));
  }

  private static Map<String, String> headers(String... namesAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return m;
  }

  /** One generated signing input. */
  private static final class Case {
    String method;
    String rawPath;
    List<Map.Entry<String, String>> query = new ArrayList<>();
    Map<String, String> headers = new LinkedHashMap<>();
    byte[] body;

    static Case random(Random r) {
      Case c = new Case();
      c.method = new String[] {"GET", "POST", "DELETE", "post"}[r.nextInt(4)];
      StringBuilder path = new StringBuilder();
      int segments = r.nextInt(6);
      for (int i = 0; i < segments; i++) {
        path.append('/').append(SEGMENTS[r.nextInt(SEGMENTS.length)]);
      }
      if (r.nextInt(4) == 0) {
        path.append('/');
      }
      c.rawPath = path.toString();
      int params = r.nextInt(3) == 0 ? 0 : r.nextInt(6);
      for (int i = 0; i < params; i++) {
        c.query.add(Map.entry(QUERY_NAMES[r.nextInt(QUERY_NAMES.length)], QUERY_VALUES[r.nextInt(QUERY_VALUES.length)]));
      }
      c.headers.put(r.nextBoolean() ? "Host" : "host", new String[] {"cph.example.com", "127.0.0.1:8080", "[::1]:8443"}[r.nextInt(3)]);
      c.headers.put(r.nextBoolean() ? "X-Sdk-Date" : "x-sdk-date", "20261127T182829Z");
      int more = r.nextInt(6);
      for (int i = 0; i < more; i++) {
        String name = HEADER_NAMES[r.nextInt(HEADER_NAMES.length)];
        boolean taken = c.headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(name));
        if (!taken) {
          c.headers.put(name, HEADER_VALUES[r.nextInt(HEADER_VALUES.length)]);
        }
      }
      c.body = new byte[new int[] {0, 1, 63, 64, 200, 3_600, 70_000}[r.nextInt(7)]];
      r.nextBytes(c.body);
      return c;
    }

    boolean wellFormed() {
      return !rawPath.contains("%zz") && !rawPath.contains("100%");
    }

    @Override
    public String toString() {
      return method + " " + rawPath + " " + query + " " + headers + " body " + body.length;
    }
  }

  /** The signer as it was before it wrote bytes into reused buffers: a TreeMap and strings. Kept verbatim. */
  static final class Reference {
    static SdkHmacSigner.Signature sign(String accessKey, String secretKey, String method, String rawPath,
        List<Map.Entry<String, String>> query, Map<String, String> headers, byte[] body) {
      TreeMap<String, String> signed = new TreeMap<>();
      for (Map.Entry<String, String> h : headers.entrySet()) {
        String name = h.getKey().toLowerCase(Locale.ROOT);
        if (signed.put(name, h.getValue().trim()) != null) {
          throw new IllegalArgumentException("header " + name + " is given twice; AK/SK signing needs one value per header");
        }
      }
      String date = signed.get("x-sdk-date");
      StringBuilder canonicalHeaders = new StringBuilder(256);
      StringBuilder signedHeaders = new StringBuilder(64);
      for (Map.Entry<String, String> h : signed.entrySet()) {
        canonicalHeaders.append(h.getKey()).append(':').append(h.getValue()).append('\n');
        if (signedHeaders.length() > 0) {
          signedHeaders.append(';');
        }
        signedHeaders.append(h.getKey());
      }
      String canonicalRequest = method.toUpperCase(Locale.ROOT) + '\n'
          + canonicalUri(rawPath) + '\n'
          + SigningText.canonicalQuery(query) + '\n'
          + canonicalHeaders + '\n'
          + signedHeaders + '\n'
          + SigningText.hex(sha256(body));
      String canonicalRequestHash = SigningText.hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
      String stringToSign = "SDK-HMAC-SHA256" + '\n' + date + '\n' + canonicalRequestHash;
      String signature = SigningText.hex(hmac(secretKey, stringToSign.getBytes(StandardCharsets.UTF_8)));
      String authorization = "SDK-HMAC-SHA256 Access=" + accessKey + ", SignedHeaders=" + signedHeaders
          + ", Signature=" + signature;
      return new SdkHmacSigner.Signature(canonicalRequest, canonicalRequestHash, stringToSign, signedHeaders.toString(),
          signature, authorization);
    }

    static String canonicalUri(String rawPath) {
      if (rawPath == null || rawPath.isEmpty()) {
        return "/";
      }
      StringBuilder sb = new StringBuilder(rawPath.length() + 8);
      int start = 0;
      while (true) {
        int slash = rawPath.indexOf('/', start);
        String segment = slash < 0 ? rawPath.substring(start) : rawPath.substring(start, slash);
        sb.append(PercentEncoding.encode(PercentEncoding.decode(segment)));
        if (slash < 0) {
          break;
        }
        sb.append('/');
        start = slash + 1;
      }
      if (sb.length() == 0 || sb.charAt(sb.length() - 1) != '/') {
        sb.append('/');
      }
      return sb.toString();
    }

    private static byte[] sha256(byte[] data) {
      try {
        return MessageDigest.getInstance("SHA-256").digest(data);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    private static byte[] hmac(String key, byte[] data) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(data);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void canonicalUriMatchesTheFormerOneOnEveryGeneratedPath() {
    Random random = new Random(3);
    for (int n = 0; n < 2000; n++) {
      String p = Case.random(random).rawPath;
      assertEquals(Reference.canonicalUri(p), SigningText.canonicalUri(p), p);
    }
    assertEquals("/", SigningText.canonicalUri(null));
  }
}
