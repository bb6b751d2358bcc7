package io.github.cphsdk.rollout;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.internal.rollout.RolloutEngine;
import io.github.cphsdk.internal.rollout.RolloutHost;
import io.github.cphsdk.model.ShareAppsRequest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One push to a fleet of servers, in waves: a canary wave first (1% of the servers by default, at least one),
 * then waves of {@link Builder#waveSize} servers. Each wave is sent in batches of the client's
 * {@code maxServersPerRequest} with at most {@link Builder#maxConcurrentBatches} in flight, then its jobs are
 * waited for, then the failure gate decides: when failed jobs, rejected servers and servers of refused batches,
 * counted over every wave so far, exceed {@link Builder#maxFailureRatio} (5% by default) of those waves' servers,
 * no further wave is sent ({@link RolloutState#ABORTED}).
 *
 * <p>With a {@link RolloutJournal}, every step is recorded before it is acted on, and
 * {@link CloudPhoneClient#resumeRollout(RolloutJournal)} carries on after a crash: servers with a recorded job
 * are never pushed again (their jobs are waited for again), servers never sent are sent, and servers of a batch
 * whose POST was recorded but whose answer was not are reported {@link RolloutServer.Status#UNKNOWN} and not
 * pushed again unless {@link Builder#rePushAmbiguous(boolean)} opts in.
 *
 * <p>All rollouts of one client share one request rate: every 429 answer slows it down (additive increase,
 * multiplicative decrease) and holds new requests until the answer's {@code Retry-After}; a batch answered 429
 * (after the client's own retries) is sent again, since the service provably did not act.
 *
 * <pre>{@code
 * Rollout rollout = client.rollout(ShareAppsRequest.builder()
 *         .packageName("com.miniteck.miniworld").bucketName("bucket").objectPath("my_apps/test.tar")
 *         .addAllServerIds(fleet)                     // any number
 *         .build())
 *     .canarySize(10)
 *     .waveSize(500)
 *     .maxFailureRatio(0.02)
 *     .journal(RolloutJournal.file(Path.of("miniworld.jsonl")))
 *     .build();
 * RolloutReport report = rollout.run();
 * }</pre>
 *
 * <p>A rollout runs once. {@link #cancel()} may be called from any thread.
 */
public final class Rollout {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final RolloutEngine engine;
  private final RolloutEngine.Settings settings;
  private final AtomicBoolean started = new AtomicBoolean();

  private Rollout(RolloutEngine engine, RolloutEngine.Settings settings) {
    this.engine = engine;
    this.settings = settings;
  }

  /**
   * A rollout of {@code push} to every server it names.
   *
   * @param client the client that sends it; not {@code null}
   * @param push the push, with any number of server ids; not {@code null}
   * @return a builder with the defaults
   */
  public static Builder builder(CloudPhoneClient client, ShareAppsRequest push) {
    return new Builder(client, push);
  }

  /**
   * Resumes the rollout a journal holds: its push, servers and plan are read from the journal.
   *
   * @param client the client that sends it; not {@code null}
   * @param journal the journal of an earlier run; not {@code null}
   * @return a builder set to resume; set wait options, a listener or re-pushing as for a new rollout
   * @throws RolloutJournalException when the journal is missing, empty or damaged
   */
  public static Builder resume(CloudPhoneClient client, RolloutJournal journal) {
    Objects.requireNonNull(journal, "journal");
    RolloutEngine.Header h = RolloutEngine.readHeader(journal.path());
    Builder b = new Builder(client, h.push);
    b.canary = h.canary;
    b.wave = h.wave;
    b.maxFailureRatio = h.maxFailureRatio;
    b.journal = journal;
    b.resume = true;
    return b;
  }

  /**
   * Runs the rollout on the calling thread.
   *
   * @return every server once and how the rollout ended
   * @throws io.github.cphsdk.CloudPhoneServiceException when the service refused the credentials or the project
   *     (401, 403, or a 4xx while waiting for jobs): nothing more is sent; the journal resumes it
   * @throws RolloutJournalException when the journal is damaged or belongs to another rollout
   * @throws java.io.UncheckedIOException when the journal cannot be read or written
   * @throws IllegalStateException when the rollout already ran
   */
  public RolloutReport run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("this rollout already ran; build a new one (or resume its journal)");
    }
    return engine.run();
  }

  /**
   * Runs the rollout on a new daemon thread. Cancelling the future cancels the rollout but loses its report:
   * prefer {@link #cancel()}, after which the future completes with a {@link RolloutState#CANCELLED} report.
   *
   * @return the report's future; it fails with the exceptions {@link #run()} throws
   */
  public CompletableFuture<RolloutReport> runAsync() {
    CompletableFuture<RolloutReport> f = new CompletableFuture<RolloutReport>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        engine.cancel();
        return super.cancel(mayInterruptIfRunning);
      }
    };
    Thread t = new Thread(() -> {
      try {
        f.complete(run());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    }, "cph-rollout-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
    return f;
  }

  /**
   * Stops the rollout: no further batch is sent, batches in flight are awaited and recorded, a job wait in
   * progress ends; {@link #run()} then returns a {@link RolloutState#CANCELLED} report. The journal resumes it.
   * Idempotent; may be called before the rollout runs.
   */
  public void cancel() {
    engine.cancel();
  }

  /** {@return whether {@link #cancel()} was called} */
  public boolean isCancelled() {
    return engine.isCancelled();
  }

  /** {@return the batches of each wave (the canary first) as server ids, as {@link #run()} sends them} */
  public List<List<List<String>>> plan() {
    return RolloutEngine.plan(settings.servers, settings.canary, settings.wave, settings.perRequest);
  }

  @Override
  public String toString() {
    return "Rollout{" + settings.push.packageName() + " to " + settings.servers.size() + " servers, canary "
        + settings.canary + ", waves of " + settings.wave + ", gate " + settings.maxFailureRatio
        + (settings.journal != null ? ", journal " + settings.journal : "") + '}';
  }

  /** Configures a {@link Rollout}; every setting is checked when it is set. */
  public static final class Builder {
    private final CloudPhoneClient client;
    private final ShareAppsRequest push;
    private int canary = -1;
    private int wave = -1;
    private int maxConcurrentBatches = -1;
    private double maxFailureRatio = 0.05;
    private WaitOptions waitOptions = WaitOptions.defaults();
    private RolloutJournal journal;
    private boolean resume;
    private boolean rePushAmbiguous;
    private int maxAttemptsPerBatch = 10;
    private RolloutListener listener;

    private Builder(CloudPhoneClient client, ShareAppsRequest push) {
      this.client = Objects.requireNonNull(client, "client");
      this.push = Objects.requireNonNull(push, "push");
    }

    /**
     * How many servers the canary (the first wave) holds (default 1% of the servers, at least 1).
     *
     * @param servers at least 1
     * @return this builder
     */
    public Builder canarySize(int servers) {
      this.canary = atLeastOne("canarySize", servers);
      return this;
    }

    /**
     * How many servers each wave after the canary holds (default 10% of the servers, at least 1).
     *
     * @param servers at least 1
     * @return this builder
     */
    public Builder waveSize(int servers) {
      this.wave = atLeastOne("waveSize", servers);
      return this;
    }

    /**
     * How many batch requests are in flight at once (default: the client's {@code maxConcurrentBatches}).
     *
     * @param maxConcurrentBatches 1 to 64
     * @return this builder
     */
    public Builder maxConcurrentBatches(int maxConcurrentBatches) {
      if (maxConcurrentBatches < 1 || maxConcurrentBatches > 64) {
        throw new IllegalArgumentException("maxConcurrentBatches must be 1 to 64, got " + maxConcurrentBatches);
      }
      this.maxConcurrentBatches = maxConcurrentBatches;
      return this;
    }

    /**
     * The failure gate: after each wave's jobs end, when failed jobs, rejected servers and servers of refused
     * batches exceed this share of the servers of all waves so far, no further wave is sent (default 0.05).
     *
     * @param ratio 0 (stop at the first failure) to 1 (never stop)
     * @return this builder
     */
    public Builder maxFailureRatio(double ratio) {
      if (!(ratio >= 0 && ratio <= 1)) {
        throw new IllegalArgumentException("maxFailureRatio must be 0 to 1, got " + ratio);
      }
      this.maxFailureRatio = ratio;
      return this;
    }

    /**
     * How each wave's jobs are waited for (default {@link WaitOptions#defaults()}); its listener hears every job.
     *
     * @param waitOptions not {@code null}
     * @return this builder
     */
    public Builder waitOptions(WaitOptions waitOptions) {
      this.waitOptions = Objects.requireNonNull(waitOptions, "waitOptions");
      return this;
    }

    /**
     * Records every step so that the rollout can be resumed (default: none, nothing is recorded). A new rollout
     * needs a missing or empty file; a journal holding a rollout is only used with {@link #resume(boolean)}.
     *
     * @param journal not {@code null}
     * @return this builder
     */
    public Builder journal(RolloutJournal journal) {
      this.journal = Objects.requireNonNull(journal, "journal");
      return this;
    }

    /**
     * Carry on the rollout the {@link #journal} holds; its push and servers must be this builder's (in any
     * order), or {@link #build()} refuses. Its plan (canary and wave sizes) is the journal's.
     *
     * @param resume {@code true} to resume
     * @return this builder
     */
    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /**
     * On resume, push again to the servers of batches whose POST was sent but whose answer was never recorded
     * (default {@code false}: they are reported {@link RolloutServer.Status#UNKNOWN}). A server may then get the
     * app twice; check the service's jobs first.
     *
     * @param rePush {@code true} to push them again
     * @return this builder
     */
    public Builder rePushAmbiguous(boolean rePush) {
      this.rePushAmbiguous = rePush;
      return this;
    }

    /**
     * How often a batch is sent when each attempt fails in a way that proves nothing was applied (429 after the
     * client's retries, 503, connection never made) before its servers are reported refused (default 10).
     *
     * @param attempts 1 to 100
     * @return this builder
     */
    public Builder maxAttemptsPerBatch(int attempts) {
      if (attempts < 1 || attempts > 100) {
        throw new IllegalArgumentException("maxAttemptsPerBatch must be 1 to 100, got " + attempts);
      }
      this.maxAttemptsPerBatch = attempts;
      return this;
    }

    /**
     * Hears per server and per wave (default: none).
     *
     * @param listener not {@code null}
     * @return this builder
     */
    public Builder listener(RolloutListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The rollout. On resume, the journal's header is read and compared with this builder's push and servers.
     *
     * @return a rollout to run once
     * @throws RolloutJournalException when resuming a journal that is missing, damaged or another rollout's
     * @throws IllegalArgumentException when a setting does not fit the client
     */
    public Rollout build() {
      RolloutHost host = RolloutHost.of(client);
      RolloutEngine.Settings s = new RolloutEngine.Settings();
      s.push = push;
      s.servers = push.serverIds();
      int n = s.servers.size();
      s.canary = canary > 0 ? canary : Math.max(1, (int) Math.ceil(n * 0.01));
      s.wave = wave > 0 ? wave : Math.max(1, (int) Math.ceil(n * 0.10));
      s.perRequest = host.maxServersPerRequest();
      s.maxConcurrentBatches = maxConcurrentBatches > 0 ? maxConcurrentBatches : host.maxConcurrentBatches();
      s.maxFailureRatio = maxFailureRatio;
      s.waitOptions = waitOptions;
      s.journal = journal == null ? null : journal.path();
      s.resume = resume;
      s.rePushAmbiguous = rePushAmbiguous;
      s.maxAttemptsPerBatch = maxAttemptsPerBatch;
      s.listener = listener;
      if (resume) {
        if (journal == null) {
          throw new IllegalArgumentException("resume(true) needs a journal");
        }
        RolloutEngine.Header h = RolloutEngine.readHeader(journal.path());
        RolloutEngine.checkSame(journal.path(), h, push, s.servers);
        if (h.perRequest > host.maxServersPerRequest()) {
          throw new IllegalArgumentException("the journal's rollout sends " + h.perRequest + " servers per request "
              + "but this client allows " + host.maxServersPerRequest() + " (CloudPhoneClient.Builder"
              + ".maxServersPerRequest)");
        }
        s.servers = h.servers;
        s.canary = h.canary;
        s.wave = h.wave;
        s.perRequest = h.perRequest;
      }
      return new Rollout(new RolloutEngine(host, s), s);
    }

    private static int atLeastOne(String name, int v) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got " + v);
      }
      return v;
    }
  }
}
