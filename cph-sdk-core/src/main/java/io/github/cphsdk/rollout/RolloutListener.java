package io.github.cphsdk.rollout;

/**
 * Hears about a rollout's progress. Methods are called from the rollout's thread or the client's completion
 * threads, one at a time; they should return quickly. What they throw is logged and ignored.
 */
public interface RolloutListener {

  /**
   * A wave is about to be sent (or, on resume, waited for).
   *
   * @param wave the 0-based wave index; wave 0 is the canary
   * @param waves how many waves the rollout has
   * @param servers how many servers the wave holds
   */
  default void waveStarted(int wave, int waves, int servers) {}

  /**
   * A server's state changed: its batch was answered (job started, rejected), it became unknown, or its job ended.
   *
   * @param server the server's state now
   */
  default void serverChanged(RolloutServer server) {}

  /**
   * A wave's jobs ended (or its wait timed out) and the failure gate decided.
   *
   * @param wave the wave and the gate's decision
   */
  default void waveEnded(RolloutWave wave) {}
}
