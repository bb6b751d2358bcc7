package io.github.cphsdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.cphsdk.internal.jobs.JobPaging;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one percent-encoder: RFC 3986 unreserved set, UTF-8 bytes as upper-case %XX, decoding that keeps strays. */
class PercentEncodingTest {

  private static final String UNRESERVED =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";

  @Test
  void unreservedIsExactlyTheRfc3986Set() {
    for (int c = -1; c < 256; c++) {
      assertEquals(c >= 0 && UNRESERVED.indexOf(c) >= 0, PercentEncoding.isUnreserved(c), "char " + c);
    }
    assertSame(UNRESERVED, PercentEncoding.encode(UNRESERVED), "nothing to encode: the same string");
    assertSame("", PercentEncoding.encode(""));
  }

  @Test
  void everyOtherAsciiCharacterIsOneUpperCaseEscape() {
    for (char c = 0; c < 128; c++) {
      if (UNRESERVED.indexOf(c) < 0) {
        assertEquals(String.format("%%%02X", (int) c), PercentEncoding.encode(String.valueOf(c)), "char " + (int) c);
      }
    }
    assertEquals("a%20b%2Bc%2Cd%2Fe%3Df%26g%25h", PercentEncoding.encode("a b+c,d/e=f&g%h"));
  }

  @Test
  void nonAsciiIsEncodedAsItsUtf8Bytes() {
    assertEquals("%C3%A9", PercentEncoding.encode("\u00e9"));
    assertEquals("%E4%BD%A0%E5%A5%BD", PercentEncoding.encode("\u4f60\u597d"));
    assertEquals("x%F0%9F%98%80y", PercentEncoding.encode("x\ud83d\ude00y"));
  }

  @Test
  void decodingTakesEitherHexCaseAndKeepsWhatIsNoEscape() {
    assertSame("plain+text", PercentEncoding.decode("plain+text"), "no percent: the same string, + stays a plus");
    assertEquals("a b/\u00e9", PercentEncoding.decode("a%20b%2f%C3%a9"));
    assertEquals("%zz%", PercentEncoding.decode("%zz%"));
    assertEquals("x%4", PercentEncoding.decode("x%4"));
    assertEquals("A%", PercentEncoding.decode("%41%"));
    assertEquals("\ufffd", PercentEncoding.decode("%FF"), "bytes that are not UTF-8 become U+FFFD");
    assertEquals("..", PercentEncoding.decode("%2e%2E"));
  }

  @Test
  void decodeUndoesEncode() {
    Random random = new Random(14);
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int n = random.nextInt(12); n > 0; n--) {
        int kind = random.nextInt(4);
        sb.append(kind == 0 ? (char) random.nextInt(128) : kind == 1 ? UNRESERVED.charAt(random.nextInt(66))
            : kind == 2 ? (char) (0xa0 + random.nextInt(0x2000)) : "%+ ,".charAt(random.nextInt(4)));
      }
      String s = sb.toString();
      String encoded = PercentEncoding.encode(s);
      for (int j = 0; j < encoded.length(); j++) {
        char c = encoded.charAt(j);
        assertEquals(true, c == '%' || PercentEncoding.isUnreserved(c) || Character.isDigit(c), encoded);
      }
      assertEquals(s, PercentEncoding.decode(encoded), encoded);
    }
  }

  @Test
  void jobListingQueriesEncodeTheCommaBetweenIds() {
    assertEquals("request_ids=a%2Cb~c&offset=0&limit=100", JobPaging.query(List.of("a", "b~c"), 0, 100));
    assertEquals("request_id=r%2F1&offset=100&limit=100", JobPaging.query(List.of("r/1"), 100, 100));
  }
}
