package io.github.cphsdk.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.cphsdk.model.DeleteShareAppsRequest;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON codec: Jackson's streaming API over one shared {@link JsonFactory}, no data binding and no
 * reflection. Writers produce compact UTF-8 with the wire field order; readers ignore unknown fields and
 * tolerate explicit {@code null}s.
 */
public final class Json {
  /**
   * Shared, thread-safe; nesting, string and number sizes bounded ({@link JsonLimits}) so a hostile answer
   * cannot exhaust the stack, on every jackson-core from 2.12 on.
   */
  static final JsonFactory FACTORY = JsonLimits.factory();

  private Json() {}

  /** Starts a compact generator over {@code out}. */
  public static JsonGenerator generator(ByteArrayOutputStream out) throws IOException {
    return FACTORY.createGenerator(out);
  }

  /**
   * Starts a parser over {@code body} from its position to its limit, bounded by {@link JsonLimits}. A buffer
   * with an accessible array is parsed over that array. A read-only view (what {@code HttpResponse.bodyBuffer()}
   * gives) has none, so it is read through a stream, and Jackson copies the bytes into its own input buffer as it
   * goes. Moves the buffer's position as it reads.
   */
  public static JsonParser parser(ByteBuffer body) throws IOException {
    if (body.hasArray()) {
      return JsonLimits.bound(FACTORY.createParser(body.array(), body.arrayOffset() + body.position(),
          body.remaining()));
    }
    return JsonLimits.bound(FACTORY.createParser(new BufferInput(body)));
  }

  /** A buffer read as a stream: each read copies from the buffer into the caller's array. */
  private static final class BufferInput extends InputStream {
    private final ByteBuffer buffer;

    BufferInput(ByteBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public int read() {
      return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      int n = Math.min(length, buffer.remaining());
      if (n == 0) {
        return -1;
      }
      buffer.get(into, offset, n);
      return n;
    }

    @Override
    public int available() {
      return buffer.remaining();
    }
  }

  /** The push body, fields in the order the official SDK sends them; {@code pre_install_app} as 1/0 or absent. */
  public static byte[] shareAppsBody(ShareAppsRequest request) {
    // The exact length unless something needs escaping (then the buffer grows): no copy at the end.
    // {"package_name":"","pre_install_app":1,"bucket_name":"","object_path":"","server_ids":[]} less the flag: 69
    List<String> ids = request.serverIds();
    int size = 69 + (request.preInstallApp().isPresent() ? 20 : 0) + request.packageName().length()
        + request.bucketName().length() + request.objectPath().length() + Math.max(0, ids.size() - 1);
    for (int i = 0, n = ids.size(); i < n; i++) {
      size += ids.get(i).length() + 2;
    }
    JsonText w = new JsonText(size).startObject()
        .field("package_name", request.packageName());
    if (request.preInstallApp().isPresent()) {
      w.field("pre_install_app", request.preInstallApp().get() ? 1 : 0);
    }
    return w.field("bucket_name", request.bucketName())
        .field("object_path", request.objectPath())
        .field("server_ids", request.serverIds())
        .endObject()
        .toBytes();
  }

  /** The delete body: {@code {"package_name":..,"server_ids":[..]}}. */
  public static byte[] deleteShareAppsBody(DeleteShareAppsRequest request) {
    return new JsonText(64 + request.serverIds().size() * 36).startObject()
        .field("package_name", request.packageName())
        .field("server_ids", request.serverIds())
        .endObject()
        .toBytes();
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
   * Reads a push (or delete) answer from the buffer (such as {@code HttpResponse.bodyBuffer()}; see
   * {@link #parser(ByteBuffer)}). {@code fallbackRequestId} (the {@code X-Request-Id} header) is used when the body
   * has no {@code request_id}.
   *
   * @throws IOException when the body is not a JSON object
   */
  public static ShareAppsResponse shareAppsResponse(ByteBuffer body, String fallbackRequestId) throws IOException {
    ShareAppsResponse.Builder b = ShareAppsResponse.builder();
    String id = envelope(body, Json::serverJob, b::addJobs);
    if (id != null && !id.isEmpty()) {
      b.requestId(id).requestIdSource(ShareAppsResponse.RequestIdSource.BODY);
    } else if (fallbackRequestId != null && !fallbackRequestId.isEmpty()) {
      b.requestId(fallbackRequestId).requestIdSource(ShareAppsResponse.RequestIdSource.HEADER);
    } else {
      b.requestIdSource(ShareAppsResponse.RequestIdSource.NONE);
    }
    return b.build();
  }

  /** Reads one element of a {@code jobs} array, positioned on its opening brace. */
  @FunctionalInterface
  private interface ElementReader<T> {
    T read(JsonParser p) throws IOException;
  }

  /**
   * Reads the envelope every answer of this API shares: {@code {"request_id": ..., "jobs": [{...}, ...]}},
   * handing each job object to {@code reader} and the result to {@code sink}. Unknown fields and array
   * elements that are not objects are skipped.
   *
   * @return the body's {@code request_id}, or {@code null}
   */
  private static <T> String envelope(ByteBuffer body, ElementReader<T> reader, java.util.function.Consumer<T> sink)
      throws IOException {
    String requestId = null;
    try (JsonParser p = parser(body)) {
      expectObject(p);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("request_id".equals(field)) {
          requestId = scalarText(p, value);
        } else if ("jobs".equals(field) && value == JsonToken.START_ARRAY) {
          JsonToken t;
          while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            if (t == JsonToken.START_OBJECT) {
              sink.accept(reader.read(p));
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }
    return requestId;
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

  /**
   * Reads a "show job" answer from the buffer (such as {@code HttpResponse.bodyBuffer()}; see
   * {@link #parser(ByteBuffer)}): the job's fields at the top level. Its request id is the body's (the request
   * that started the job), never this call's header.
   *
   * @throws IOException when the body is not a JSON object
   */
  public static Job job(ByteBuffer body) throws IOException {
    try (JsonParser p = parser(body)) {
      expectObject(p);
      return jobFields(p);
    }
  }

  /**
   * Reads one page of a "list jobs" answer ({@code request_id}, {@code jobs[]}) from the buffer (such as
   * {@code HttpResponse.bodyBuffer()}; see {@link #parser(ByteBuffer)}). {@code fallbackRequestId} (the
   * {@code X-Request-Id} header) is used when the body has no {@code request_id}.
   *
   * @throws IOException when the body is not a JSON object
   */
  public static JobList jobList(ByteBuffer body, String fallbackRequestId) throws IOException {
    JobList.Builder b = JobList.builder();
    String id = envelope(body, Json::jobFields, b::addJobs);
    id = id != null ? id : fallbackRequestId;
    if (id != null) {
      b.requestId(id);
    }
    return b.build();
  }

  /** Reads the fields of a job object whose opening brace was just read, up to its closing brace. */
  private static Job jobFields(JsonParser p) throws IOException {
    Job.Builder job = Job.builder();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken token = p.nextToken();
      String text = scalarText(p, token);
      if (text == null) {
        continue;
      }
      switch (field) {
        case "job_id":
          job.jobId(text);
          break;
        case "request_id":
          job.requestId(text);
          break;
        case "server_id":
          job.serverId(text);
          break;
        case "phone_id":
          job.phoneId(text);
          break;
        case "begin_time":
          job.beginTimeText(text);
          instant(text).ifPresent(job::beginTime);
          break;
        case "end_time":
          job.endTimeText(text);
          instant(text).ifPresent(job::endTime);
          break;
        case "status":
          statusCode(text, token).ifPresent(job::statusCode);
          break;
        case "error_code":
          job.errorCode(text);
          break;
        case "error_msg":
          job.errorMsg(text);
          break;
        case "execute_msg":
          job.executeMsg(text);
          break;
        default:
          break;
      }
    }
    return job.build();
  }

  /** An integral status as a number or a numeric string; anything else is no status (so: unknown). */
  private static java.util.OptionalInt statusCode(String text, JsonToken token) {
    if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
      return java.util.OptionalInt.empty();
    }
    try {
      return java.util.OptionalInt.of(Integer.parseInt(text.trim()));
    } catch (NumberFormatException e) {
      return java.util.OptionalInt.empty();
    }
  }

  /**
   * UTC {@code yyyy-MM-ddTHH:mm:ssZ} (or any ISO instant or offset date-time); unreadable times are empty here
   * and kept as text ({@code Job.beginTimeText()}).
   */
  private static java.util.Optional<Instant> instant(String text) {
    try {
      return java.util.Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      try {
        return java.util.Optional.of(OffsetDateTime.parse(text).toInstant());
      } catch (DateTimeParseException e2) {
        return java.util.Optional.empty();
      }
    }
  }

  /** Joins pages: each job id once (the later listing wins, in the first listing's place); id-less jobs all kept. */
  public static JobList join(List<JobList> pages) {
    Map<Object, Job> jobs = new LinkedHashMap<>();
    for (JobList page : pages) {
      for (Job j : page.jobs()) {
        jobs.put(j.jobId().isEmpty() ? new Object() : j.jobId(), j);
      }
    }
    return JobList.builder().requestId(pages.isEmpty() ? "" : pages.get(0).requestId()).addAllJobs(jobs.values())
        .build();
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
