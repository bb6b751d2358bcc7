package io.github.cphsdk.rollout;

/**
 * One wave's end and the failure gate's decision after it: failures (failed jobs, rejected servers, servers of
 * batches the service refused) counted over every wave so far, against the gate's ratio.
 */
public final class RolloutWave {
  private final int index;
  private final int servers;
  private final int failuresSoFar;
  private final int serversSoFar;
  private final double maxFailureRatio;
  private final boolean proceed;

  /**
   * Creates the value.
   *
   * @param index the 0-based wave index
   * @param servers the servers of this wave
   * @param failuresSoFar failures over every wave up to this one
   * @param serversSoFar servers over every wave up to this one
   * @param maxFailureRatio the gate's ratio
   * @param proceed whether later waves may be sent
   */
  public RolloutWave(int index, int servers, int failuresSoFar, int serversSoFar, double maxFailureRatio,
      boolean proceed) {
    this.index = index;
    this.servers = servers;
    this.failuresSoFar = failuresSoFar;
    this.serversSoFar = serversSoFar;
    this.maxFailureRatio = maxFailureRatio;
    this.proceed = proceed;
  }

  /** {@return the 0-based wave index; 0 is the canary} */
  public int index() {
    return index;
  }

  /** {@return how many servers the wave holds} */
  public int servers() {
    return servers;
  }

  /** {@return failed jobs, rejected and refused servers over every wave so far} */
  public int failuresSoFar() {
    return failuresSoFar;
  }

  /** {@return the servers of every wave so far} */
  public int serversSoFar() {
    return serversSoFar;
  }

  /** {@return failuresSoFar / serversSoFar} */
  public double failureRatio() {
    return serversSoFar == 0 ? 0 : (double) failuresSoFar / serversSoFar;
  }

  /** {@return the gate's ratio: a failure ratio above it stops the rollout} */
  public double maxFailureRatio() {
    return maxFailureRatio;
  }

  /** {@return true when the gate let the rollout go on} */
  public boolean proceed() {
    return proceed;
  }

  @Override
  public String toString() {
    return "wave " + (index + 1) + (index == 0 ? " (canary)" : "") + ": " + servers + " servers; " + failuresSoFar + "/" + serversSoFar + " failed so far ("
        + String.format(java.util.Locale.ROOT, "%.1f%%", failureRatio() * 100) + ", gate "
        + String.format(java.util.Locale.ROOT, "%.1f%%", maxFailureRatio * 100) + "): "
        + (proceed ? "go on" : "stop");
  }
}
