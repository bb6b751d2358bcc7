package io.github.cphsdk.internal.json;

import java.util.Arrays;
import java.util.List;

/**
 * A minimal writer of compact UTF-8 JSON for the request bodies, which are a flat object of strings,
 * numbers and string arrays: no generator, context or buffer pool to set up per call, one array copy at
 * the end. Strings are escaped as RFC 8259 requires (quote, backslash, control characters); other text is
 * written as UTF-8 except surrogates, which become {@code \\u} escapes: byte for byte what Jackson's generator
 * wrote before (and what the official SDK sends), and valid JSON even for a lone surrogate.
 */
final class JsonText {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private byte[] buf;
  private int len;
  private boolean needComma;

  JsonText(int sizeHint) {
    buf = new byte[Math.max(16, sizeHint)];
  }

  JsonText startObject() {
    put('{');
    needComma = false;
    return this;
  }

  JsonText endObject() {
    put('}');
    needComma = true;
    return this;
  }

  JsonText field(String name, String value) {
    name(name);
    string(value);
    return this;
  }

  JsonText field(String name, long value) {
    name(name);
    String digits = Long.toString(value);
    for (int i = 0; i < digits.length(); i++) {
      put(digits.charAt(i));
    }
    return this;
  }

  JsonText field(String name, List<String> values) {
    name(name);
    put('[');
    for (int i = 0, n = values.size(); i < n; i++) {
      if (i > 0) {
        put(',');
      }
      string(values.get(i));
    }
    put(']');
    return this;
  }

  /** The JSON; the buffer itself when the size hint was exact (the writer is not used afterwards). */
  byte[] toBytes() {
    return len == buf.length ? buf : Arrays.copyOf(buf, len);
  }

  private void name(String name) {
    if (needComma) {
      put(',');
    }
    string(name);
    put(':');
    needComma = true;
  }

  private void string(String s) {
    put('"');
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c == '"' || c == '\\') {
          put('\\');
          put(c);
        } else if (c < 0x20) {
          escapeControl(c);
        } else {
          put(c);
        }
      } else if (c < 0x800) {
        put(0xc0 | (c >> 6));
        put(0x80 | (c & 0x3f));
      } else if (Character.isSurrogate(c)) {
        unicodeEscape(c); // as Jackson writes them (pairs too); a lone one has no UTF-8 form anyway
      } else {
        put(0xe0 | (c >> 12));
        put(0x80 | ((c >> 6) & 0x3f));
        put(0x80 | (c & 0x3f));
      }
    }
    put('"');
  }

  private void escapeControl(char c) {
    switch (c) {
      case '\n':
        put('\\');
        put('n');
        break;
      case '\r':
        put('\\');
        put('r');
        break;
      case '\t':
        put('\\');
        put('t');
        break;
      case '\b':
        put('\\');
        put('b');
        break;
      case '\f':
        put('\\');
        put('f');
        break;
      default:
        unicodeEscape(c);
    }
  }

  private void unicodeEscape(char c) {
    put('\\');
    put('u');
    put(HEX[(c >> 12) & 0xf]);
    put(HEX[(c >> 8) & 0xf]);
    put(HEX[(c >> 4) & 0xf]);
    put(HEX[c & 0xf]);
  }

  private void put(int b) {
    if (len == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    buf[len++] = (byte) b;
  }
}
