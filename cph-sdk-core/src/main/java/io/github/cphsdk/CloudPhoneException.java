package io.github.cphsdk;

/**
 * Root of the SDK's exceptions (all unchecked). The two questions a caller must answer after a failed
 * push are answered here:
 *
 * <ul>
 *   <li>{@link #mayHaveBeenApplied()}: could the push have started jobs although the call failed? When
 *       {@code true}, do not push again blindly: list the jobs first (by the request id if one is known, or
 *       per server in the CPH console), or you may install the app twice.
 *   <li>{@link #attempts()}: how many HTTP attempts the call made. Failures of earlier attempts are
 *       attached as {@linkplain #getSuppressed() suppressed} exceptions.
 * </ul>
 *
 * <pre>{@code
 * try {
 *   client.shareApps(request);
 * } catch (CloudPhoneException e) {
 *   if (e.mayHaveBeenApplied()) {
 *     // check before pushing again: the jobs may be running
 *   }
 * }
 * }</pre>
 *
 * <p>Messages never contain a token, key, password or signature.
 */
public class CloudPhoneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Whether the service may have acted on the request. */
  private final boolean mayHaveBeenApplied;
  /** The number of HTTP attempts made, at least 0. */
  private final int attempts;

  /**
   * A failed call.
   *
   * @param message what happened and what to do next; must not contain secrets
   * @param cause the underlying failure, or {@code null}
   * @param mayHaveBeenApplied whether the service may have acted on the request
   * @param attempts the number of attempts made, at least 0 (0: failed before sending)
   */
  public CloudPhoneException(String message, Throwable cause, boolean mayHaveBeenApplied, int attempts) {
    super(message, cause);
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0, got " + attempts);
    }
    this.mayHaveBeenApplied = mayHaveBeenApplied;
    this.attempts = attempts;
  }

  /**
   * Whether the service may have acted on the request although the call failed: {@code true} after a 5xx,
   * a timeout or a connection lost once the request was sent; {@code false} for a 4xx answer or a
   * connection never established.
   *
   * @return {@code true} when pushing again blindly could apply the request twice
   */
  public boolean mayHaveBeenApplied() {
    return mayHaveBeenApplied;
  }

  /** {@return how many HTTP attempts the call made (0 when it failed before sending anything)} */
  public int attempts() {
    return attempts;
  }
}
