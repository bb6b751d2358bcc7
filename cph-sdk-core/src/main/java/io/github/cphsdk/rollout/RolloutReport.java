package io.github.cphsdk.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How a rollout ended: its {@link #state()}, and every server exactly once, in the rollout's order.
 */
public final class RolloutReport {
  private final RolloutState state;
  private final List<RolloutServer> servers;
  private final List<RolloutWave> waves;
  private final int waveCount;
  private final long calls;
  private final long failedCalls;
  private final long throttled;
  private final Duration elapsed;

  /**
   * Creates the report.
   *
   * @param state how the rollout ended
   * @param servers every server once
   * @param waves the gate decisions taken, in wave order
   * @param waveCount how many waves the plan has
   * @param calls the HTTP calls this run made (pushes and job reads)
   * @param failedCalls those that failed after the client's retries
   * @param throttled the 429 answers the client saw during this run
   * @param elapsed how long this run took
   */
  public RolloutReport(RolloutState state, List<RolloutServer> servers, List<RolloutWave> waves, int waveCount,
      long calls, long failedCalls, long throttled, Duration elapsed) {
    this.state = state;
    this.servers = Collections.unmodifiableList(new ArrayList<>(servers));
    this.waves = Collections.unmodifiableList(new ArrayList<>(waves));
    this.waveCount = waveCount;
    this.calls = calls;
    this.failedCalls = failedCalls;
    this.throttled = throttled;
    this.elapsed = elapsed;
  }

  /** {@return how the rollout ended} */
  public RolloutState state() {
    return state;
  }

  /** {@return every server of the rollout exactly once, in the rollout's order} */
  public List<RolloutServer> servers() {
    return servers;
  }

  /** {@return the failure gate's decisions, one per wave that ended, in order} */
  public List<RolloutWave> waves() {
    return waves;
  }

  /** {@return how many waves the rollout's plan has (the canary included)} */
  public int waveCount() {
    return waveCount;
  }

  /** {@return the HTTP calls (pushes and job listings, each page once) this run made} */
  public long calls() {
    return calls;
  }

  /** {@return calls of this run that failed after the client's own retries (a failed poll is tried again)} */
  public long failedCalls() {
    return failedCalls;
  }

  /** {@return how many 429 answers the client saw during this run (retried by the client or the rollout)} */
  public long throttledAnswers() {
    return throttled;
  }

  /** {@return how long this run took} */
  public Duration elapsed() {
    return elapsed;
  }

  /**
   * The servers in one status.
   *
   * @param status the status
   * @return those servers, in the rollout's order
   */
  public List<RolloutServer> with(RolloutServer.Status status) {
    List<RolloutServer> out = new ArrayList<>();
    for (RolloutServer s : servers) {
      if (s.status() == status) {
        out.add(s);
      }
    }
    return out;
  }

  /** {@return how many servers are in each status (every status present, zero included)} */
  public Map<RolloutServer.Status, Integer> counts() {
    Map<RolloutServer.Status, Integer> m = new EnumMap<>(RolloutServer.Status.class);
    for (RolloutServer.Status s : RolloutServer.Status.values()) {
      m.put(s, 0);
    }
    for (RolloutServer s : servers) {
      m.merge(s.status(), 1, Integer::sum);
    }
    return m;
  }

  /** {@return true when the rollout completed and every server's job succeeded} */
  public boolean allSucceeded() {
    return state == RolloutState.COMPLETED && servers.stream().allMatch(s -> s.status() == RolloutServer.Status.SUCCEEDED);
  }

  @Override
  public String toString() {
    return "RolloutReport{" + state + ", " + counts() + ", elapsed=" + elapsed + '}';
  }
}
