package io.github.cphsdk.testkit;

import static io.github.cphsdk.testkit.TestHttp.PKG;
import static io.github.cphsdk.testkit.TestHttp.S1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValidationTest {
  FakeCloudPhoneServer server;
  TestHttp http;

  @BeforeEach
  void start() {
    server = FakeCloudPhoneServer.builder().start();
    http = new TestHttp(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String body(String pkg, String pre, String bucket, String path, String ids) {
    StringBuilder sb = new StringBuilder("{");
    if (pkg != null) {
      sb.append("\"package_name\":").append(pkg).append(',');
    }
    if (pre != null) {
      sb.append("\"pre_install_app\":").append(pre).append(',');
    }
    if (bucket != null) {
      sb.append("\"bucket_name\":").append(bucket).append(',');
    }
    if (path != null) {
      sb.append("\"object_path\":").append(path).append(',');
    }
    if (ids != null) {
      sb.append("\"server_ids\":").append(ids).append(',');
    }
    sb.setLength(sb.length() - 1);
    return sb.append('}').toString();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "package missing            |                 | 1    | 'b-1'      | 'a/b.tar'   | CPS.0173 | package_name",
      "package without dot        | 'game'          | 1    | 'b-1'      | 'a/b.tar'   | CPS.0173 | package_name",
      "package segment digit      | 'com.1game'     | 1    | 'b-1'      | 'a/b.tar'   | CPS.0173 | package_name",
      "package trailing dot       | 'com.game.'     | 1    | 'b-1'      | 'a/b.tar'   | CPS.0173 | package_name",
      "package not a string       | 12              | 1    | 'b-1'      | 'a/b.tar'   | CPS.0173 | package_name",
      "pre_install_app 2          | 'com.a'         | 2    | 'b-1'      | 'a/b.tar'   | CPS.0148 | pre_install_app",
      "pre_install_app string     | 'com.a'         | \"1\"  | 'b-1'      | 'a/b.tar'   | CPS.0148 | pre_install_app",
      "pre_install_app fraction   | 'com.a'         | 0.5  | 'b-1'      | 'a/b.tar'   | CPS.0148 | pre_install_app",
      "bucket missing             | 'com.a'         | 0    |            | 'a/b.tar'   | CPS.0100 | bucket_name",
      "bucket uppercase           | 'com.a'         | 0    | 'Bucket'   | 'a/b.tar'   | CPS.0100 | bucket_name",
      "bucket too short           | 'com.a'         | 0    | 'ab'       | 'a/b.tar'   | CPS.0100 | bucket_name",
      "bucket ip shaped           | 'com.a'         | 0    | '10.0.0.1' | 'a/b.tar'   | CPS.0100 | bucket_name",
      "bucket double dot          | 'com.a'         | 0    | 'a..b'     | 'a/b.tar'   | CPS.0100 | bucket_name",
      "object not tar             | 'com.a'         | 0    | 'b-1'      | 'a/b.apk'   | CPS.0100 | object_path",
      "object bare .tar           | 'com.a'         | 0    | 'b-1'      | 'a/.tar'    | CPS.0100 | object_path",
      "object bad char            | 'com.a'         | 0    | 'b-1'      | 'a b.tar'   | CPS.0100 | object_path",
      "object missing             | 'com.a'         | 0    | 'b-1'      |             | CPS.0100 | object_path",
  })
  void badPushFieldsAre400WithTheirCode(String name, String pkg, String pre, String bucket, String path,
      String code, String field) throws Exception {
    String ids = "[\"" + S1 + "\"]";
    TestHttp.Response r = http.send("POST", http.shareApps(), body(json(pkg), pre, json(bucket), json(path), ids),
        null);
    assertEquals(400, r.status, r.body);
    assertEquals(code, r.errorCode(), r.body);
    assertTrue(r.json().get("error_msg").asText().contains(field), r.body);
    assertEquals(0, server.pushCount());
    assertEquals(1, server.requests().size());
  }

  /** CSV values become JSON strings, except integers, which stay JSON numbers. */
  private static String json(String csv) {
    if (csv == null) {
      return null;
    }
    return csv.matches("-?[0-9]+") ? csv : "\"" + csv + "\"";
  }

  @Test
  void malformedJsonAndNonObjectBodiesAre400() throws Exception {
    for (String body : new String[] {"{\"package_name\":", "[1,2]", "", "null"}) {
      TestHttp.Response r = http.send("POST", http.shareApps(), body, null);
      assertEquals(400, r.status, body);
      assertEquals("CPS.0100", r.errorCode(), body);
    }
  }

  @Test
  void serverIdsMustBeANonEmptyArrayOfDistinctStrings() throws Exception {
    for (String ids : new String[] {null, "[]", "\"" + S1 + "\"", "[1]", "[\"" + S1 + "\",\"" + S1 + "\"]"}) {
      TestHttp.Response r = http.send("POST", http.shareApps(),
          body("\"" + PKG + "\"", "1", "\"bucket\"", "\"a/b.tar\"", ids), null);
      assertEquals(400, r.status, String.valueOf(ids));
      assertEquals("CPS.0100", r.errorCode());
      assertTrue(r.json().get("error_msg").asText().contains("server_ids"), r.body);
    }
  }

  @Test
  void perRequestServerLimitDefaultsTo20() throws Exception {
    String[] twenty = ids(20);
    assertEquals(200, http.push(null, twenty).status);
    TestHttp.Response r = http.push(null, ids(21));
    assertEquals(400, r.status);
    assertEquals("CPS.0100", r.errorCode());
    assertTrue(r.json().get("error_msg").asText().contains("at most 20"), r.body);
    assertEquals(1, server.pushCount());
  }

  @Test
  void perRequestServerLimitIsConfigurable() throws Exception {
    try (FakeCloudPhoneServer small = FakeCloudPhoneServer.builder().maxServersPerRequest(3).start()) {
      TestHttp h = new TestHttp(small);
      assertEquals(200, h.push(null, ids(3)).status);
      assertEquals(400, h.push(null, ids(4)).status);
      assertEquals(400, h.send("DELETE", h.shareApps(), TestHttp.deleteBody(PKG, ids(4)), null).status);
    }
  }

  @Test
  void deleteValidatesPackageAndServerIds() throws Exception {
    assertEquals("CPS.0173", http.send("DELETE", http.shareApps(), TestHttp.deleteBody("nodot", S1), null)
        .errorCode());
    assertEquals("CPS.0100", http.send("DELETE", http.shareApps(), TestHttp.deleteBody(PKG), null).errorCode());
  }

  @ParameterizedTest
  @CsvSource({"offset=-1", "offset=x", "limit=0", "limit=101", "limit=", "offset=1.5"})
  void badOffsetOrLimitIsCps0002(String paging) throws Exception {
    TestHttp.Response r = http.listJobs(null, "request_id=ffffffffffffffffffffffffffffffff&" + paging);
    assertEquals(400, r.status, paging);
    assertEquals("CPS.0002", r.errorCode(), paging);
  }

  @Test
  void listJobsNeedsOneToTwentyRequestIds() throws Exception {
    assertEquals("CPS.0100", http.listJobs(null, "offset=0").errorCode());
    assertEquals("CPS.0100", http.listJobs(null, "request_id=").errorCode());
    assertEquals("CPS.0100", http.listJobs(null, "request_ids=,").errorCode());
    assertEquals(200, http.listJobs(null, "request_ids=" + String.join(",", ids(20))).status);
    TestHttp.Response r = http.listJobs(null, "request_ids=" + String.join(",", ids(21)));
    assertEquals(400, r.status);
    assertEquals("CPS.0100", r.errorCode());
  }

  @Test
  void wrongMethodOrUnknownPathIs404Apigw0101() throws Exception {
    for (String[] call : new String[][] {
        {"GET", http.shareApps()}, {"PUT", http.shareApps()}, {"POST", http.base() + "/jobs"},
        {"DELETE", http.base() + "/jobs/abc"}, {"GET", http.base() + "/jobs/"}, {"GET", "/"},
        {"POST", http.shareApps() + "/extra"}}) {
      TestHttp.Response r = http.send(call[0], call[1], call[0].equals("GET") ? null : "{}", null);
      assertEquals(404, r.status, call[0] + " " + call[1]);
      assertEquals("APIGW.0101", r.errorCode(), call[0] + " " + call[1]);
    }
    assertEquals(0, server.pushCount());
  }

  @Test
  void bodyOver1MiBIsRejected() throws Exception {
    StringBuilder big = new StringBuilder("{\"package_name\":\"");
    while (big.length() < FakeCloudPhoneServer.MAX_REQUEST_BODY + 10) {
      big.append("aaaaaaaaaa");
    }
    big.append("\"}");
    TestHttp.Response r = http.send("POST", http.shareApps(), big.toString(), null);
    assertEquals(400, r.status);
    assertEquals("CPS.0100", r.errorCode());
    assertTrue(r.json().get("error_msg").asText().contains("too large"), r.body);
  }

  static String[] ids(int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = String.format("%032x", i + 1);
    }
    return ids;
  }
}
