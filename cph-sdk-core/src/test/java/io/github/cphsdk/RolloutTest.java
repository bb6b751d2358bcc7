package io.github.cphsdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.rollout.Rollout;
import io.github.cphsdk.rollout.RolloutJournal;
import io.github.cphsdk.rollout.RolloutJournalException;
import io.github.cphsdk.rollout.RolloutListener;
import io.github.cphsdk.rollout.RolloutReport;
import io.github.cphsdk.rollout.RolloutServer;
import io.github.cphsdk.rollout.RolloutState;
import io.github.cphsdk.rollout.RolloutWave;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Fault;
import io.github.cphsdk.testkit.Operation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts against the emulator over real HTTP, on a fake clock shared by client and emulator (jobs of 30 s take
 * no real time): waves and the gate, the journal and resume (a crash simulated by cutting the journal where a
 * process could have died), ambiguous batches, cancel, refused credentials.
 */
class RolloutTest {
  static final String TOKEN = "rollout-token";

  final FakeTiming timing = new FakeTiming();
  final List<FakeCloudPhoneServer> emulators = new ArrayList<>();
  final List<CloudPhoneClient> clients = new ArrayList<>();
  @TempDir
  Path dir;

  static List<String> servers(int n) {
    return IntStream.range(0, n).mapToObj(i -> String.format("%032x", 0xf1ee7000L + i)).collect(Collectors.toList());
  }

  FakeCloudPhoneServer.Builder emulator() {
    return FakeCloudPhoneServer.builder().token(TOKEN).clock(timing.clock()).jobDuration(Duration.ofSeconds(30));
  }

  FakeCloudPhoneServer start(FakeCloudPhoneServer.Builder b) {
    FakeCloudPhoneServer e = b.start();
    emulators.add(e);
    return e;
  }

  CloudPhoneClient client(FakeCloudPhoneServer e) {
    return client(e, TOKEN);
  }

  CloudPhoneClient client(FakeCloudPhoneServer e, String token) {
    CloudPhoneClient c = CloudPhoneClient.builder().endpoint(e.endpoint()).projectId(e.projectId())
        .credentials(Credentials.token(token)).retryPolicy(RetryPolicy.none()).timing(timing).build();
    clients.add(c);
    return c;
  }

  static ShareAppsRequest push(List<String> ids) {
    return ShareAppsRequest.builder().packageName("com.miniteck.miniworld").bucketName("apps-bucket")
        .objectPath("apps/game.tar").addAllServerIds(ids).build();
  }

  static WaitOptions fastWait() {
    return WaitOptions.builder().initialDelay(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(5))
        .maxPollInterval(Duration.ofSeconds(5)).timeout(Duration.ofMinutes(10)).build();
  }

  @AfterEach
  void stop() {
    clients.forEach(CloudPhoneClient::close);
    emulators.forEach(FakeCloudPhoneServer::close);
  }

  static void assertEachServerOnce(List<String> servers, RolloutReport report) {
    assertEquals(servers, report.servers().stream().map(RolloutServer::serverId).collect(Collectors.toList()));
  }

  static void assertNoServerPushedTwice(FakeCloudPhoneServer e) {
    List<String> pushed = e.pushedServerIds();
    assertEquals(pushed.size(), new HashSet<>(pushed).size(), "a server was pushed twice");
  }

  @Test
  void completesInWavesAndReportsEveryServerOnce() {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator());
    List<String> waves = new ArrayList<>();
    Map<String, List<RolloutServer.Status>> changes = new java.util.concurrent.ConcurrentHashMap<>();
    RolloutReport report = client(e).rollout(push(ids)).canarySize(5).waveSize(40).waitOptions(fastWait())
        .listener(new RolloutListener() {
          @Override
          public void waveStarted(int wave, int of, int n) {
            waves.add(wave + "/" + of + ":" + n);
          }

          @Override
          public void serverChanged(RolloutServer server) {
            changes.computeIfAbsent(server.serverId(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(server.status());
          }
        }).build().run();

    assertEquals(RolloutState.COMPLETED, report.state());
    assertEachServerOnce(ids, report);
    assertEquals(100, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(List.of("0/4:5", "1/4:40", "2/4:40", "3/4:15"), waves);
    assertEquals(4, report.waves().size());
    assertEquals(new HashSet<>(ids), new HashSet<>(e.pushedServerIds()));
    assertNoServerPushedTwice(e);
    assertTrue(report.allSucceeded());
    for (String id : ids) {
      assertEquals(List.of(RolloutServer.Status.RUNNING, RolloutServer.Status.SUCCEEDED), changes.get(id), id);
    }
  }

  @Test
  void runAsyncCompletesWithTheReport() throws Exception {
    List<String> ids = servers(30);
    FakeCloudPhoneServer e = start(emulator());
    Rollout rollout = client(e).rollout(push(ids)).waitOptions(fastWait()).build();
    RolloutReport report = rollout.runAsync().get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(RolloutState.COMPLETED, report.state());
    assertEquals(30, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertThrows(IllegalStateException.class, rollout::run, "a rollout runs once");
  }

  @Test
  void defaultCanaryIsOnePercentAtLeastOne() {
    FakeCloudPhoneServer e = start(emulator());
    CloudPhoneClient c = client(e);
    assertEquals(3, c.rollout(push(servers(250))).build().plan().get(0).stream().mapToInt(List::size).sum());
    assertEquals(1, c.rollout(push(servers(30))).build().plan().get(0).stream().mapToInt(List::size).sum());
  }

  @Test
  void gateStopsAfterTheCanaryWhenFailuresExceedTheRatio() {
    List<String> ids = servers(100);
    FakeCloudPhoneServer.Builder b = emulator().serverJobFails(ids.get(1), "CPS.0200", "Install failed.", null)
        .serverWithoutSharedApps(ids.get(3));
    FakeCloudPhoneServer e = start(b);
    List<RolloutWave> decisions = new ArrayList<>();
    RolloutReport report = client(e).rollout(push(ids)).canarySize(10).waveSize(30).waitOptions(fastWait())
        .listener(new RolloutListener() {
          @Override
          public void waveEnded(RolloutWave wave) {
            decisions.add(wave);
          }
        }).build().run();

    assertEquals(RolloutState.ABORTED, report.state());
    assertEachServerOnce(ids, report);
    Set<String> canaryJobs = new HashSet<>(ids.subList(0, 10));
    canaryJobs.remove(ids.get(3)); // rejected: no job
    assertEquals(canaryJobs, new HashSet<>(e.pushedServerIds()), "only the canary was pushed");
    assertEquals(1, e.pushCount());
    assertEquals(90, report.with(RolloutServer.Status.NOT_SENT).size());
    assertEquals(RolloutServer.Status.FAILED, report.servers().get(1).status());
    assertEquals(RolloutServer.Status.REJECTED, report.servers().get(3).status());
    assertEquals(1, decisions.size());
    assertEquals(2, decisions.get(0).failuresSoFar());
    assertTrue(!decisions.get(0).proceed());
  }

  @Test
  void gateLetsTheRolloutCompleteWhenFailuresStayBelowTheRatio() {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator().serverJobFails(ids.get(20), "CPS.0200", "Install failed.", null)
        .serverWithoutSharedApps(ids.get(70)));
    RolloutReport report = client(e).rollout(push(ids)).canarySize(10).waveSize(30).waitOptions(fastWait())
        .build().run();

    assertEquals(RolloutState.COMPLETED, report.state());
    assertEquals(98, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(1, report.with(RolloutServer.Status.FAILED).size());
    assertEquals(1, report.with(RolloutServer.Status.REJECTED).size());
    assertEquals(4, report.waves().size());
    assertTrue(report.waves().stream().allMatch(RolloutWave::proceed));
  }

  /** The journal of a finished rollout, cut after the first line matching {@code type} of batch {@code batch}. */
  static void cutAfter(Path journal, String type, int batch) throws IOException {
    List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
    List<String> kept = new ArrayList<>();
    for (String line : lines) {
      kept.add(line);
      if (line.startsWith("{\"t\":\"" + type + "\",\"batch\":" + batch + ",")) {
        Files.write(journal, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
    }
    throw new AssertionError("no " + type + " record of batch " + batch + " in " + lines);
  }

  /** Runs a rollout with a journal to its end, then leaves the journal as a crash at {@code type} would have. */
  Path crashedRollout(FakeCloudPhoneServer e, List<String> ids, String type, int batch) throws IOException {
    Path journal = dir.resolve("rollout.jsonl");
    RolloutReport first = client(e).rollout(push(ids)).canarySize(20).waveSize(40).maxConcurrentBatches(1)
        .waitOptions(fastWait()).journal(RolloutJournal.file(journal)).build().run();
    assertEquals(RolloutState.COMPLETED, first.state());
    cutAfter(journal, type, batch);
    e.clearRecorded();
    return journal;
  }

  @Test
  void resumeAfterAnAnswerWaitsForTheRecordedJobsAndSendsTheRest() throws IOException {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator());
    Path journal = crashedRollout(e, ids, "answer", 2); // batches 0..2 answered: servers 0..59 have jobs
    RolloutReport report = client(e).resumeRollout(RolloutJournal.file(journal)).waitOptions(fastWait()).build().run();

    assertEquals(RolloutState.COMPLETED, report.state());
    assertEachServerOnce(ids, report);
    assertEquals(100, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(new HashSet<>(ids.subList(60, 100)), new HashSet<>(e.pushedServerIds()),
        "only servers without a recorded job were pushed");
    assertNoServerPushedTwice(e);
  }

  @Test
  void aBatchSentWithoutARecordedAnswerIsUnknownAndNotPushedAgain() throws IOException {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator());
    Path journal = crashedRollout(e, ids, "send", 2); // batch 2 (servers 40..59) sent, answer lost
    RolloutReport report = client(e).resumeRollout(RolloutJournal.file(journal)).waitOptions(fastWait()).build().run();

    assertEachServerOnce(ids, report);
    Set<String> unknown = report.with(RolloutServer.Status.UNKNOWN).stream().map(RolloutServer::serverId)
        .collect(Collectors.toSet());
    assertEquals(new HashSet<>(ids.subList(40, 60)), unknown);
    assertTrue(report.with(RolloutServer.Status.UNKNOWN).stream()
        .allMatch(s -> s.push() == RolloutServer.Push.AMBIGUOUS));
    assertEquals(new HashSet<>(ids.subList(60, 100)), new HashSet<>(e.pushedServerIds()));
    assertEquals(80, report.with(RolloutServer.Status.SUCCEEDED).size());
  }

  @Test
  void rePushingAmbiguousServersIsAnOptIn() throws IOException {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator());
    Path journal = crashedRollout(e, ids, "send", 2);
    RolloutReport report = client(e).resumeRollout(RolloutJournal.file(journal)).rePushAmbiguous(true)
        .waitOptions(fastWait()).build().run();

    assertEquals(100, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(new HashSet<>(ids.subList(40, 100)), new HashSet<>(e.pushedServerIds()));
  }

  @Test
  void aTornLastLineIsIgnoredAndCutOff() throws IOException {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator());
    Path journal = crashedRollout(e, ids, "answer", 1);
    Files.write(journal, "{\"t\":\"send\",\"batch\":2,\"att".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
    RolloutReport report = client(e).resumeRollout(RolloutJournal.file(journal)).waitOptions(fastWait()).build().run();

    assertEquals(RolloutState.COMPLETED, report.state());
    assertEquals(100, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(new HashSet<>(ids.subList(40, 100)), new HashSet<>(e.pushedServerIds()));
    for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
      assertTrue(line.startsWith("{") && line.endsWith("}"), "every line whole: " + line);
    }
  }

  @Test
  void aMalformedMiddleLineIsAnErrorNamingTheLine() throws IOException {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator());
    Path journal = crashedRollout(e, ids, "answer", 1);
    List<String> lines = new ArrayList<>(Files.readAllLines(journal, StandardCharsets.UTF_8));
    lines.set(2, "{\"t\":\"answer\",\"batch\":0,"); // line 3
    Files.write(journal, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));

    RolloutJournalException x = assertThrows(RolloutJournalException.class,
        () -> client(e).resumeRollout(RolloutJournal.file(journal)).build().run());
    assertEquals(3, x.line());
    assertTrue(x.getMessage().contains("line 3"), x.getMessage());
    assertEquals(0, e.pushCount());
  }

  @Test
  void anotherRolloutsJournalIsRefused() throws IOException {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator());
    Path journal = crashedRollout(e, ids, "answer", 1);
    CloudPhoneClient c = client(e);

    RolloutJournalException otherServers = assertThrows(RolloutJournalException.class,
        () -> c.rollout(push(servers(101))).journal(RolloutJournal.file(journal)).resume(true).build());
    assertTrue(otherServers.getMessage().contains("belongs to another rollout"), otherServers.getMessage());
    assertTrue(otherServers.getMessage().contains("1 given but not in the journal"), otherServers.getMessage());

    ShareAppsRequest otherApp = ShareAppsRequest.builder().from(push(ids)).packageName("com.example.other").build();
    RolloutJournalException otherPush = assertThrows(RolloutJournalException.class,
        () -> c.rollout(otherApp).journal(RolloutJournal.file(journal)).resume(true).build());
    assertTrue(otherPush.getMessage().contains("package_name com.miniteck.miniworld (journal) vs com.example.other"),
        otherPush.getMessage());

    RolloutJournalException notResumed = assertThrows(RolloutJournalException.class,
        () -> c.rollout(push(ids)).journal(RolloutJournal.file(journal)).build().run());
    assertTrue(notResumed.getMessage().contains("already holds a rollout"), notResumed.getMessage());

    assertThrows(RolloutJournalException.class,
        () -> c.resumeRollout(RolloutJournal.file(dir.resolve("none.jsonl"))));
    assertEquals(0, e.pushCount());
  }

  @Test
  void cancelStopsNewWavesAndTheJournalResumes() {
    List<String> ids = servers(100);
    FakeCloudPhoneServer e = start(emulator());
    Path journal = dir.resolve("cancel.jsonl");
    Rollout[] holder = new Rollout[1];
    holder[0] = client(e).rollout(push(ids)).canarySize(10).waveSize(30).waitOptions(fastWait())
        .journal(RolloutJournal.file(journal)).listener(new RolloutListener() {
          @Override
          public void waveEnded(RolloutWave wave) {
            holder[0].cancel();
          }
        }).build();
    RolloutReport cancelled = holder[0].run();
    assertEquals(RolloutState.CANCELLED, cancelled.state());
    assertEquals(10, cancelled.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(90, cancelled.with(RolloutServer.Status.NOT_SENT).size());

    RolloutReport resumed = client(e).resumeRollout(RolloutJournal.file(journal)).waitOptions(fastWait()).build().run();
    assertEquals(RolloutState.COMPLETED, resumed.state());
    assertEquals(100, resumed.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(100, e.pushedServerIds().size());
    assertNoServerPushedTwice(e);
  }

  @Test
  void cancelDuringAJobWaitEndsTheWaitAndTheJournalStaysWritable() throws IOException {
    List<String> ids = servers(60);
    FakeCloudPhoneServer e = start(emulator().jobDuration(Duration.ofMinutes(5)));
    Path journal = dir.resolve("cancel-wait.jsonl");
    Rollout[] holder = new Rollout[1];
    WaitOptions cancelling = WaitOptions.builder().initialDelay(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(5)).maxPollInterval(Duration.ofSeconds(5)).timeout(Duration.ofMinutes(10))
        .listener(new JobListener() {
          @Override
          public void polled(io.github.cphsdk.model.JobReport progress) {
            holder[0].cancel(); // jobs of 5 minutes: still running at the first poll
          }
        }).build();
    holder[0] = client(e).rollout(push(ids)).canarySize(20).waveSize(40).waitOptions(cancelling)
        .journal(RolloutJournal.file(journal)).build();
    RolloutReport cancelled = holder[0].run();
    assertEquals(RolloutState.CANCELLED, cancelled.state());
    assertEquals(20, cancelled.with(RolloutServer.Status.RUNNING).size());
    assertEquals(40, cancelled.with(RolloutServer.Status.NOT_SENT).size());
    assertTrue(Files.readAllLines(journal, StandardCharsets.UTF_8).get(Files.readAllLines(journal,
        StandardCharsets.UTF_8).size() - 1).contains("\"state\":\"CANCELLED\""), "the end is recorded");
    assertTrue(!Thread.currentThread().isInterrupted(), "the caller's thread is not left interrupted");

    timing.advance(Duration.ofMinutes(5));
    RolloutReport resumed = client(e).resumeRollout(RolloutJournal.file(journal)).waitOptions(fastWait()).build()
        .run();
    assertEquals(RolloutState.COMPLETED, resumed.state());
    assertEquals(60, resumed.with(RolloutServer.Status.SUCCEEDED).size());
    assertNoServerPushedTwice(e);
  }

  @Test
  void refusedCredentialsStopTheRolloutAndLeaveItResumable() {
    List<String> ids = servers(60);
    FakeCloudPhoneServer e = start(emulator());
    Path journal = dir.resolve("auth.jsonl");
    CloudPhoneServiceException x = assertThrows(CloudPhoneServiceException.class,
        () -> client(e, "wrong-token").rollout(push(ids)).canarySize(10).waitOptions(fastWait())
            .journal(RolloutJournal.file(journal)).build().run());
    assertEquals(401, x.statusCode());
    assertEquals(0, e.pushCount());

    RolloutReport report = client(e).resumeRollout(RolloutJournal.file(journal)).waitOptions(fastWait()).build().run();
    assertEquals(60, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertNoServerPushedTwice(e);
  }

  @Test
  void aBatchThrottledAfterTheClientsRetriesIsSentAgain() {
    List<String> ids = servers(40);
    FakeCloudPhoneServer e = start(emulator());
    e.injectFault(Fault.throttled().times(2).on(Operation.PUSH));
    RolloutReport report = client(e).rollout(push(ids)).canarySize(20).waitOptions(fastWait()).build().run();

    assertEquals(40, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(2, report.failedCalls());
    assertEquals(2, report.throttledAnswers());
    assertNoServerPushedTwice(e);
  }

  @Test
  void anAmbiguousFailureInTheRunIsUnknownNotRetried() {
    List<String> ids = servers(40);
    FakeCloudPhoneServer e = start(emulator());
    e.injectFault(Fault.dropConnectionAfterApplying().times(1).on(Operation.PUSH));
    RolloutReport report = client(e).rollout(push(ids)).canarySize(20).maxFailureRatio(1).waitOptions(fastWait())
        .build().run();

    assertEquals(20, report.with(RolloutServer.Status.UNKNOWN).size());
    assertEquals(20, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(40, e.pushedServerIds().size(), "the dropped batch was applied once, never again");
    assertNoServerPushedTwice(e);
    Map<RolloutServer.Status, Integer> counts = new HashMap<>(report.counts());
    assertEquals(20, counts.get(RolloutServer.Status.UNKNOWN));
  }

  @Test
  void aBatchAnswered408IsUnknownAndSentAgainOnlyOnOptIn() throws IOException {
    // A 408 may come from a gateway that gave up after the service took the push: ambiguous, like a lost answer.
    List<String> ids = servers(40);
    FakeCloudPhoneServer e = start(emulator());
    e.injectFault(Fault.error(408, "APIG.0201", "Request timeout").times(1).on(Operation.PUSH));
    Path journal = dir.resolve("408.jsonl");
    RolloutReport report = client(e).rollout(push(ids)).canarySize(20).waveSize(20).maxFailureRatio(1)
        .waitOptions(fastWait()).journal(RolloutJournal.file(journal)).build().run();

    Set<String> unknown = report.with(RolloutServer.Status.UNKNOWN).stream().map(RolloutServer::serverId)
        .collect(Collectors.toSet());
    assertEquals(new HashSet<>(ids.subList(0, 20)), unknown, "the canary batch, answered 408");
    assertTrue(report.with(RolloutServer.Status.UNKNOWN).stream()
        .allMatch(s -> s.push() == RolloutServer.Push.AMBIGUOUS));
    assertEquals(20, report.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(2, e.requests(Operation.PUSH).size(), "the 408 batch was not sent again");

    // A crash right after the 408 was recorded: a resume reports the batch unknown and sends only the next wave,
    // unless it opts in to pushing ambiguous servers again.
    cutAfter(journal, "ambiguous", 0);
    Path copy = Files.copy(journal, dir.resolve("408-copy.jsonl"));
    e.clearRecorded();
    RolloutReport resumed = client(e).resumeRollout(RolloutJournal.file(copy)).waitOptions(fastWait()).build().run();
    assertEquals(unknown, resumed.with(RolloutServer.Status.UNKNOWN).stream().map(RolloutServer::serverId)
        .collect(Collectors.toSet()));
    assertEquals(new HashSet<>(ids.subList(20, 40)), new HashSet<>(e.pushedServerIds()));
    assertEquals(1, e.requests(Operation.PUSH).size(), "a resume does not send the 408 batch either");

    e.clearRecorded();
    RolloutReport optIn = client(e).resumeRollout(RolloutJournal.file(journal)).rePushAmbiguous(true)
        .waitOptions(fastWait()).build().run();
    assertEquals(40, optIn.with(RolloutServer.Status.SUCCEEDED).size());
    assertEquals(new HashSet<>(ids), new HashSet<>(e.pushedServerIds()), "sent again on opt-in");
    assertNoServerPushedTwice(e);
  }
}
