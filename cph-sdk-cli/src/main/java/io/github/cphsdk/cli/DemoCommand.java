package io.github.cphsdk.cli;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.rollout.Rollout;
import io.github.cphsdk.rollout.RolloutJournal;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cph demo}: the rollout against an embedded emulator, with staged failures and a request-rate quota. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = {"Run a rollout against an embedded "
    + "FakeCloudPhoneServer (no cloud account needed): 200 servers, a canary of 2, waves of 40, jobs of 0.4 s, a "
    + "quota of 8 requests/s, one server without shared-app support and one failing job staged. Exit 0 when it "
    + "ended as staged."})
final class DemoCommand implements Callable<Integer> {
  static final String TOKEN = "demo-token";

  private final Cph.Io io;

  @Mixin
  Output.Format output = new Output.Format();

  @Option(names = "--servers-count", paramLabel = "N", description = "how many servers (default 200, 10 to 10000)")
  int count = 200;

  @Option(names = "--journal", paramLabel = "FILE", description = "where to keep the journal (default: a "
      + "temporary file)")
  Path journal;

  DemoCommand(Cph.Io io) {
    this.io = io;
  }

  static List<String> servers(int n) {
    return IntStream.range(0, n).mapToObj(i -> String.format("%032x", 0xde40000000L + i * 7919L))
        .collect(Collectors.toList());
  }

  @Override
  public Integer call() {
    boolean json = output.json();
    if (count < 10 || count > 10_000) {
      throw new Cph.InputException("--servers-count must be 10 to 10000, got " + count);
    }
    List<String> ids = servers(count);
    String rejected = ids.get(count * 6 / 10);
    String failing = ids.get(count * 3 / 4);
    Path file = journal;
    try {
      if (file == null) {
        file = Files.createTempFile("cph-demo-", ".jsonl");
        Files.delete(file);
        file.toFile().deleteOnExit();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary journal: " + e.getMessage(), e);
    }
    try (FakeCloudPhoneServer emulator = FakeCloudPhoneServer.builder().token(TOKEN)
        .jobDuration(Duration.ofMillis(400)).requestRateQuota(8)
        .serverWithoutSharedApps(rejected)
        .serverJobFails(failing, "CPS.0200", "Failed to install the shared application.", "no space left on device")
        .start();
        CloudPhoneClient client = CloudPhoneClient.builder().endpoint(emulator.endpoint())
            .projectId(emulator.projectId()).credentials(Credentials.token(TOKEN)).build()) {
      io.err.println("DEMO: an embedded FakeCloudPhoneServer at " + emulator.endpoint() + " (jobs take 0.4 s, "
          + "quota 8 requests/s).");
      io.err.println("Staged: " + rejected + " does not support shared apps (rejected at push), the job on "
          + failing + " fails.");
      io.err.println("Journal: " + file + " (cph rollout --resume --journal FILE would carry it on after a crash).");
      ShareAppsRequest push = ShareAppsRequest.builder().packageName("com.miniteck.miniworld")
          .bucketName("demo-apps").objectPath("apps/miniworld.tar").addAllServerIds(ids).build();
      Rollout.Builder b = client.rollout(push).canarySize(2).waveSize(Math.max(1, count / 5))
          .journal(RolloutJournal.file(file))
          .waitOptions(WaitOptions.builder().initialDelay(Duration.ofMillis(400))
              .pollInterval(Duration.ofMillis(200)).maxPollInterval(Duration.ofSeconds(1)).build());
      int code = RolloutCommand.execute(io, b, json, false, file);
      List<String> pushed = emulator.pushedServerIds();
      boolean once = pushed.size() == new HashSet<>(pushed).size() && pushed.size() == count - 1;
      boolean asStaged = code == Cph.SOME_FAILED && once;
      io.err.println(asStaged
          ? "Demo finished as staged: every server but the two staged ones got the app, none was pushed twice ("
              + emulator.throttledCount() + " requests were throttled and retried). Exit code 0."
          : "Demo did NOT finish as staged (rollout exit code " + code + ", " + pushed.size() + " pushes).");
      return asStaged ? Cph.OK : (code == Cph.OK ? Cph.SOME_FAILED : code);
    }
  }
}
