package io.github.cphsdk.examples;

import io.github.cphsdk.CallListener;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.JobListener;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ServerProgress;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Fault;
import io.github.cphsdk.testkit.Operation;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The whole push workflow: push an app's {@code .tar} from OBS to any number of cloud phone servers (in batches
 * of at most 20 per request), wait for the jobs with a live progress line, print a per-server summary.
 *
 * <p>With no endpoint configured (no arguments, no {@code CPH_REGION} / {@code CPH_ENDPOINT}) it runs a demo
 * against an embedded {@code FakeCloudPhoneServer}: 50 servers, real-time jobs of a few seconds, one server
 * rejected at push time and one job failing on its server (both staged), and one throttled answer that the
 * client retries. It exits 0 when the demo behaves as expected.
 *
 * <pre>
 * mvn -B -ntp -q -DskipTests -pl cph-sdk-examples -am package exec:java          # the demo
 * mvn -B -ntp -q -DskipTests -pl cph-sdk-examples -am package exec:java -Dexec.args="--help"
 * java io.github.cphsdk.examples.PushSharedApp --region=cn-north-4 --project-id=... --token=... \
 *     --package=com.example.game --bucket=my-bucket --object=apps/game.tar --servers=id1,id2
 * </pre>
 * Every setting can come from the environment instead: CPH_REGION or CPH_ENDPOINT, CPH_PROJECT_ID,
 * CPH_AUTH_TOKEN (or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK for AK/SK signing), CPH_PACKAGE, CPH_BUCKET,
 * CPH_OBJECT, CPH_SERVERS, CPH_PRE_INSTALL, CPH_WAIT. Against a real endpoint the exit code is 0 only when every
 * server's job succeeded.
 */
public final class PushSharedApp {
  static final String USAGE = String.join("\n",
      "usage: PushSharedApp                       (no settings: demo against an embedded emulator)",
      "       PushSharedApp --region=REGION | --endpoint=URL  --project-id=ID",
      "                     --token=IAM_TOKEN | --ak=ACCESS_KEY --sk=SECRET_KEY [--security-token=TOKEN]",
      "                     --package=NAME --bucket=BUCKET --object=PATH.tar --servers=ID,ID,...",
      "                     [--pre-install=true|false] [--wait=true|false]",
      "       PushSharedApp --help",
      "each setting may come from the environment instead: CPH_REGION / CPH_ENDPOINT, CPH_PROJECT_ID",
      "(or HUAWEICLOUD_SDK_PROJECT_ID), CPH_AUTH_TOKEN or HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK",
      "(+ HUAWEICLOUD_SDK_SECURITY_TOKEN), CPH_PACKAGE, CPH_BUCKET, CPH_OBJECT, CPH_SERVERS, CPH_PRE_INSTALL,",
      "CPH_WAIT. Through Maven: mvn -q -pl cph-sdk-examples exec:java -Dexec.args=\"--name=value ...\"");

  static final int DEMO_SERVERS = 50;
  static final int DEMO_REJECTED = 7;
  static final int DEMO_FAILING = 33;
  static final String DEMO_ACCESS_KEY = "DEMOACCESSKEY0000001";
  static final String DEMO_SECRET_KEY = "demo-secret-key-not-a-secret";
  /** The server whose batch the demo's throttled answer hits (batch 2), whatever batch reaches the emulator first. */
  static final int DEMO_THROTTLED = 25;
  static final String DEMO_FAIL_CODE = "CPS.0200";

  private PushSharedApp() {}

  public static void main(String[] args) {
    System.exit(run(args, System::getenv));
  }

  /**
   * Runs the example; returns the exit code: 0 success (demo: as expected), 1 failures, 2 bad settings. Output
   * goes to {@code System.out}; the progress line is redrawn in place only when there is a console.
   */
  static int run(String[] args, Function<String, String> env) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
      out.println(USAGE);
      return 0;
    }
    Settings s;
    try {
      s = new Settings(args, env);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage() + "\n" + USAGE);
      return 2;
    }
    boolean terminal = System.console() != null;
    String region = s.get("region", "CPH_REGION");
    String endpoint = s.get("endpoint", "CPH_ENDPOINT");
    if (args.length == 0 && region == null && endpoint == null) {
      return demo(out, err, terminal);
    }
    List<String> missing = new ArrayList<>();
    if (region == null && endpoint == null) {
      missing.add("--region or --endpoint (CPH_REGION / CPH_ENDPOINT)");
    }
    String projectId = s.get("project-id", "CPH_PROJECT_ID");
    projectId = projectId != null ? projectId : s.get("project-id", "HUAWEICLOUD_SDK_PROJECT_ID");
    if (projectId == null) {
      missing.add("--project-id (CPH_PROJECT_ID)");
    }
    Credentials credentials = credentials(s, missing);
    String packageName = require(s, "package", "CPH_PACKAGE", missing);
    String bucket = require(s, "bucket", "CPH_BUCKET", missing);
    String object = require(s, "object", "CPH_OBJECT", missing);
    List<String> servers = s.list("servers", "CPH_SERVERS");
    if (servers.isEmpty()) {
      missing.add("--servers (CPH_SERVERS)");
    }
    if (!missing.isEmpty()) {
      err.println("missing: " + String.join(", ", missing) + "\n" + USAGE);
      return 2;
    }
    String preInstall = s.get("pre-install", "CPH_PRE_INSTALL");
    boolean wait = !"false".equalsIgnoreCase(s.get("wait", "CPH_WAIT"));
    try {
      ShareAppsRequest.Builder request = ShareAppsRequest.builder()
          .packageName(packageName)
          .bucketName(bucket)
          .objectPath(object)
          .addAllServerIds(servers);
      if (preInstall != null) {
        request.preInstallApp(Boolean.parseBoolean(preInstall));
      }
      CloudPhoneClient.Builder client = CloudPhoneClient.builder()
          .projectId(projectId)
          .credentials(credentials)
          .listener(retryPrinter(out));
      if (endpoint != null) {
        client.endpoint(URI.create(endpoint));
      } else {
        client.region(region);
      }
      Run result = pushAndWait(client, request.build(), wait ? WaitOptions.builder() : null, out, terminal);
      if (result.report == null) {
        return result.outcome.allAccepted() ? 0 : 1;
      }
      return result.report.allSucceeded() ? 0 : 1;
    } catch (IllegalArgumentException e) {
      err.println("invalid input: " + e.getMessage());
      return 2;
    } catch (CloudPhoneException e) {
      err.println("failed: " + e.getMessage());
      if (e.mayHaveBeenApplied()) {
        err.println("jobs may have been started: check them before pushing again");
      }
      return 1;
    }
  }

  /**
   * A token ({@code --token}, {@code CPH_AUTH_TOKEN}) or an access key pair ({@code --ak}/{@code --sk},
   * {@code HUAWEICLOUD_SDK_AK}/{@code HUAWEICLOUD_SDK_SK}, with {@code HUAWEICLOUD_SDK_SECURITY_TOKEN} for
   * temporary keys); a token given as an argument wins, then keys given as arguments, then the environment.
   */
  static Credentials credentials(Settings s, List<String> missing) {
    String token = s.get("token", null);
    String ak = s.get("ak", null);
    String sk = s.get("sk", null);
    if (token == null && ak == null && sk == null) {
      token = s.get("token", "CPH_AUTH_TOKEN");
      ak = s.get("ak", "HUAWEICLOUD_SDK_AK");
      sk = s.get("sk", "HUAWEICLOUD_SDK_SK");
    }
    if (token != null) {
      return Credentials.token(token);
    }
    if (ak != null && sk != null) {
      String securityToken = s.get("security-token", "HUAWEICLOUD_SDK_SECURITY_TOKEN");
      return securityToken == null ? Credentials.akSk(ak, sk) : Credentials.akSk(ak, sk, securityToken);
    }
    missing.add(ak != null ? "--sk (HUAWEICLOUD_SDK_SK) to go with the access key"
        : sk != null ? "--ak (HUAWEICLOUD_SDK_AK) to go with the secret key"
        : "--token (CPH_AUTH_TOKEN) or --ak and --sk (HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK)");
    return null;
  }

  /** The demo: a staged run against an embedded emulator; 0 when everything went as staged. */
  static int demo(PrintStream out, PrintStream err, boolean terminal) {
    List<String> servers = demoServers();
    String rejected = servers.get(DEMO_REJECTED);
    String failing = servers.get(DEMO_FAILING);
    FakeCloudPhoneServer.Builder emulator = FakeCloudPhoneServer.builder()
        .akSk(DEMO_ACCESS_KEY, DEMO_SECRET_KEY)
        .serverWithoutSharedApps(rejected)
        .serverJobFails(failing, DEMO_FAIL_CODE, "Failed to install the shared application.",
            "no space left on device");
    for (int i = 0; i < servers.size(); i++) {
      emulator.serverJobDuration(servers.get(i), Duration.ofMillis(800 + (i * 337L) % 2400));
    }
    try (FakeCloudPhoneServer server = emulator.start()) {
      // aimed at one server's batch: the same batch is throttled (and retried) on every run
      server.injectFault(Fault.throttled(Duration.ofSeconds(1)).on(Operation.PUSH).forServer(
          servers.get(DEMO_THROTTLED)));
      out.println("DEMO MODE: no CPH_ENDPOINT or CPH_REGION is set, so this runs against an embedded");
      out.println("FakeCloudPhoneServer at " + server.endpoint() + " (requests signed with AK/SK, jobs take 1 to 3 s).");
      out.println("Staged by the demo: server #" + (DEMO_REJECTED + 1) + " does not support shared apps (rejected at"
          + " push time),");
      out.println("the job on server #" + (DEMO_FAILING + 1) + " fails, and the service throttles the request of batch "
          + (DEMO_THROTTLED / 20 + 1) + " once.");
      out.println("Set CPH_REGION (or CPH_ENDPOINT), CPH_PROJECT_ID, CPH_AUTH_TOKEN (or HUAWEICLOUD_SDK_AK and");
      out.println("HUAWEICLOUD_SDK_SK), CPH_PACKAGE, CPH_BUCKET, CPH_OBJECT and CPH_SERVERS to push for real (--help).");
      out.println();
      ShareAppsRequest request = ShareAppsRequest.builder()
          .packageName("com.miniteck.miniworld")
          .bucketName("demo-apps")
          .objectPath("apps/miniworld.tar")
          .preInstallApp(true)
          .addAllServerIds(servers)
          .build();
      CloudPhoneClient.Builder client = CloudPhoneClient.builder()
          .endpoint(server.endpoint())
          .projectId(server.projectId())
          .credentials(Credentials.akSk(DEMO_ACCESS_KEY, DEMO_SECRET_KEY))
          .listener(retryPrinter(out));
      WaitOptions.Builder waitOptions = WaitOptions.builder()
          .initialDelay(Duration.ofMillis(500))
          .pollInterval(Duration.ofMillis(500))
          .maxPollInterval(Duration.ofSeconds(1))
          .timeout(Duration.ofMinutes(1));
      Run result;
      try {
        result = pushAndWait(client, request, waitOptions, out, terminal);
      } catch (CloudPhoneException e) {
        err.println("DEMO FAILED: " + e.getMessage());
        return 1;
      }
      List<String> problems = new ArrayList<>();
      JobReport r = result.report;
      if (r.timedOut()) {
        problems.add("the wait timed out");
      }
      expect(problems, "not started", List.of(rejected), ids(r.notStarted()));
      expect(problems, "failed", List.of(failing), ids(r.failed()));
      expect(problems, "succeeded", DEMO_SERVERS - 2, r.succeeded().size());
      expect(problems, "push requests carried out", 3, server.pushCount());
      expect(problems, "jobs started", DEMO_SERVERS - 1, server.pushedServerIds().size());
      out.println();
      if (problems.isEmpty()) {
        out.println("Demo finished as expected: the rejected server and the failed job above were staged by the");
        out.println("demo, every other server got the app, and no server was pushed to twice. Exit code 0.");
        return 0;
      }
      err.println("DEMO DID NOT BEHAVE AS EXPECTED: " + String.join("; ", problems) + ". Exit code 1.");
      return 1;
    }
  }

  /** What a run produced: the batches' outcome and, when waited for, the jobs' report. */
  static final class Run {
    final BatchOutcome outcome;
    final JobReport report;

    Run(BatchOutcome outcome, JobReport report) {
      this.outcome = outcome;
      this.report = report;
    }
  }

  /** Pushes in batches, prints each batch, waits (when {@code waitOptions} is given) and prints the summary. */
  static Run pushAndWait(CloudPhoneClient.Builder clientBuilder, ShareAppsRequest request,
      WaitOptions.Builder waitOptions, PrintStream out, boolean terminal) {
    long start = System.nanoTime();
    try (CloudPhoneClient client = clientBuilder.build()) {
      int servers = request.serverIds().size();
      int batches = (servers + 19) / 20;
      out.println("Pushing " + request.packageName() + " (" + request.bucketName() + "/" + request.objectPath()
          + ") to " + servers + " server" + (servers == 1 ? "" : "s") + " in " + batches + " batch"
          + (batches == 1 ? "" : "es") + " of at most 20...");
      BatchOutcome outcome = client.shareAppsInBatches(request);
      printBatches(outcome, out);
      JobReport report = null;
      int jobs = outcome.accepted().size();
      if (waitOptions != null && jobs + outcome.notConfirmed().size() == 0) {
        out.println("No job was started, so there is nothing to wait for.");
      } else if (waitOptions != null) {
        Progress progress = new Progress(out, terminal, jobs, start);
        WaitOptions options = waitOptions.listener(progress).build();
        out.println("Waiting for " + jobs + " job" + (jobs == 1 ? "" : "s") + " (timeout " + human(options.timeout())
            + "):");
        progress.begin(options.initialDelay());
        report = client.waitForJobs(outcome, options);
        if (terminal) {
          out.println();
        }
      }
      printSummary(outcome, report, out, (System.nanoTime() - start) / 1e9);
      return new Run(outcome, report);
    }
  }

  private static void printBatches(BatchOutcome outcome, PrintStream out) {
    Map<Integer, List<ServerOutcome>> byBatch = new TreeMap<>();
    outcome.servers().forEach(s -> byBatch.computeIfAbsent(s.batch(), k -> new ArrayList<>()).add(s));
    for (Map.Entry<Integer, List<ServerOutcome>> e : byBatch.entrySet()) {
      List<ServerOutcome> list = e.getValue();
      ServerOutcome first = list.get(0);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  batch %d/%d: %2d server%s, ",
          e.getKey() + 1, outcome.batchCount(), list.size(), list.size() == 1 ? "" : "s"));
      if (first.result() == ServerOutcome.Result.BATCH_FAILED) {
        CloudPhoneException f = first.failure().get();
        line.append("FAILED").append(f.mayHaveBeenApplied() ? " (may have been applied: check before pushing again)"
            : " (nothing was started)").append(": ").append(f.getMessage());
      } else {
        long accepted = list.stream().filter(s -> s.result() == ServerOutcome.Result.ACCEPTED).count();
        long rejected = list.stream().filter(s -> s.result() == ServerOutcome.Result.REJECTED).count();
        long unconfirmed = list.stream().filter(s -> s.result() == ServerOutcome.Result.NOT_CONFIRMED).count();
        line.append("request ").append(first.requestId().orElse("-")).append(": ").append(accepted)
            .append(" job").append(accepted == 1 ? "" : "s").append(" started");
        if (rejected > 0) {
          line.append(", ").append(rejected).append(" rejected");
        }
        if (unconfirmed > 0) {
          line.append(", ").append(unconfirmed).append(" not confirmed by the answer");
        }
      }
      out.println(line);
    }
  }

  /** One row per server, then the totals. */
  static void printSummary(BatchOutcome outcome, JobReport report, PrintStream out, double seconds) {
    out.println();
    out.println("Summary");
    out.println(String.format(Locale.ROOT, "  %3s  %-32s  %-13s  %-32s  %-11s  %s", "#", "server", "push", "job",
        "result", "detail"));
    for (int i = 0; i < outcome.servers().size(); i++) {
      ServerOutcome push = outcome.servers().get(i);
      ServerProgress progress = report == null ? null : report.servers().get(i);
      String result = progress == null ? "-" : progress.state() == ServerProgress.State.NOT_STARTED
          ? "NOT STARTED" : progress.state().toString();
      String job = progress != null ? progress.jobId().orElse("-") : push.jobId().orElse("-");
      out.println(String.format(Locale.ROOT, "  %3d  %-32s  %-13s  %-32s  %-11s  %s", i + 1, push.serverId(),
          pushColumn(push), job, result, detail(push, progress)).stripTrailing());
    }
    out.println();
    if (report == null) {
      int started = outcome.accepted().size();
      int total = outcome.servers().size();
      out.println(String.format(Locale.ROOT, "Result: %d job%s started, %d rejected, %d in failed batches, %d not "
          + "confirmed (of %d server%s) in %.1f s; not waited for.", started, started == 1 ? "" : "s",
          outcome.rejected().size(), outcome.failed().size(), outcome.notConfirmed().size(), total,
          total == 1 ? "" : "s", seconds));
    } else {
      int total = report.servers().size();
      out.println(String.format(Locale.ROOT, "Result: %d succeeded, %d failed, %d still running, %d not started "
          + "(of %d server%s) in %.1f s%s.", report.succeeded().size(), report.failed().size(),
          report.running().size(), report.notStarted().size(), total, total == 1 ? "" : "s", seconds,
          report.timedOut() ? "; the wait timed out" : ""));
    }
  }

  private static String pushColumn(ServerOutcome push) {
    switch (push.result()) {
      case ACCEPTED:
        return "accepted";
      case REJECTED:
        return "REJECTED";
      case BATCH_FAILED:
        return "BATCH FAILED";
      default:
        return "NOT CONFIRMED";
    }
  }

  private static String detail(ServerOutcome push, ServerProgress progress) {
    StringBuilder d = new StringBuilder();
    if (push.result() == ServerOutcome.Result.BATCH_FAILED) {
      CloudPhoneException f = push.failure().get();
      if (f instanceof CloudPhoneServiceException && ((CloudPhoneServiceException) f).errorCode() != null) {
        d.append(((CloudPhoneServiceException) f).errorCode()).append(' ');
      }
      d.append(f.mayHaveBeenApplied() ? "may have been applied: check before pushing again" : "nothing was started");
      return d.toString();
    }
    if (push.result() == ServerOutcome.Result.NOT_CONFIRMED && (progress == null || !progress.job().isPresent())) {
      return "not in the answer; may have been applied: list the jobs of request " + push.requestId().orElse("-");
    }
    String code = progress != null ? progress.errorCode().orElse(null) : push.errorCode().orElse(null);
    String msg = progress != null ? progress.errorMsg().orElse(null) : push.errorMsg().orElse(null);
    if (code != null) {
      d.append(code);
    }
    if (msg != null) {
      d.append(d.length() > 0 ? " " : "").append(msg);
    }
    if (progress != null && progress.state() == ServerProgress.State.FAILED) {
      progress.executeMsg().ifPresent(m -> d.append(" (execute_msg: ").append(m).append(')'));
    }
    return d.toString();
  }

  /** The live progress line: redrawn in place on a terminal, one plain line per change otherwise. */
  static final class Progress implements JobListener {
    private final PrintStream out;
    private final boolean terminal;
    private final int jobs;
    private final long start;
    private String last = "";

    Progress(PrintStream out, boolean terminal, int jobs, long start) {
      this.out = out;
      this.terminal = terminal;
      this.jobs = jobs;
      this.start = start;
    }

    @Override
    public void serverChanged(ServerProgress server) {
      if (server.state() == ServerProgress.State.FAILED) {
        String line = "  job failed on " + server.serverId() + ": " + server.errorCode().orElse("") + " "
            + server.errorMsg().orElse("") + server.executeMsg().map(m -> " (execute_msg: " + m + ")").orElse("");
        out.println(terminal ? "\r" + pad(line) : line);
      }
    }

    /** The first line, at once: nothing is known until the first poll, which may be many seconds away. */
    void begin(Duration firstPoll) {
      String counts = String.format(Locale.ROOT, "0/%d finished: 0 succeeded, 0 failed, %d running", jobs, jobs);
      show(counts, 0, "first check in " + human(firstPoll));
    }

    @Override
    public void polled(JobReport p) {
      int done = p.succeeded().size() + p.failed().size();
      String counts = String.format(Locale.ROOT, "%d/%d finished: %d succeeded, %d failed, %d running", done, jobs,
          p.succeeded().size(), p.failed().size(), p.running().size());
      show(counts, done, null);
    }

    private void show(String counts, int done, String note) {
      int width = 20;
      int filled = jobs == 0 ? width : done * width / jobs;
      String line = "  [" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + counts
          + String.format(Locale.ROOT, "  %.1f s", (System.nanoTime() - start) / 1e9)
          + (note == null ? "" : " (" + note + ")");
      if (terminal) {
        out.print("\r" + pad(line));
        out.flush();
      } else if (!counts.equals(last)) {
        out.println(line);
      }
      last = counts;
    }

    @Override
    public void pollFailed(CloudPhoneException failure, int failedPolls) {
      String line = "  (checking the jobs failed, trying again: " + failure.getMessage() + ")";
      out.println(terminal ? "\r" + pad(line) : line);
    }

    private static String pad(String line) {
      return line.length() >= 100 ? line : line + " ".repeat(100 - line.length());
    }
  }

  /** Shows the client's retries (e.g. after a throttled answer): what the SDK does for you. */
  static CallListener retryPrinter(PrintStream out) {
    return new CallListener() {
      @Override
      public void retryScheduled(String operation, String callId, int nextAttempt, Duration delay,
          CloudPhoneException cause) {
        String why = cause instanceof CloudPhoneServiceException
            ? "HTTP " + ((CloudPhoneServiceException) cause).statusCode()
                + (((CloudPhoneServiceException) cause).errorCode() == null ? ""
                    : " " + ((CloudPhoneServiceException) cause).errorCode())
            : firstSentence(cause.getMessage(), operation);
        out.println("  (" + operation + ": " + why + (cause.mayHaveBeenApplied() ? ", it may have been applied"
            : ", nothing was applied") + "; retrying in " + delay.toMillis() + " ms)");
      }
    };
  }

  /** "could not connect to host:port (...)" out of "push shared apps: could not connect to ... . Nothing was sent." */
  static String firstSentence(String message, String operation) {
    if (message == null) {
      return "no answer";
    }
    String m = message.startsWith(operation + ": ") ? message.substring(operation.length() + 2) : message;
    int end = m.indexOf(". ");
    return end < 0 ? (m.endsWith(".") ? m.substring(0, m.length() - 1) : m) : m.substring(0, end);
  }

  /** 50 fixed, realistic-looking server ids (32 hex digits). */
  static List<String> demoServers() {
    Random random = new Random(20261127L);
    List<String> ids = new ArrayList<>(DEMO_SERVERS);
    for (int i = 0; i < DEMO_SERVERS; i++) {
      ids.add(String.format(Locale.ROOT, "%016x%016x", random.nextLong(), random.nextLong()));
    }
    return ids;
  }

  private static List<String> ids(List<ServerProgress> servers) {
    List<String> ids = new ArrayList<>();
    servers.forEach(s -> ids.add(s.serverId()));
    return ids;
  }

  private static void expect(List<String> problems, String what, Object expected, Object actual) {
    if (!expected.equals(actual)) {
      problems.add(what + ": expected " + expected + " but got " + actual);
    }
  }

  static String human(Duration d) {
    if (d.toMinutes() > 0 && d.toSecondsPart() == 0) {
      return d.toMinutes() + " min";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1e3);
  }

  private static String require(Settings s, String name, String envName, List<String> missing) {
    String v = s.get(name, envName);
    if (v == null) {
      missing.add("--" + name + " (" + envName + ")");
    }
    return v;
  }
}
