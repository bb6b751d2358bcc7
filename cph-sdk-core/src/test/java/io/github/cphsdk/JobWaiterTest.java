package io.github.cphsdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.JobStatus;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ServerProgress;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The waiter on a fake clock: the synchronous wait over real HTTP (MockWebServer) sleeps through the fake
 * timing; the asynchronous wait runs on the fake timer with an in-memory transport, so every poll happens
 * inside {@link FakeTiming#runNext()}. Both must report the same.
 */
class JobWaiterTest {
  enum Mode { SYNC, ASYNC }

  static final String S1 = "1234567b8bab40ffb711234cb80d0234";
  static final String S2 = "1678567b8bab40f93711234cb80d0764";
  static final String S3 = "29a8567b8bab40f93711234cb80d0999";

  final FakeTiming timing = new FakeTiming();
  final JobsBackend backend = new JobsBackend(timing);
  final List<String> events = new ArrayList<>();
  MockWebServer server;
  CloudPhoneClient httpClient;
  CloudPhoneClient memoryClient;

  final JobListener recorder = new JobListener() {
    @Override
    public void serverChanged(ServerProgress s) {
      events.add(s.serverId().substring(0, 4) + " " + s.state()
          + s.errorCode().map(c -> " " + c).orElse("") + s.executeMsg().map(m -> " " + m).orElse(""));
    }

    @Override
    public void polled(JobReport p) {
      events.add("polled " + p.succeeded().size() + "/" + p.failed().size() + "/" + p.running().size());
    }

    @Override
    public void pollFailed(CloudPhoneException failure, int failedPolls) {
      events.add("poll failed #" + failedPolls + " " + ((CloudPhoneServiceException) failure).statusCode());
    }
  };

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.setDispatcher(backend.dispatcher());
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    httpClient = base().endpoint(server.url("/").uri()).build();
    memoryClient = base().endpoint(java.net.URI.create("http://127.0.0.1:9")).transport(backend.transport())
        .completionExecutor(Runnable::run).build();
  }

  CloudPhoneClient.Builder base() {
    return CloudPhoneClient.builder().projectId(CloudPhoneClientTest.PROJECT).credentials(Credentials.token("tok"))
        .retryPolicy(RetryPolicy.none()).timing(timing);
  }

  @AfterEach
  void stop() {
    httpClient.close();
    memoryClient.close();
    server.close();
  }

  WaitOptions.Builder options() {
    return WaitOptions.builder().initialDelay(Duration.ofSeconds(10)).pollInterval(Duration.ofSeconds(5))
        .maxPollInterval(Duration.ofSeconds(30)).timeout(Duration.ofMinutes(5)).listener(recorder);
  }

  static ShareAppsResponse push(String requestId, String... serverAndJob) {
    ShareAppsResponse.Builder b = ShareAppsResponse.builder().requestId(requestId);
    for (int i = 0; i < serverAndJob.length; i += 2) {
      b.addJobs(ServerJob.builder().serverId(serverAndJob[i]).jobId(serverAndJob[i + 1]).build());
    }
    return b.build();
  }

  JobReport waitFor(Mode mode, ShareAppsResponse response, WaitOptions options) {
    return mode == Mode.SYNC ? httpClient.waitForJobs(response, options)
        : drive(memoryClient.waitForJobsAsync(response, options));
  }

  JobReport waitFor(Mode mode, BatchOutcome outcome, WaitOptions options) {
    return mode == Mode.SYNC ? httpClient.waitForJobs(outcome, options)
        : drive(memoryClient.waitForJobsAsync(outcome, options));
  }

  /** Runs the fake timer until the wait ends; every poll and its HTTP calls happen inside runNext. */
  JobReport drive(CompletableFuture<JobReport> wait) {
    while (!wait.isDone()) {
      assertTrue(timing.runNext(), "the wait is neither done nor has anything scheduled");
    }
    return wait.join();
  }

  static List<Duration> seconds(long... s) {
    List<Duration> out = new ArrayList<>();
    for (long x : s) {
      out.add(Duration.ofSeconds(x));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void waitsUntilEveryJobSucceededWithGrowingIntervals(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.job("req1", S2, "j2").finishesAt(Duration.ofSeconds(20), 2);
    backend.job("req1", S3, "j3").finishesAt(Duration.ofSeconds(40), 2);

    JobReport report = waitFor(mode, push("req1", S1, "j1", S2, "j2", S3, "j3"), options().build());

    assertTrue(report.allSucceeded());
    assertFalse(report.timedOut());
    assertEquals(4, report.polls());
    assertEquals(0, report.failedPolls());
    assertEquals(seconds(10, 15, 25, 45), backend.times(), "first poll after 10 s, then 5, 10, 20 s apart");
    assertEquals(Duration.ofSeconds(45), report.elapsed());
    assertEquals(List.of(S1, S2, S3), report.servers().stream().map(ServerProgress::serverId)
        .collect(Collectors.toList()));
    String list = "GET " + JobsBackend.PREFIX + "?request_id=req1&offset=0&limit=100";
    assertEquals(List.of(list, list, list, list), backend.targets());
    assertEquals(List.of(
        "1234 RUNNING", "1678 RUNNING", "29a8 RUNNING", "polled 0/0/3",
        "1234 SUCCEEDED", "polled 1/0/2",
        "1678 SUCCEEDED", "polled 2/0/1",
        "29a8 SUCCEEDED", "polled 3/0/0"), events);
    ServerProgress first = report.servers().get(0);
    assertEquals(Optional.of("j1"), first.jobId());
    assertEquals(JobStatus.SUCCEEDED, first.job().get().status());
    assertEquals(java.time.Instant.parse("2026-11-27T12:01:00Z"), first.job().get().endTime().get());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void failedJobIsReportedWithItsErrorAndExecuteMessage(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.job("req1", S2, "j2").finishesAt(Duration.ofSeconds(12), 2)
        .fails("CPS.0200", "Install failed.", "disk full");

    JobReport report = waitFor(mode, push("req1", S1, "j1", S2, "j2"), options().build());

    assertTrue(report.finished());
    assertFalse(report.allSucceeded());
    assertEquals(1, report.succeeded().size());
    ServerProgress failed = report.failed().get(0);
    assertEquals(S2, failed.serverId());
    assertEquals(Optional.of("CPS.0200"), failed.errorCode());
    assertEquals(Optional.of("Install failed."), failed.errorMsg());
    assertEquals(Optional.of("disk full"), failed.executeMsg());
    assertTrue(events.contains("1678 FAILED CPS.0200 disk full"), events.toString());
    assertEquals(seconds(10, 15), backend.times());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void timesOutWithJobsStillRunningAndNeverSleepsPastTheDeadline(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.job("req1", S2, "j2").never(1);

    JobReport report = waitFor(mode, push("req1", S1, "j1", S2, "j2"),
        options().timeout(Duration.ofSeconds(60)).build());

    assertTrue(report.timedOut());
    assertFalse(report.finished());
    assertEquals(List.of(S2), report.running().stream().map(ServerProgress::serverId).collect(Collectors.toList()));
    assertEquals(1, report.succeeded().size());
    assertEquals(seconds(10, 15, 25, 45, 60), backend.times(), "the last wait is cut to the deadline");
    assertEquals(Duration.ofSeconds(60), report.elapsed());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void unknownStatusCountsAsRunningNeverAsSuccess(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 7);
    backend.job("req1", S2, "j2").never(3);

    JobReport report = waitFor(mode, push("req1", S1, "j1", S2, "j2"),
        options().timeout(Duration.ofSeconds(30)).build());

    assertTrue(report.timedOut());
    assertEquals(2, report.running().size());
    assertEquals(0, report.succeeded().size());
    assertEquals(JobStatus.UNKNOWN, report.servers().get(0).job().get().status());
    assertEquals(OptionalInt.of(7), report.servers().get(0).job().get().statusCode());
    assertEquals(OptionalInt.of(3), report.servers().get(1).job().get().statusCode());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void rejectedServersAreReportedAndNothingIsPolledWhenNoJobStarted(Mode mode) {
    ShareAppsResponse rejected = ShareAppsResponse.builder().requestId("req1")
        .addJobs(ServerJob.builder().serverId(S1).errorCode("CPS.0149").errorMsg("no shared apps").build()).build();

    JobReport report = waitFor(mode, rejected, options().build());

    assertEquals(0, report.polls());
    assertEquals(List.of(), backend.targets());
    ServerProgress s = report.notStarted().get(0);
    assertEquals(Optional.of("CPS.0149"), s.errorCode());
    assertFalse(s.mayHaveBeenApplied());
    assertTrue(report.finished());
    assertEquals(Duration.ZERO, report.elapsed());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void transientPollFailuresAreCountedAndPollingGoesOn(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.failNext(503, 1);
    backend.failNext(500, 1);

    JobReport report = waitFor(mode, push("req1", S1, "j1"), options().build());

    assertTrue(report.allSucceeded());
    assertEquals(3, report.polls());
    assertEquals(2, report.failedPolls());
    assertEquals(500, ((CloudPhoneServiceException) report.lastPollFailure().get()).statusCode());
    assertEquals(List.of("poll failed #1 503", "polled 0/0/1", "poll failed #2 500", "polled 0/0/1",
        "1234 SUCCEEDED", "polled 1/0/0"), events);
  }

  /**
   * 408 has one answer everywhere (RetryPolicy): ambiguous, so a read is repeated. The waiter polls again, as the
   * pipeline retries a read after it (RetryTest.requestTimeout408OfAReadIsRetriedLikeEveryAmbiguousFailure).
   */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aRequestTimeout408PollIsCountedAndPollingGoesOn(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.failNext(408, 1);

    JobReport report = waitFor(mode, push("req1", S1, "j1"), options().build());

    assertTrue(report.allSucceeded());
    assertEquals(2, report.polls());
    assertEquals(1, report.failedPolls());
    CloudPhoneServiceException last = (CloudPhoneServiceException) report.lastPollFailure().get();
    assertEquals(408, last.statusCode());
    assertTrue(last.mayHaveBeenApplied(), "the same classification as the pipeline's: ambiguous");
    assertEquals(List.of("poll failed #1 408", "polled 0/0/1", "1234 SUCCEEDED", "polled 1/0/0"), events);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aRefusedPollEndsTheWait(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.failNext(400, 1);

    CloudPhoneServiceException e = waitFails(mode);
    assertEquals(400, e.statusCode());
    assertEquals(1, backend.targets().size(), "no further poll after a 400");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void anAuthenticationFailureEndsTheWait(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.failNext(401, 2);

    CloudPhoneServiceException e = waitFails(mode);
    assertEquals(401, e.statusCode());
    assertEquals("APIGW.0301", e.errorCode());
    assertEquals(1, backend.targets().size(), "no further poll after a 401");
  }

  /** Waits for the jobs of push req1 (sync or async) and returns the service failure that ended the wait. */
  private CloudPhoneServiceException waitFails(Mode mode) {
    if (mode == Mode.SYNC) {
      return assertThrows(CloudPhoneServiceException.class,
          () -> httpClient.waitForJobs(push("req1", S1, "j1"), options().build()));
    }
    CompletionException wrapped = assertThrows(CompletionException.class,
        () -> drive(memoryClient.waitForJobsAsync(push("req1", S1, "j1"), options().build())));
    return assertInstanceOf(CloudPhoneServiceException.class, wrapped.getCause());
  }


  @ParameterizedTest
  @EnumSource(Mode.class)
  void manyRequestIdsArePolledTwentyPerCall(Mode mode) {
    BatchOutcome.Builder outcome = BatchOutcome.builder().batchCount(25);
    for (int i = 0; i < 25; i++) {
      String server = String.format("%032x", i);
      String request = String.format("r%02d", i);
      backend.job(request, server, "j" + i).finishesAt(Duration.ofSeconds(10), 2);
      outcome.addServers(ServerOutcome.builder().serverId(server).batch(i).result(ServerOutcome.Result.ACCEPTED)
          .requestId(request).jobId("j" + i).build());
    }

    JobReport report = waitFor(mode, outcome.build(), options().build());

    assertTrue(report.allSucceeded());
    assertEquals(25, report.succeeded().size());
    String first = IntStream.range(0, 20).mapToObj(i -> String.format("r%02d", i)).collect(Collectors.joining("%2C"));
    String second = IntStream.range(20, 25).mapToObj(i -> String.format("r%02d", i)).collect(Collectors.joining("%2C"));
    assertEquals(List.of("GET " + JobsBackend.PREFIX + "?request_ids=" + first + "&offset=0&limit=100",
        "GET " + JobsBackend.PREFIX + "?request_ids=" + second + "&offset=0&limit=100"), backend.targets());
    assertEquals(1, report.polls());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aServerTheAnswerDidNotMentionIsFoundInTheListing(Mode mode) {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.job("req1", S2, "j2").finishesAt(Duration.ofSeconds(12), 2);
    BatchOutcome outcome = BatchOutcome.builder()
        .addServers(ServerOutcome.builder().serverId(S1).result(ServerOutcome.Result.ACCEPTED).requestId("req1")
            .jobId("j1").build())
        .addServers(ServerOutcome.builder().serverId(S2).result(ServerOutcome.Result.NOT_CONFIRMED).requestId("req1")
            .build())
        .addServers(ServerOutcome.builder().serverId(S3).result(ServerOutcome.Result.NOT_CONFIRMED).requestId("req1")
            .build())
        .build();

    JobReport report = waitFor(mode, outcome, options().build());

    assertEquals(List.of(S1, S2), report.succeeded().stream().map(ServerProgress::serverId).collect(Collectors.toList()));
    assertEquals(Optional.of("j2"), report.servers().get(1).jobId());
    ServerProgress missing = report.servers().get(2);
    assertEquals(ServerProgress.State.NOT_STARTED, missing.state());
    assertTrue(missing.mayHaveBeenApplied(), "not confirmed: a job may exist");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void jobsOfAnAnswerWithoutRequestIdArePolledOneByOne(Mode mode) {
    backend.job("lost", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    backend.job("lost", S2, "j2").finishesAt(Duration.ofSeconds(14), 2);

    JobReport report = waitFor(mode, push("", S1, "j1", S2, "j2"), options().build());

    assertTrue(report.allSucceeded());
    assertEquals(List.of("GET " + JobsBackend.PREFIX + "/j1", "GET " + JobsBackend.PREFIX + "/j2",
        "GET " + JobsBackend.PREFIX + "/j1", "GET " + JobsBackend.PREFIX + "/j2"), backend.targets());
  }

  @Test
  void cancellingTheAsyncWaitStopsPolling() {
    backend.job("req1", S1, "j1").never(1);
    CompletableFuture<JobReport> wait = memoryClient.waitForJobsAsync(push("req1", S1, "j1"), options().build());
    assertTrue(timing.runNext());
    assertEquals(1, backend.targets().size());
    assertTrue(wait.cancel(true));
    while (timing.runNext()) {
      // nothing left should poll
    }
    assertEquals(1, backend.targets().size());
    assertEquals(0, timing.pending());
  }

  @Test
  void asyncWaitPollsOnTheTimerWithoutBlocking() {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    CompletableFuture<JobReport> wait = memoryClient.waitForJobsAsync(push("req1", S1, "j1"), options().build());
    assertFalse(wait.isDone(), "returns at once");
    assertEquals(List.of(), backend.targets(), "nothing before the initial delay");
    assertTrue(timing.sleeps.isEmpty(), "no thread slept");
    drive(wait);
    assertTrue(timing.sleeps.isEmpty(), "no thread slept");
  }

  @Test
  void aThrowingListenerDoesNotBreakTheWait() {
    backend.job("req1", S1, "j1").finishesAt(Duration.ofSeconds(12), 2);
    JobListener bad = new JobListener() {
      @Override
      public void serverChanged(ServerProgress server) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void polled(JobReport progress) {
        throw new IllegalStateException("boom");
      }
    };
    assertTrue(httpClient.waitForJobs(push("req1", S1, "j1"), options().listener(bad).build()).allSucceeded());
  }

  @Test
  void waitOptionsRefuseBadValues() {
    assertEquals("timeout must be positive, got PT0S",
        assertThrows(IllegalArgumentException.class, () -> WaitOptions.builder().timeout(Duration.ZERO)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> WaitOptions.builder().initialDelay(Duration.ofSeconds(-1))).getMessage().startsWith("initialDelay"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WaitOptions.builder()
        .pollInterval(Duration.ofSeconds(10)).maxPollInterval(Duration.ofSeconds(5)).build()).getMessage()
        .startsWith("maxPollInterval (PT5S) must not be shorter than pollInterval (PT10S)"));
    WaitOptions d = WaitOptions.defaults();
    assertEquals(List.of(Duration.ofMinutes(30), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30)),
        List.of(d.timeout(), d.initialDelay(), d.pollInterval(), d.maxPollInterval()));
  }
}
