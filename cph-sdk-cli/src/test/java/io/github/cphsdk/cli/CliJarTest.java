package io.github.cphsdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a process ({@code java -jar target/cph.jar}, after {@code package}): a rollout interrupted
 * like Ctrl-C (SIGINT) cancels cleanly, exits 130 and leaves a journal that {@code --resume} finishes without
 * pushing any server twice.
 */
class CliJarTest {
  static final String TOKEN = "jar-token";

  @TempDir
  Path dir;

  @Test
  void ctrlCDuringARolloutExits130AndTheJournalResumes() throws Exception {
    Path jar = Paths.get("target", "cph.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the jar is built in package: " + jar);
    List<String> ids = IntStream.range(0, 400).mapToObj(i -> String.format("%032x", 0x1a40000L + i))
        .collect(Collectors.toList());
    Path servers = dir.resolve("servers.txt");
    Files.write(servers, ids);
    Path journal = dir.resolve("rollout.jsonl");
    try (FakeCloudPhoneServer emulator = FakeCloudPhoneServer.builder().token(TOKEN)
        .jobDuration(Duration.ofMillis(300)).start()) {
      Map<String, String> env = new HashMap<>();
      env.put("CPH_ENDPOINT", emulator.endpoint().toString());
      env.put("CPH_PROJECT_ID", emulator.projectId());
      env.put("CPH_AUTH_TOKEN", TOKEN);
      env.put("CPH_PACKAGE", "com.miniteck.miniworld");
      env.put("CPH_BUCKET", "apps-bucket");
      env.put("CPH_OBJECT", "apps/game.tar");

      List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
          .toString(), "-jar", jar.toString(), "rollout", "--servers-file", servers.toString(), "--canary", "20",
          "--wave", "40", "--poll-interval", "100ms", "--journal", journal.toString()));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().putAll(env);
      File out = dir.resolve("out.txt").toFile();
      File err = dir.resolve("err.txt").toFile();
      Process p = pb.redirectOutput(out).redirectError(err).start();

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (p.isAlive() && lines(journal) < 40 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(p.isAlive(), "the rollout must still run when interrupted: " + Files.readString(err.toPath()));
      String signal = sigintIgnored(p.pid()) ? "-TERM" : "-INT"; // a shell without job control ignores SIGINT
      assertEquals(0, new ProcessBuilder("kill", signal, Long.toString(p.pid())).start().waitFor());
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the interrupted rollout ended");
      String stderr = Files.readString(err.toPath());
      assertEquals(signal.equals("-INT") ? 130 : 143, p.exitValue(), stderr);
      assertTrue(stderr.contains("cph: interrupted: no new batch is sent"), stderr);
      assertTrue(stderr.contains("rollout CANCELLED"), stderr);
      int pushedBefore = emulator.pushedServerIds().size();
      assertTrue(pushedBefore < ids.size(), "stopped before the end: " + pushedBefore);

      ByteArrayOutputStream o = new ByteArrayOutputStream();
      ByteArrayOutputStream e = new ByteArrayOutputStream();
      int code = Cph.run(new String[] {"rollout", "--resume", "--journal", journal.toString(), "--poll-interval",
          "100ms"}, new ByteArrayInputStream(new byte[0]), new PrintStream(o, true, StandardCharsets.UTF_8),
          new PrintStream(e, true, StandardCharsets.UTF_8), env);
      assertEquals(0, code, e.toString(StandardCharsets.UTF_8));
      List<String> pushed = emulator.pushedServerIds();
      assertEquals(new HashSet<>(ids), new HashSet<>(pushed));
      assertEquals(ids.size(), pushed.size(), "no server pushed twice");
      System.out.println("[cli jar] interrupted with SIG" + signal.substring(1) + " after " + pushedBefore
          + " pushes, exit " + p.exitValue() + "; resumed to " + pushed.size());
    }
  }

  private static long lines(Path journal) throws java.io.IOException {
    return Files.exists(journal) ? Files.readAllLines(journal).size() : 0;
  }

  /** Whether the process ignores SIGINT (Linux /proc), as background jobs of a non-interactive shell do. */
  private static boolean sigintIgnored(long pid) {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("SigIgn:")) {
          long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
          return (mask & 0x2) != 0;
        }
      }
    } catch (Exception e) {
      return true; // no /proc: SIGTERM runs the same shutdown hook
    }
    return false;
  }
}
