package io.github.cphsdk.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What an error answer says, whatever its shape: CPS and API gateway bodies
 * ({@code {"error_code","error_msg","request_id"}}), IAM's nested {@code {"error":{"code","message","title"}}},
 * or something that is not JSON at all (an HTML page from a proxy), kept as a short printable snippet.
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

  private ErrorBody(String errorCode, String errorMessage, String requestId, String snippet) {
    this(errorCode, errorMessage, requestId, snippet, false);
  }

  private ErrorBody(String errorCode, String errorMessage, String requestId, String snippet, boolean jsonObject) {
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
    this.requestId = requestId;
    this.snippet = snippet;
    this.jsonObject = jsonObject;
  }

  /** Reads whatever the body holds; never throws. */
  public static ErrorBody parse(byte[] body) {
    if (body.length == 0) {
      return new ErrorBody(null, null, null, null);
    }
    try (JsonParser p = Json.parser(body)) {
      Json.expectObject(p);
      String code = null;
      String message = null;
      String requestId = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("error".equals(field) && value == JsonToken.START_OBJECT) {
          String[] nested = nested(p);
          code = code != null ? code : nested[0];
          message = message != null ? message : nested[1];
          continue;
        }
        String text = Json.scalarText(p, value);
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
      if (code == null && message == null && requestId == null) {
        return new ErrorBody(null, null, null, snippet(body), true);
      }
      return new ErrorBody(code, message, requestId, null, true);
    } catch (IOException | RuntimeException notJson) {
      return new ErrorBody(null, null, null, snippet(body));
    }
  }

  /** IAM's {@code {"code":401,"message":"...","title":"Unauthorized"}}: code (else title) and message. */
  private static String[] nested(JsonParser p) throws IOException {
    String code = null;
    String title = null;
    String message = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      String text = Json.scalarText(p, p.nextToken());
      if ("code".equals(field)) {
        code = text;
      } else if ("message".equals(field)) {
        message = text;
      } else if ("title".equals(field)) {
        title = text;
      }
    }
    return new String[] {code != null ? code : title, message};
  }

  /** The first characters of the body, whitespace folded and control characters dropped. */
  static String snippet(byte[] body) {
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
