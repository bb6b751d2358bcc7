package io.github.cphsdk;

import java.time.Duration;

/**
 * Hooks for metrics and tracing: told when each attempt starts and ends and when a retry is scheduled. All
 * methods have empty defaults; implement the ones you need. They run on the thread that drives the call
 * (the caller's thread for synchronous calls, an SDK or HTTP thread for asynchronous ones, among them the
 * client's one timer thread, which also carries every attempt timeout and retry wait of the client), so keep
 * them fast, never block, and never throw (a throwing listener is logged and ignored).
 *
 * <pre>{@code
 * CallListener metrics = new CallListener() {
 *   public void attemptFinished(String operation, String callId, int attempt, int statusCode,
 *       Duration duration, Throwable failure) {
 *     timer.record(operation, statusCode, duration);
 *   }
 * };
 * CloudPhoneClient client = CloudPhoneClient.builder()...listener(metrics).build();
 * }</pre>
 */
public interface CallListener {

  /**
   * An attempt is about to be sent.
   *
   * @param operation e.g. {@code "push shared apps"}
   * @param callId the client request id, the same for every attempt of one call (sent as {@code X-Client-Request-Id})
   * @param attempt 1 for the first attempt
   */
  default void attemptStarted(String operation, String callId, int attempt) {}

  /**
   * An attempt ended.
   *
   * @param operation e.g. {@code "push shared apps"}
   * @param callId the client request id, as in {@link #attemptStarted}
   * @param attempt 1 for the first attempt
   * @param statusCode the HTTP status, or {@code -1} when there was no answer
   * @param duration from sending to the end of the answer (or the failure)
   * @param failure why the attempt failed, or {@code null} when it succeeded
   */
  default void attemptFinished(String operation, String callId, int attempt, int statusCode, Duration duration,
      Throwable failure) {}

  /**
   * A retry will be sent after {@code delay}.
   *
   * @param operation e.g. {@code "push shared apps"}
   * @param callId the client request id, as in {@link #attemptStarted}
   * @param nextAttempt the number of the attempt that will be sent
   * @param delay the wait before it is sent; zero or more
   * @param cause the failure that is being retried
   */
  default void retryScheduled(String operation, String callId, int nextAttempt, Duration delay,
      CloudPhoneException cause) {}

  /** {@return a listener that does nothing (the client's default)} */
  static CallListener none() {
    return NoCallListener.INSTANCE;
  }
}

/** The do-nothing listener. */
final class NoCallListener implements CallListener {
  static final NoCallListener INSTANCE = new NoCallListener();

  private NoCallListener() {}
}
