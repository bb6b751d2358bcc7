package io.github.cphsdk.cli;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.rollout.Rollout;
import io.github.cphsdk.rollout.RolloutJournal;
import io.github.cphsdk.rollout.RolloutListener;
import io.github.cphsdk.rollout.RolloutReport;
import io.github.cphsdk.rollout.RolloutServer;
import io.github.cphsdk.rollout.RolloutState;
import io.github.cphsdk.rollout.RolloutWave;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cph rollout}: a fleet rollout in waves with a canary, a failure gate and a resumable journal. */
@Command(name = "rollout", mixinStandardHelpOptions = true, description = {
    "Roll a shared app out to a fleet: a canary wave first, then waves; after each wave's jobs end, stop when "
        + "failed jobs and rejected servers exceed --max-failure-ratio. With --journal, every step is recorded "
        + "before it is taken: after a crash or Ctrl-C, run again with --resume and no server is pushed twice.",
    "Exit 0 when every server succeeded, 1 when some failed or are unknown, 3 when the gate stopped the rollout, "
        + "130 when interrupted (resume it)."})
final class RolloutCommand implements Callable<Integer> {
  private final Cph.Io io;

  @Mixin
  Options.Connection connection = new Options.Connection();
  @Mixin
  Options.Push push = new Options.Push();
  @Mixin
  Options.Servers servers = new Options.Servers();
  @Mixin
  Output.Format output = new Output.Format();
  @Mixin
  Tuning tuning = new Tuning();

  @Option(names = "--journal", paramLabel = "FILE", description = "record every step in FILE (JSON Lines) so that "
      + "the rollout can be resumed")
  Path journal;

  @Option(names = "--resume", description = "carry on the rollout --journal holds (push and servers from the "
      + "journal; when given too, they must match it)")
  boolean resume;

  @Option(names = "--re-push-ambiguous", description = "on --resume, push again to servers whose batch was sent but "
      + "whose answer was never recorded (default: report them UNKNOWN)")
  boolean rePushAmbiguous;

  @Option(names = "--dry-run", description = "validate and print the waves and batches, send nothing")
  boolean dryRun;

  RolloutCommand(Cph.Io io) {
    this.io = io;
  }

  /** The rollout's sizes and waits, shared with {@code cph demo}. */
  static final class Tuning {
    @Option(names = "--canary", paramLabel = "N|P%", description = "servers in the first wave (default 1%, at "
        + "least 1)")
    String canary;

    @Option(names = "--wave", paramLabel = "N|P%", description = "servers per later wave (default 10%)")
    String wave;

    @Option(names = "--max-failure-ratio", paramLabel = "R|P%", description = "the gate: stop when failures "
        + "exceed this share (default 0.05)")
    String maxFailureRatio;

    @Option(names = "--max-concurrent-batches", paramLabel = "N", description = "batch requests in flight "
        + "(default 4)")
    Integer maxConcurrentBatches;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "longest wait for one wave's jobs, e.g. "
        + "30m (default 30m)")
    String timeout;

    @Option(names = "--poll-interval", paramLabel = "DURATION", description = "between job polls, e.g. 5s "
        + "(default 5s, growing to 30s); the first poll waits as long")
    String pollInterval;

    void apply(Rollout.Builder b, int servers) {
      if (canary != null) {
        b.canarySize(count("--canary", canary, servers));
      }
      if (wave != null) {
        b.waveSize(count("--wave", wave, servers));
      }
      if (maxFailureRatio != null) {
        b.maxFailureRatio(ratio("--max-failure-ratio", maxFailureRatio));
      }
      if (maxConcurrentBatches != null) {
        b.maxConcurrentBatches(maxConcurrentBatches);
      }
      b.waitOptions(waitOptions());
    }

    WaitOptions waitOptions() {
      WaitOptions.Builder w = WaitOptions.builder();
      if (timeout != null) {
        w.timeout(duration("--timeout", timeout));
      }
      if (pollInterval != null) {
        Duration d = duration("--poll-interval", pollInterval);
        w.initialDelay(d).pollInterval(d).maxPollInterval(d.compareTo(Duration.ofSeconds(30)) > 0 ? d
            : Duration.ofSeconds(30).compareTo(d.multipliedBy(6)) < 0 ? Duration.ofSeconds(30) : d.multipliedBy(6));
      }
      return w.build();
    }

    static int count(String name, String v, int servers) {
      try {
        if (v.endsWith("%")) {
          double p = Double.parseDouble(v.substring(0, v.length() - 1));
          if (!(p > 0 && p <= 100)) {
            throw new NumberFormatException();
          }
          return Math.max(1, (int) Math.ceil(servers * p / 100));
        }
        int n = Integer.parseInt(v);
        if (n < 1) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new Cph.InputException(name + " must be a number of servers (at least 1) or a percentage (e.g. 5%), "
            + "got \"" + v + "\"");
      }
    }

    static double ratio(String name, String v) {
      try {
        double r = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
        if (!(r >= 0 && r <= 1)) {
          throw new NumberFormatException();
        }
        return r;
      } catch (NumberFormatException e) {
        throw new Cph.InputException(name + " must be 0 to 1 or 0% to 100%, got \"" + v + "\"");
      }
    }

    static Duration duration(String name, String v) {
      String s = v.trim().toLowerCase(Locale.ROOT);
      try {
        Duration d;
        if (s.endsWith("ms")) {
          d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        } else if (s.endsWith("s")) {
          d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        } else if (s.endsWith("m")) {
          d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        } else if (s.endsWith("h")) {
          d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
        } else {
          d = Duration.ofSeconds(Long.parseLong(s));
        }
        if (d.isZero() || d.isNegative()) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw new Cph.InputException(name + " must be a positive duration such as 500ms, 5s, 30m or 2h, got \"" + v
            + "\"");
      }
    }
  }

  @Override
  public Integer call() {
    boolean json = output.json();
    if (resume && journal == null) {
      throw new Cph.InputException("--resume needs --journal FILE");
    }
    if (rePushAmbiguous && !resume) {
      throw new Cph.InputException("--re-push-ambiguous applies only with --resume");
    }
    boolean given = servers.servers != null || servers.serversFile != null;
    List<String> ids = servers.read(io, !resume);
    ShareAppsRequest request = given ? push.request(io, ids) : null;
    try (CloudPhoneClient client = connection.client(io)) {
      Rollout.Builder b;
      if (resume) {
        b = request == null ? client.resumeRollout(RolloutJournal.file(journal))
            : client.rollout(request).journal(RolloutJournal.file(journal)).resume(true);
        b.rePushAmbiguous(rePushAmbiguous);
      } else {
        b = client.rollout(request);
        if (journal != null) {
          b.journal(RolloutJournal.file(journal));
        }
      }
      tuning.apply(b, resume && request == null ? 0 : ids.size());
      return execute(io, b, json, dryRun, journal);
    }
  }

  /** Runs (or, for a dry run, prints) the rollout; Ctrl-C cancels it cleanly. Returns the exit code. */
  static int execute(Cph.Io io, Rollout.Builder builder, boolean json, boolean dryRun, Path journal) {
    Progress progress = new Progress(io.err, io.terminal);
    Rollout rollout = builder.listener(progress).build();
    if (dryRun) {
      DryRun.waves(io.out, rollout.plan());
      return Cph.OK;
    }
    progress.total = rollout.plan().stream().mapToInt(w -> w.stream().mapToInt(List::size).sum()).sum();
    CountDownLatch finished = new CountDownLatch(1);
    io.onInterrupt = () -> {
      io.err.println();
      io.err.println("cph: interrupted: no new batch is sent; waiting for the batches in flight"
          + (journal != null ? " (journal " + journal + " stays resumable: run again with --resume)" : ""));
      rollout.cancel();
      try {
        finished.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    RolloutReport report;
    try {
      report = rollout.run();
    } catch (RuntimeException e) {
      finished.countDown();
      throw e;
    } finally {
      io.onInterrupt = null;
    }
    try {
      progress.end();
      Output.print(io.out, Output.rows(report), json);
      Map<RolloutServer.Status, Integer> c = report.counts();
      io.err.println(String.format(Locale.ROOT, "rollout %s: %d succeeded, %d failed, %d rejected, %d refused, %d "
          + "unknown, %d running, %d not sent (of %d servers) in %.1f s; %d calls, %d throttled answers",
          report.state(), c.get(RolloutServer.Status.SUCCEEDED), c.get(RolloutServer.Status.FAILED),
          c.get(RolloutServer.Status.REJECTED), c.get(RolloutServer.Status.REFUSED), c.get(RolloutServer.Status.UNKNOWN),
          c.get(RolloutServer.Status.RUNNING), c.get(RolloutServer.Status.NOT_SENT), report.servers().size(),
          report.elapsed().toMillis() / 1000.0, report.calls(), report.throttledAnswers()));
      if (report.state() == RolloutState.ABORTED) {
        RolloutWave last = report.waves().get(report.waves().size() - 1);
        io.err.println("stopped by the failure gate after " + last);
        return Cph.GATE;
      }
      if (report.state() == RolloutState.CANCELLED) {
        return Cph.INTERRUPTED;
      }
      return report.allSucceeded() ? Cph.OK : Cph.SOME_FAILED;
    } finally {
      io.err.flush();
      finished.countDown();
    }
  }

  /** Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise. */
  static final class Progress implements RolloutListener {
    private final PrintStream err;
    private final boolean terminal;
    volatile int total;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile int wave;
    private volatile int waves;
    private long lastDraw;

    Progress(PrintStream err, boolean terminal) {
      this.err = err;
      this.terminal = terminal;
    }

    @Override
    public void waveStarted(int wave, int waves, int servers) {
      this.wave = wave;
      this.waves = waves;
      if (!terminal) {
        err.println("wave " + (wave + 1) + "/" + waves + (wave == 0 ? " (canary)" : "") + ": " + servers + " servers");
      } else {
        draw(true);
      }
    }

    @Override
    public void serverChanged(RolloutServer s) {
      switch (s.status()) {
        case SUCCEEDED:
          done.incrementAndGet();
          break;
        case FAILED:
        case REJECTED:
        case REFUSED:
        case UNKNOWN:
          done.incrementAndGet();
          failed.incrementAndGet();
          if (!terminal) {
            err.println("  " + s.serverId() + " " + s.status() + " " + s.errorCode().orElse("") + " "
                + s.errorMessage().orElse(""));
          }
          break;
        default:
          break;
      }
      if (terminal) {
        draw(false);
      }
    }

    @Override
    public void waveEnded(RolloutWave w) {
      if (terminal) {
        draw(true);
      } else {
        err.println("  " + w);
      }
    }

    synchronized void draw(boolean force) {
      long now = System.nanoTime();
      if (!force && now - lastDraw < 100_000_000L) {
        return;
      }
      lastDraw = now;
      int t = Math.max(1, total);
      int filled = (int) ((long) done.get() * 30 / t);
      StringBuilder bar = new StringBuilder("\r[");
      for (int i = 0; i < 30; i++) {
        bar.append(i < filled ? '#' : '-');
      }
      bar.append("] ").append(done.get()).append('/').append(total).append(" done, ").append(failed.get())
          .append(" not ok, wave ").append(wave + 1).append('/').append(waves).append("   ");
      err.print(bar);
      err.flush();
    }

    void end() {
      if (terminal) {
        draw(true);
        err.println();
      }
    }
  }
}
