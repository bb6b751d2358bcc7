package io.github.cphsdk.http;

import java.util.Objects;

/** Header name and value checks shared by the request builder. Values are never echoed: they may be secrets. */
final class HeaderRules {
  private HeaderRules() {}

  static void check(String name, String value) {
    Objects.requireNonNull(name, "header name");
    Objects.requireNonNull(value, () -> "value of header " + printable(name));
    if (!isToken(name)) {
      throw new IllegalArgumentException("header name must be an HTTP token (RFC 9110), got \"" + printable(name) + "\"");
    }
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if ((char) (c - 0x20) <= 0x7e - 0x20) { // printable ASCII, the usual case: one comparison (chars are unsigned)
        continue;
      }
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new IllegalArgumentException("value of header " + name
            + " must not contain CR, LF or other control characters (found one at index " + i + ")");
      }
      if (c > 0x7e) {
        // java.net.http writes such characters as '?', HttpURLConnection as Latin-1 bytes: the value on the
        // wire would differ from the value given (and from what a signature covered).
        throw new IllegalArgumentException("value of header " + name
            + " must be ASCII text (found a character above U+007E at index " + i + ")");
      }
    }
  }

  /** The token characters of RFC 9110 (letters, digits and {@code !#$%&'*+-.^_`|~}), by ASCII code. */
  private static final boolean[] TOKEN = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      TOKEN[c] = true;
      TOKEN[Character.toUpperCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      TOKEN[c] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TOKEN[c] = true;
    }
  }

  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 128 || !TOKEN[c]) {
        return false;
      }
    }
    return true;
  }

  /** A short, printable rendering of a non-secret string for error messages. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 64; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (s.length() > 64) {
      sb.append("...");
    }
    return sb.toString();
  }
}
