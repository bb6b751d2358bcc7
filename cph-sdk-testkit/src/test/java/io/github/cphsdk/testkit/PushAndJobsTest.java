package io.github.cphsdk.testkit;

import static io.github.cphsdk.testkit.TestHttp.PKG;
import static io.github.cphsdk.testkit.TestHttp.S1;
import static io.github.cphsdk.testkit.TestHttp.S2;
import static io.github.cphsdk.testkit.TestHttp.S3;
import static io.github.cphsdk.testkit.TestHttp.S4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushAndJobsTest {
  static final String TOKEN = "token-1";
  final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
  FakeCloudPhoneServer server;
  TestHttp http;

  void start(FakeCloudPhoneServer.Builder builder) {
    server = builder.token(TOKEN).clock(clock).jobDuration(Duration.ofSeconds(30)).start();
    http = new TestHttp(server);
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void pushAnswersOneJobPerServerWithTheServiceShape() throws Exception {
    start(FakeCloudPhoneServer.builder());
    TestHttp.Response r = http.push(TOKEN, S1, S2);

    assertEquals(200, r.status);
    assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
    JsonNode body = r.json();
    String requestId = body.get("request_id").asText();
    assertTrue(requestId.matches("[0-9a-f]{32}"), requestId);
    assertEquals(requestId, r.header("X-Request-Id"));
    JsonNode jobs = body.get("jobs");
    assertEquals(2, jobs.size());
    assertEquals(S1, jobs.get(0).get("server_id").asText());
    assertEquals(S2, jobs.get(1).get("server_id").asText());
    Set<String> jobIds = new HashSet<>();
    for (JsonNode job : jobs) {
      assertTrue(job.get("job_id").asText().matches("[0-9a-f]{32}"), job.toString());
      assertFalse(job.has("error_code"), job.toString());
      jobIds.add(job.get("job_id").asText());
    }
    assertEquals(2, jobIds.size());
    assertEquals(1, server.pushCount());
    assertEquals(List.of(S1, S2), server.pushedServerIds());
  }

  @Test
  void jobsRunUntilTheClockPassesTheJobDurationThenSucceedOrFail() throws Exception {
    start(FakeCloudPhoneServer.builder()
        .serverJobFails(S2, "CPS.0200", "Installing the app failed.", "tar is corrupt"));
    JsonNode push = http.push(TOKEN, S1, S2).json();
    String requestId = push.get("request_id").asText();
    String job1 = push.get("jobs").get(0).get("job_id").asText();

    JsonNode listed = http.listJobs(TOKEN, "request_id=" + requestId).json();
    assertNotEquals(requestId, listed.get("request_id").asText(), "the list call has its own request id");
    JsonNode running = listed.get("jobs");
    assertEquals(2, running.size());
    for (JsonNode job : running) {
      assertEquals(1, job.get("status").asInt());
      assertEquals(requestId, job.get("request_id").asText());
      assertEquals("2026-03-01T10:00:00Z", job.get("begin_time").asText());
      assertFalse(job.has("end_time"), job.toString());
      assertFalse(job.has("error_code"), job.toString());
    }

    clock.advance(Duration.ofSeconds(29));
    assertEquals(1, http.showJob(TOKEN, job1).json().get("status").asInt());

    clock.advance(Duration.ofSeconds(1));
    JsonNode done = http.listJobs(TOKEN, "request_id=" + requestId).json().get("jobs");
    JsonNode ok = done.get(0);
    assertEquals(S1, ok.get("server_id").asText());
    assertEquals(2, ok.get("status").asInt());
    assertEquals("2026-03-01T10:00:30Z", ok.get("end_time").asText());
    assertFalse(ok.has("error_code"), ok.toString());
    JsonNode failed = done.get(1);
    assertEquals(S2, failed.get("server_id").asText());
    assertEquals(-1, failed.get("status").asInt());
    assertEquals("CPS.0200", failed.get("error_code").asText());
    assertEquals("Installing the app failed.", failed.get("error_msg").asText());
    assertEquals("tar is corrupt", failed.get("execute_msg").asText());
    assertEquals("2026-03-01T10:00:30Z", failed.get("end_time").asText());
  }

  @Test
  void showJobAnswersTheJobShapeAnd404ForAnUnknownJob() throws Exception {
    start(FakeCloudPhoneServer.builder());
    JsonNode push = http.push(TOKEN, S3).json();
    String jobId = push.get("jobs").get(0).get("job_id").asText();

    TestHttp.Response r = http.showJob(TOKEN, jobId);
    assertEquals(200, r.status);
    JsonNode job = r.json();
    assertEquals(jobId, job.get("job_id").asText());
    assertEquals(S3, job.get("server_id").asText());
    assertEquals(push.get("request_id").asText(), job.get("request_id").asText());
    assertEquals(1, job.get("status").asInt());
    assertTrue(r.header("X-Request-Id").matches("[0-9a-f]{32}"));

    TestHttp.Response missing = http.showJob(TOKEN, "ffffffffffffffffffffffffffffffff");
    assertEquals(404, missing.status);
    assertEquals("CPS.0018", missing.errorCode());
    assertEquals(missing.header("X-Request-Id"), missing.json().get("request_id").asText());
  }

  @Test
  void perServerRejectionsAppearInThe200AndStartNoJob() throws Exception {
    start(FakeCloudPhoneServer.builder()
        .servers(S1, S2)
        .serverWithoutSharedApps(S2));
    JsonNode jobs = http.send("POST", http.shareApps(), TestHttp.pushBody(S1, S2, S3, "short-id"), TOKEN)
        .json().get("jobs");

    assertEquals(4, jobs.size());
    assertTrue(jobs.get(0).has("job_id"));
    assertEquals("CPS.0149", jobs.get(1).get("error_code").asText());
    assertEquals("The server does not support shared applications.", jobs.get(1).get("error_msg").asText());
    assertFalse(jobs.get(1).has("job_id"));
    assertEquals("CPS.0016", jobs.get(2).get("error_code").asText(), "S3 was not registered");
    assertEquals("CPS.0016", jobs.get(3).get("error_code").asText(), "malformed id");
    assertEquals(List.of(S1), server.pushedServerIds());
  }

  @Test
  void customPushRejection() throws Exception {
    start(FakeCloudPhoneServer.builder().serverRejectsPush(S1, "CPS.0006", "Role is op_restricted."));
    JsonNode job = http.push(TOKEN, S1).json().get("jobs").get(0);
    assertEquals("CPS.0006", job.get("error_code").asText());
    assertEquals("Role is op_restricted.", job.get("error_msg").asText());
    assertEquals(List.of(), server.pushedServerIds());
  }

  @Test
  void unknownStatusIsReportedWhileRunningThenTheJobFinishes() throws Exception {
    start(FakeCloudPhoneServer.builder().serverReportsUnknownStatus(S2).serverJobDuration(S2, Duration.ofMinutes(5)));
    String requestId = http.push(TOKEN, S1, S2).json().get("request_id").asText();

    JsonNode jobs = http.listJobs(TOKEN, "request_id=" + requestId).json().get("jobs");
    assertEquals(1, jobs.get(0).get("status").asInt());
    assertEquals(3, jobs.get(1).get("status").asInt());

    clock.advance(Duration.ofSeconds(30));
    jobs = http.listJobs(TOKEN, "request_id=" + requestId).json().get("jobs");
    assertEquals(2, jobs.get(0).get("status").asInt());
    assertEquals(3, jobs.get(1).get("status").asInt(), "its own, longer duration");

    clock.advance(Duration.ofMinutes(5));
    assertEquals(2, http.listJobs(TOKEN, "request_id=" + requestId).json().get("jobs").get(1).get("status").asInt());
  }

  @Test
  void listJobsCoversSeveralRequestIdsWithOffsetAndLimit() throws Exception {
    start(FakeCloudPhoneServer.builder());
    String r1 = http.push(TOKEN, S1, S2).json().get("request_id").asText();
    String r2 = http.push(TOKEN, S3, S4).json().get("request_id").asText();
    http.push(TOKEN, S1); // another push, not asked for

    JsonNode all = http.listJobs(TOKEN, "request_ids=" + r1 + "," + r2).json().get("jobs");
    assertEquals(List.of(S1, S2, S3, S4), serverIds(all));

    assertEquals(List.of(S2, S3), serverIds(http.listJobs(TOKEN, "request_ids=" + r1 + "," + r2
        + "&offset=1&limit=2").json().get("jobs")));
    assertEquals(List.of(S4), serverIds(http.listJobs(TOKEN, "request_ids=" + r1 + "%2C" + r2
        + "&offset=3").json().get("jobs")));
    assertEquals(List.of(), serverIds(http.listJobs(TOKEN, "request_id=" + r1 + "&offset=5").json().get("jobs")));
    assertEquals(List.of(S3, S4), serverIds(http.listJobs(TOKEN, "request_id=" + r1 + "&request_ids=" + r2)
        .json().get("jobs")), "request_ids wins over request_id");
    assertEquals(List.of(), serverIds(http.listJobs(TOKEN, "request_id=ffffffffffffffffffffffffffffffff")
        .json().get("jobs")));
  }

  @Test
  void listJobsLimitDefaultsTo100() throws Exception {
    start(FakeCloudPhoneServer.builder().maxServersPerRequest(150));
    String[] ids = new String[120];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = String.format("%032x", i + 1);
    }
    String requestId = http.push(TOKEN, ids).json().get("request_id").asText();
    assertEquals(100, http.listJobs(TOKEN, "request_id=" + requestId).json().get("jobs").size());
    assertEquals(20, http.listJobs(TOKEN, "request_id=" + requestId + "&offset=100").json().get("jobs").size());
  }

  @Test
  void acceptsPushWithoutOptionalPreInstallApp() throws Exception {
    start(FakeCloudPhoneServer.builder());
    String body = "{\"package_name\":\"" + PKG + "\",\"bucket_name\":\"bucket\",\"object_path\":\"a/b.tar\","
        + "\"server_ids\":[\"" + S1 + "\"],\"unknown_field\":true,\"pre_install_app\":null}";
    assertEquals(200, http.send("POST", http.shareApps(), body, TOKEN).status);
  }

  static List<String> serverIds(JsonNode jobs) {
    List<String> out = new ArrayList<>();
    jobs.forEach(j -> out.add(j.get("server_id").asText()));
    return out;
  }
}
