package io.github.cphsdk.cli;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ServerProgress;
import io.github.cphsdk.model.ShareAppsRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cph push}: one push to any number of servers, in batches; optionally waits for the jobs. */
@Command(name = "push", mixinStandardHelpOptions = true, description = {"Push a shared app (.tar in OBS) to servers, "
    + "in batches of at most 20; with --wait, wait for the jobs. Exit 0 when every server got a job (with --wait: "
    + "when every job succeeded), 1 otherwise."})
final class PushCommand implements Callable<Integer> {
  private final Cph.Io io;

  @Mixin
  Options.Connection connection = new Options.Connection();
  @Mixin
  Options.Push push = new Options.Push();
  @Mixin
  Options.Servers servers = new Options.Servers();
  @Mixin
  Output.Format output = new Output.Format();

  @Option(names = "--wait", description = "wait for the jobs to end")
  boolean wait;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long --wait waits (default 1800)")
  long timeoutSeconds = 1800;

  @Option(names = "--poll-interval", paramLabel = "DURATION", description = "between job polls with --wait, e.g. "
      + "5s (default: first poll after 10s, then 5s growing to 30s)")
  String pollInterval;

  @Option(names = "--dry-run", description = "validate and print the batches, send nothing")
  boolean dryRun;

  PushCommand(Cph.Io io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    boolean json = output.json();
    List<String> ids = servers.read(io, true);
    ShareAppsRequest request = push.request(io, ids);
    if (timeoutSeconds < 1) {
      throw new Cph.InputException("--timeout must be at least 1 second, got " + timeoutSeconds);
    }
    try (CloudPhoneClient client = connection.client(io)) {
      if (dryRun) {
        DryRun.batches(io.out, ids, 20);
        return Cph.OK;
      }
      io.err.println("pushing " + request.packageName() + " to " + ids.size() + " servers...");
      BatchOutcome outcome = client.shareAppsInBatches(request);
      Cph.checkRefused(outcome);
      JobReport report = null;
      if (wait && !outcome.accepted().isEmpty()) {
        io.err.println("waiting for " + outcome.accepted().size() + " jobs...");
        WaitOptions.Builder w = WaitOptions.builder().timeout(Duration.ofSeconds(timeoutSeconds));
        if (pollInterval != null) {
          Duration d = RolloutCommand.Tuning.duration("--poll-interval", pollInterval);
          w.initialDelay(d).pollInterval(d).maxPollInterval(d);
        }
        report = client.waitForJobs(outcome, w.build());
      }
      Output.print(io.out, Output.rows(outcome.servers(), report), json);
      boolean ok = report != null ? report.servers().stream().allMatch(s -> s.state() == ServerProgress.State.SUCCEEDED)
          : outcome.servers().stream().allMatch(s -> s.result() == ServerOutcome.Result.ACCEPTED);
      return ok ? Cph.OK : Cph.SOME_FAILED;
    }
  }
}
