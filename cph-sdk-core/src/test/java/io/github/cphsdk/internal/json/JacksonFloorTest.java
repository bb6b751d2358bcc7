package io.github.cphsdk.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.model.ShareAppsResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The limits of {@link JsonLimits} hold on whichever jackson-core is on the class path. The build runs this
 * class twice: with the project's jackson-core (Jackson enforces the limits) and, in the surefire execution
 * {@code jackson-floor} of this module's pom, with the oldest supported jackson-core (2.12.x, which has no
 * {@code StreamReadConstraints}: the SDK enforces them); that run sets {@code cph.jackson.floor} to the
 * version it put on the class path, and this test checks that version is the one loaded.
 */
class JacksonFloorTest {

  @Test
  void theJacksonOnTheClassPathIsTheOneThisRunIsFor() {
    String floor = System.getProperty("cph.jackson.floor");
    String loaded = com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString();
    if (floor != null) {
      assertEquals(floor, loaded, "the floor run must load the oldest supported jackson-core");
      assertEquals(false, JsonLimits.NATIVE, "2.12 has no StreamReadConstraints: the SDK's own checks apply");
    } else {
      assertTrue(JsonLimits.NATIVE, "the build's jackson-core " + loaded + " has StreamReadConstraints");
    }
  }

  @Test
  void aWellFormedAnswerIsRead() throws IOException {
    ShareAppsResponse r = Json.shareAppsResponse(utf8("{\"request_id\":\"r1\",\"extra\":{\"a\":[1,2.5,true,null,"
        + "{\"b\":\"c\"}]},\"jobs\":[{\"server_id\":\"s1\",\"job_id\":\"j1\"},[[1]],{\"server_id\":\"s2\","
        + "\"error_code\":\"CPS.0016\"}]}"), null);
    assertEquals("r1", r.requestId());
    assertEquals(2, r.jobs().size());
    assertEquals("s2", r.jobs().get(1).serverId());
  }

  @Test
  void nestingPastTheLimitIsRefusedEvenInsideSkippedValues() throws IOException {
    int depth = JsonLimits.MAX_DEPTH + 10;
    String deep = "[".repeat(depth) + "]".repeat(depth);
    for (String body : new String[] {"{\"request_id\":\"r\",\"jobs\":[" + deep + "]}", "{\"extra\":" + deep + "}"}) {
      IOException e = assertThrows(IOException.class, () -> Json.shareAppsResponse(utf8(body), null));
      assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
    }
    // just within the limit: read (the envelope and a job object are two levels of it)
    int ok = JsonLimits.MAX_DEPTH - 2;
    Json.shareAppsResponse(utf8("{\"jobs\":[" + "[".repeat(ok) + "]".repeat(ok) + "]}"), null);
  }

  @Test
  void aStringPastTheLimitIsRefused() {
    String huge = "x".repeat(JsonLimits.MAX_STRING + 1);
    IOException e = assertThrows(IOException.class,
        () -> Json.shareAppsResponse(utf8("{\"request_id\":\"" + huge + "\",\"jobs\":[]}"), null));
    assertTrue(e.getMessage().contains("String value length"), e.getMessage());
  }

  @Test
  void aNumberPastTheLimitIsRefused() {
    String digits = "1".repeat(JsonLimits.MAX_NUMBER + 1);
    IOException e = assertThrows(IOException.class,
        () -> Json.job(utf8("{\"job_id\":\"j\",\"status\":" + digits + "}")));
    assertTrue(e.getMessage().contains("Number value length") || e.getMessage().contains("Number length"),
        e.getMessage());
  }

  @Test
  void errorBodiesAndIamAnswersGoThroughTheSameLimits() {
    int depth = JsonLimits.MAX_DEPTH + 10;
    ErrorBody deep = ErrorBody.parse(utf8("{\"error_code\":\"X\",\"extra\":" + "[".repeat(depth)
        + "]".repeat(depth) + "}"));
    assertEquals(null, deep.errorCode, "a body past the limits is not read as a JSON error");
  }

  private static ByteBuffer utf8(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }
}
