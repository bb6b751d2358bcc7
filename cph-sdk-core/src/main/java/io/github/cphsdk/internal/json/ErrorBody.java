package io.github.cphsdk.internal.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What an error answer says, whatever its shape: CPS and API gateway bodies
 * ({@code {"error_code","error_msg","request_id"}}), IAM's nested {@code {"error":{"code","message","title"}}},
 * or something that is not JSON at all (an HTML page from a proxy), kept as a short printable snippet. The one
 * reader of error answers: the call pipeline and the IAM login both read them here, through the bounded parser
 * of {@link Json}. One pass over the body serves two readings, which differ where the services differ:
 * <ul>
 *   <li>{@link #parse} (CPS, through the API gateway): the flat fields, under any of their spellings, win; the
 *       nested object fills what they leave out; values are kept as they are.</li>
 *   <li>{@link #parseIam} (IAM's token answers): the nested object is IAM's own and wins over flat gateway fields;
 *       its code counts only as text (a number there repeats the HTTP status), its title stands in for a missing
 *       message; blank values count as absent; only {@code error_code}, {@code error_msg} and {@code request_id}
 *       are read flat.</li>
 * </ul>
 */
public final class ErrorBody {
  static final int SNIPPET_CHARS = 200;

  /** The service's code, e.g. {@code CPS.0148}, or {@code null}. */
  public final String errorCode;
  /** The service's message, or {@code null}. */
  public final String errorMessage;
  /** The request id in the body, or {@code null}. */
  public final String requestId;
  /** For answers that were not a recognised JSON error: a short printable start of the body, else {@code null}. */
  public final String snippet;
  /** Whether the body was a JSON object (with or without error fields; with null ones, say). */
  public final boolean jsonObject;

  private ErrorBody(String errorCode, String errorMessage, String requestId, String snippet, boolean jsonObject) {
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
    this.requestId = requestId;
    this.snippet = snippet;
    this.jsonObject = jsonObject;
  }

  /**
   * Reads whatever the body holds (from its position to its limit, which stay as they are), as CPS and the API
   * gateway write errors; never throws.
   */
  public static ErrorBody parse(ByteBuffer body) {
    return read(body, false);
  }

  /**
   * Reads whatever the body holds (from its position to its limit, which stay as they are), as IAM writes errors
   * (see the class comment); never throws.
   */
  public static ErrorBody parseIam(ByteBuffer body) {
    return read(body, true);
  }

  private static ErrorBody read(ByteBuffer body, boolean iam) {
    if (!body.hasRemaining()) {
      return new ErrorBody(null, null, null, null, false);
    }
    Fields f = new Fields(iam);
    try (JsonParser p = Json.parser(body.duplicate())) {
      Json.expectObject(p);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("error".equals(field) && value == JsonToken.START_OBJECT) {
          f.nested(p);
        } else {
          f.flat(field, Json.scalarText(p, value));
        }
      }
    } catch (IOException | RuntimeException notJson) {
      return new ErrorBody(null, null, null, snippet(body), false);
    }
    return f.result(body);
  }

  /** The fields of one error body as one of the two readings takes them (see the class comment). */
  private static final class Fields {
    private final boolean iam;
    /** CPS: the code and message so far. IAM: the flat {@code error_code} and {@code error_msg}. */
    private String code;
    private String message;
    private String requestId;
    /** IAM only: the nested object's code (text only), message and title, the last of each. */
    private String nestedCode;
    private String nestedMessage;
    private String nestedTitle;

    Fields(boolean iam) {
      this.iam = iam;
    }

    /** A top-level field that is not the nested error object. */
    void flat(String field, String text) {
      if (iam) {
        text = blankIsNull(text);
        if ("error_code".equals(field)) {
          code = text;
        } else if ("error_msg".equals(field)) {
          message = text;
        } else if ("request_id".equals(field)) {
          requestId = text;
        }
        return;
      }
      switch (field) {
        case "error_code":
        case "errorCode":
        case "code":
          code = text != null ? text : code;
          break;
        case "error_msg":
        case "error_message":
        case "errorMsg":
        case "message":
          message = text != null ? text : message;
          break;
        case "request_id":
          requestId = text;
          break;
        default:
          break;
      }
    }

    /** IAM's {@code {"code":401,"message":"...","title":"Unauthorized"}}, positioned on its opening brace. */
    void nested(JsonParser p) throws IOException {
      String c = null;
      String m = null;
      String t = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken token = p.nextToken();
        String text = Json.scalarText(p, token);
        if ("code".equals(field)) {
          c = iam ? (token == JsonToken.VALUE_STRING ? blankIsNull(text) : null) : text;
          nestedCode = iam ? c : nestedCode;
        } else if ("message".equals(field)) {
          m = iam ? blankIsNull(text) : text;
          nestedMessage = iam ? m : nestedMessage;
        } else if ("title".equals(field)) {
          t = iam ? blankIsNull(text) : text;
          nestedTitle = iam ? t : nestedTitle;
        }
      }
      if (!iam) { // the nested object only fills in what no field before it gave
        code = code != null ? code : c != null ? c : t;
        message = message != null ? message : m;
      }
    }

    ErrorBody result(ByteBuffer body) {
      if (iam) {
        String m = nestedMessage != null ? nestedMessage : nestedTitle;
        String c = nestedCode != null ? nestedCode : code;
        m = m != null ? m : message;
        return new ErrorBody(c, m, requestId, c == null && m == null && requestId == null ? snippet(body) : null,
            true);
      }
      if (code == null && message == null && requestId == null) {
        return new ErrorBody(null, null, null, snippet(body), true);
      }
      return new ErrorBody(code, message, requestId, null, true);
    }

    /** Null, empty or only whitespace ({@code Character.isWhitespace}, as {@code String.isBlank}) is absent. */
    private static String blankIsNull(String s) {
      if (s == null) {
        return null;
      }
      for (int i = 0; i < s.length(); i++) {
        if (!Character.isWhitespace(s.charAt(i))) {
          return s;
        }
      }
      return null;
    }
  }

  /** {@link #snippet(byte[])} of the buffer from its position to its limit (which stay as they are). */
  public static String snippet(ByteBuffer body) {
    int n = Math.min(body.remaining(), SNIPPET_CHARS * 4 + 1); // one more: whether there is more than the start
    byte[] start = new byte[n];
    body.duplicate().get(start);
    return snippet(start);
  }

  /** The first characters of the body, whitespace folded and control characters dropped. */
  public static String snippet(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, SNIPPET_CHARS * 4), StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder();
    boolean space = false;
    for (int i = 0; i < text.length() && sb.length() < SNIPPET_CHARS; i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        space = sb.length() > 0;
        continue;
      }
      if (Character.isISOControl(c) || c == '\uFFFD') {
        continue;
      }
      if (space) {
        sb.append(' ');
        space = false;
      }
      sb.append(c);
    }
    if (text.length() > SNIPPET_CHARS || body.length > SNIPPET_CHARS * 4) {
      sb.append("...");
    }
    return sb.toString();
  }
}
