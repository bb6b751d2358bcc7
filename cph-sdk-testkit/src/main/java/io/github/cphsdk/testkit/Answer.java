package io.github.cphsdk.testkit;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the emulator answers: status, headers, body. Package-private. */
final class Answer {
  final int status;
  final String contentType;
  final byte[] body;
  /** When positive, the body is {@link #streamedBytes} bytes generated while sending (oversized-body fault). */
  final long streamedBytes;
  final Map<String, String> headers;
  final String requestId;

  private Answer(int status, String contentType, byte[] body, long streamedBytes, Map<String, String> headers,
      String requestId) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    this.streamedBytes = streamedBytes;
    this.headers = headers;
    this.requestId = requestId;
  }

  static Answer json(int status, String json, String requestId) {
    return new Answer(status, "application/json;charset=UTF-8", json.getBytes(StandardCharsets.UTF_8), 0,
        new LinkedHashMap<>(), requestId);
  }

  static Answer error(int status, String errorCode, String errorMessage, String requestId) {
    return json(status, "{\"error_code\":" + Fault.jsonString(errorCode) + ",\"error_msg\":"
        + Fault.jsonString(errorMessage) + ",\"request_id\":\"" + requestId + "\"}", requestId);
  }

  static Answer raw(int status, String contentType, String body, Map<String, String> headers, String requestId) {
    return new Answer(status, contentType, body.replace("{request_id}", requestId).getBytes(StandardCharsets.UTF_8),
        0, new LinkedHashMap<>(headers), requestId);
  }

  static Answer streamed(int status, String contentType, long bytes, Map<String, String> headers,
      String requestId) {
    return new Answer(status, contentType, new byte[0], bytes, new LinkedHashMap<>(headers), requestId);
  }
}
