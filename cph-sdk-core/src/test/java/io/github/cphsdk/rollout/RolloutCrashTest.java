package io.github.cphsdk.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Operation;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and resume: a child JVM ({@link CrashChild}) runs a 2,000-server rollout against an emulator in this
 * JVM and is killed ({@link Process#destroyForcibly()}, SIGKILL) at a random moment (seeded) after it has
 * started writing, 20 times in a row, each run resuming the journal the last one left. A final resume runs to
 * the end. The emulator holds every push answer back 20 ms after carrying it out, so kills land between a
 * POST's effect and its recorded answer (ambiguous batches) as well as anywhere else.
 */
class RolloutCrashTest {
  static final String TOKEN = "crash-token";
  static final int KILLS = 20;

  @TempDir
  Path dir;

  @Test
  void killedTwentyTimesEveryServerAccountedOnceNonePushedTwice() throws Exception {
    Path journal = dir.resolve("crash.jsonl");
    Path log = dir.resolve("child.log");
    try (FakeCloudPhoneServer emulator = FakeCloudPhoneServer.builder().token(TOKEN)
        .jobDuration(Duration.ofMillis(200)).threads(16)
        .onRequest(r -> {
          if (r.operation() == Operation.PUSH && r.applied()) {
            try {
              Thread.sleep(20); // applied, answer not yet sent: the window a crash makes ambiguous
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }).start()) {
      Random random = new Random(20261203L);
      int killedMidRollout = 0;
      List<Long> killDelays = new ArrayList<>();
      for (int run = 0; run < KILLS; run++) {
        long before = Files.exists(journal) ? Files.size(journal) : 0;
        Process p = child(emulator, journal, log);
        // wait until this run writes, then kill at a random moment (0 to 700 ms later)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && (Files.exists(journal) ? Files.size(journal) : 0) == before
            && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        long delay = random.nextInt(700);
        killDelays.add(delay);
        Thread.sleep(delay);
        if (p.isAlive()) {
          killedMidRollout++;
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed JVM ended");
      }

      // the last resume, in this JVM, to the end
      RolloutReport report;
      try (CloudPhoneClient client = CloudPhoneClient.builder().endpoint(emulator.endpoint())
          .projectId(emulator.projectId()).credentials(Credentials.token(TOKEN)).build()) {
        report = CrashChild.rollout(client, journal).build().run();
      }

      List<String> servers = CrashChild.servers();
      assertEquals(RolloutState.COMPLETED, report.state());
      assertEquals(servers, report.servers().stream().map(RolloutServer::serverId).collect(Collectors.toList()),
          "every server accounted for exactly once, in order");

      Map<String, Integer> pushes = new HashMap<>();
      emulator.pushedServerIds().forEach(id -> pushes.merge(id, 1, Integer::sum));
      List<String> twice = pushes.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
          .collect(Collectors.toList());
      assertEquals(0, twice.size(), "servers the emulator saw pushed more than once, e.g. "
          + twice.subList(0, Math.min(5, twice.size())));

      Set<String> unknown = new HashSet<>();
      for (RolloutServer s : report.servers()) {
        if (s.status() == RolloutServer.Status.UNKNOWN) {
          assertEquals(RolloutServer.Push.AMBIGUOUS, s.push());
          unknown.add(s.serverId());
          assertTrue(pushes.getOrDefault(s.serverId(), 0) <= 1, "an AMBIGUOUS server was pushed again");
        } else {
          assertEquals(RolloutServer.Status.SUCCEEDED, s.status(), s.toString());
          assertEquals(1, pushes.getOrDefault(s.serverId(), 0), "pushed exactly once: " + s);
          assertEquals(s.jobId().isPresent(), true);
        }
      }
      assertTrue(killedMidRollout >= KILLS / 2, "most kills must land while the rollout runs, got "
          + killedMidRollout + " of " + KILLS + "; delays " + killDelays);
      System.out.println("[crash/resume] kills: " + KILLS + " (" + killedMidRollout + " mid-rollout), pushes seen by "
          + "the emulator: " + emulator.pushedServerIds().size() + " jobs in " + emulator.pushCount()
          + " requests, servers pushed twice: " + twice.size() + ", UNKNOWN (ambiguous, not pushed again): "
          + unknown.size() + ", of which the emulator had applied: "
          + unknown.stream().filter(pushes::containsKey).count() + ", succeeded: "
          + report.with(RolloutServer.Status.SUCCEEDED).size());
    }
  }

  private static Process child(FakeCloudPhoneServer emulator, Path journal, Path log) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CrashChild.class.getName());
    command.add(emulator.endpoint().toString());
    command.add(emulator.projectId());
    command.add(TOKEN);
    command.add(journal.toString());
    File out = log.toFile();
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out)).start();
  }
}
