package io.github.cphsdk.testkit;

import static io.github.cphsdk.testkit.TestHttp.PKG;
import static io.github.cphsdk.testkit.TestHttp.S1;
import static io.github.cphsdk.testkit.TestHttp.S2;
import static io.github.cphsdk.testkit.TestHttp.S3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeleteTest {
  final FakeClock clock = new FakeClock();
  FakeCloudPhoneServer server;
  TestHttp http;

  @BeforeEach
  void start() {
    server = FakeCloudPhoneServer.builder()
        .clock(clock)
        .jobDuration(Duration.ofSeconds(10))
        .sharedApp(S3, "com.example.seeded")
        .serverJobFails(S2, "CPS.0200", "Push failed.", null)
        .start();
    http = new TestHttp(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private TestHttp.Response delete(String pkg, String... ids) throws Exception {
    return http.send("DELETE", http.shareApps(), TestHttp.deleteBody(pkg, ids), null);
  }

  @Test
  void deleteIsRejectedPerServerUntilAPushHasSucceeded() throws Exception {
    JsonNode before = delete(PKG, S1).json().get("jobs").get(0);
    assertEquals("CPS.0150", before.get("error_code").asText());
    assertFalse(before.has("job_id"));

    http.push(null, S1, S2);
    assertEquals("CPS.0150", delete(PKG, S1).json().get("jobs").get(0).get("error_code").asText(),
        "the push is still running");

    clock.advance(Duration.ofSeconds(10));
    TestHttp.Response r = delete(PKG, S1, S2);
    assertEquals(200, r.status);
    JsonNode jobs = r.json().get("jobs");
    assertEquals(r.header("X-Request-Id"), r.json().get("request_id").asText());
    assertTrue(jobs.get(0).get("job_id").asText().matches("[0-9a-f]{32}"), jobs.toString());
    assertEquals("CPS.0150", jobs.get(1).get("error_code").asText(), "the push to S2 failed");
    assertEquals(3, server.deleteCount(), "every delete call was answered 200, two without starting a job");
    assertEquals(List.of(S1), server.deletedServerIds());
  }

  @Test
  void deleteJobsAreListedAndOnceFinishedTheAppIsGone() throws Exception {
    String requestId = delete("com.example.seeded", S3).json().get("request_id").asText();
    JsonNode job = http.listJobs(null, "request_id=" + requestId).json().get("jobs").get(0);
    assertEquals(1, job.get("status").asInt());
    assertTrue(delete("com.example.seeded", S3).json().get("jobs").get(0).has("job_id"),
        "still present while the first delete runs");

    clock.advance(Duration.ofSeconds(10));
    assertEquals(2, http.listJobs(null, "request_id=" + requestId).json().get("jobs").get(0).get("status").asInt());
    assertEquals("CPS.0150", delete("com.example.seeded", S3).json().get("jobs").get(0).get("error_code").asText());
  }

  @Test
  void pushAfterDeleteMakesTheAppPresentAgain() throws Exception {
    delete("com.example.seeded", S3);
    clock.advance(Duration.ofSeconds(10));
    http.send("POST", http.shareApps(), "{\"package_name\":\"com.example.seeded\",\"bucket_name\":\"bucket\","
        + "\"object_path\":\"x.tar\",\"server_ids\":[\"" + S3 + "\"]}", null);
    clock.advance(Duration.ofSeconds(10));
    assertTrue(delete("com.example.seeded", S3).json().get("jobs").get(0).has("job_id"));
  }

  @Test
  void deleteOfUnknownServerIsCps0016() throws Exception {
    assertEquals("CPS.0016", delete(PKG, "not-a-server-id").json().get("jobs").get(0).get("error_code").asText());
  }
}
