package io.github.cphsdk.internal.call;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.CloudPhoneTimeoutException;
import io.github.cphsdk.CloudPhoneTransportException;
import io.github.cphsdk.internal.json.ErrorBody;
import java.time.Duration;

/**
 * Why one attempt failed, classified once for both the synchronous and the asynchronous path. The
 * exception is made only when the call ends (or the attempt becomes an earlier failure of a longer call),
 * because whether the call may have been applied depends on every attempt, not just the last.
 */
final class Failure {
  /** How a failure bears on retrying. */
  enum Category {
    /** Nothing reached the service (connection never made): safe to retry. */
    NOT_SENT,
    /** The service said it did not act (429, 503): safe to retry, honouring Retry-After. */
    THROTTLED,
    /** The service may have acted (500/502/504, lost connection after sending, read timeout). */
    AMBIGUOUS,
    /** 401: retried once only if the credentials can refresh. */
    UNAUTHORIZED,
    /** Retrying would not help (other 4xx, TLS, bad credentials input, an unreadable success). */
    FINAL
  }

  enum Kind { SERVICE, TRANSPORT, TIMEOUT, OTHER }

  final Category category;
  final Kind kind;
  final boolean mayHaveBeenApplied;
  final String message;
  final Throwable cause;
  final int statusCode;
  final ErrorBody error;
  final String requestId;
  final Duration retryAfter;

  private Failure(Category category, Kind kind, boolean mayHaveBeenApplied, String message, Throwable cause,
      int statusCode, ErrorBody error, String requestId, Duration retryAfter) {
    this.category = category;
    this.kind = kind;
    this.mayHaveBeenApplied = mayHaveBeenApplied;
    this.message = message;
    this.cause = cause;
    this.statusCode = statusCode;
    this.error = error;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  static Failure service(Category category, boolean applied, String message, int status, ErrorBody error,
      String requestId, Duration retryAfter) {
    return new Failure(category, Kind.SERVICE, applied, message, null, status, error, requestId, retryAfter);
  }

  static Failure transport(Category category, boolean applied, boolean timeout, String message, Throwable cause) {
    return new Failure(category, timeout ? Kind.TIMEOUT : Kind.TRANSPORT, applied, message, cause, -1, null, null, null);
  }

  static Failure other(boolean applied, String message, Throwable cause) {
    return new Failure(Category.FINAL, Kind.OTHER, applied, message, cause, -1, null, null, null);
  }

  /** The same failure with a sentence added to its message. */
  Failure withNote(String note) {
    return new Failure(category, kind, mayHaveBeenApplied, message + " " + note, cause, statusCode, error, requestId,
        retryAfter);
  }

  /** The same failure, now known to come after an attempt that may have been applied. */
  Failure appliedEarlier(String note) {
    return new Failure(category, kind, true, message + " " + note, cause, statusCode, error, requestId, retryAfter);
  }

  CloudPhoneException toException(int attempts) {
    switch (kind) {
      case SERVICE:
        return new CloudPhoneServiceException(message, statusCode, error == null ? null : error.errorCode,
            error == null ? null : error.errorMessage, requestId, mayHaveBeenApplied, attempts);
      case TIMEOUT:
        return new CloudPhoneTimeoutException(message, cause, mayHaveBeenApplied, attempts);
      case TRANSPORT:
        return new CloudPhoneTransportException(message, cause, mayHaveBeenApplied, attempts);
      default:
        return new CloudPhoneException(message, cause, mayHaveBeenApplied, attempts);
    }
  }
}
