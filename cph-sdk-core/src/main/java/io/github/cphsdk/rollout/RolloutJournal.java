package io.github.cphsdk.rollout;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a rollout records every state change, so that it can be resumed after the process died. A journal
 * file is append-only JSON Lines: the first line holds the push and the servers (one journal belongs to one
 * rollout), then one line per state change, each written and forced to disk ({@code FileChannel.force}) before
 * the step it records is acted on: the intent to send a batch (before its POST), the batch's answer (request id,
 * job or rejection per server) or failure, each job's final state, the failure gate's decision.
 *
 * <p>A last line cut short by a crash is ignored (and cut off) when the journal is read; any other damaged line
 * is a {@link RolloutJournalException} naming the line.
 *
 * <pre>{@code
 * RolloutJournal journal = RolloutJournal.file(Path.of("rollout-miniworld.jsonl"));
 * RolloutReport report = client.rollout(push).journal(journal).build().run();
 * // after a crash:
 * RolloutReport resumed = client.resumeRollout(journal).build().run();
 * }</pre>
 */
public final class RolloutJournal {
  private final Path path;

  private RolloutJournal(Path path) {
    this.path = path;
  }

  /**
   * A journal in a file. Nothing is read or created until the rollout runs.
   *
   * @param path the file; created when missing (its directory must exist)
   * @return the journal
   */
  public static RolloutJournal file(Path path) {
    return new RolloutJournal(Objects.requireNonNull(path, "path"));
  }

  /** {@return the journal's file} */
  public Path path() {
    return path;
  }

  @Override
  public String toString() {
    return "RolloutJournal[" + path + "]";
  }
}
