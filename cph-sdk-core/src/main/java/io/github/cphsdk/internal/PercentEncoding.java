package io.github.cphsdk.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one percent-encoder of the SDK (RFC 3986): the AK/SK signer's canonical path and query, the job listing's
 * query values and the endpoint check all go through it. Encoding keeps only the unreserved characters
 * {@code A-Z a-z 0-9 - _ . ~} and writes every other UTF-8 byte as {@code %XX} with upper-case hex; {@code +}
 * is a literal plus, a space is {@code %20}. A ground helper: it uses no type of the SDK.
 */
public final class PercentEncoding {
  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();
  /** The unreserved characters, by ASCII code. */
  private static final boolean[] UNRESERVED = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      UNRESERVED[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~';
    }
  }

  private PercentEncoding() {}

  /**
   * Whether {@code c} is one of the RFC 3986 unreserved characters {@code A-Z a-z 0-9 - _ . ~}.
   *
   * @param c a character (or byte value 0 to 255)
   * @return true when it stays as it is in an encoded text
   */
  public static boolean isUnreserved(int c) {
    return c >= 0 && c < 128 && UNRESERVED[c];
  }

  /**
   * Percent-encodes the UTF-8 bytes of {@code s}, keeping only the unreserved characters.
   *
   * @param s any text
   * @return {@code s} itself when it holds only unreserved characters, else its encoded form (ASCII)
   */
  public static String encode(String s) {
    int n = s.length();
    int i = 0;
    while (i < n && isUnreserved(s.charAt(i))) {
      i++;
    }
    if (i == n) {
      return s;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (isUnreserved(c)) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX_UPPER[c >>> 4]).append(HEX_UPPER[c & 0xf]);
      }
    }
    return sb.toString();
  }

  /**
   * Decodes {@code %XX} escapes (either case of hex) as UTF-8; a {@code %} not followed by two hex digits stays as
   * it is, and so does {@code +}. Escapes that are not UTF-8 become U+FFFD.
   *
   * @param s an encoded text
   * @return {@code s} itself when it has no {@code %}, else the decoded text
   */
  public static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    int n = s.length();
    int i = 0;
    while (i < n) {
      if (s.charAt(i) == '%' && i + 2 < n && hexValue(s.charAt(i + 1)) >= 0 && hexValue(s.charAt(i + 2)) >= 0) {
        out.write(hexValue(s.charAt(i + 1)) * 16 + hexValue(s.charAt(i + 2)));
        i += 3;
      } else {
        int j = s.indexOf('%', i + 1);
        j = j < 0 ? n : j;
        byte[] plain = s.substring(i, j).getBytes(StandardCharsets.UTF_8);
        out.write(plain, 0, plain.length);
        i = j;
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
