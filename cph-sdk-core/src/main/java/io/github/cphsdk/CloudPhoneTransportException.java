package io.github.cphsdk;

/**
 * No usable answer: the connection failed or broke, or the answer could not be read (too large, not the
 * expected JSON).
 *
 * <p>The sharp edge: a POST may have reached the service before the connection broke. Check
 * {@link #mayHaveBeenApplied()} before pushing again.
 *
 * <pre>{@code
 * catch (CloudPhoneTransportException e) {
 *   if (!e.mayHaveBeenApplied()) {
 *     // nothing was sent: safe to try again later
 *   }
 * }
 * }</pre>
 */
public class CloudPhoneTransportException extends CloudPhoneException {
  private static final long serialVersionUID = 1L;

  /**
   * See {@link CloudPhoneException#CloudPhoneException(String, Throwable, boolean, int)}.
   *
   * @param message what happened and what to do next; must not contain secrets
   * @param cause the underlying failure, or {@code null}
   * @param mayHaveBeenApplied whether the request may have reached the service
   * @param attempts the number of attempts made, at least 0 (0: failed before sending)
   */
  public CloudPhoneTransportException(String message, Throwable cause, boolean mayHaveBeenApplied, int attempts) {
    super(message, cause, mayHaveBeenApplied, attempts);
  }
}
