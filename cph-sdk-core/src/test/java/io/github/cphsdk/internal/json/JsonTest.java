package io.github.cphsdk.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonTest {
  /** The example body of docs/API.md section 1, byte for byte. */
  static final String DOC_BODY = "{\"package_name\":\"com.miniteck.miniworld\",\"pre_install_app\":1,"
      + "\"bucket_name\":\"bucket\",\"object_path\":\"my_apps/test.tar\",\"server_ids\":"
      + "[\"1234567b8bab40ffb711234cb80d0234\",\"1678567b8bab40f93711234cb80d0764\"]}";

  static ShareAppsRequest.Builder docRequest() {
    return ShareAppsRequest.builder().packageName("com.miniteck.miniworld").bucketName("bucket")
        .objectPath("my_apps/test.tar")
        .addServerIds("1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764");
  }

  @Test
  void pushBodyIsTheDocumentedBytes() {
    byte[] body = Json.shareAppsBody(docRequest().preInstallApp(true).build());
    assertEquals(DOC_BODY, new String(body, StandardCharsets.UTF_8));
  }

  @Test
  void preInstallAppIsZeroWhenFalseAndAbsentWhenUnset() {
    assertEquals(DOC_BODY.replace("\"pre_install_app\":1", "\"pre_install_app\":0"),
        new String(Json.shareAppsBody(docRequest().preInstallApp(false).build()), StandardCharsets.UTF_8));
    assertEquals(DOC_BODY.replace("\"pre_install_app\":1,", ""),
        new String(Json.shareAppsBody(docRequest().build()), StandardCharsets.UTF_8));
  }

  @Test
  void serverIdsWithQuotesAreEscapedNotInjected() throws IOException {
    String sneaky = "a\",\"b\\";
    // the request rules refuse such an id (32 letters or digits); the writer escapes it all the same
    assertThrows(IllegalArgumentException.class, () -> docRequest().addServerIds(sneaky).build());
    byte[] body = new JsonText(8).startObject().field("server_ids", List.of(sneaky)).endObject().toBytes();
    String json = new String(body, StandardCharsets.UTF_8);
    assertEquals("{\"server_ids\":[\"a\\\",\\\"b\\\\\"]}", json);
  }

  @Test
  void readsTheDocumentedAnswer() throws IOException {
    String answer = "{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\n \"jobs\":[{\"server_id\":"
        + "\"1234567b8bab40ffb711234cb80d0234\",\"job_id\":\"1564567b8bab40f34711234cb80d0123\"},\n"
        + "{\"server_id\":\"1678567b8bab40f93711234cb80d0764\",\"job_id\":\"1564567b8bab40f34711234cb80d5678\"}]}";
    ShareAppsResponse r = Json.shareAppsResponse(utf8(answer), "header-id");
    assertEquals("6837531fd3f54550927b930180a706bf", r.requestId());
    assertEquals(2, r.jobs().size());
    assertEquals("1678567b8bab40f93711234cb80d0764", r.jobs().get(1).serverId());
    assertEquals(Optional.of("1564567b8bab40f34711234cb80d5678"), r.jobs().get(1).jobId());
    assertTrue(r.allAccepted());
  }

  @Test
  void toleratesNullsUnknownFieldsAndMissingJobs() throws IOException {
    String answer = "{\"request_id\":null,\"extra\":{\"deep\":[1,2,{\"x\":null}]},\"jobs\":[{\"server_id\":\"s1\","
        + "\"job_id\":null,\"error_code\":\"CPS.0016\",\"error_msg\":\"invalid server_id\",\"new_field\":[1]},"
        + "{\"server_id\":\"s2\",\"job_id\":\"j2\",\"error_code\":null,\"error_msg\":null}],\"more\":true}";
    ShareAppsResponse r = Json.shareAppsResponse(utf8(answer), "from-header");
    assertEquals("from-header", r.requestId());
    ServerJob rejected = r.jobs().get(0);
    assertEquals(Optional.empty(), rejected.jobId());
    assertEquals(Optional.of("CPS.0016"), rejected.errorCode());
    assertEquals(Optional.of("invalid server_id"), rejected.errorMsg());
    assertEquals(List.of("s2"), List.of(r.accepted().get(0).serverId()));
    assertEquals(List.of(), Json.shareAppsResponse(utf8("{}"), null).jobs());
    assertEquals("", Json.shareAppsResponse(utf8("{\"jobs\":null}"), null).requestId());
  }

  @Test
  void nonObjectJobEntriesAreSkippedWithoutLosingTheRest() throws IOException {
    String answer = "{\"jobs\":[null,1,[2],{\"server_id\":\"s1\",\"job_id\":\"j1\"}],\"request_id\":\"r\"}";
    ShareAppsResponse r = Json.shareAppsResponse(utf8(answer), null);
    assertEquals(1, r.jobs().size());
    assertEquals("s1", r.jobs().get(0).serverId());
    assertEquals("r", r.requestId());
  }

  @Test
  void theRequestIdSaysWhereItCameFrom() throws IOException {
    ShareAppsResponse body = Json.shareAppsResponse(utf8("{\"request_id\":\"b1\",\"jobs\":[]}"), "h1");
    assertEquals("b1", body.requestId());
    assertEquals(ShareAppsResponse.RequestIdSource.BODY, body.requestIdSource());
    for (String answer : new String[] {"{\"jobs\":[]}", "{\"request_id\":null,\"jobs\":[]}", "{\"request_id\":\"\"}"}) {
      ShareAppsResponse header = Json.shareAppsResponse(utf8(answer), "h1");
      assertEquals("h1", header.requestId(), answer);
      assertEquals(ShareAppsResponse.RequestIdSource.HEADER, header.requestIdSource(), answer);
    }
    ShareAppsResponse none = Json.shareAppsResponse(utf8("{\"jobs\":[]}"), null);
    assertEquals("", none.requestId());
    assertEquals(ShareAppsResponse.RequestIdSource.NONE, none.requestIdSource());
    assertEquals(ShareAppsResponse.RequestIdSource.BODY, ShareAppsResponse.builder().requestId("x").build()
        .requestIdSource(), "built by hand with an id: the default");
  }

  private static ByteBuffer utf8(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void rejectsWhatIsNotAnObject() {
    assertThrows(IOException.class, () -> Json.shareAppsResponse(utf8("[1]"), null));
    assertThrows(IOException.class, () -> Json.shareAppsResponse(utf8("<html>"), null));
    assertThrows(IOException.class,
        () -> Json.shareAppsResponse(utf8("{\"jobs\":[{\"server_id\":"), null));
    String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThrows(IOException.class, () -> Json.shareAppsResponse(utf8(deep), null));
  }

  @Test
  void everyJobIsReadAndAnAnswerCutShortIsAnError() throws IOException {
    // The parse once stopped at the first entry that was not an object and returned the jobs before it.
    ShareAppsResponse r = Json.shareAppsResponse(utf8("{\"request_id\":\"r\",\"jobs\":[{\"server_id\":\"s1\","
        + "\"job_id\":\"j1\"},5,{\"server_id\":\"s2\",\"job_id\":\"j2\"}]}"), null);
    assertEquals(List.of("s1", "s2"), List.of(r.jobs().get(0).serverId(), r.jobs().get(1).serverId()));
    // A close-delimited body cut anywhere, or nested past the limit, never reads as a success.
    for (String body : new String[] {"{\"request_id\":\"r\",\"jobs\":[", "{\"request_id\":\"r\",\"jobs\":[{",
        "{\"request_id\":\"r\",\"jobs\":[{\"server_id\":\"s1\"}", "{\"request_id\":\"r\",\"jobs\":[" + "[".repeat(100_000)}) {
      assertThrows(IOException.class, () -> Json.shareAppsResponse(utf8(body), null),
          body.length() > 60 ? body.substring(0, 60) : body);
    }
  }

  @Test
  void errorBodyShapes() {
    ErrorBody cps = ErrorBody.parse(utf8("{\"request_id\":\"aad0860d089c482b943971f802a6718e\","
        + "\"error_code\":\"CPS.0001\",\"error_msg\":\"No permission to request resources.\"}"));
    assertEquals("CPS.0001", cps.errorCode);
    assertEquals("No permission to request resources.", cps.errorMessage);
    assertEquals("aad0860d089c482b943971f802a6718e", cps.requestId);
    assertNull(cps.snippet);

    ErrorBody apig = ErrorBody.parse(utf8("{\"error_code\":\"APIG.0308\",\"error_msg\":\"throttled\"}"));
    assertEquals("APIG.0308", apig.errorCode);

    ErrorBody iam = ErrorBody.parse(utf8("{\"error\":{\"code\":401,\"message\":\"The username or password is wrong.\","
        + "\"title\":\"Unauthorized\"}}"));
    assertEquals("401", iam.errorCode);
    assertEquals("The username or password is wrong.", iam.errorMessage);

    ErrorBody html = ErrorBody.parse(utf8("<html>\n<head><title>502 Bad Gateway</title></head>\n<body>"
        + "x".repeat(5000) + "</body></html>"));
    assertNull(html.errorCode);
    assertTrue(html.snippet.startsWith("<html> <head><title>502 Bad Gateway</title></head> <body>"), html.snippet);
    assertTrue(html.snippet.length() <= ErrorBody.SNIPPET_CHARS + 3, "snippet is bounded");

    ErrorBody other = ErrorBody.parse(utf8("{\"unexpected\":1}"));
    assertEquals("{\"unexpected\":1}", other.snippet);
    assertNull(ErrorBody.parse(ByteBuffer.wrap(new byte[0])).snippet);
  }
}
