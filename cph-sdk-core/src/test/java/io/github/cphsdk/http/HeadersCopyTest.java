package io.github.cphsdk.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The header copies of {@link HttpResponse#of} (sorted arrays instead of a tree) and of {@link HttpRequest}
 * (one array, set in one pass) against what they replaced: a {@code TreeMap} with
 * {@code CASE_INSENSITIVE_ORDER}, and the builder's {@code setHeader} chain.
 */
class HeadersCopyTest {

  /** What {@code HttpResponse.of} did before: merge into a case-insensitive tree. */
  private static Map<String, List<String>> treeCopy(Map<String, List<String>> headers) {
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null) {
        copy.merge(e.getKey(), List.copyOf(e.getValue()), (a, b) -> {
          ArrayList<String> all = new ArrayList<>(a);
          all.addAll(b);
          return List.copyOf(all);
        });
      }
    }
    return Collections.unmodifiableMap(copy);
  }

  private static final String[] NAMES = {"Content-Type", "content-type", "CONTENT-TYPE", "X-Request-Id",
      "x-request-id", "Date", "Retry-After", "Set-Cookie", "set-cookie", "Location", "a", "B", "b", "_x", "Zz",
      "content-length", "Content-Length", "Server", "Connection", "X-Z"};

  @Test
  void answersMatchTheTreeCopyForManyShapesOfHeaders() {
    Random random = new Random(42);
    for (int n = 0; n < 3000; n++) {
      int count = new int[] {0, 1, 2, 6, 12, 31, 32, 33, 80}[random.nextInt(9)];
      Map<String, List<String>> given = random.nextBoolean() ? new LinkedHashMap<>() : new HashMap<>();
      for (int i = 0; i < count; i++) {
        String name = i < NAMES.length && random.nextBoolean() ? NAMES[random.nextInt(NAMES.length)]
            : (random.nextBoolean() ? "X-H" : "x-h") + random.nextInt(count + 1);
        List<String> values = new ArrayList<>();
        for (int v = random.nextInt(3); v >= 0; v--) {
          values.add("v" + random.nextInt(100));
        }
        given.put(name, values);
      }
      if (random.nextInt(4) == 0) {
        given.put(null, List.of("HTTP/1.1 200 OK")); // HttpURLConnection's status line
      }
      Map<String, List<String>> expected = treeCopy(given);
      Map<String, List<String>> actual = HttpResponse.of(200, given, new byte[0], false).headers();

      assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(actual.entrySet()), given.toString());
      assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "first spelling of each name");
      assertEquals(expected, actual);
      assertEquals(expected.hashCode(), actual.hashCode());
      assertEquals(expected.toString(), actual.toString());
      for (String name : NAMES) {
        for (String asked : List.of(name, name.toUpperCase(java.util.Locale.ROOT), name.toLowerCase(java.util.Locale.ROOT))) {
          assertEquals(expected.get(asked), actual.get(asked), asked);
          assertEquals(expected.containsKey(asked), actual.containsKey(asked), asked);
          assertEquals(expected.keySet().contains(asked), actual.keySet().contains(asked), asked);
        }
      }
      for (Map.Entry<String, List<String>> e : expected.entrySet()) {
        Map.Entry<String, List<String>> upper =
            new AbstractMap.SimpleEntry<>(e.getKey().toUpperCase(java.util.Locale.ROOT), e.getValue());
        assertEquals(expected.entrySet().contains(upper), actual.entrySet().contains(upper), upper.toString());
      }
    }
  }

  @Test
  void namesEqualButForCaseKeepTheFirstSpellingAndJoinTheirValuesInOrder() {
    Map<String, List<String>> given = new LinkedHashMap<>();
    given.put("set-cookie", List.of("a=1"));
    given.put("Date", List.of("today"));
    given.put("Set-Cookie", List.of("b=2", "c=3"));
    given.put("SET-COOKIE", List.of("d=4"));
    HttpResponse r = HttpResponse.of(200, given, new byte[0], false);

    assertEquals(List.of("Date", "set-cookie"), new ArrayList<>(r.headers().keySet()));
    assertEquals(List.of("a=1", "b=2", "c=3", "d=4"), r.headers().get("SET-cookie"));
    assertEquals("a=1", r.header("Set-Cookie").orElseThrow());
    assertFalse(r.header("Retry-After").isPresent());
  }

  @Test
  void theHeadersCannotBeChangedThroughTheAnswerOrTheGivenMap() {
    Map<String, List<String>> given = new HashMap<>();
    List<String> values = new ArrayList<>(List.of("application/json"));
    given.put("Content-Type", values);
    given.put("X-Request-Id", new ArrayList<>(List.of("abc")));
    HttpResponse r = HttpResponse.of(200, given, new byte[0], false);
    Map<String, List<String>> h = r.headers();

    values.add("text/plain");
    given.put("X-New", List.of("1"));
    assertEquals(List.of("application/json"), h.get("content-type"));
    assertNull(h.get("x-new"));
    assertThrows(UnsupportedOperationException.class, () -> h.put("A", List.of("1")));
    assertThrows(UnsupportedOperationException.class, () -> h.remove("absent"));
    assertThrows(UnsupportedOperationException.class, () -> h.remove("Content-Type"));
    assertThrows(UnsupportedOperationException.class, h::clear);
    assertThrows(UnsupportedOperationException.class, () -> h.get("Content-Type").add("x"));
    assertThrows(UnsupportedOperationException.class, () -> h.entrySet().iterator().next().setValue(List.of()));
    assertThrows(UnsupportedOperationException.class, () -> h.keySet().remove("Content-Type"));
    assertThrows(UnsupportedOperationException.class, () -> h.replaceAll((k, v) -> v));
    assertEquals(2, h.size());
  }

  @Test
  void lookupsFailLikeTheTreeDid() {
    Map<String, List<String>> one = HttpResponse.of(200, Map.of("A", List.of("1")), new byte[0], false).headers();
    Map<String, List<String>> none = HttpResponse.of(200, Map.of(), new byte[0], false).headers();
    Map<String, List<String>> tree = treeCopy(Map.of("A", List.of("1")));
    Map<String, List<String>> emptyTree = treeCopy(Map.of());

    assertThrows(NullPointerException.class, () -> tree.get(null));
    assertThrows(NullPointerException.class, () -> one.get(null));
    assertThrows(ClassCastException.class, () -> tree.get(1));
    assertThrows(ClassCastException.class, () -> one.get(1));
    assertNull(emptyTree.get(null));
    assertNull(none.get(null));
    assertNull(none.get(1));
    assertThrows(NullPointerException.class, () -> HttpResponse.of(200, Collections.singletonMap("A", null), new byte[0], false));
    assertThrows(NullPointerException.class,
        () -> HttpResponse.of(200, Map.of("A", Arrays.asList("1", null)), new byte[0], false));
  }

  // ---- requests ---------------------------------------------------------------------------------------

  private static HttpRequest request() {
    return HttpRequest.builder("POST", URI.create("https://cph.example.com/v1/p"))
        .header("User-Agent", "ua")
        .header("Accept", "application/json")
        .header("X-Dup", "1")
        .header("x-dup", "2")
        .header("Authorization", "old")
        .body("{}".getBytes(StandardCharsets.UTF_8))
        .timeout(Duration.ofSeconds(7))
        .connectTimeout(Duration.ofSeconds(3))
        .maxResponseBytes(1234)
        .build();
  }

  @Test
  void settingHeadersInOneCopyGivesWhatTheBuilderChainGives() {
    HttpRequest base = request();
    String[][] cases = {
        {},
        {"X-New", "1"},
        {"x-dup", "3"},
        {"Authorization", "new", "X-Sdk-Date", "d"},
        {"X-Sdk-Date", "d", "X-Project-Id", "p", "X-Security-Token", "t", "Authorization", "sig"},
        {"A", "1", "a", "2"}, // the same name twice: the last one stays, as with two setHeader calls
        {"A", "1", "B", "2", "A", "3"},
    };
    for (String[] c : cases) {
      HttpRequest.Builder chain = base.toBuilder();
      for (int i = 0; i < c.length; i += 2) {
        chain.setHeader(c[i], c[i + 1]);
      }
      HttpRequest expected = chain.build();
      HttpRequest actual = base.withHeaders(c);
      assertEquals(expected.headers(), actual.headers(), Arrays.toString(c));
      assertSameExceptHeaders(base, actual);
    }
    assertEquals(base.toBuilder().setHeader("x-DUP", "9").build().headers(), base.withHeader("x-DUP", "9").headers());
  }

  @Test
  void headersSetInOneCopyAreCheckedLikeSetHeader() {
    HttpRequest base = request();
    IllegalArgumentException chain = assertThrows(IllegalArgumentException.class,
        () -> base.toBuilder().setHeader("X-A", "ok").setHeader("X-B", "bad\r\nX-Evil: 1"));
    IllegalArgumentException fast = assertThrows(IllegalArgumentException.class,
        () -> base.withHeaders("X-A", "ok", "X-B", "bad\r\nX-Evil: 1"));
    assertEquals(chain.getMessage(), fast.getMessage());
    assertFalse(fast.getMessage().contains("Evil"), "the value is never echoed");
    assertThrows(IllegalArgumentException.class, () -> base.withHeader("Bad Name", "v"));
    assertThrows(IllegalArgumentException.class, () -> base.withHeader("X-A", "caf\u00e9"));
    assertThrows(NullPointerException.class, () -> base.withHeader("X-A", null));
  }

  @Test
  void requestHeadersAreAnUnmodifiableSnapshot() {
    HttpRequest.Builder b = HttpRequest.builder("GET", URI.create("https://cph.example.com/")).header("A", "1");
    HttpRequest r = b.build();
    b.header("B", "2").removeHeader("A");
    assertEquals(List.of(Map.entry("A", "1")), r.headers());
    assertEquals(List.of(Map.entry("B", "2")), b.build().headers());
    List<Map.Entry<String, String>> h = r.withHeader("C", "3").headers();
    assertEquals(2, h.size());
    assertEquals(Map.entry("C", "3"), h.get(1));
    assertThrows(UnsupportedOperationException.class, () -> h.add(Map.entry("D", "4")));
    assertThrows(UnsupportedOperationException.class, () -> h.remove(0));
    assertThrows(UnsupportedOperationException.class, () -> h.set(0, Map.entry("D", "4")));
    assertThrows(UnsupportedOperationException.class, h::clear);
    assertThrows(IndexOutOfBoundsException.class, () -> h.get(2));
    assertThrows(IndexOutOfBoundsException.class, () -> h.get(-1));
    assertArrayEquals(new Object[] {Map.entry("A", "1"), Map.entry("C", "3")}, h.toArray());
    assertEquals("[A=1, C=3]", h.toString());
    // toBuilder starts from every header, and changing it leaves the request as it was
    HttpRequest.Builder again = r.withHeader("C", "3").toBuilder();
    again.removeHeader("a");
    assertEquals(List.of(Map.entry("C", "3")), again.build().headers());
    assertEquals(2, h.size());
  }

  private static void assertSameExceptHeaders(HttpRequest a, HttpRequest b) {
    assertEquals(a.method(), b.method());
    assertEquals(a.uri(), b.uri());
    assertArrayEquals(a.body(), b.body());
    assertEquals(a.timeout(), b.timeout());
    assertEquals(a.connectTimeout(), b.connectTimeout());
    assertEquals(a.maxResponseBytes(), b.maxResponseBytes());
  }
}
