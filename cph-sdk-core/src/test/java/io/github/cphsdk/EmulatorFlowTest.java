package io.github.cphsdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.DeleteShareAppsRequest;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.JobStatus;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ServerProgress;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whole workflows against the local emulator over real HTTP: push in batches, wait, delete. The emulator's
 * jobs run on the same fake clock the client sleeps on, so a 30-second job takes no real time.
 */
class EmulatorFlowTest {
  static final String TOKEN = "emulator-token";
  static final String PACKAGE = "com.miniteck.miniworld";

  final List<String> servers = IntStream.range(0, 50).mapToObj(i -> String.format("%032x", 0x5e7000 + i))
      .collect(Collectors.toList());
  final String unsupported = servers.get(7);
  final String failing = servers.get(33);
  final FakeTiming timing = new FakeTiming();
  FakeCloudPhoneServer emulator;
  CloudPhoneClient client;

  FakeCloudPhoneServer.Builder emulator() {
    return FakeCloudPhoneServer.builder().token(TOKEN).clock(timing.clock()).jobDuration(Duration.ofSeconds(30))
        .serverWithoutSharedApps(unsupported)
        .serverJobFails(failing, "CPS.0200", "Install failed.", "no space left on device");
  }

  CloudPhoneClient.Builder client() {
    return CloudPhoneClient.builder().endpoint(emulator.endpoint()).projectId(emulator.projectId())
        .credentials(Credentials.token(TOKEN)).retryPolicy(RetryPolicy.none());
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (emulator != null) {
      emulator.close();
    }
  }

  ShareAppsRequest push(List<String> ids) {
    return ShareAppsRequest.builder().packageName(PACKAGE).bucketName("apps-bucket").objectPath("apps/game.tar")
        .addAllServerIds(ids).build();
  }

  WaitOptions options(List<String> events) {
    return WaitOptions.builder().timeout(Duration.ofMinutes(10)).listener(new JobListener() {
      @Override
      public void serverChanged(ServerProgress server) {
        if (server.state() != ServerProgress.State.RUNNING) {
          events.add(server.serverId() + " " + server.state());
        }
      }
    }).build();
  }

  @Test
  void pushFiftyServersWaitThenDeleteThemAgain() {
    // AK/SK signing on the fake clock: the list calls' request_ids=a%2Cb%2Cc query is signed and verified too
    emulator = emulator().akSk("AKDEMO0123456789", "SKdemo-secret-0123456789").start();
    client = client().credentials(Credentials.akSk("AKDEMO0123456789", "SKdemo-secret-0123456789")).timing(timing)
        .build();
    List<String> events = new ArrayList<>();

    BatchOutcome pushed = client.shareAppsInBatches(push(servers));

    assertEquals(3, emulator.pushCount(), "50 servers, 20 per request");
    assertEquals(servers, sentServerIds(), "every server sent once (order across batches aside)");
    Set<String> started = new HashSet<>(servers);
    started.remove(unsupported);
    assertEquals(started, new HashSet<>(emulator.pushedServerIds()));
    assertEquals(49, emulator.pushedServerIds().size(), "no job started twice");
    assertEquals(49, pushed.accepted().size());
    assertEquals(unsupported, pushed.rejected().get(0).serverId());
    assertEquals("CPS.0149", pushed.rejected().get(0).errorCode().get());

    JobReport report = client.waitForJobs(pushed, options(events));

    assertFalse(report.timedOut());
    assertEquals(48, report.succeeded().size());
    ServerProgress failed = report.failed().get(0);
    assertEquals(failing, failed.serverId());
    assertEquals("CPS.0200", failed.errorCode().get());
    assertEquals("no space left on device", failed.executeMsg().get());
    assertEquals(unsupported, report.notStarted().get(0).serverId());
    assertEquals(servers, report.servers().stream().map(ServerProgress::serverId).collect(Collectors.toList()));
    assertEquals(Duration.ofSeconds(45), report.elapsed(), "polls at 10, 15, 25 and 45 s; the jobs end at 30 s");
    assertEquals(4, report.polls());
    String pushes = pushed.requestIds().stream().collect(Collectors.joining("%2C"));
    assertTrue(emulator.requests(io.github.cphsdk.testkit.Operation.LIST_JOBS).stream()
        .allMatch(r -> r.query().equals("request_ids=" + pushes + "&offset=0&limit=100") && r.responseStatus() == 200),
        "one signed list call per poll for the 3 batches' request ids");
    assertEquals(49, events.size(), "one final event per server with a job");

    JobList ofFirstBatch = client.listJobs(pushed.requestIds().get(0));
    assertEquals(19, ofFirstBatch.jobs().size(), "batch 1 started 19 jobs (one server rejected)");
    assertEquals(JobStatus.SUCCEEDED, client.showJob(pushed.accepted().get(0).jobId().get()).status());

    List<String> withJobs = report.servers().stream().filter(s -> s.jobId().isPresent())
        .map(ServerProgress::serverId).collect(Collectors.toList());
    BatchOutcome deleted = client.deleteShareAppsInBatches(DeleteShareAppsRequest.builder().packageName(PACKAGE)
        .addAllServerIds(withJobs).build());

    assertEquals(3, emulator.deleteCount());
    assertEquals(48, deleted.accepted().size(), "the app is on every server whose job succeeded");
    assertEquals(failing, deleted.rejected().get(0).serverId(), "not on the server whose job failed");
    JobReport deleteReport = client.waitForJobs(deleted, options(new ArrayList<>()));
    assertEquals(48, deleteReport.succeeded().size());
  }

  @Test
  void singlePushWaitedForAsynchronouslyInRealTime() throws Exception {
    emulator = emulator().jobDuration(Duration.ofMillis(300)).clock(java.time.Clock.systemUTC()).start();
    client = client().build();
    List<String> ids = servers.subList(30, 40);
    WaitOptions quick = WaitOptions.builder().initialDelay(Duration.ofMillis(100)).pollInterval(Duration.ofMillis(50))
        .maxPollInterval(Duration.ofMillis(200)).timeout(Duration.ofMinutes(1)).build();

    JobReport report = client.shareAppsAsync(push(ids))
        .thenCompose(response -> client.waitForJobsAsync(response, quick))
        .get(30, TimeUnit.SECONDS);

    assertFalse(report.timedOut());
    assertEquals(9, report.succeeded().size());
    assertEquals(List.of(failing), report.failed().stream().map(ServerProgress::serverId).collect(Collectors.toList()));
    assertTrue(report.polls() >= 1);
  }

  /** The server ids of every push request the emulator received, sorted. */
  List<String> sentServerIds() {
    List<String> ids = new ArrayList<>();
    for (io.github.cphsdk.testkit.RecordedRequest r : emulator.requests(io.github.cphsdk.testkit.Operation.PUSH)) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([0-9a-f]{32})\"").matcher(r.bodyUtf8());
      while (m.find()) {
        ids.add(m.group(1));
      }
    }
    ids.sort(null);
    return ids;
  }

  @Test
  void injectedFaultsAreAccountedForAndNothingIsSentTwice() {
    emulator = emulator().start();
    // one batch at a time so the faults meet the batches in order; the real timer runs the client's retries
    client = client().maxConcurrentBatches(1).retryPolicy(RetryPolicy.builder().maxAttempts(3)
        .backoff(BackoffStrategy.fixed(Duration.ofMillis(10))).build()).build();
    // batch 1: carried out, then the connection drops; batch 2: 503 (not applied), accepted on the client's retry
    emulator.injectFault(Fault.dropConnectionAfterApplying().on(io.github.cphsdk.testkit.Operation.PUSH));
    emulator.injectFault(Fault.serviceUnavailable(Duration.ZERO).on(io.github.cphsdk.testkit.Operation.PUSH));

    BatchOutcome first = client.shareAppsInBatches(push(servers.subList(0, 40)));

    List<ServerOutcome> dropped = first.failed();
    assertEquals(servers.subList(0, 20), dropped.stream().map(ServerOutcome::serverId).collect(Collectors.toList()));
    assertTrue(dropped.stream().allMatch(ServerOutcome::mayHaveBeenApplied), "failed after sending: possibly applied");
    assertEquals(servers.subList(20, 40), first.accepted().stream().map(ServerOutcome::serverId)
        .collect(Collectors.toList()));

    // batch 3, alone: refused with 400
    emulator.injectFault(Fault.error(400, "CPS.0100", "Parameter: bad request.")
        .on(io.github.cphsdk.testkit.Operation.PUSH));
    BatchOutcome refused = client.shareAppsInBatches(push(servers.subList(40, 50)));
    assertEquals(10, refused.failed().size());
    assertTrue(refused.failed().stream().noneMatch(ServerOutcome::mayHaveBeenApplied), "a 400 was not applied");
    assertEquals("CPS.0100", ((CloudPhoneServiceException) refused.failures().get(0)).errorCode());

    // the emulator's own records: batch 1 really was applied ("possibly applied" was right), the refused batch
    // started nothing, and no job was started twice
    List<String> started = emulator.pushedServerIds();
    Set<String> expected = new HashSet<>(servers.subList(0, 40));
    expected.remove(unsupported);
    assertEquals(expected, new HashSet<>(started));
    assertEquals(39, started.size(), "every applied server once");
    assertEquals(4, emulator.requests(io.github.cphsdk.testkit.Operation.PUSH).size(),
        "batch 1 once (never re-sent after the drop), batch 2 twice (503 then the retry), batch 3 once");
  }

  @Test
  void unknownStatusIsNotSuccess() {
    String odd = servers.get(0);
    emulator = FakeCloudPhoneServer.builder().token(TOKEN).clock(timing.clock()).jobDuration(Duration.ofSeconds(30))
        .serverReportsUnknownStatus(odd).start();
    client = client().timing(timing).build();
    ShareAppsResponse response = client.shareApps(push(List.of(odd)));

    JobReport early = client.waitForJobs(response, WaitOptions.builder().timeout(Duration.ofSeconds(20)).build());
    assertTrue(early.timedOut());
    assertEquals(JobStatus.UNKNOWN, early.running().get(0).job().get().status());

    JobReport later = client.waitForJobs(response, WaitOptions.builder().initialDelay(Duration.ZERO).build());
    assertTrue(later.allSucceeded());
  }
}
