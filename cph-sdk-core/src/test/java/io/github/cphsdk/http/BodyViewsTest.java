package io.github.cphsdk.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The read-only body views of requests and answers, the no-copy body and the header-adding copy. */
class BodyViewsTest {
  private static final URI URI_ = URI.create("https://cph.example.com/v1/p/x");

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static void assertReadOnlyView(byte[] expected, ByteBuffer view) {
    assertTrue(view.isReadOnly());
    assertFalse(view.hasArray(), "no way to the array behind it");
    assertEquals(0, view.position());
    assertEquals(expected.length, view.limit());
    if (expected.length > 0) {
      assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 'X'));
    }
    assertArrayEquals(expected, bytes(view));
  }

  @Test
  void requestBodyBufferIsAReadOnlyViewEachTimeAfresh() {
    byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    HttpRequest r = HttpRequest.builder("POST", URI_).body(json).build();
    ByteBuffer first = r.bodyBuffer();
    assertReadOnlyView(json, first);
    assertEquals(0, first.remaining(), "the first view was read to its end");
    assertReadOnlyView(json, r.bodyBuffer()); // a new view: the first one's position is its own
    assertReadOnlyView(new byte[0], HttpRequest.builder("GET", URI_).build().bodyBuffer());
  }

  @Test
  void wrapBodyKeepsTheArrayAndBodyCopiesIt() {
    byte[] a = "abc".getBytes(StandardCharsets.US_ASCII);
    HttpRequest wrapped = HttpRequest.builder("POST", URI_).wrapBody(a).build();
    HttpRequest copied = HttpRequest.builder("POST", URI_).body(a).build();
    a[0] = 'X'; // what the javadoc of wrapBody forbids, done here to show there is no copy
    assertArrayEquals("Xbc".getBytes(StandardCharsets.US_ASCII), bytes(wrapped.bodyBuffer()));
    assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), bytes(copied.bodyBuffer()));
    assertEquals(0, HttpRequest.builder("POST", URI_).wrapBody(new byte[0]).build().bodyLength());
    assertThrows(NullPointerException.class, () -> HttpRequest.builder("POST", URI_).wrapBody(null));
  }

  @Test
  void withHeadersTakesPairsAndKeepsTheBody() {
    byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
    HttpRequest base = HttpRequest.builder("POST", URI_).header("A", "1").header("B", "2").body(json).build();
    HttpRequest r = base.withHeaders("a", "x", "C", "3");
    assertEquals(List.of(Map.entry("B", "2"), Map.entry("a", "x"), Map.entry("C", "3")), r.headers());
    assertArrayEquals(json, bytes(r.bodyBuffer()));
    assertEquals(base.headers(), base.withHeaders().headers());
    IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> base.withHeaders("A", "1", "B"));
    assertTrue(odd.getMessage().contains("pairs"), odd.getMessage());
    // a misaligned call puts a value (a token) last: the message gives the count, never the argument
    IllegalArgumentException misaligned = assertThrows(IllegalArgumentException.class,
        () -> base.withHeaders("X-Auth-Token: MIIZsecret-token-text"));
    assertTrue(!misaligned.getMessage().contains("MIIZsecret"), misaligned.getMessage());
    assertTrue(misaligned.getMessage().contains("odd number of arguments (1)"), misaligned.getMessage());
    assertThrows(IllegalArgumentException.class, () -> base.withHeaders("A", "1", null));
    assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "2")), base.headers(), "the request is unchanged");
  }

  @Test
  void answerBodyViewsReadTheKeptBytesWithoutChangingThem() throws IOException {
    byte[] body = "{\"request_id\":\"r\"}".getBytes(StandardCharsets.UTF_8);
    HttpResponse r = HttpResponse.of(200, Map.of(), body, false);
    assertReadOnlyView(body, r.bodyBuffer());
    try (InputStream in = r.bodyInputStream()) {
      assertArrayEquals(body, in.readAllBytes());
    }
    try (InputStream in = r.bodyInputStream()) {
      assertEquals('{', in.read(), "each stream starts at the beginning");
    }
    assertArrayEquals(body, r.body());
    assertReadOnlyView(new byte[0], HttpResponse.of(204, Map.of(), new byte[0], false).bodyBuffer());
  }

  @Test
  void aBuilderNeverChangesTheHeadersOfWhatItBuilt() {
    HttpRequest.Builder b = HttpRequest.builder("GET", URI_).header("A", "1").header("B", "2");
    HttpRequest first = b.build();
    b.removeHeader("B"); // only the last one: the built request still holds the array
    HttpRequest second = b.build();
    b.setHeader("A", "3");
    for (int i = 0; i < 20; i++) { // past the builder's first array
      b.header("X-" + i, "v");
    }
    HttpRequest third = b.build();
    b.removeHeader("x-0").removeHeader("nothing").header("C", "4");
    assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "2")), first.headers());
    assertEquals(List.of(Map.entry("A", "1")), second.headers());
    assertEquals(21, third.headers().size());
    assertEquals(Map.entry("A", "3"), third.headers().get(0));
    assertEquals(Map.entry("X-0", "v"), third.headers().get(1));
    assertEquals(21, b.build().headers().size());
    assertEquals(Map.entry("C", "4"), b.build().headers().get(20));

    HttpRequest.Builder again = first.toBuilder(); // starts from first's array, copies before its first change
    assertEquals(first.headers(), again.build().headers());
    again.removeHeader("a").header("D", "5");
    assertEquals(List.of(Map.entry("B", "2"), Map.entry("D", "5")), again.build().headers());
    assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "2")), first.headers());
    HttpRequest.Builder appended = first.toBuilder().header("E", "6");
    assertEquals(3, appended.build().headers().size());
    assertEquals(2, first.headers().size());
    assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "2")), first.toBuilder().removeHeader("E").build().headers());
  }
}
