package io.github.cphsdk.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON codec: Jackson's streaming API over one shared {@link JsonFactory}, no data binding and no
 * reflection. Writers produce compact UTF-8 with the wire field order; readers ignore unknown fields and
 * tolerate explicit {@code null}s.
 */
public final class Json {
  /** Shared, thread-safe; nesting and string sizes bounded so a hostile answer cannot exhaust the stack. */
  static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1_048_576).build())
      .build();

  private Json() {}

  /** Starts a compact generator over {@code out}. */
  public static JsonGenerator generator(ByteArrayOutputStream out) throws IOException {
    return FACTORY.createGenerator(out);
  }

  /** Starts a parser over {@code body}. */
  public static JsonParser parser(byte[] body) throws IOException {
    return FACTORY.createParser(body);
  }

  /** The push body, fields in the order the official SDK sends them; {@code pre_install_app} as 1/0 or absent. */
  public static byte[] shareAppsBody(ShareAppsRequest request) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + request.serverIds().size() * 36);
    try (JsonGenerator g = generator(out)) {
      g.writeStartObject();
      g.writeStringField("package_name", request.packageName());
      if (request.preInstallApp().isPresent()) {
        g.writeNumberField("pre_install_app", request.preInstallApp().get() ? 1 : 0);
      }
      g.writeStringField("bucket_name", request.bucketName());
      g.writeStringField("object_path", request.objectPath());
      writeStringArray(g, "server_ids", request.serverIds());
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to memory failed", e);
    }
    return out.toByteArray();
  }

  /** Writes {@code "name":["a","b"]}. */
  public static void writeStringArray(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  /**
   * Reads a push (or delete) answer. {@code fallbackRequestId} (the {@code X-Request-Id} header) is used
   * when the body has no {@code request_id}.
   *
   * @throws IOException when the body is not a JSON object
   */
  public static ShareAppsResponse shareAppsResponse(byte[] body, String fallbackRequestId) throws IOException {
    ShareAppsResponse.Builder b = ShareAppsResponse.builder();
    String requestId = null;
    try (JsonParser p = parser(body)) {
      expectObject(p);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("request_id".equals(field)) {
          requestId = scalarText(p, value);
        } else if ("jobs".equals(field) && value == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            b.addJobs(serverJob(p));
          }
        } else {
          p.skipChildren();
        }
      }
    }
    String id = requestId != null ? requestId : fallbackRequestId;
    if (id != null) {
      b.requestId(id);
    }
    return b.build();
  }

  private static ServerJob serverJob(JsonParser p) throws IOException {
    ServerJob.Builder job = ServerJob.builder();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      String text = scalarText(p, p.nextToken());
      if (text == null) {
        continue;
      }
      switch (field) {
        case "server_id":
          job.serverId(text);
          break;
        case "job_id":
          job.jobId(text);
          break;
        case "error_code":
          job.errorCode(text);
          break;
        case "error_msg":
          job.errorMsg(text);
          break;
        default:
          break;
      }
    }
    return job.build();
  }

  /** The text of a scalar value (numbers and booleans as written), {@code null} for null, objects and arrays skipped. */
  public static String scalarText(JsonParser p, JsonToken token) throws IOException {
    if (token == null || token == JsonToken.VALUE_NULL) {
      return null;
    }
    if (token.isStructStart()) {
      p.skipChildren();
      return null;
    }
    return p.getText();
  }

  /** Moves to the opening brace of the top-level object or throws. */
  public static void expectObject(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException("expected a JSON object");
    }
  }
}
