package io.github.cphsdk.rollout;

import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.model.ShareAppsRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One push to a fleet of servers, in waves: a canary wave first (1% of the servers by default, at least one),
 * then waves of {@link Builder#waveSize} servers. Each wave is sent in batches of the client's
 * {@code maxServersPerRequest} with at most {@link Builder#maxConcurrentBatches} in flight, then its jobs are
 * waited for, then the failure gate decides: when failed jobs, rejected servers and servers of refused batches,
 * counted over every wave so far, exceed {@link Builder#maxFailureRatio} (5% by default) of those waves' servers,
 * no further wave is sent ({@link RolloutState#ABORTED}).
 *
 * <p>With a {@link RolloutJournal}, every step is recorded before it is acted on, and
 * {@link io.github.cphsdk.CloudPhoneClient#resumeRollout(RolloutJournal)} carries on after a crash: servers
 * with a recorded job are never pushed again (their jobs are waited for again), servers never sent are sent, and
 * servers of a batch whose POST was recorded but whose answer was not are reported
 * {@link RolloutServer.Status#UNKNOWN} and not pushed again unless {@link Builder#rePushAmbiguous(boolean)} opts
 * in.
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
 * <p>A rollout runs once. {@link #cancel()} may be called from any thread. Get one from
 * {@link io.github.cphsdk.CloudPhoneClient#rollout(ShareAppsRequest)} or
 * {@link io.github.cphsdk.CloudPhoneClient#resumeRollout(RolloutJournal)}; this interface is not meant to be
 * implemented outside the SDK.
 */
public interface Rollout {
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
  RolloutReport run();

  /**
   * Runs the rollout on a new daemon thread. Cancelling the future cancels the rollout but loses its report:
   * prefer {@link #cancel()}, after which the future completes with a {@link RolloutState#CANCELLED} report.
   *
   * @return the report's future; it fails with the exceptions {@link #run()} throws
   */
  CompletableFuture<RolloutReport> runAsync();

  /**
   * Stops the rollout: no further batch is sent, batches in flight are awaited and recorded, a job wait in
   * progress ends; {@link #run()} then returns a {@link RolloutState#CANCELLED} report. The journal resumes it.
   * Idempotent; may be called before the rollout runs.
   */
  void cancel();

  /** {@return whether {@link #cancel()} was called} */
  boolean isCancelled();

  /** {@return the batches of each wave (the canary first) as server ids, as {@link #run()} sends them} */
  List<List<List<String>>> plan();

  /** Configures a {@link Rollout}; every setting is checked when it is set. */
  interface Builder {
    /**
     * How many servers the canary (the first wave) holds (default 1% of the servers, at least 1).
     *
     * @param servers at least 1
     * @return this builder
     */
    Builder canarySize(int servers);

    /**
     * How many servers each wave after the canary holds (default 10% of the servers, at least 1).
     *
     * @param servers at least 1
     * @return this builder
     */
    Builder waveSize(int servers);

    /**
     * How many batch requests are in flight at once (default: the client's {@code maxConcurrentBatches}).
     *
     * @param maxConcurrentBatches 1 to 64
     * @return this builder
     */
    Builder maxConcurrentBatches(int maxConcurrentBatches);

    /**
     * The failure gate: after each wave's jobs end, when failed jobs, rejected servers and servers of refused
     * batches exceed this share of the servers of all waves so far, no further wave is sent (default 0.05).
     *
     * @param ratio 0 (stop at the first failure) to 1 (never stop)
     * @return this builder
     */
    Builder maxFailureRatio(double ratio);

    /**
     * How each wave's jobs are waited for (default {@link WaitOptions#defaults()}); its listener hears every job.
     *
     * @param waitOptions not {@code null}
     * @return this builder
     */
    Builder waitOptions(WaitOptions waitOptions);

    /**
     * Records every step so that the rollout can be resumed (default: none, nothing is recorded). A new rollout
     * needs a missing or empty file; a journal holding a rollout is only used with {@link #resume(boolean)}.
     *
     * @param journal not {@code null}
     * @return this builder
     */
    Builder journal(RolloutJournal journal);

    /**
     * Carry on the rollout the {@link #journal} holds; its push and servers must be this builder's (in any
     * order), or {@link #build()} refuses. Its plan (canary and wave sizes) is the journal's.
     *
     * @param resume {@code true} to resume
     * @return this builder
     */
    Builder resume(boolean resume);

    /**
     * On resume, push again to the servers of ambiguous batches: their POST was sent but its answer was never
     * recorded, or the answer said the push may have been applied (a 408, 500, 502 or 504, a timeout after
     * sending). Default {@code false}: they are reported {@link RolloutServer.Status#UNKNOWN}. Only waves whose
     * failure gate is not yet recorded are sent again; the unknown servers of a wave that passed its gate stay
     * unknown. A server may then get the app twice; check the service's jobs first.
     *
     * @param rePush {@code true} to push them again
     * @return this builder
     */
    Builder rePushAmbiguous(boolean rePush);

    /**
     * How often a batch is sent when each attempt fails in a way that proves nothing was applied (429 after the
     * client's retries, 503, connection never made) before its servers are reported refused (default 10).
     *
     * @param attempts 1 to 100
     * @return this builder
     */
    Builder maxAttemptsPerBatch(int attempts);

    /**
     * Hears per server and per wave (default: none).
     *
     * @param listener not {@code null}
     * @return this builder
     */
    Builder listener(RolloutListener listener);

    /**
     * The rollout. On resume, the journal's header is read and compared with this builder's push and servers.
     *
     * @return a rollout to run once
     * @throws RolloutJournalException when resuming a journal that is missing, damaged or another rollout's
     * @throws IllegalArgumentException when a setting does not fit the client
     */
    Rollout build();
  }
}
