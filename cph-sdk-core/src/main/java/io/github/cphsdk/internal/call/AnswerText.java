package io.github.cphsdk.internal.call;

import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.internal.json.ErrorBody;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;

/**
 * An answer's body as the UTF-8 the JSON readers take: decoded by the charset its {@code Content-Type} declares
 * (such as ISO-8859-1), and with bytes that are not UTF-8 replaced by U+FFFD rather than failing the whole answer,
 * so one bad byte in a message does not lose the job ids of an accepted push. UTF-8 answers (nearly all) are
 * returned as they are, without a copy. Also names a {@code Content-Encoding} the SDK never asks for.
 */
final class AnswerText {
  private AnswerText() {}

  /** The answer itself when its body is already UTF-8 (or ASCII); else a copy with the body re-encoded. */
  static HttpResponse asUtf8(HttpResponse response) {
    ByteBuffer body = response.bodyBuffer(); // read in place with absolute gets: its position stays 0
    Charset declared = declaredCharset(response.header("Content-Type").orElse(null));
    if (declared == null || declared.equals(StandardCharsets.UTF_8)) {
      if (ascii(body) || strictUtf8(body)) {
        return response;
      }
      declared = StandardCharsets.UTF_8;
    } else if (ascii(body) && asciiCompatible(declared)) {
      return response;
    }
    byte[] utf8;
    try {
      CharBuffer text = declared.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(body);
      utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      return response; // cannot happen with REPLACE; the reader reports the body as it is
    }
    return HttpResponse.of(response.statusCode(), response.headers(), utf8, response.bodyTruncated());
  }

  /**
   * The {@code Content-Encoding} of the answer when it is one the SDK did not ask for (it asks for none:
   * anything but {@code identity}), else {@code null}.
   */
  static String unrequestedEncoding(HttpResponse response) {
    String encoding = response.header("Content-Encoding").orElse(null);
    if (encoding == null) {
      return null;
    }
    String e = encoding.trim();
    return e.isEmpty() || e.equalsIgnoreCase("identity") ? null : ErrorBody.snippet(e.getBytes(StandardCharsets.UTF_8));
  }

  /** The charset parameter of a Content-Type, or {@code null} when none, or one this JVM does not know. */
  static Charset declaredCharset(String contentType) {
    if (contentType == null) {
      return null;
    }
    for (String parameter : contentType.split(";")) {
      String p = parameter.trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("charset")) {
        String name = p.substring(eq + 1).trim();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
          name = name.substring(1, name.length() - 1);
        }
        try {
          return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static boolean ascii(ByteBuffer body) {
    for (int i = 0, n = body.limit(); i < n; i++) {
      if (body.get(i) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean asciiCompatible(Charset charset) {
    String name = charset.name();
    return name.equals("ISO-8859-1") || name.equals("US-ASCII") || name.startsWith("windows-125")
        || name.startsWith("ISO-8859-");
  }

  private static boolean strictUtf8(ByteBuffer body) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(body.duplicate());
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
