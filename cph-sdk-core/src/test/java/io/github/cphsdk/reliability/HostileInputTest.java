package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpTransport;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.http.UrlConnectionTransport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testkit.internal.AuthorizationHeader;
import io.github.cphsdk.testkit.internal.SdkHmacSha256;
import io.github.cphsdk.testsupport.LoopbackServer;
import io.github.cphsdk.testsupport.RecordingTransport;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated hostile input for every validator the SDK has: the push fields, the project id, the region, the
 * endpoint, the application id, tokens, and the transport seam's header checks. Thousands of cases per
 * validator from a seeded {@link Random} ({@code -Dcph.fuzz.seed}, {@code -Dcph.fuzz.cases}): mostly characters
 * the field allows, mixed with CR, LF, NUL, quotes, slashes, percent escapes, dot segments, non-ASCII letters,
 * lone surrogates and line separators. For each input, either the builder throws
 * {@link IllegalArgumentException} or {@link NullPointerException} and nothing else, or the request that goes
 * out has exactly the path, headers and JSON the input says (compared with a Jackson parse of the body), no
 * more and no less; acceptance also agrees with an independent regex statement of the documented rule. A
 * sample of the accepted cases goes over a real socket to a {@link LoopbackServer} that checks the bytes on the wire.
 */
class HostileInputTest {
  static final long SEED = Long.getLong("cph.fuzz.seed", 7_2026L);
  static final int CASES = Integer.getInteger("cph.fuzz.cases", 3000);
  static final String PROJECT = "0123456789abcdef0123456789abcdef";
  static final String TOKEN = "fuzz-token-value";
  static final String SUFFIX = "/cloud-phone/phones/share-apps";
  static final ObjectMapper JSON = new ObjectMapper();

  static LoopbackServer wire;
  static HttpTransport wireTransport;
  /** The other transport: the wire samples rotate over both. */
  static HttpTransport urlTransport;

  /** The transport of the n-th wire sample: java.net.http (the default), HttpURLConnection. */
  static HttpTransport transport(int n) {
    return n % 2 == 0 ? wireTransport : urlTransport;
  }

  @BeforeAll
  static void startWire() throws Exception {
    wire = new LoopbackServer((request, out) -> {
      byte[] body = RecordingTransport.PUSH_ANSWER.getBytes(StandardCharsets.UTF_8);
      out.write(LoopbackServer.ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\n\r\n"));
      out.write(body);
      return true;
    });
    wireTransport = new JdkHttpTransport(Duration.ofSeconds(5), null);
    urlTransport = UrlConnectionTransport.builder().proxy(java.net.Proxy.NO_PROXY).build();
  }

  @AfterAll
  static void stopWire() throws Exception {
    wireTransport.close();
    urlTransport.close();
    wire.close();
  }

  // ---------------------------------------------------------------- generators

  static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static final String DIGITS = "0123456789";
  static final String PRINTABLE;

  static {
    StringBuilder sb = new StringBuilder();
    for (char c = 0x21; c < 0x7f; c++) {
      sb.append(c);
    }
    PRINTABLE = sb.toString();
  }

  static final String[] HOSTILE = {"\r", "\n", "\r\n", "\u0000", "\t", " ", "\"", "\\", "/", "%", "?", "#", "@",
      ":", ";", ",", "{", "}", "[", "]", "<", ">", "'", "`", "$", "&", "*", "=", "+", "!", "~", "|", "^", "\u007f",
      "\u0080", "\u00a0", "\u00e9", "\u00ff", "\u0100", "\u0130", "\u0131", "\u212a", "\u2028", "\u2029", "\u0085",
      "\u202e", "\ufeff", "\uff0e", "\u4e2d", "\ud83d\ude00", "\ud800", "\udfff", "..", "//", "/../", "%0d%0a",
      "\r\nX-Injected: 1", "%2e%2e", "%2F", "\",\"x\":\"", "\\u0000", ".tar", "-", ".", "_"};

  /** Strings that are mostly from {@code alphabet}, sometimes hostile, 0 to {@code maxLen} long. */
  static final class Gen {
    final Random random;

    Gen(long seed) {
      this.random = new Random(seed);
    }

    String string(String alphabet, int maxLen) {
      int len = random.nextInt(10) == 0 ? random.nextInt(maxLen + 1) : random.nextInt(Math.min(maxLen, 24) + 1);
      double hostile = random.nextInt(3) == 0 ? 0 : 0.02 + random.nextDouble() * 0.2;
      StringBuilder sb = new StringBuilder();
      while (sb.length() < len) {
        if (random.nextDouble() < hostile) {
          sb.append(HOSTILE[random.nextInt(HOSTILE.length)]);
        } else {
          sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      return sb.toString();
    }

    <T> T pick(List<T> options) {
      return options.get(random.nextInt(options.size()));
    }

    boolean chance(int oneIn) {
      return random.nextInt(oneIn) == 0;
    }

    /** Characters of {@code alphabet} only, {@code min} to {@code max} of them. */
    String clean(String alphabet, int min, int max) {
      StringBuilder sb = new StringBuilder();
      for (int n = min + random.nextInt(max - min + 1); n > 0; n--) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      return sb.toString();
    }

    /** A plausible value when {@code plausible}, else one built from hostile pieces. */
    String packageName(boolean plausible) {
      if (!plausible) {
        return string(LETTERS + DIGITS + "_.", 140);
      }
      StringBuilder sb = new StringBuilder(clean(LETTERS, 1, 1) + clean(LETTERS + DIGITS + "_", 0, 10));
      for (int n = 1 + random.nextInt(3); n > 0; n--) {
        sb.append('.').append(clean(LETTERS, 1, 1)).append(clean(LETTERS + DIGITS + "_", 0, 10));
      }
      return mutate(sb.toString());
    }

    String bucketName(boolean plausible) {
      String lower = "abcdefghijklmnopqrstuvwxyz0123456789";
      return plausible ? mutate(clean(lower, 1, 1) + clean(lower + "-", 1, 20) + clean(lower, 1, 1))
          : string(lower + "-.", 70);
    }

    String objectPath(boolean plausible) {
      return plausible ? mutate(clean(LETTERS + DIGITS + "/-_+#=", 1, 40) + ".tar")
          : string(LETTERS + DIGITS + "./-_+#=", chance(20) ? 1100 : 60) + (chance(2) ? ".tar" : "");
    }

    String serverId(boolean plausible) {
      return plausible ? mutate(clean("0123456789abcdef", 32, 32)) : string(PRINTABLE, 70);
    }

    /** Sometimes one hostile piece inserted into an otherwise plausible value. */
    String mutate(String s) {
      if (!chance(8)) {
        return s;
      }
      int at = random.nextInt(s.length() + 1);
      return s.substring(0, at) + HOSTILE[random.nextInt(HOSTILE.length)] + s.substring(at);
    }
  }

  /** The value, or the exception {@code code} threw; anything but IAE and NPE fails the test. */
  static Object attempt(Supplier<?> code, String input) {
    try {
      return code.get();
    } catch (IllegalArgumentException | NullPointerException expected) {
      return expected;
    } catch (RuntimeException other) {
      throw new AssertionError("input " + show(input) + " threw " + other, other);
    }
  }

  static String show(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return sb.append('"').toString();
  }

  // ---------------------------------------------------------------- the documented rules, stated independently

  static final Pattern PACKAGE = Pattern.compile("(?=.{1,128}$)[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)+");
  static final Pattern BUCKET = Pattern.compile("(?=.{3,63}$)[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
  static final Pattern IP_SHAPED = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  static final Pattern OBJECT_PATH = Pattern.compile("[A-Za-z0-9./_+#=-]{1,1020}\\.tar");
  static final Pattern SERVER_ID = Pattern.compile("[A-Za-z0-9]{32}");
  static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final Pattern REGION = Pattern.compile("(?=.{1,32}$)[a-z0-9]+(-[a-z0-9]+)*");
  static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._/+-]{1,64}");
  static final Pattern TOKEN_RULE = Pattern.compile("[\\x21-\\x7e]+");
  /** Printable ASCII without ',' (the Authorization header's separator). */
  static final Pattern AK_RULE = Pattern.compile("[\\x21-\\x2b\\x2d-\\x7e]+");
  static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
  static final Pattern HEADER_VALUE = Pattern.compile("[\\t\\x20-\\x7e]*");

  static boolean validBucket(String s) {
    return BUCKET.matcher(s).matches() && !s.contains("..") && !s.contains(".-") && !s.contains("-.")
        && !IP_SHAPED.matcher(s).matches();
  }

  static boolean validObjectPath(String s) {
    return OBJECT_PATH.matcher(s).matches() && !s.endsWith("/.tar");
  }

  // ---------------------------------------------------------------- checks of what went out

  static CloudPhoneClient.Builder client(HttpTransport transport) {
    return CloudPhoneClient.builder()
        .endpoint(URI.create("https://cph.cn-north-4.myhuaweicloud.com"))
        .projectId(PROJECT)
        .credentials(Credentials.token(TOKEN))
        .retryPolicy(RetryPolicy.none())
        .transport(transport);
  }

  static ShareAppsRequest plainRequest() {
    return ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket").objectPath("a/b.tar")
        .addServerIds("1234567b8bab40ffb711234cb80d0234").build();
  }

  /** The request has exactly the headers the SDK documents, with exactly these values. */
  static void assertHeaders(HttpRequest sent, String projectId, String token, String applicationId) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, String> h : sent.headers()) {
      assertTrue(headers.put(h.getKey(), h.getValue()) == null, "header " + h.getKey() + " twice");
      assertTrue(HEADER_VALUE.matcher(h.getValue()).matches() && h.getValue().indexOf('\n') < 0
          && h.getValue().indexOf('\r') < 0, "header " + h.getKey() + " has a control character");
    }
    assertEquals(List.of("Accept", "Content-Type", "User-Agent", "X-Auth-Token", "X-Client-Request-Id",
        "X-Project-Id"), new ArrayList<>(headers.keySet()), "the header names");
    assertEquals("application/json", headers.get("Accept"));
    assertEquals("application/json", headers.get("Content-Type"));
    assertEquals(projectId, headers.get("X-Project-Id"));
    assertEquals(token, headers.get("X-Auth-Token"));
    assertTrue(headers.get("X-Client-Request-Id").matches("[0-9a-f]{32}"), headers.get("X-Client-Request-Id"));
    String ua = headers.get("User-Agent");
    assertTrue(ua.startsWith("cph-sdk-java/") && ua.endsWith(applicationId == null ? ")" : ") " + applicationId),
        "User-Agent " + show(ua));
  }

  /** The body is a JSON object with exactly the request's fields, in the documented order, with its values. */
  static void assertBody(byte[] body, ShareAppsRequest r) throws Exception {
    JsonNode json = JSON.readTree(body);
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    List<String> expected = new ArrayList<>(List.of("package_name", "bucket_name", "object_path", "server_ids"));
    if (r.preInstallApp().isPresent()) {
      expected.add(1, "pre_install_app");
      assertEquals(r.preInstallApp().get() ? 1 : 0, json.get("pre_install_app").intValue());
      assertTrue(json.get("pre_install_app").isInt());
    }
    assertEquals(expected, names);
    assertEquals(r.packageName(), json.get("package_name").textValue());
    assertEquals(r.bucketName(), json.get("bucket_name").textValue());
    assertEquals(r.objectPath(), json.get("object_path").textValue());
    List<String> ids = new ArrayList<>();
    json.get("server_ids").forEach(id -> ids.add(id.textValue()));
    assertEquals(r.serverIds(), ids);
  }

  /** What a {@link LoopbackServer} received matches the request the client built: request line, headers, body. */
  static void assertOnTheWire(LoopbackServer.Request received, HttpRequest sent) {
    assertEquals("POST " + sent.uri().getRawPath() + " HTTP/1.1", received.requestLine);
    Map<String, String> expected = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    sent.headers().forEach(h -> expected.put(h.getKey(), h.getValue()));
    expected.put("Host", sent.uri().getRawAuthority());
    expected.put("Content-Length", Integer.toString(sent.bodyLength()));
    Map<String, String> got = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line : received.headerLines) {
      if (line.isEmpty() || transportsOwn(line)) {
        continue;
      }
      int colon = line.indexOf(':');
      assertTrue(colon > 0, "header line without a colon: " + show(line));
      String value = line.substring(colon + 1);
      value = value.startsWith(" ") ? value.substring(1) : value;
      assertTrue(got.put(line.substring(0, colon), value) == null, "header twice on the wire: " + show(line));
    }
    assertEquals(expected, got, "headers on the wire");
    assertEquals(new String(sent.body(), StandardCharsets.UTF_8), received.bodyUtf8());
  }

  /** A header line a transport adds of its own accord (HttpURLConnection: keep-alive, no caches, its defaults). */
  static boolean transportsOwn(String line) {
    return line.equals("Connection: keep-alive") || line.startsWith("User-Agent: Java-http-client/")
        || line.startsWith("User-Agent: Java/") || line.equals("Accept: */*")
        || line.equals("Content-type: application/x-www-form-urlencoded") || line.equals("Cache-Control: no-cache")
        || line.equals("Pragma: no-cache");
  }

  /** Prints how many generated cases a property saw and how many of them the SDK accepted. */
  static void tally(String property, int cases, int accepted) {
    System.out.println("fuzz " + property + ": " + cases + " cases, " + accepted + " accepted, seed " + SEED);
  }

  // ---------------------------------------------------------------- the properties

  /** The escapes the generators found, pinned down. */
  @Test
  void knownEscapesStayClosed() {
    RecordingTransport recorder = RecordingTransport.answering(RecordingTransport.pushAnswer());
    // An endpoint path starting with "//" once sent the push, token and all, to the host after the slashes.
    for (String endpoint : new String[] {"https://cph.example.com//evil.example.net", "http://localhost:8443//api",
        "https://cph.example.com/a/../b", "https://cph.example.com/./x", "https://cph.example.com/a/%2e%2e/b"}) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> client(recorder).endpoint(URI.create(endpoint)).build(), endpoint);
      assertTrue(e.getMessage().contains("endpoint path must not have empty, '.' or '..' segments"), e.getMessage());
    }
    try (CloudPhoneClient c = client(recorder).endpoint(URI.create("https://cph.example.com/caf\u00e9/")).build()) {
      c.shareApps(plainRequest());
    }
    assertEquals("https://cph.example.com/caf%C3%A9/v1/" + PROJECT + SUFFIX, recorder.last().uri().toString());
    assertEquals(0, recorder.count() - 1, "only the valid endpoint sent anything");
    // Latin-1 header values went out as '?' through java.net.http.
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> HttpRequest.builder("GET", URI.create("https://h.example")).header("X-Name", "Jos\u00e9"));
    assertEquals("value of header X-Name must be ASCII text (found a character above U+007E at index 3)",
        e.getMessage());
    // An access key with a comma ended the Access part of the Authorization header early.
    IllegalArgumentException comma = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Credentials.akSk("AKIDX,SignedHeaders=host", "secret-key-value"));
    assertEquals("accessKey must not contain ',' (found one at index 5)", comma.getMessage());
  }

  @Test
  void pushFieldsNeverChangeWhatIsSent() throws Exception {
    Gen gen = new Gen(SEED);
    RecordingTransport recorder = RecordingTransport.answering(RecordingTransport.pushAnswer());
    int accepted = 0;
    int onTheWire = 0;
    try (CloudPhoneClient client = client(recorder).build();
        CloudPhoneClient wired = client(wireTransport).endpoint(wire.endpoint()).build();
        CloudPhoneClient wiredUrl = client(urlTransport).endpoint(wire.endpoint()).build()) {
      for (int i = 0; i < CASES; i++) {
        // Each field is hostile in about one case of four, so that whole requests are valid often enough.
        String pkg = gen.chance(100) ? null : gen.packageName(!gen.chance(4));
        String bucket = gen.chance(100) ? null : gen.bucketName(!gen.chance(4));
        String path = gen.chance(100) ? null : gen.objectPath(!gen.chance(4));
        List<String> ids = new ArrayList<>();
        int n = gen.chance(20) ? 0 : 1 + gen.random.nextInt(3);
        for (int k = 0; k < n; k++) {
          ids.add(gen.chance(100) ? null : gen.serverId(!gen.chance(8)));
        }
        if (n > 1 && gen.chance(5)) {
          ids.set(n - 1, ids.get(0));
        }
        Boolean pre = gen.chance(3) ? null : gen.random.nextBoolean();
        String input = "package " + show(pkg) + ", bucket " + show(bucket) + ", path " + show(path) + ", ids " + ids;
        Object built = attempt(() -> {
          ShareAppsRequest.Builder b = ShareAppsRequest.builder();
          if (pkg != null) {
            b.packageName(pkg);
          }
          if (bucket != null) {
            b.bucketName(bucket);
          }
          if (path != null) {
            b.objectPath(path);
          }
          for (String id : ids) {
            b.addServerIds(id);
          }
          if (pre != null) {
            b.preInstallApp(pre);
          }
          return b.build();
        }, input);
        boolean valid = pkg != null && PACKAGE.matcher(pkg).matches() && bucket != null && validBucket(bucket)
            && path != null && validObjectPath(path) && !ids.isEmpty()
            && ids.stream().allMatch(id -> id != null && SERVER_ID.matcher(id).matches())
            && ids.stream().distinct().count() == ids.size();
        assertEquals(valid, built instanceof ShareAppsRequest, "case " + i + ": " + input + " -> " + built);
        if (!(built instanceof ShareAppsRequest)) {
          continue;
        }
        accepted++;
        ShareAppsRequest r = (ShareAppsRequest) built;
        assertEquals(Optional.ofNullable(pre), r.preInstallApp());
        client.shareApps(r);
        HttpRequest sent = recorder.last();
        assertEquals("POST", sent.method());
        assertEquals("https://cph.cn-north-4.myhuaweicloud.com/v1/" + PROJECT + SUFFIX, sent.uri().toString());
        assertHeaders(sent, PROJECT, TOKEN, null);
        assertBody(sent.body(), r);
        if (i % 10 == 0) {
          int before = wire.requests.size();
          CloudPhoneClient[] wiredClients = {wired, wiredUrl};
          wiredClients[(i / 10) % 2].shareApps(r);
          HttpRequest expected = sent.toBuilder().setHeader("X-Client-Request-Id",
              wire.requests.get(before).headers.get("x-client-request-id")).build();
          assertOnTheWire(wire.requests.get(before), withUri(expected, wire.endpoint()));
          onTheWire++;
        }
      }
    }
    tally("pushFieldsNeverChangeWhatIsSent", CASES, accepted);
    assertTrue(accepted > CASES / 10 && accepted < CASES * 9 / 10,
        "the generator should give both valid and invalid requests, got " + accepted + " valid of " + CASES);
    assertTrue(onTheWire > 0);
  }

  private static HttpRequest withUri(HttpRequest r, URI endpoint) {
    HttpRequest.Builder b = HttpRequest.builder(r.method(), URI.create(endpoint + r.uri().getRawPath()));
    r.headers().forEach(h -> b.header(h.getKey(), h.getValue()));
    return b.body(r.body()).build();
  }

  @Test
  void projectIdIsExactlyOnePathSegmentAndHeader() throws Exception {
    Gen gen = new Gen(SEED + 1);
    RecordingTransport recorder = RecordingTransport.answering(RecordingTransport.pushAnswer());
    int accepted = 0;
    for (int i = 0; i < CASES; i++) {
      String projectId = gen.chance(100) ? null : gen.string(LETTERS + DIGITS + "_-", gen.chance(10) ? 80 : 40);
      Object built = attempt(() -> client(recorder).projectId(projectId).build(), projectId);
      assertEquals(projectId != null && PROJECT_ID.matcher(projectId).matches(), built instanceof CloudPhoneClient,
          "case " + i + ": " + show(projectId) + " -> " + built);
      if (built instanceof CloudPhoneClient) {
        accepted++;
        try (CloudPhoneClient c = (CloudPhoneClient) built) {
          c.shareApps(plainRequest());
        }
        HttpRequest sent = recorder.last();
        assertEquals("/v1/" + projectId + SUFFIX, sent.uri().getRawPath());
        assertEquals(List.of("", "v1", projectId, "cloud-phone", "phones", "share-apps"),
            List.of(sent.uri().getRawPath().split("/", -1)));
        assertEquals(sent.uri().getRawPath(), sent.uri().getPath(), "nothing to decode in the path");
        assertHeaders(sent, projectId, TOKEN, null);
      }
    }
    tally("projectIdIsExactlyOnePathSegmentAndHeader", CASES, accepted);
    assertTrue(accepted > CASES / 10 && accepted < CASES * 9 / 10, "valid: " + accepted);
  }

  @Test
  void regionOnlyEverNamesTheHuaweiCloudHost() {
    Gen gen = new Gen(SEED + 2);
    RecordingTransport recorder = RecordingTransport.answering(RecordingTransport.pushAnswer());
    int accepted = 0;
    for (int i = 0; i < CASES; i++) {
      String region = gen.chance(100) ? null : gen.string("abcdefghijklmnopqrstuvwxyz0123456789-", 40);
      Object built = attempt(() -> CloudPhoneClient.builder().region(region).projectId(PROJECT)
          .credentials(Credentials.token(TOKEN)).transport(recorder).retryPolicy(RetryPolicy.none()).build(), region);
      assertEquals(region != null && REGION.matcher(region).matches(), built instanceof CloudPhoneClient,
          "case " + i + ": " + show(region) + " -> " + built);
      if (built instanceof CloudPhoneClient) {
        accepted++;
        try (CloudPhoneClient c = (CloudPhoneClient) built) {
          c.shareApps(plainRequest());
        }
        URI uri = recorder.last().uri();
        assertEquals("https", uri.getScheme());
        assertEquals("cph." + region + ".myhuaweicloud.com", uri.getHost());
        assertEquals(-1, uri.getPort());
        assertEquals("/v1/" + PROJECT + SUFFIX, uri.getRawPath());
      }
    }
    tally("regionOnlyEverNamesTheHuaweiCloudHost", CASES, accepted);
    assertTrue(accepted > CASES / 10 && accepted < CASES * 9 / 10, "valid: " + accepted);
  }

  static final List<String> SCHEMES = List.of("https", "https", "http", "http", "HTTPS", "HtTp", "ftp", "file",
      "javascript", "h");
  static final List<String> USER_INFO = List.of("", "", "", "", "", "", "user@", "user:secret@", "%40@");
  static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.1", "localhost", "cph.example.com",
      "cph.example.com", "[::1]", "evil.example.net", "127.0.0.1.evil.example.net", "localhost.evil.example.net",
      "evil.localhost", "h_st.example", "127.1", "0x7f000001", "CPH.EXAMPLE.COM", "127.0.0.256", "");
  static final List<String> PORTS = List.of("", "", "", ":0", ":443", ":80", ":8443", ":65535", ":65536", ":",
      ":abc");
  static final List<String> PATH_PIECES = List.of("/", "//", "/.", "/..", "/a", "/v1", "/api", "/%2F", "/%2e%2e",
      "/a%20b", "?x=1", "#frag", "/;p=1", "//evil.example.net", "/@evil.example.net", "/~x", "/\u00e9", "/%",
      "/a:b", "/.well-known", "/..a", "/a..");

  @Test
  void endpointNeverSendsTheTokenAnywhereElse() throws Exception {
    Gen gen = new Gen(SEED + 3);
    RecordingTransport recorder = RecordingTransport.answering(RecordingTransport.pushAnswer());
    int parsed = 0;
    int accepted = 0;
    for (int i = 0; i < CASES; i++) {
      StringBuilder path = new StringBuilder();
      for (int k = gen.random.nextInt(4); k > 0; k--) {
        path.append(gen.pick(PATH_PIECES));
      }
      String text = gen.pick(SCHEMES) + "://" + gen.pick(USER_INFO) + gen.pick(HOSTS) + gen.pick(PORTS) + path;
      URI endpoint;
      try {
        endpoint = new URI(text);
      } catch (URISyntaxException notAUri) {
        continue; // the caller's URI parser refused it: never reaches the SDK
      }
      parsed++;
      boolean insecure = gen.chance(4);
      Object built = attempt(() -> client(recorder).endpoint(endpoint).allowInsecureHttp(insecure).build(), text);
      if (!(built instanceof CloudPhoneClient)) {
        continue;
      }
      accepted++;
      try (CloudPhoneClient c = (CloudPhoneClient) built) {
        c.shareApps(plainRequest());
      }
      URI sent = recorder.last().uri();
      String scheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
      String context = "case " + i + ": endpoint " + show(text) + " sent to " + sent;
      assertTrue(scheme.equals("https") || scheme.equals("http"), context);
      assertEquals(scheme, sent.getScheme(), context);
      assertTrue(endpoint.getHost() != null && endpoint.getHost().equalsIgnoreCase(sent.getHost()), context);
      int port = endpoint.getPort() == (scheme.equals("https") ? 443 : 80) ? -1 : endpoint.getPort();
      assertEquals(port, sent.getPort(), context);
      assertTrue(endpoint.getRawUserInfo() == null && endpoint.getRawQuery() == null
          && endpoint.getRawFragment() == null, "accepted an endpoint with user info, query or fragment: " + context);
      assertTrue(sent.getRawUserInfo() == null && sent.getRawQuery() == null && sent.getRawFragment() == null,
          context);
      if (scheme.equals("http") && !insecure) {
        String h = endpoint.getHost().toLowerCase(Locale.ROOT);
        assertTrue(h.equals("localhost") || h.equals("[::1]")
            || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"), "plain http to a remote host: " + context);
      }
      // Sent as the URI's ASCII form (what every HTTP library puts on the wire): non-ASCII percent-encoded.
      String base = URI.create(endpoint.toASCIIString()).getRawPath().replaceAll("/+$", "");
      assertEquals(base + "/v1/" + PROJECT + SUFFIX, sent.getRawPath(), context);
      for (String segment : base.isEmpty() ? new String[0] : base.substring(1).split("/", -1)) {
        assertFalse(segment.isEmpty() || segment.equals(".") || segment.equals(".."),
            "an endpoint path with an empty or dot segment: " + context);
      }
    }
    tally("endpointNeverSendsTheTokenAnywhereElse", CASES, accepted);
    assertTrue(parsed > CASES / 4 && accepted > CASES / 20, "parsed " + parsed + ", accepted " + accepted);
  }

  @Test
  void endpointPathsReachTheServerUnchanged() throws Exception {
    Gen gen = new Gen(SEED + 4);
    int accepted = 0;
    for (int i = 0; i < Math.max(1, CASES / 10); i++) {
      StringBuilder path = new StringBuilder();
      for (int k = 1 + gen.random.nextInt(3); k > 0; k--) {
        path.append(gen.pick(PATH_PIECES));
      }
      URI endpoint;
      try {
        endpoint = new URI(wire.endpoint() + path.toString());
      } catch (URISyntaxException notAUri) {
        continue;
      }
      HttpTransport transport = transport(i);
      Object built = attempt(() -> client(transport).endpoint(endpoint).build(), endpoint.toString());
      if (!(built instanceof CloudPhoneClient)) {
        continue;
      }
      accepted++;
      int before = wire.requests.size();
      try (CloudPhoneClient c = (CloudPhoneClient) built) {
        c.shareApps(plainRequest());
      }
      assertEquals(before + 1, wire.requests.size(), "one request to the endpoint " + endpoint);
      String base = URI.create(endpoint.toASCIIString()).getRawPath().replaceAll("/+$", "");
      assertEquals("POST " + base + "/v1/" + PROJECT + SUFFIX + " HTTP/1.1",
          wire.requests.get(before).requestLine);
    }
    assertTrue(accepted > 0);
  }

  @Test
  void applicationIdOnlyEverEndsTheUserAgent() {
    Gen gen = new Gen(SEED + 5);
    RecordingTransport recorder = RecordingTransport.answering(RecordingTransport.pushAnswer());
    int accepted = 0;
    for (int i = 0; i < CASES; i++) {
      String appId = gen.chance(100) ? null : gen.string(LETTERS + DIGITS + "._/+-", 80);
      Object built = attempt(() -> client(recorder).applicationId(appId).build(), appId);
      assertEquals(appId != null && APPLICATION_ID.matcher(appId).matches(), built instanceof CloudPhoneClient,
          "case " + i + ": " + show(appId) + " -> " + built);
      if (built instanceof CloudPhoneClient) {
        accepted++;
        try (CloudPhoneClient c = (CloudPhoneClient) built) {
          c.shareApps(plainRequest());
        }
        assertHeaders(recorder.last(), PROJECT, TOKEN, appId);
      }
    }
    tally("applicationIdOnlyEverEndsTheUserAgent", CASES, accepted);
    assertTrue(accepted > CASES / 10 && accepted < CASES * 9 / 10, "valid: " + accepted);
  }

  @Test
  void tokensAreSentExactlyOrRefusedWithoutBeingEchoed() {
    Gen gen = new Gen(SEED + 6);
    RecordingTransport recorder = RecordingTransport.answering(RecordingTransport.pushAnswer());
    int accepted = 0;
    for (int i = 0; i < CASES; i++) {
      String token = gen.chance(100) ? null : gen.string(PRINTABLE, 60);
      boolean valid = token != null && TOKEN_RULE.matcher(token).matches();
      Object credentials = attempt(() -> Credentials.token(token), token);
      assertEquals(valid, credentials instanceof Credentials, "case " + i + ": " + show(token) + " -> " + credentials);
      if (credentials instanceof Exception && token != null && token.length() >= 8) {
        assertFalse(((Exception) credentials).getMessage().contains(token), "the refusal echoes the token");
      }
      // The same token from a supplier, checked on every attempt.
      try (CloudPhoneClient c = client(recorder).credentials(Credentials.token(() -> token)).build()) {
        int before = recorder.count();
        try {
          c.shareApps(plainRequest());
          assertTrue(valid, "case " + i + ": a supplied invalid token was sent: " + show(token));
          accepted++;
          assertHeaders(recorder.last(), PROJECT, token, null);
        } catch (CloudPhoneException e) {
          assertFalse(valid, "case " + i + ": " + e);
          assertEquals(before, recorder.count(), "nothing is sent with an invalid token");
          assertFalse(e.mayHaveBeenApplied());
          if (token != null && token.length() >= 8) {
            assertFalse(e.getMessage().contains(token), "the failure echoes the token: " + e.getMessage());
          }
        }
      }
    }
    tally("tokensAreSentExactlyOrRefusedWithoutBeingEchoed", CASES, accepted);
    assertTrue(accepted > CASES / 10 && accepted < CASES * 9 / 10, "valid: " + accepted);
  }

  @Test
  void headerChecksLetNothingStartASecondHeader() throws Exception {
    Gen gen = new Gen(SEED + 7);
    int accepted = 0;
    int onTheWire = 0;
    URI uri = URI.create(wire.endpoint() + "/h");
    for (int i = 0; i < CASES; i++) {
      String name = gen.chance(100) ? null : "X-" + gen.string(LETTERS + DIGITS + "-_.!#$%&'*+^`|~", 20);
      String value = gen.chance(100) ? null : gen.string(PRINTABLE + " \t\u00e9\u00ff\u0100", 60);
      String input = show(name) + ": " + show(value);
      Object built = attempt(() -> HttpRequest.builder("POST", uri).header(name, value).build(), input);
      boolean valid = name != null && value != null && HEADER_NAME.matcher(name).matches()
          && HEADER_VALUE.matcher(value).matches();
      assertEquals(valid, built instanceof HttpRequest, "case " + i + ": " + input + " -> " + built);
      if (built instanceof Exception && value != null && value.length() >= 8) {
        assertFalse(((Exception) built).getMessage().contains(value), "a refused header value is echoed");
      }
      if (!(built instanceof HttpRequest)) {
        continue;
      }
      accepted++;
      HttpRequest r = (HttpRequest) built;
      assertEquals(List.of(Map.entry(name, value)), r.headers());
      if (i % 5 == 0 && value.equals(value.trim())) { // HTTP drops leading and trailing blanks by definition
        int before = wire.requests.size();
        transport(i / 5).execute(r);
        LoopbackServer.Request got = wire.requests.get(before);
        List<String> lines = new ArrayList<>();
        for (String line : got.headerLines) {
          // The transport's own: Host, Content-Length and its defaults.
          if (!line.isEmpty() && !line.regionMatches(true, 0, "Host:", 0, 5)
              && !line.regionMatches(true, 0, "Content-Length:", 0, 15) && !transportsOwn(line)) {
            lines.add(line);
          }
        }
        assertEquals(List.of(name + ": " + value), lines, "case " + i + " on the wire");
        onTheWire++;
      }
    }
    tally("headerChecksLetNothingStartASecondHeader", CASES, accepted);
    assertTrue(accepted > CASES / 10 && accepted < CASES * 9 / 10, "valid: " + accepted);
    assertTrue(onTheWire > 0);
  }

  // ---------------------------------------------------------------- credentials

  @Test
  void akSkSignaturesCoverExactlyWhatIsSent() throws Exception {
    Gen gen = new Gen(SEED + 8);
    RecordingTransport recorder = RecordingTransport.answering(RecordingTransport.pushAnswer());
    int accepted = 0;
    for (int i = 0; i < CASES; i++) {
      String ak = gen.chance(100) ? null : gen.chance(2) ? gen.clean(LETTERS.toUpperCase(Locale.ROOT) + DIGITS, 20, 20)
          : gen.string(PRINTABLE, 30);
      String sk = gen.chance(100) ? null : gen.chance(2) ? gen.clean(LETTERS + DIGITS, 40, 40) : gen.string(PRINTABLE, 50);
      String securityToken = gen.chance(2) ? null : gen.string(PRINTABLE, 80);
      String input = "AK " + show(ak) + ", SK " + show(sk) + ", token " + show(securityToken);
      Object built = attempt(() -> securityToken == null ? Credentials.akSk(ak, sk)
          : Credentials.akSk(ak, sk, securityToken), input);
      boolean valid = ak != null && AK_RULE.matcher(ak).matches() && sk != null && TOKEN_RULE.matcher(sk).matches()
          && (securityToken == null || TOKEN_RULE.matcher(securityToken).matches());
      assertEquals(valid, built instanceof Credentials, "case " + i + ": " + input + " -> " + built);
      if (built instanceof Exception) {
        String message = ((Exception) built).getMessage();
        for (String secret : new String[] {sk, securityToken}) {
          assertTrue(secret == null || secret.length() < 8 || !message.contains(secret), "echoed: " + message);
        }
        continue;
      }
      accepted++;
      try (CloudPhoneClient c = client(recorder).credentials((Credentials) built).build()) {
        c.shareApps(plainRequest());
      }
      HttpRequest sent = recorder.last();
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      sent.headers().forEach(h -> assertTrue(headers.put(h.getKey(), h.getValue()) == null, "twice: " + h.getKey()));
      List<String> names = new ArrayList<>(List.of("Accept", "Authorization", "Content-Type", "User-Agent",
          "X-Client-Request-Id", "X-Project-Id", "X-Sdk-Date"));
      if (securityToken != null) {
        names.add("X-Security-Token");
        assertEquals(securityToken, headers.get("X-Security-Token"));
      }
      assertEquals(names, new ArrayList<>(headers.keySet()), "case " + i + ": " + input);
      AuthorizationHeader auth = AuthorizationHeader.parse(headers.get("Authorization"));
      assertEquals(ak, auth.accessKey(), "the access key in the Authorization header, case " + i);
      assertTrue(auth.signature().matches("[0-9a-f]{64}"));
      assertTrue(auth.signedHeaders().containsAll(securityToken == null ? List.of("host", "x-sdk-date", "x-project-id")
          : List.of("host", "x-sdk-date", "x-project-id", "x-security-token")), auth.signedHeaders().toString());
      // Recomputed independently (the testkit's verifier) from what was sent.
      String canonical = SdkHmacSha256.canonicalRequest(sent.method(), sent.uri().getRawPath(), List.of(),
          auth.signedHeaders(), name -> name.equals("host") ? sent.uri().getRawAuthority() : headers.get(name),
          sent.body());
      assertEquals(SdkHmacSha256.signature(sk, SdkHmacSha256.stringToSign(headers.get("X-Sdk-Date"), canonical)),
          auth.signature(), "case " + i + ": the signature does not cover what was sent");
    }
    tally("akSkSignaturesCoverExactlyWhatIsSent", CASES, accepted);
    assertTrue(accepted > CASES / 10 && accepted < CASES * 9 / 10, "valid: " + accepted);
  }

  /** What IAM is asked, answered with a token; every other request answered as a push. */
  static final class IamRecorder extends RecordingTransport {
    static final String SUBJECT_TOKEN = "MIIsubject-token-from-iam";
    volatile HttpRequest iamRequest;

    IamRecorder() {
      super(RecordingTransport.pushAnswer());
    }

    @Override
    public synchronized io.github.cphsdk.http.HttpResponse execute(HttpRequest request) throws IOException {
      if (request.uri().getRawPath().endsWith("/v3/auth/tokens")) {
        iamRequest = request;
        return io.github.cphsdk.http.HttpResponse.of(201, Map.of("X-Subject-Token", List.of(SUBJECT_TOKEN)),
            "{\"token\":{\"expires_at\":\"2099-01-01T00:00:00.000000Z\"}}".getBytes(StandardCharsets.UTF_8), false);
      }
      return super.execute(request);
    }
  }

  @Test
  void iamPasswordLoginCarriesExactlyTheGivenNames() throws Exception {
    Gen gen = new Gen(SEED + 9);
    int accepted = 0;
    String names = LETTERS + DIGITS + "_-. @\u00e9\u4e2d";
    for (int i = 0; i < CASES; i++) {
      String user = gen.chance(100) ? null : gen.string(names, 30);
      String password = gen.chance(100) ? null : gen.string(PRINTABLE + " \u00e9\u20ac", 30);
      String account = gen.chance(100) ? null : gen.string(names, 30);
      String projectName = gen.chance(2) ? null : gen.string(LETTERS + DIGITS + "-_", 20);
      String input = "user " + show(user) + ", account " + show(account) + ", project name " + show(projectName);
      Object built = attempt(() -> {
        io.github.cphsdk.auth.IamPasswordCredentials.Builder b = Credentials.iamPassword().userName(user)
            .password(password).accountName(account).iamEndpoint(URI.create("https://iam.example.com"));
        if (projectName != null) {
          b.projectName(projectName);
        }
        return b.build();
      }, input);
      boolean valid = validName(user) && password != null && !password.isEmpty() && validName(account)
          && (projectName == null || validName(projectName));
      assertEquals(valid, built instanceof Credentials, "case " + i + ": " + input + " -> " + built);
      if (built instanceof Exception) {
        String message = ((Exception) built).getMessage();
        assertTrue(password == null || password.length() < 8 || !message.contains(password), "echoed: " + message);
        continue;
      }
      accepted++;
      IamRecorder recorder = new IamRecorder();
      try (CloudPhoneClient c = client(recorder).credentials((Credentials) built).build()) {
        c.shareApps(plainRequest());
      }
      HttpRequest login = recorder.iamRequest;
      assertEquals("https://iam.example.com/v3/auth/tokens?nocatalog=true", login.uri().toString());
      com.fasterxml.jackson.databind.node.ObjectNode expected = JSON.createObjectNode();
      com.fasterxml.jackson.databind.node.ObjectNode identity = expected.putObject("auth").putObject("identity");
      identity.putArray("methods").add("password");
      com.fasterxml.jackson.databind.node.ObjectNode userNode = identity.putObject("password").putObject("user");
      userNode.put("name", user).put("password", password).putObject("domain").put("name", account);
      com.fasterxml.jackson.databind.node.ObjectNode project = ((com.fasterxml.jackson.databind.node.ObjectNode)
          expected.get("auth")).putObject("scope").putObject("project");
      if (projectName != null) {
        project.put("name", projectName);
      } else {
        project.put("id", PROJECT);
      }
      assertEquals(expected, JSON.readTree(login.body()), "case " + i + ": " + input);
      assertHeaders(recorder.last(), PROJECT, IamRecorder.SUBJECT_TOKEN, null);
    }
    tally("iamPasswordLoginCarriesExactlyTheGivenNames", CASES, accepted);
    assertTrue(accepted > CASES / 10 && accepted < CASES * 9 / 10, "valid: " + accepted);
  }

  static boolean validName(String s) {
    return s != null && !s.isBlank() && s.chars().noneMatch(c -> Character.isISOControl(c));
  }
}
