package io.github.cphsdk.cli;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.rollout.RolloutJournalException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cph}: the command line of cph-sdk. {@link #run} is the whole program without {@code System.exit}, so
 * that tests run every command in-process (argv in; stdout, stderr and the exit code out).
 */
@Command(name = "cph", mixinStandardHelpOptions = true, versionProvider = Cph.Version.class,
    description = {"Push shared applications to Huawei Cloud Phone Host servers, wait for their jobs, roll out to a "
        + "fleet in waves that survive a crash, or try it all against an embedded emulator (cph demo)."},
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0    every server succeeded",
        "  1    some servers failed or are unknown",
        "  2    bad usage or input (nothing was sent)",
        "  3    the rollout was stopped by its failure gate",
        "  4    the service refused the credentials or the configuration (401, 403, CPS.0001)",
        "  130  interrupted (Ctrl-C); a rollout's journal is left resumable (--resume)",
        "",
        "Settings come from flags or the environment: CPH_REGION or CPH_ENDPOINT, CPH_PROJECT_ID (or",
        "HUAWEICLOUD_SDK_PROJECT_ID), CPH_AUTH_TOKEN or HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (+",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN), CPH_PACKAGE, CPH_BUCKET, CPH_OBJECT. Secrets are never read from",
        "the command line: use the environment or --token-file FILE."},
    subcommands = {CommandLine.HelpCommand.class})
public final class Cph implements Runnable {
  static final int OK = 0;
  static final int SOME_FAILED = 1;
  static final int USAGE = 2;
  static final int GATE = 3;
  static final int REFUSED = 4;
  static final int INTERRUPTED = 130;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The process: its streams and environment. */
  static final class Io {
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    final boolean terminal;
    /** Set by a rollout while it runs, for the shutdown hook. */
    volatile Runnable onInterrupt;

    Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
      this.in = in;
      this.out = out;
      this.err = err;
      this.env = env;
      this.terminal = terminal;
    }
  }

  /** Bad input found before anything was sent: exit code 2. */
  static final class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputException(String message) {
      super(message);
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: push, delete, jobs, "
        + "rollout or demo (cph --help)");
  }

  public static void main(String[] args) {
    if (System.getProperty("slf4j.provider") == null) {
      // no logging backend in the jar: the CLI reports for itself (and slf4j would warn about a missing provider)
      System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
    Io io = new Io(System.in, System.out, System.err, System.getenv(), System.console() != null);
    Thread hook = new Thread(() -> {
      Runnable r = io.onInterrupt;
      if (r != null) {
        r.run();
      }
    }, "cph-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = run(args, io);
    io.onInterrupt = null;
    System.out.flush();
    System.exit(code);
  }

  /** Runs {@code cph args} with these streams and environment; returns the exit code. */
  static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, new Io(in, out, err, env, false));
  }

  static int run(String[] args, Io io) {
    CommandLine cl = commandLine(io);
    return cl.execute(args);
  }

  static CommandLine commandLine(Io io) {
    CommandLine cl = new CommandLine(new Cph());
    cl.addSubcommand("push", new PushCommand(io));
    cl.addSubcommand("delete", new DeleteCommand(io));
    CommandLine jobs = new CommandLine(new JobsCommand());
    jobs.addSubcommand("show", new JobsCommand.Show(io));
    jobs.addSubcommand("list", new JobsCommand.ListJobs(io));
    cl.addSubcommand("jobs", jobs);
    cl.addSubcommand("rollout", new RolloutCommand(io));
    cl.addSubcommand("demo", new DemoCommand(io));
    cl.setOut(new PrintWriter(io.out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(io.err, true, StandardCharsets.UTF_8));
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("cph: " + message(e));
      commandLine.getErr().flush();
      return exitCode(e);
    });
    return cl;
  }

  /** Throws the failure of a batch whose credentials or project the service refused: exit code 4. */
  static void checkRefused(io.github.cphsdk.model.BatchOutcome outcome) {
    for (CloudPhoneException f : outcome.failures()) {
      if (f instanceof CloudPhoneServiceException && exitCode(f) == REFUSED) {
        throw f;
      }
    }
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  static int exitCode(Throwable e) {
    if (e instanceof InputException || e instanceof IllegalArgumentException
        || e instanceof RolloutJournalException || e instanceof UncheckedIOException) {
      return USAGE;
    }
    if (e instanceof CloudPhoneServiceException) {
      CloudPhoneServiceException s = (CloudPhoneServiceException) e;
      if (s.statusCode() == 401 || s.statusCode() == 403 || "CPS.0001".equals(s.errorCode())) {
        return REFUSED;
      }
    }
    if (e instanceof CloudPhoneException) {
      return SOME_FAILED;
    }
    if (e instanceof IllegalStateException) {
      return USAGE;
    }
    return SOME_FAILED;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cph.class.getPackage().getImplementationVersion();
      return new String[] {"cph " + (v == null ? "(development)" : v)};
    }
  }
}
