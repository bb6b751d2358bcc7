package io.github.cphsdk;

import static io.github.cphsdk.CloudPhoneClientTest.PROJECT;
import static io.github.cphsdk.CloudPhoneClientTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.DeleteShareAppsRequest;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.JobStatus;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Show job, list jobs (with paging) and delete shared apps, on the wire. */
class JobsAndDeleteTest {
  static final String SERVER_X = "0123456789abcdef0123456789abcdef";
  static final String JOBS = "/v1/" + PROJECT + "/cloud-phone/jobs";
  static final String SHARE_APPS = "/v1/" + PROJECT + "/cloud-phone/phones/share-apps";

  MockWebServer server;
  CloudPhoneClient client;
  final FakeTiming timing = new FakeTiming();

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    client = builder().build();
  }

  CloudPhoneClient.Builder builder() {
    return CloudPhoneClient.builder().endpoint(server.url("/").uri()).projectId(PROJECT)
        .credentials(Credentials.token("tok")).retryPolicy(RetryPolicy.none()).timing(timing);
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  static String jobJson(int i, String extra) {
    return "{\"job_id\":\"job" + i + "\",\"server_id\":\"srv" + i + "\",\"status\":2" + extra + "}";
  }

  static String page(int from, int to) {
    return "{\"request_id\":\"list\",\"jobs\":[" + IntStream.range(from, to).mapToObj(i -> jobJson(i, ""))
        .collect(Collectors.joining(",")) + "]}";
  }

  @Test
  void showJobReadsEveryFieldAndIgnoresUnknownOnes() throws Exception {
    server.enqueue(json(200, "{\"request_id\":\"6837531fd3f54550927b930180a706bf\",\"job_id\":\"job-1\","
        + "\"server_id\":\"1234567b8bab40ffb711234cb80d0234\",\"begin_time\":\"2026-11-27T12:00:00Z\","
        + "\"end_time\":\"2026-11-27T12:03:30Z\",\"status\":-1,\"error_code\":\"CPS.0200\",\"error_msg\":\"failed\","
        + "\"execute_msg\":\"no space left\",\"new_field\":{\"nested\":[1,{\"a\":null}]},\"another\":[]}"));

    Job job = client.showJob("job-1");

    RecordedRequest sent = server.takeRequest();
    assertEquals("GET", sent.getMethod());
    assertEquals(JOBS + "/job-1", sent.getTarget());
    assertEquals(0, sent.getBodySize());
    assertEquals("job-1", job.jobId());
    assertEquals(Optional.of("6837531fd3f54550927b930180a706bf"), job.requestId());
    assertEquals("1234567b8bab40ffb711234cb80d0234", job.serverId());
    assertEquals(Optional.of(Instant.parse("2026-11-27T12:00:00Z")), job.beginTime());
    assertEquals(Optional.of(Instant.parse("2026-11-27T12:03:30Z")), job.endTime());
    assertEquals(JobStatus.FAILED, job.status());
    assertTrue(job.finished());
    assertEquals(Optional.of("CPS.0200"), job.errorCode());
    assertEquals(Optional.of("failed"), job.errorMsg());
    assertEquals(Optional.of("no space left"), job.executeMsg());
  }

  @Test
  void showJobToleratesNullsOddStatusesAndPhoneIds() {
    server.enqueue(json(200, "{\"job_id\":\"j\",\"phone_id\":\"p1\",\"server_id\":null,\"begin_time\":\"yesterday\","
        + "\"end_time\":null,\"status\":\"2\",\"error_code\":null}"));
    server.enqueue(json(200, "{\"job_id\":\"j\",\"status\":5}"));
    server.enqueue(json(200, "{\"job_id\":\"j\",\"status\":true,\"begin_time\":\"2026-11-27T20:00:00+08:00\"}"));

    Job first = client.showJob("j");
    assertEquals(Optional.of("p1"), first.phoneId());
    assertEquals("", first.serverId());
    assertEquals(Optional.empty(), first.beginTime(), "an unreadable time is not an instant, and not fatal");
    assertEquals(Optional.of("yesterday"), first.beginTimeText(), "but its text is kept");
    assertEquals(Optional.empty(), first.endTimeText(), "null: no text");
    assertEquals(JobStatus.SUCCEEDED, first.status(), "a numeric string is read");
    assertEquals(Optional.empty(), first.errorCode());

    Job odd = client.showJobAsync("j").join();
    assertEquals(JobStatus.UNKNOWN, odd.status());
    assertEquals(OptionalInt.of(5), odd.statusCode());
    assertFalse(odd.finished());

    Job weird = client.showJob("j");
    assertEquals(OptionalInt.empty(), weird.statusCode());
    assertEquals(JobStatus.UNKNOWN, weird.status());
    assertEquals(Optional.of(Instant.parse("2026-11-27T12:00:00Z")), weird.beginTime());
    assertEquals(Optional.of("2026-11-27T20:00:00+08:00"), weird.beginTimeText());
  }

  @Test
  void jobStatusCodesMapBothWays() {
    for (JobStatus s : new JobStatus[] {JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED}) {
      assertEquals(s, JobStatus.of(s.code()));
    }
    assertEquals(JobStatus.UNKNOWN, JobStatus.of(0));
    assertEquals(JobStatus.UNKNOWN, JobStatus.of(3));
    assertFalse(JobStatus.UNKNOWN.finished());
    assertFalse(JobStatus.RUNNING.finished());
  }

  @Test
  void jobIdsThatCouldEscapeThePathAreRefusedBeforeSending() {
    for (String bad : new String[] {"../phones", "a/b", "a%2Fb", "", "a b", "x?y=1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.showJob(bad));
      assertTrue(e.getMessage().startsWith("job_id"), e.getMessage());
      CompletionException async = assertThrows(CompletionException.class, () -> client.showJobAsync(bad).join());
      assertInstanceOf(IllegalArgumentException.class, async.getCause());
    }
    assertThrows(IllegalArgumentException.class, () -> client.showJob(null));
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void showJobOfAnUnknownJobIsAServiceError() {
    server.enqueue(json(404, "{\"error_code\":\"CPS.0018\",\"error_msg\":\"Job is not found.\"}"));
    CloudPhoneServiceException e = assertThrows(CloudPhoneServiceException.class, () -> client.showJob("nope"));
    assertEquals(404, e.statusCode());
    assertEquals("CPS.0018", e.errorCode());
    assertFalse(e.mayHaveBeenApplied());
  }

  @Test
  void listJobsReadsEveryPage() throws Exception {
    server.enqueue(json(200, page(0, 100)));
    server.enqueue(json(200, page(100, 200)));
    server.enqueue(json(200, page(200, 230)));

    JobList list = client.listJobs("6837531fd3f54550927b930180a706bf");

    assertEquals(230, list.jobs().size());
    assertEquals("job0", list.jobs().get(0).jobId());
    assertEquals("job229", list.jobs().get(229).jobId());
    assertEquals("list", list.requestId());
    assertEquals(Optional.of("srv150"), list.job("job150").map(Job::serverId));
    for (int offset : new int[] {0, 100, 200}) {
      RecordedRequest r = server.takeRequest();
      assertEquals("GET", r.getMethod());
      assertEquals(JOBS + "?request_id=6837531fd3f54550927b930180a706bf&offset=" + offset + "&limit=100", r.getTarget());
    }
    assertEquals(3, server.getRequestCount());
  }

  @Test
  void listJobsAsyncReadsEveryPage() {
    server.enqueue(json(200, page(0, 100)));
    server.enqueue(json(200, page(100, 101)));
    JobList list = client.listJobsAsync("r1").join();
    assertEquals(101, list.jobs().size());
    assertEquals(2, server.getRequestCount());
  }

  @Test
  void listJobsStopsWhenTheServiceIgnoresTheOffset() {
    server.enqueue(json(200, page(0, 100)));
    server.enqueue(json(200, page(0, 100)));
    server.enqueue(json(200, page(0, 100)));
    JobList list = client.listJobs("r1");
    assertEquals(100, list.jobs().size(), "each job id once");
    assertEquals(2, server.getRequestCount(), "the page with nothing new ends the listing");
  }

  @Test
  void listJobsToleratesNullsAndTakesTheRequestIdFromTheHeader() {
    server.enqueue(new MockResponse.Builder().code(200).addHeader("X-Request-Id", "hdr-1")
        .body("{\"request_id\":null,\"jobs\":null,\"count\":0}").build());
    JobList empty = client.listJobs("r1");
    assertEquals("hdr-1", empty.requestId());
    assertTrue(empty.jobs().isEmpty());

    server.enqueue(json(200, "{\"jobs\":[null,{\"job_id\":\"a\",\"status\":1},7,{\"job_id\":\"b\"}]}"));
    JobList odd = client.listJobs("r1");
    assertEquals(2, odd.jobs().size());
    assertEquals(JobStatus.RUNNING, odd.jobs().get(0).status());
    assertEquals(JobStatus.UNKNOWN, odd.jobs().get(1).status());
  }

  @Test
  void listJobsEncodesTheRequestIdAndRefusesBadOnes() throws Exception {
    server.enqueue(json(200, "{\"jobs\":[]}"));
    client.listJobs("a+b~c.d_e-f");
    assertEquals(JOBS + "?request_id=a%2Bb~c.d_e-f&offset=0&limit=100", server.takeRequest().getTarget());
    for (String bad : new String[] {"", "a,b", "a b", "é", "x".repeat(129)}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.listJobs(bad));
      assertTrue(e.getMessage().startsWith("request_id must be"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> client.listJobs(null));
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void listJobsIsAReadSoAnAmbiguousFailureIsRetried() {
    try (CloudPhoneClient retrying = builder().retryPolicy(RetryPolicy.builder().maxAttempts(2)
        .backoff(BackoffStrategy.fixed(Duration.ofMillis(100))).build()).build()) {
      // a 500 may hide an applied push, so a push is not retried; repeating a read is harmless
      server.enqueue(json(500, "{\"error_code\":\"CPS.0003\",\"error_msg\":\"internal\"}"));
      server.enqueue(json(200, page(0, 3)));
      assertEquals(3, retrying.listJobs("r1").jobs().size());
      assertEquals(2, server.getRequestCount());
      assertEquals(java.util.List.of(Duration.ofMillis(100)), timing.sleeps);
    }
  }

  static DeleteShareAppsRequest deleteRequest() {
    return DeleteShareAppsRequest.builder().packageName("com.miniteck.miniworld")
        .addServerIds("1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764").build();
  }

  @Test
  void deleteSendsAJsonBodyWithTheDeleteMethod() throws Exception {
    server.enqueue(json(200, CloudPhoneClientTest.DOC_ANSWER));

    ShareAppsResponse response = client.deleteShareApps(deleteRequest());

    RecordedRequest sent = server.takeRequest();
    assertEquals("DELETE", sent.getMethod());
    assertEquals(SHARE_APPS, sent.getTarget());
    String body = "{\"package_name\":\"com.miniteck.miniworld\",\"server_ids\":"
        + "[\"1234567b8bab40ffb711234cb80d0234\",\"1678567b8bab40f93711234cb80d0764\"]}";
    assertEquals(body, sent.getBody().utf8());
    assertEquals(String.valueOf(body.length()), sent.getHeaders().get("Content-Length"));
    assertEquals("application/json", sent.getHeaders().get("Content-Type"));
    assertEquals("tok", sent.getHeaders().get("X-Auth-Token"));
    assertEquals("6837531fd3f54550927b930180a706bf", response.requestId());
    assertEquals(2, response.accepted().size());
  }

  @Test
  void deleteAsyncSendsTheSameRequest() throws Exception {
    server.enqueue(json(200, CloudPhoneClientTest.DOC_ANSWER));
    assertEquals(2, client.deleteShareAppsAsync(deleteRequest()).get(5, TimeUnit.SECONDS).jobs().size());
    RecordedRequest sent = server.takeRequest();
    assertEquals("DELETE", sent.getMethod());
    assertTrue(sent.getBody().utf8().startsWith("{\"package_name\":\"com.miniteck.miniworld\""));
  }

  @Test
  void deleteIsNotIdempotentSoA500IsNotRetriedAndMayHaveBeenApplied() {
    try (CloudPhoneClient defaults = builder().retryPolicy(RetryPolicy.defaults()).build()) {
      server.enqueue(json(500, "{\"error_code\":\"CPS.0003\",\"error_msg\":\"internal\",\"request_id\":\"rq\"}"));
      CloudPhoneServiceException e = assertThrows(CloudPhoneServiceException.class,
          () -> defaults.deleteShareApps(deleteRequest()));
      assertTrue(e.mayHaveBeenApplied());
      assertTrue(e.getMessage().contains("delete shared apps"), e.getMessage());
      assertEquals(1, server.getRequestCount(), "never sent twice");

      server.enqueue(json(503, "{}"));
      server.enqueue(json(200, CloudPhoneClientTest.DOC_ANSWER));
      assertEquals(2, defaults.deleteShareApps(deleteRequest()).jobs().size(), "a 503 was not applied: retried");
      assertEquals(3, server.getRequestCount());
    }
  }

  @Test
  void deleteRequestIsValidatedLikeThePush() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DeleteShareAppsRequest.builder()
        .packageName("nodots").addServerIds(SERVER_X).build()).getMessage().startsWith("package_name must have at least two"));
    assertEquals("server_ids is required: give at least one server id", assertThrows(IllegalArgumentException.class,
        () -> DeleteShareAppsRequest.builder().packageName("a.b").build()).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DeleteShareAppsRequest.builder().packageName("a.b")
        .addServerIds(SERVER_X, SERVER_X).build()).getMessage().startsWith("server_ids[1] must not repeat"));
    assertThrows(IllegalArgumentException.class,
        () -> DeleteShareAppsRequest.builder().addServerIds(SERVER_X).build(), "package_name is required");
    DeleteShareAppsRequest.Builder many = DeleteShareAppsRequest.builder().packageName("a.b");
    for (int i = 0; i < 21; i++) {
      many.addServerIds(String.format("%032d", i));
    }
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> client.deleteShareApps(many.build()));
    assertTrue(tooMany.getMessage().contains("server_ids has 21 ids but one request may carry at most 20"));
    assertTrue(tooMany.getMessage().contains("deleteShareAppsInBatches"));
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void closedClientRefusesTheNewCalls() {
    client.close();
    assertThrows(IllegalStateException.class, () -> client.showJob("j"));
    assertThrows(IllegalStateException.class, () -> client.listJobs("r"));
    assertThrows(IllegalStateException.class, () -> client.deleteShareApps(deleteRequest()));
    assertInstanceOf(IllegalStateException.class,
        assertThrows(CompletionException.class, () -> client.listJobsAsync("r").join()).getCause());
    assertEquals(0, server.getRequestCount());
  }
}
