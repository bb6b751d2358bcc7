package io.github.cphsdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command in-process: argv and environment in; stdout, stderr and the exit code out. */
class CliTest {
  static final String TOKEN = "cli-token";

  @TempDir
  Path dir;
  FakeCloudPhoneServer emulator;

  static final class Result {
    final int code;
    final String out;
    final String err;

    Result(int code, String out, String err) {
      this.code = code;
      this.out = out;
      this.err = err;
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Result cph(Map<String, String> env, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cph.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static List<String> servers(int n) {
    return IntStream.range(0, n).mapToObj(i -> String.format("%032x", 0xc11a0000L + i)).collect(Collectors.toList());
  }

  FakeCloudPhoneServer emulator(FakeCloudPhoneServer.Builder b) {
    emulator = b.token(TOKEN).jobDuration(Duration.ofMillis(50)).start();
    return emulator;
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("CPH_ENDPOINT", emulator.endpoint().toString());
    env.put("CPH_PROJECT_ID", emulator.projectId());
    env.put("CPH_AUTH_TOKEN", TOKEN);
    env.put("CPH_PACKAGE", "com.miniteck.miniworld");
    env.put("CPH_BUCKET", "apps-bucket");
    env.put("CPH_OBJECT", "apps/game.tar");
    return env;
  }

  static String[] args(String... a) {
    return a;
  }

  static String[] concat(String[] a, String... b) {
    List<String> l = new ArrayList<>(Arrays.asList(a));
    l.addAll(Arrays.asList(b));
    return l.toArray(new String[0]);
  }


  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] command : List.of(args(), args("push"), args("delete"), args("jobs"), args("jobs", "show"),
        args("jobs", "list"), args("rollout"), args("demo"))) {
      Result r = cph(Map.of(), "", concat(command, "--help"));
      assertEquals(0, r.code, r.toString());
      assertTrue(r.out.startsWith("Usage: cph" + (command.length == 0 ? "" : " " + String.join(" ", command))),
          r.toString());
    }
    Result top = cph(Map.of(), "", "--help");
    assertTrue(top.out.contains("130  interrupted"), top.out);
  }

  @Test
  void anUnknownFlagIsBadUsage() {
    Result r = cph(Map.of(), "", "rollout", "--canry", "5");
    assertEquals(2, r.code, r.toString());
    assertTrue(r.err.contains("Unknown option") && r.err.contains("'--canry'"), r.toString());
    Result token = cph(Map.of(), "", "push", "--token", "secret");
    assertEquals(2, token.code, "no secret on the command line: " + token);
    assertFalse(token.err.contains("secret'") && !token.err.contains("Unknown option"), token.toString());
  }

  @Test
  void missingCredentialsAreNamed() {
    emulator(FakeCloudPhoneServer.builder());
    Map<String, String> env = env();
    env.remove("CPH_AUTH_TOKEN");
    Result r = cph(env, "", "rollout", "--servers", String.join(",", servers(3)));
    assertEquals(2, r.code, r.toString());
    assertTrue(r.err.contains("missing settings: credentials: CPH_AUTH_TOKEN, or HUAWEICLOUD_SDK_AK and "
        + "HUAWEICLOUD_SDK_SK, or --token-file FILE"), r.toString());
    assertEquals(0, emulator.pushCount());
  }

  @Test
  void aMalformedIdLineIsNamedBeforeAnythingIsSent() throws IOException {
    emulator(FakeCloudPhoneServer.builder());
    List<String> ids = servers(3);
    Path file = dir.resolve("servers.txt");
    Files.write(file, List.of("# fleet A", ids.get(0), "", ids.get(1), "not-a-server-id", ids.get(2)));
    Result r = cph(env(), "", "rollout", "--servers-file", file.toString());
    assertEquals(2, r.code, r.toString());
    assertTrue(r.err.contains("--servers-file " + file + " line 5: \"not-a-server-id\" is not a server id"),
        r.toString());

    Files.write(file, List.of(ids.get(0), ids.get(1), "  " + ids.get(0) + "  "));
    Result dup = cph(env(), "", "push", "--servers-file", file.toString());
    assertEquals(2, dup.code, dup.toString());
    assertTrue(dup.err.contains("line 3: server " + ids.get(0) + " is listed twice (first at --servers-file " + file
        + " line 1)"), dup.toString());

    Result inline = cph(env(), "", "push", "--servers", ids.get(0) + ",abc");
    assertEquals(2, inline.code, inline.toString());
    assertTrue(inline.err.contains("--servers item 2: \"abc\" is not a server id"), inline.toString());
    assertEquals(0, emulator.pushCount());
  }

  @Test
  void anUnreadableFileIsBadInput() {
    emulator(FakeCloudPhoneServer.builder());
    Path missing = dir.resolve("nope.txt");
    Result r = cph(env(), "", "rollout", "--servers-file", missing.toString());
    assertEquals(2, r.code, r.toString());
    assertTrue(r.err.contains("--servers-file " + missing + " cannot be read: no such file"), r.toString());
    Result token = cph(env(), "", "jobs", "show", "0123", "--token-file", missing.toString());
    assertEquals(2, token.code, token.toString());
    assertTrue(token.err.contains("--token-file " + missing + " cannot be read"), token.toString());
  }

  @Test
  void pushWaitJobsAndDeleteFromStdin() {
    emulator(FakeCloudPhoneServer.builder());
    List<String> ids = servers(25);
    String stdin = "# from a pipe\n" + String.join("\n", ids) + "\n";
    Result push = cph(env(), stdin, "push", "--servers-file", "-", "--wait", "--poll-interval", "50ms",
        "--output", "json");
    assertEquals(0, push.code, push.toString());
    List<String> lines = push.out.lines().collect(Collectors.toList());
    assertEquals(25, lines.size(), push.toString());
    assertTrue(lines.get(0).startsWith("{\"server_id\":\"" + ids.get(0) + "\",\"push\":\"ACCEPTED\",\"status\":"
        + "\"SUCCEEDED\",\"request_id\":\""), lines.get(0));
    assertEquals(25, emulator.pushedServerIds().size());

    String requestId = lines.get(0).replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1");
    String jobId = lines.get(0).replaceAll(".*\"job_id\":\"([^\"]+)\".*", "$1");
    Result list = cph(env(), "", "jobs", "list", requestId);
    assertEquals(0, list.code, list.toString());
    assertEquals(21, list.out.lines().count(), "header and the 20 jobs of the first batch: " + list);
    Result show = cph(env(), "", "jobs", "show", jobId);
    assertEquals(0, show.code, show.toString());
    assertTrue(show.out.contains(jobId) && show.out.contains("SUCCEEDED"), show.toString());

    Result delete = cph(env(), "", "delete", "--servers", String.join(",", ids));
    assertEquals(0, delete.code, delete.toString());
    assertEquals(25, emulator.deletedServerIds().size());
  }

  @Test
  void dryRunPrintsThePlanAndSendsNothing() {
    emulator(FakeCloudPhoneServer.builder());
    Result r = cph(env(), "", "rollout", "--servers", String.join(",", servers(50)), "--canary", "2", "--wave", "20%",
        "--dry-run");
    assertEquals(0, r.code, r.toString());
    assertTrue(r.out.startsWith("dry run: 50 servers in 6 waves, 6 batches; nothing was sent"), r.toString());
    assertTrue(r.out.contains("wave 0 (canary): 2 servers in 1 batches"), r.toString());
    assertTrue(r.out.contains("wave 5: 8 servers in 1 batches"), "waves of 20% = 10 servers: " + r);
    assertEquals(0, emulator.pushCount());
    assertEquals(0, emulator.requests().size());
  }

  @Test
  void rolloutCompletesAndItsJournalResumesWithoutPushingAgain() throws IOException {
    emulator(FakeCloudPhoneServer.builder());
    List<String> ids = servers(60);
    Path journal = dir.resolve("r.jsonl");
    Result r = cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--servers", String.join(",", ids), "--canary", "5", "--wave",
        "25", "--journal", journal.toString()));
    assertEquals(0, r.code, r.toString());
    assertEquals(61, r.out.lines().count(), r.toString());
    assertTrue(r.err.contains("rollout COMPLETED: 60 succeeded"), r.toString());

    Result again = cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--resume", "--journal", journal.toString()));
    assertEquals(0, again.code, again.toString());
    assertEquals(60, emulator.pushedServerIds().size(), "the resume pushed nothing");
  }

  @Test
  void theGateStopsTheRolloutWithExitCode3() {
    List<String> ids = servers(40);
    emulator(FakeCloudPhoneServer.builder().serverJobFails(ids.get(0), "CPS.0200", "Install failed.", null));
    Result r = cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--servers", String.join(",", ids), "--canary", "4",
        "--max-failure-ratio", "10%"));
    assertEquals(3, r.code, r.toString());
    assertTrue(r.err.contains("stopped by the failure gate after wave 1 (canary)"), r.toString());
    assertEquals(4, emulator.pushedServerIds().size());
  }

  @Test
  void someFailuresBelowTheGateExitWith1() {
    List<String> ids = servers(40);
    emulator(FakeCloudPhoneServer.builder().serverWithoutSharedApps(ids.get(30)));
    Result r = cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--servers", String.join(",", ids), "--output", "json"));
    assertEquals(1, r.code, r.toString());
    assertTrue(r.out.contains("\"server_id\":\"" + ids.get(30) + "\",\"wave\":8,\"push\":\"REJECTED\""), r.out);
  }

  @Test
  void refusedCredentialsExitWith4() {
    emulator(FakeCloudPhoneServer.builder());
    Map<String, String> env = env();
    env.put("CPH_AUTH_TOKEN", "Refused-Token-7f3a");
    Result r = cph(env, "", concat(args("rollout", "--poll-interval", "50ms"), "--servers", String.join(",", servers(5))));
    assertEquals(4, r.code, r.toString());
    assertTrue(r.err.contains("401"), r.toString());
    assertFalse(r.err.contains("Refused-Token-7f3a"), "the token never appears: " + r);
  }

  @Test
  void theJournalOfAnotherRolloutIsRefused() throws IOException {
    emulator(FakeCloudPhoneServer.builder());
    Path journal = dir.resolve("a.jsonl");
    assertEquals(0, cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--servers", String.join(",", servers(10)), "--journal",
        journal.toString())).code);
    Result r = cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--servers", String.join(",", servers(11)), "--journal",
        journal.toString(), "--resume"));
    assertEquals(2, r.code, r.toString());
    assertTrue(r.err.contains("belongs to another rollout"), r.toString());
    Result fresh = cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--servers", String.join(",", servers(10)), "--journal",
        journal.toString()));
    assertEquals(2, fresh.code, fresh.toString());
    assertTrue(fresh.err.contains("already holds a rollout"), fresh.toString());
    assertEquals(10, emulator.pushedServerIds().size());
  }

  @Test
  void aTornJournalResumesAndADamagedOneIsNamed() throws IOException {
    emulator(FakeCloudPhoneServer.builder());
    List<String> ids = servers(30);
    Path journal = dir.resolve("t.jsonl");
    assertEquals(0, cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--servers", String.join(",", ids), "--canary", "10",
        "--journal", journal.toString())).code);
    List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
    int cut = 0;
    while (!lines.get(cut).startsWith("{\"t\":\"gate\"")) {
      cut++;
    }
    // a crash after the canary's gate, in the middle of writing the next intent
    Files.write(journal, (String.join("\n", lines.subList(0, cut + 1)) + "\n{\"t\":\"send\",\"bat")
        .getBytes(StandardCharsets.UTF_8));
    emulator.clearRecorded();
    Result torn = cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--resume", "--journal", journal.toString()));
    assertEquals(0, torn.code, torn.toString());
    assertEquals(new HashSet<>(ids.subList(10, 30)), new HashSet<>(emulator.pushedServerIds()));

    List<String> damaged = new ArrayList<>(Files.readAllLines(journal, StandardCharsets.UTF_8));
    damaged.set(1, "not json");
    Files.write(journal, damaged);
    Result bad = cph(env(), "", concat(args("rollout", "--poll-interval", "50ms"), "--resume", "--journal", journal.toString()));
    assertEquals(2, bad.code, bad.toString());
    assertTrue(bad.err.contains("is damaged at line 2"), bad.toString());
  }

  @Test
  void demoRunsAgainstTheEmbeddedEmulator() {
    Result r = cph(Map.of(), "", "demo", "--servers-count", "50");
    assertEquals(0, r.code, r.toString());
    assertTrue(r.err.contains("Demo finished as staged"), r.toString());
    assertEquals(51, r.out.lines().count(), r.toString());
  }
}
