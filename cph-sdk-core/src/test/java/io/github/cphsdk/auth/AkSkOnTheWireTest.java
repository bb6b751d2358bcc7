package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.JdkHttpTransport;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests signed by {@link AkSkCredentials} and sent by the real {@link JdkHttpTransport} verify, on the
 * server side, under an independent implementation of the algorithm written from docs/API.md section 4: so
 * the headers that reach the wire are exactly the ones that were signed.
 */
class AkSkOnTheWireTest {
  static final String AK = "HPUAXMPLE4PL1BLQ7Y2Q";
  static final String SK = "q9dY3ht8vWmE2nR0xKcJ5pLs7uBfGa1Zo4Ti6NyM";
  static final String PROJECT = "0123456789abcdef0123456789abcdef";

  MockWebServer server;
  HttpTransport transport;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T18:28:29Z"));

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    transport = new JdkHttpTransport();
  }

  @AfterEach
  void stop() {
    transport.close();
    server.close();
  }

  AuthContext context() {
    return AuthContext.of(PROJECT, null, URI.create("http://127.0.0.1:" + server.getPort()), transport, clock);
  }

  @Test
  void aSignedPushVerifiesOnTheServer() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    byte[] body = ("{\"package_name\":\"com.example.game\",\"pre_install_app\":1,\"bucket_name\":\"my-bucket\","
        + "\"object_path\":\"apps/game.tar\",\"server_ids\":[\"s1\",\"s2\"]}").getBytes(StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.builder("POST",
            URI.create("http://127.0.0.1:" + server.getPort() + "/v1/" + PROJECT + "/cloud-phone/phones/share-apps"))
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("User-Agent", "cph-sdk-java/0.1.0 test")
        .body(body)
        .build();

    HttpResponse response = transport.execute(Credentials.akSk(AK, SK).authorize(request, context()));

    assertEquals(200, response.statusCode());
    RecordedRequest recorded = server.takeRequest();
    Verified v = verify(recorded, SK);
    assertEquals(AK, v.access);
    assertEquals(List.of("content-type", "host", "user-agent", "x-project-id", "x-sdk-date"), v.signedHeaders);
    assertEquals("127.0.0.1:" + server.getPort(), recorded.getHeaders().get("Host"));
    assertEquals("20261127T182829Z", recorded.getHeaders().get("X-Sdk-Date"));
    assertEquals(PROJECT, recorded.getHeaders().get("X-Project-Id"));
  }

  @Test
  void temporaryKeysWithAnAwkwardPathAndQueryVerifyOnTheServer() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    String securityToken = "gQpjbi1ub3J0aC00jdzlv3Fu/PzX+tempToken==";
    HttpRequest request = HttpRequest.builder("GET",
            URI.create("http://127.0.0.1:" + server.getPort() + "/v1/" + PROJECT
                + "/cloud-phone/jobs/a%20b~c%2Fd/%E4%BD%A0?request_id=6837531f&offset=0&limit=100&name=x%2Fy%20z&name=a&flag"))
        .build();
    clock.advance(java.time.Duration.ofHours(3));

    transport.execute(Credentials.akSk(AK, SK, securityToken).authorize(request, context()));

    RecordedRequest recorded = server.takeRequest();
    Verified v = verify(recorded, SK);
    assertEquals(List.of("host", "x-project-id", "x-sdk-date", "x-security-token"), v.signedHeaders);
    assertEquals(securityToken, recorded.getHeaders().get("X-Security-Token"));
    assertEquals("20261127T212829Z", recorded.getHeaders().get("X-Sdk-Date"));
    assertTrue(v.canonicalRequest.startsWith("GET\n/v1/" + PROJECT + "/cloud-phone/jobs/a%20b~c%2Fd/%E4%BD%A0/\n"
        + "flag=&limit=100&name=a&name=x%2Fy%20z&offset=0&request_id=6837531f\n"), v.canonicalRequest);
  }

  @Test
  void aSignatureMadeWithAnotherSecretDoesNotVerify() throws Exception {
    // guards the verifier itself: it must be able to say no
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    HttpRequest request = HttpRequest.builder("GET", URI.create("http://127.0.0.1:" + server.getPort() + "/v1/x")).build();
    transport.execute(Credentials.akSk(AK, SK).authorize(request, context()));
    RecordedRequest recorded = server.takeRequest();
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> verify(recorded, SK.substring(1) + "x"));
    assertTrue(e.getMessage().contains("signature"), e.getMessage());
  }

  // ---- an independent verifier, as a server would implement it ---------------------------------------

  static final class Verified {
    final String access;
    final List<String> signedHeaders;
    final String canonicalRequest;

    Verified(String access, List<String> signedHeaders, String canonicalRequest) {
      this.access = access;
      this.signedHeaders = signedHeaders;
      this.canonicalRequest = canonicalRequest;
    }
  }

  static Verified verify(RecordedRequest r, String secretKey) throws Exception {
    String authorization = r.getHeaders().get("Authorization");
    assertNotNull(authorization, "Authorization header on the wire");
    String prefix = "SDK-HMAC-SHA256 ";
    assertTrue(authorization.startsWith(prefix), authorization);
    Map<String, String> parts = new TreeMap<>();
    for (String part : authorization.substring(prefix.length()).split(", ")) {
      int eq = part.indexOf('=');
      parts.put(part.substring(0, eq), part.substring(eq + 1));
    }
    List<String> signedHeaders = Arrays.asList(parts.get("SignedHeaders").split(";"));

    StringBuilder uri = new StringBuilder();
    for (String segment : r.getUrl().encodedPath().split("/", -1)) {
      String decoded = URI.create("http://h/" + segment).getPath().substring(1);
      uri.append(rfc3986(decoded)).append('/');
    }
    String canonicalUri = uri.toString().replaceAll("/+$", "/");

    List<String> query = new ArrayList<>();
    String rawQuery = r.getUrl().encodedQuery();
    if (rawQuery != null) {
      for (String p : rawQuery.split("&")) {
        String[] kv = p.split("=", 2);
        query.add(rfc3986(URLDecoder.decode(kv[0], StandardCharsets.UTF_8)) + "="
            + (kv.length > 1 ? rfc3986(URLDecoder.decode(kv[1], StandardCharsets.UTF_8)) : ""));
      }
    }
    Collections.sort(query);

    StringBuilder headers = new StringBuilder();
    for (String name : signedHeaders) {
      String value = r.getHeaders().get(name);
      assertNotNull(value, "signed header " + name + " must be on the wire");
      headers.append(name).append(':').append(value.trim()).append('\n');
    }
    String canonicalRequest = r.getMethod() + "\n" + canonicalUri + "\n" + String.join("&", query) + "\n"
        + headers + "\n" + String.join(";", signedHeaders) + "\n" + sha256Hex(r.getBody() == null ? new byte[0] : r.getBody().toByteArray());
    String stringToSign = "SDK-HMAC-SHA256\n" + r.getHeaders().get("X-Sdk-Date") + "\n"
        + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = toHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, parts.get("Signature"), "signature recomputed from the request on the wire");
    return new Verified(parts.get("Access"), signedHeaders, canonicalRequest);
  }

  /** How the official SDK encodes: URLEncoder, then the three fix-ups for RFC 3986. */
  static String rfc3986(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }

  static String sha256Hex(byte[] data) throws Exception {
    return toHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  static String toHex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }
}
