package io.github.cphsdk.cli;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.JobStatus;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cph jobs show|list}. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = {"Show one job, or list the jobs of a "
    + "request (a push or delete)."})
final class JobsCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "jobs needs a command: show JOB_ID or list "
        + "REQUEST_ID");
  }

  /** {@code cph jobs show JOB_ID}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = {"Show one job. Exit 0 when it "
      + "succeeded, 1 otherwise (running, failed, unknown)."})
  static final class Show implements Callable<Integer> {
    private final Cph.Io io;

    @Mixin
    Options.Connection connection = new Options.Connection();
    @Mixin
    Output.Format output = new Output.Format();

    @Parameters(paramLabel = "JOB_ID", description = "the job id")
    String jobId;

    Show(Cph.Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      boolean json = output.json();
      try (CloudPhoneClient client = connection.client(io)) {
        Job job = client.showJob(jobId);
        Output.print(io.out, Output.rows(List.of(job)), json);
        return job.status() == JobStatus.SUCCEEDED ? Cph.OK : Cph.SOME_FAILED;
      }
    }
  }

  /** {@code cph jobs list REQUEST_ID}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = {"List every job of a request (all "
      + "pages). Exit 0 when every job succeeded, 1 otherwise."})
  static final class ListJobs implements Callable<Integer> {
    private final Cph.Io io;

    @Mixin
    Options.Connection connection = new Options.Connection();
    @Mixin
    Output.Format output = new Output.Format();

    @Parameters(paramLabel = "REQUEST_ID", description = "the request id of a push or delete")
    String requestId;

    ListJobs(Cph.Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      boolean json = output.json();
      try (CloudPhoneClient client = connection.client(io)) {
        JobList jobs = client.listJobs(requestId);
        Output.print(io.out, Output.rows(jobs.jobs()), json);
        return jobs.jobs().stream().allMatch(j -> j.status() == JobStatus.SUCCEEDED)
            ? Cph.OK : Cph.SOME_FAILED;
      }
    }
  }
}
