package io.github.cphsdk.rollout;

/**
 * A rollout journal cannot be used: a line other than the last is damaged, it belongs to another rollout (other
 * push or other servers), it is empty where a rollout to resume was expected, or it already holds a rollout
 * that was not asked to be resumed. The message names the file, the line (when there is one) and the rule.
 */
public class RolloutJournalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The 1-based damaged line, or 0. */
  private final int line;

  /**
   * Creates the exception.
   *
   * @param message what is wrong, naming the file
   * @param line the 1-based line number of the damaged line, or 0 when the problem is not one line
   */
  public RolloutJournalException(String message, int line) {
    super(message);
    this.line = line;
  }

  /** {@return the 1-based number of the damaged line, or 0 when the problem is not one line} */
  public int line() {
    return line;
  }
}
