package io.github.cphsdk.internal.call;

import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.HttpTransportException;
import io.github.cphsdk.internal.Futures;
import io.github.cphsdk.internal.RetryAfter;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.internal.json.ErrorBody;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLHandshakeException;

/**
 * What an attempt's outcome means, in two tables: an HTTP status to a {@link StatusClass} (retry category,
 * whether the service may have acted), and a failure without an answer to an {@link HttpTransportException.Kind}
 * and on to a retry category. The call pipeline (sync and async alike) and the job waiter read the same
 * tables; {@link RetryRules} decides from the category. The sentences come from {@link CallMessages}.
 */
public final class Classifier {

  /**
   * The status table. The category says how a retry may go ({@link RetryRules}); {@code mayHaveBeenApplied}
   * whether the service may have acted; {@code requestRefused} whether the service said the request itself
   * is wrong, so that asking again the same way cannot help (the job waiter stops polling on those).
   */
  enum StatusClass {
    /** 429: the service is throttling and did not act. */
    THROTTLED(Failure.Category.THROTTLED, false, false),
    /** 503: the service was unavailable and did not act. */
    UNAVAILABLE(Failure.Category.THROTTLED, false, false),
    /** 401: the credentials were refused; fresh ones may succeed. */
    UNAUTHORIZED(Failure.Category.UNAUTHORIZED, false, true),
    /**
     * 408: the service, or a gateway or load balancer in front of it, gave up waiting for the request. CPH does
     * not document it, and whatever sent it may have passed the request on: no proof the service did not act.
     */
    REQUEST_TIMEOUT(Failure.Category.AMBIGUOUS, true, false),
    /** 500, 502, 504: the request reached the service, which may have acted before it failed. */
    SERVER_FAILED(Failure.Category.AMBIGUOUS, true, false),
    /** Any other status from 500 up (501, 505..., and 600 or more): may have acted; a repeat would fail alike. */
    SERVER_FAILED_OTHERWISE(Failure.Category.FINAL, true, false),
    /** 3xx: never followed (the credentials would travel elsewhere); nothing was done here. */
    REDIRECT(Failure.Category.FINAL, false, false),
    /** 404: wrong endpoint, project or id. */
    NOT_FOUND(Failure.Category.FINAL, false, true),
    /** 403: the account may not do this. */
    FORBIDDEN(Failure.Category.FINAL, false, true),
    /** Any other 4xx: the request was refused as it is. */
    REFUSED(Failure.Category.FINAL, false, true),
    /** 1xx as a final answer, or a status below 100: what happened is unknown. */
    UNEXPECTED(Failure.Category.FINAL, true, false);

    final Failure.Category category;
    final boolean mayHaveBeenApplied;
    final boolean requestRefused;

    StatusClass(Failure.Category category, boolean mayHaveBeenApplied, boolean requestRefused) {
      this.category = category;
      this.mayHaveBeenApplied = mayHaveBeenApplied;
      this.requestRefused = requestRefused;
    }

    /** The class of a status that is not 2xx. */
    static StatusClass of(int status) {
      if (status == 429) {
        return THROTTLED;
      }
      if (status == 503) {
        return UNAVAILABLE;
      }
      if (status == 401) {
        return UNAUTHORIZED;
      }
      if (status == 408) {
        return REQUEST_TIMEOUT;
      }
      if (status == 500 || status == 502 || status == 504) {
        return SERVER_FAILED;
      }
      if (status >= 500) {
        return SERVER_FAILED_OTHERWISE;
      }
      if (status >= 300 && status < 400) {
        return REDIRECT;
      }
      if (status == 404) {
        return NOT_FOUND;
      }
      if (status == 403) {
        return FORBIDDEN;
      }
      if (status >= 400) {
        return REFUSED;
      }
      return UNEXPECTED;
    }
  }

  /**
   * The exception table: how far an exchange that gave no answer got. A transport's own
   * {@link HttpTransportException} says it; for the JDK's exceptions a user transport may throw instead, only
   * those that prove no connection was made count as not sent. Anything else may have been sent.
   */
  static HttpTransportException.Kind kindOf(Throwable error) {
    if (error instanceof HttpTransportException) {
      return ((HttpTransportException) error).kind();
    }
    if (error instanceof ConnectException || error instanceof UnknownHostException
        || error instanceof NoRouteToHostException) {
      return HttpTransportException.Kind.CONNECT_FAILED;
    }
    if (error instanceof SSLHandshakeException) {
      return HttpTransportException.Kind.TLS_FAILED;
    }
    return HttpTransportException.Kind.FAILED_AFTER_SEND;
  }

  /** The Kind to category table. Whether the service may have acted, and whether it was a timeout, are the Kind's. */
  static Failure.Category categoryOf(HttpTransportException.Kind kind) {
    switch (kind) {
      case CONNECT_FAILED:
      case CONNECT_TIMEOUT:
        return Failure.Category.NOT_SENT; // no connection: nothing reached the service
      case TLS_FAILED:
        return Failure.Category.FINAL; // nothing was sent, but a new handshake fails the same way
      default:
        return Failure.Category.AMBIGUOUS; // RESPONSE_TIMEOUT, FAILED_AFTER_SEND: the service may have acted
    }
  }

  /** For the job waiter: whether a poll answered with this status should end the wait (asking again cannot help). */
  public static boolean pollingAgainCannotHelp(int status) {
    return StatusClass.of(status).requestRefused;
  }

  /** A future's failure as the exception it stands for; a cancelled exchange counts as one that may have been sent. */
  public static Throwable unwrap(Throwable error) {
    Throwable t = Futures.unwrap(error);
    if (t instanceof CancellationException) {
      return new HttpTransportException(HttpTransportException.Kind.FAILED_AFTER_SEND, "exchange cancelled", t);
    }
    return t;
  }

  private final Duration attemptTimeout;
  private final Timing timing;

  Classifier(Duration attemptTimeout, Timing timing) {
    this.attemptTimeout = attemptTimeout;
    this.timing = timing;
  }

  /** Classifies an answer: the parsed value on 2xx, else a {@link Failure} from the status table. */
  <T> AttemptResult<T> answer(Operation<T> op, HttpResponse response) {
    int status = response.statusCode();
    String headerRequestId = response.header("X-Request-Id").orElse(null);
    if (status >= 200 && status < 300) {
      return success(op, response, status, headerRequestId);
    }
    ErrorBody error = ErrorBody.parse(AnswerText.asUtf8(response).bodyBuffer());
    String requestId = error.requestId != null ? error.requestId : headerRequestId;
    StatusClass c = StatusClass.of(status);
    String message = CallMessages.errorAnswer(op, status, error, requestId,
        CallMessages.advice(c, op, requestId, response));
    Duration retryAfter = c.category == Failure.Category.THROTTLED
        ? RetryAfter.parse(response.header("Retry-After").orElse(null), timing.clock()) : null;
    return AttemptResult.failed(
        Failure.service(c.category, c.mayHaveBeenApplied, message, status, error, requestId, retryAfter), response);
  }

  /** A 2xx: the parsed answer, or a final failure (it may have been applied) when it cannot be read. */
  private static <T> AttemptResult<T> success(Operation<T> op, HttpResponse response, int status, String requestId) {
    if (response.bodyTruncated()) {
      return AttemptResult.failed(Failure.transport(Failure.Category.FINAL, true, false,
          CallMessages.successTooLarge(op, status, requestId), null), response);
    }
    String encoding = AnswerText.unrequestedEncoding(response);
    if (encoding != null) { // e.g. gzip from a proxy: bytes no JSON reader can take
      return AttemptResult.failed(Failure.transport(Failure.Category.FINAL, true, false,
          CallMessages.successEncoded(op, status, requestId, encoding), null), response);
    }
    try {
      return AttemptResult.success(op.parser.parse(AnswerText.asUtf8(response)), response);
    } catch (IOException | RuntimeException e) {
      return AttemptResult.failed(Failure.transport(Failure.Category.FINAL, true, false,
          CallMessages.successUnreadable(op, status, requestId, e), e), response);
    }
  }

  /** Classifies an exchange that gave no answer; {@code remainingNanos} was the call's time left at its start. */
  Failure noAnswer(Operation<?> op, Throwable error, long remainingNanos) {
    HttpTransportException.Kind kind = kindOf(error);
    String message;
    switch (kind) {
      case CONNECT_FAILED:
        message = CallMessages.connectFailed(op, error);
        break;
      case CONNECT_TIMEOUT:
        message = CallMessages.connectTimedOut(op);
        break;
      case TLS_FAILED:
        message = CallMessages.tlsFailed(op, error);
        break;
      case RESPONSE_TIMEOUT:
        message = CallMessages.noAnswerInTime(op, remainingNanos <= attemptTimeout.toNanos(), attemptTimeout);
        break;
      default:
        message = CallMessages.failedAfterSend(op, error);
    }
    return Failure.transport(categoryOf(kind), kind.requestMayHaveBeenSent(), kind.isTimeout(), message, error);
  }
}
