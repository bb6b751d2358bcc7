package io.github.cphsdk.rollout;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The process {@link RolloutCrashTest} kills: runs (or resumes, when the journal has its header) the 2,000-server
 * rollout against the emulator in the test's JVM. Arguments: endpoint, project id, token, journal.
 */
public final class CrashChild {
  static final int SERVERS = 2000;

  private CrashChild() {}

  static List<String> servers() {
    return IntStream.range(0, SERVERS).mapToObj(i -> String.format("%032x", 0xc4a5b000L + i))
        .collect(Collectors.toList());
  }

  static ShareAppsRequest push() {
    return ShareAppsRequest.builder().packageName("com.miniteck.miniworld").bucketName("apps-bucket")
        .objectPath("apps/game.tar").addAllServerIds(servers()).build();
  }

  static WaitOptions waitOptions() {
    return WaitOptions.builder().initialDelay(Duration.ofMillis(150)).pollInterval(Duration.ofMillis(50))
        .maxPollInterval(Duration.ofMillis(100)).timeout(Duration.ofMinutes(2)).build();
  }

  static Rollout.Builder rollout(CloudPhoneClient client, Path journal) throws java.io.IOException {
    boolean started = Files.exists(journal) && new String(Files.readAllBytes(journal), "UTF-8").indexOf('\n') >= 0;
    Rollout.Builder b = started ? client.resumeRollout(RolloutJournal.file(journal))
        : client.rollout(push()).canarySize(20).waveSize(100).journal(RolloutJournal.file(journal));
    return b.waitOptions(waitOptions());
  }

  public static void main(String[] args) throws Exception {
    try (CloudPhoneClient client = CloudPhoneClient.builder().endpoint(URI.create(args[0])).projectId(args[1])
        .credentials(Credentials.token(args[2])).build()) {
      RolloutReport report = rollout(client, Paths.get(args[3])).build().run();
      System.out.println("DONE " + report.state() + " " + report.counts());
    }
  }
}
