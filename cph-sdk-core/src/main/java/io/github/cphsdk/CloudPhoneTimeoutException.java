package io.github.cphsdk;

/**
 * A timeout ended the call: connecting, one attempt ({@code attemptTimeout}) or the whole call
 * ({@code callTimeout}) took too long. Unless the connection was never established,
 * {@link #mayHaveBeenApplied()} is {@code true}: the service may still be working on the request.
 *
 * <pre>{@code
 * catch (CloudPhoneTimeoutException e) {
 *   log.warn("push timed out after {} attempts; may have been applied: {}", e.attempts(), e.mayHaveBeenApplied());
 * }
 * }</pre>
 */
public class CloudPhoneTimeoutException extends CloudPhoneTransportException {
  private static final long serialVersionUID = 1L;

  /**
   * See {@link CloudPhoneException#CloudPhoneException(String, Throwable, boolean, int)}.
   *
   * @param message what happened and what to do next; must not contain secrets
   * @param cause the underlying failure, or {@code null}
   * @param mayHaveBeenApplied whether the request may have reached the service
   * @param attempts the number of attempts made, at least 0 (0: failed before sending)
   */
  public CloudPhoneTimeoutException(String message, Throwable cause, boolean mayHaveBeenApplied, int attempts) {
    super(message, cause, mayHaveBeenApplied, attempts);
  }
}
