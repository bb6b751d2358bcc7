package io.github.cphsdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import io.github.cphsdk.testkit.FakeClock;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Fault;
import io.github.cphsdk.testkit.Operation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CloudPhoneClient.Builder#virtualTime}: one {@link FakeClock} drives both the emulator's jobs and the
 * client's waits, so a wait ends when the jobs end on that clock, without real sleeping. Asserted on the clock
 * (how far the client moved it), never on wall time.
 */
class VirtualTimeTest {
  static final List<String> SERVERS = List.of("1234567b8bab40ffb711234cb80d0234", "1678567b8bab40f93711234cb80d0764");

  final FakeClock clock = new FakeClock();
  FakeCloudPhoneServer server;
  CloudPhoneClient client;

  @BeforeEach
  void start() {
    server = FakeCloudPhoneServer.builder().token("t").clock(clock).jobDuration(Duration.ofSeconds(1)).start();
    client = CloudPhoneClient.builder().endpoint(server.endpoint()).projectId(server.projectId())
        .credentials(Credentials.token("t")).virtualTime(clock, clock::advance).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  static ShareAppsRequest request() {
    return ShareAppsRequest.builder().packageName("com.miniteck.miniworld").bucketName("bucket")
        .objectPath("my_apps/test.tar").addAllServerIds(SERVERS).build();
  }

  @Test
  void aWaitOnTheFakeClockEndsAfterTheInitialDelayOfThatClock() {
    ShareAppsResponse response = client.shareApps(request());
    Instant pushed = clock.instant();

    JobReport report = client.waitForJobs(response, WaitOptions.defaults());

    assertEquals(2, report.succeeded().size(), report.toString());
    assertEquals(Duration.ofSeconds(10), Duration.between(pushed, clock.instant()),
        "the client moved the clock by its initial delay (10 s) and found the 1 s jobs done at the first poll");
    assertEquals(Duration.ofSeconds(10), report.elapsed(), "elapsed is read from the same clock");
  }

  @Test
  void anAsyncWaitMovesTheSameClock() {
    ShareAppsResponse response = client.shareApps(request());
    Instant pushed = clock.instant();

    JobReport report = client.waitForJobsAsync(response, WaitOptions.builder().initialDelay(Duration.ofSeconds(2))
        .build()).join();

    assertEquals(2, report.succeeded().size(), report.toString());
    assertEquals(Duration.ofSeconds(2), Duration.between(pushed, clock.instant()));
  }

  @Test
  void longJobsArePolledOnTheClockUntilTheyEnd() {
    server.close();
    server = FakeCloudPhoneServer.builder().token("t").clock(clock).jobDuration(Duration.ofMinutes(20)).start();
    client.close();
    client = CloudPhoneClient.builder().endpoint(server.endpoint()).projectId(server.projectId())
        .credentials(Credentials.token("t")).virtualTime(clock, clock::advance).build();
    Instant start = clock.instant();
    ShareAppsResponse response = client.shareApps(request());

    JobReport report = client.waitForJobs(response, WaitOptions.defaults());

    assertEquals(2, report.succeeded().size(), report.toString());
    Duration moved = Duration.between(start, clock.instant());
    // polls at 10 s, then 5, 10, 20, 30, 30, ... s: the first poll at or after 20 min, at most 30 s late
    assertTrue(moved.compareTo(Duration.ofMinutes(20)) >= 0 && moved.compareTo(Duration.ofSeconds(20 * 60 + 30)) <= 0,
        moved.toString());
  }

  @Test
  void aWaitThatTimesOutDoesSoOnTheClock() {
    server.close();
    server = FakeCloudPhoneServer.builder().token("t").clock(clock).jobDuration(Duration.ofHours(2)).start();
    client.close();
    client = CloudPhoneClient.builder().endpoint(server.endpoint()).projectId(server.projectId())
        .credentials(Credentials.token("t")).virtualTime(clock, clock::advance).build();
    ShareAppsResponse response = client.shareApps(request());
    Instant pushed = clock.instant();

    JobReport report = client.waitForJobs(response, WaitOptions.builder().timeout(Duration.ofMinutes(5)).build());

    assertTrue(report.timedOut(), report.toString());
    assertEquals(2, report.running().size());
    assertEquals(Duration.ofMinutes(5), Duration.between(pushed, clock.instant()), "the 5 min timeout on the clock");
  }

  @Test
  void retryBackoffMovesTheClockInsteadOfSleeping() {
    server.injectFault(Fault.serviceUnavailable(Duration.ofSeconds(7)).on(Operation.PUSH));
    Instant before = clock.instant();

    assertEquals(2, client.shareApps(request()).jobs().size());

    assertEquals(2, server.requests().size(), "a 503 was not applied: retried once");
    assertEquals(Duration.ofSeconds(7), Duration.between(before, clock.instant()), "Retry-After: 7 on the clock");
  }

  @Test
  void theHookRefusesNulls() {
    assertThrows(NullPointerException.class, () -> CloudPhoneClient.builder().virtualTime(null, d -> { }));
    assertThrows(NullPointerException.class, () -> CloudPhoneClient.builder().virtualTime(clock, null));
  }
}
