package io.github.cphsdk.retry;

import io.github.cphsdk.CloudPhoneException;

/**
 * A user rule for failures the built-in rules do not retry. It is asked only after the built-in rules said
 * no, and only while attempts and time remain.
 *
 * <pre>{@code
 * // also retry CPS.0003 (service internal error), accepting that the push may run twice
 * RetryCondition internalError = (failure, attempt) ->
 *     failure instanceof CloudPhoneServiceException
 *         && "CPS.0003".equals(((CloudPhoneServiceException) failure).errorCode());
 * }</pre>
 *
 * <p>Sharp edge: returning {@code true} for a failure with {@link CloudPhoneException#mayHaveBeenApplied()}
 * may start the push's jobs twice.
 */
@FunctionalInterface
public interface RetryCondition {

  /**
   * Whether to retry after this failure.
   *
   * @param failure the failure of the attempt that just ended
   * @param attempt the number of that attempt (1 for the first)
   * @return {@code true} to retry
   */
  boolean shouldRetry(CloudPhoneException failure, int attempt);
}
