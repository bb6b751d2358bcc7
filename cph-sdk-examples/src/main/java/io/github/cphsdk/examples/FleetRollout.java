package io.github.cphsdk.examples;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.rollout.Rollout;
import io.github.cphsdk.rollout.RolloutJournal;
import io.github.cphsdk.rollout.RolloutReport;
import io.github.cphsdk.rollout.RolloutServer;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The README's "Rolling out to a fleet" snippet, verbatim (a test compares the two): a rollout in waves with a
 * journal, resumed when the journal already holds one. {@link #main} runs it against an embedded emulator with
 * 1,000 servers (twice: the second run resumes the finished journal and pushes nothing).
 */
public final class FleetRollout {
  private FleetRollout() {}

  public static void main(String[] args) throws IOException {
    Path journalFile = Files.createTempDirectory("fleet-rollout").resolve("rollout-miniworld.jsonl");
    List<String> fleet = IntStream.range(0, 1000).mapToObj(i -> String.format("%032x", 0xf1ee7L * 1000 + i))
        .collect(Collectors.toList());
    try (FakeCloudPhoneServer emulator = FakeCloudPhoneServer.builder().token("demo").jobDuration(Duration.ZERO)
        .start();
        CloudPhoneClient client = CloudPhoneClient.builder().endpoint(emulator.endpoint())
            .projectId(emulator.projectId()).credentials(Credentials.token("demo")).build()) {
      rollout(client, fleet, journalFile);
      rollout(client, fleet, journalFile); // resumes: nothing left to push
      System.out.println("the emulator saw " + emulator.pushedServerIds().size() + " pushes for " + fleet.size()
          + " servers");
    }
  }

  static RolloutReport rollout(CloudPhoneClient client, List<String> fleet, Path journalFile) {
    // README:start
    ShareAppsRequest push = ShareAppsRequest.builder()
        .packageName("com.miniteck.miniworld")
        .bucketName("bucket")
        .objectPath("my_apps/test.tar")
        .addAllServerIds(fleet)                        // any number of servers
        .build();
    RolloutJournal journal = RolloutJournal.file(journalFile);
    Rollout rollout = (Files.exists(journalFile)
            ? client.resumeRollout(journal)            // after a crash: carry on, push no server twice
            : client.rollout(push).journal(journal))
        .canarySize(10)                                // the first wave; default 1% (at least 1)
        .waveSize(250)                                 // later waves; default 10%
        .maxFailureRatio(0.05)                         // the gate, checked after each wave's jobs end
        .build();
    RolloutReport report = rollout.run();              // or runAsync(); rollout.cancel() stops cleanly
    System.out.println(report.state() + " " + report.counts());
    for (RolloutServer s : report.with(RolloutServer.Status.UNKNOWN)) {
        // sent, but the answer was never recorded (a crash): check its jobs before pushing again
        System.out.println(s.serverId() + " " + s.errorMessage().orElse(""));
    }
    // README:end
    return report;
  }
}
