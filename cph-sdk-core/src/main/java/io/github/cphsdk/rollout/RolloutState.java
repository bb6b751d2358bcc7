package io.github.cphsdk.rollout;

/** How a rollout ended ({@link RolloutReport#state()}). */
public enum RolloutState {
  /** Every wave was sent and waited for (some servers may still have failed, within the gate's ratio). */
  COMPLETED,
  /** The failure gate stopped the rollout after a wave: later waves were not sent. */
  ABORTED,
  /** {@link Rollout#cancel()} stopped it: batches not yet sent were not sent; the journal resumes it. */
  CANCELLED
}
