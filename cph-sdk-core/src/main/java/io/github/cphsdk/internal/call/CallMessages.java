package io.github.cphsdk.internal.call;

import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.internal.json.ErrorBody;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Every sentence a call's failure may carry, in one place. A message says what failed, whether the call may
 * have taken effect, and what to do; it never carries a header value or a secret. The decisions that pick a
 * sentence live in {@link Classifier} and {@link RetryRules}.
 */
final class CallMessages {
  private CallMessages() {}

  // ---------------------------------------------------------------- answers (status table's advice)

  /** The sentence that follows "HTTP status ..." for an error answer of this class. */
  static String advice(Classifier.StatusClass status, Operation<?> op, String requestId, HttpResponse response) {
    switch (status) {
      case THROTTLED:
        return "The service is throttling requests and did not act; retry later (Huawei advises 2 to 5 s).";
      case UNAVAILABLE:
        return "The service was unavailable and did not act; retry later.";
      case UNAUTHORIZED:
        return "The credentials were refused (wrong or expired token, or a bad AK/SK signature: with AK/SK check "
            + "that the local clock is within 15 minutes of the real time); nothing was started.";
      case REQUEST_TIMEOUT:
        return "The service, or a gateway in front of it, stopped waiting for the request; that does not prove"
            + " nothing was started." + appliedHint(op, requestId);
      case SERVER_FAILED:
      case SERVER_FAILED_OTHERWISE:
        return "The service failed while handling the request." + appliedHint(op, requestId);
      case REDIRECT:
        return "Redirects are never followed (credentials would travel to " + response.header("Location")
            .map(CallMessages::hostOf).orElse("another address") + "); check the endpoint.";
      case NOT_FOUND:
        return "Nothing was started; check the endpoint (region), the project id and the ids in the path.";
      case FORBIDDEN:
        return "The account may not do this; nothing was started.";
      case REFUSED:
        return "The service refused the request; nothing was started.";
      default:
        return "Unexpected status." + appliedHint(op, requestId);
    }
  }

  /** {@code "push shared apps failed: HTTP 400 CPS.0148 "msg" (request id r). advice"}. */
  static String errorAnswer(Operation<?> op, int status, ErrorBody error, String requestId, String advice) {
    StringBuilder m = new StringBuilder(op.name).append(" failed: HTTP ").append(status);
    if (error.errorCode != null) {
      m.append(' ').append(error.errorCode);
    }
    if (error.errorMessage != null) {
      m.append(" \"").append(ErrorBody.snippet(error.errorMessage.getBytes(StandardCharsets.UTF_8))).append('"');
    }
    if (error.snippet != null && !error.snippet.isEmpty()) {
      m.append(error.jsonObject ? " (a JSON answer without an error code or message: \""
          : " (not a JSON error; the answer starts: \"").append(error.snippet).append("\")");
    }
    if (requestId != null) {
      m.append(" (request id ").append(requestId).append(')');
    }
    return m.append(". ").append(advice).toString();
  }

  static String successTooLarge(Operation<?> op, int status, String requestId) {
    return op.name + ": the service answered " + status + " (request id " + requestId + ") but the answer is larger"
        + " than the limit of " + op.maxResponseBytes + " bytes, so it was not read." + appliedHint(op, requestId);
  }

  static String successEncoded(Operation<?> op, int status, String requestId, String encoding) {
    return op.name + ": the service answered " + status + " (request id " + requestId + ") with Content-Encoding \""
        + encoding + "\", which the SDK did not ask for, so the answer was not read." + appliedHint(op, requestId);
  }

  static String successUnreadable(Operation<?> op, int status, String requestId, Exception e) {
    return op.name + ": the service answered " + status + " (request id " + requestId + ") but the answer could not"
        + " be read: " + e.getMessage() + "." + appliedHint(op, requestId);
  }

  // ---------------------------------------------------------------- no answer (exception table's text)

  static String connectFailed(Operation<?> op, Throwable error) {
    return op.name + ": could not connect to " + hostAndPort(op.uri) + connectDetail(error.getMessage())
        + ". Nothing was sent.";
  }

  static String connectTimedOut(Operation<?> op) {
    return op.name + ": connecting to " + op.uri.getHost() + " timed out. Nothing was sent.";
  }

  static String tlsFailed(Operation<?> op, Throwable error) {
    return op.name + ": the TLS handshake with " + op.uri.getHost() + " failed (" + error.getMessage()
        + "). Nothing was sent; check the endpoint and the trusted certificates.";
  }

  /** No answer in time; {@code callLimited} when the call's deadline, not the attempt timeout, was the limit. */
  static String noAnswerInTime(Operation<?> op, boolean callLimited, Duration attemptTimeout) {
    return op.name + ": no answer from " + op.uri.getHost() + " within the "
        + (callLimited ? "call timeout" : "attempt timeout of " + attemptTimeout.toMillis() + " ms") + "."
        + appliedHint(op, null);
  }

  static String failedAfterSend(Operation<?> op, Throwable error) {
    return op.name + ": the connection to " + op.uri.getHost() + " failed after the request was sent ("
        + error.getMessage() + ")." + appliedHint(op, null);
  }

  /** The transport's own words for an async attempt the SDK's timer ended (see {@code AsyncCall}). */
  static String attemptTimerFired(boolean mayHaveBeenSent, Duration limit) {
    return mayHaveBeenSent ? "no answer within " + limit.toMillis() + " ms"
        : "could not connect within " + limit.toMillis() + " ms";
  }

  // ---------------------------------------------------------------- the call's own limits

  static String slotsBusy(Operation<?> op, int slots, long waitedNanos) {
    return op.name + ": all " + slots + " connection slots of this client stayed busy for "
        + Duration.ofNanos(waitedNanos).toMillis() + " ms (CloudPhoneClient.Builder.maxConcurrentRequests)."
        + " Nothing was sent.";
  }

  static String deadlinePassed(Operation<?> op, long callTimeoutNanos) {
    return op.name + ": the call timeout of " + Duration.ofNanos(callTimeoutNanos).toMillis()
        + " ms passed before the next attempt could start.";
  }

  static String closedBeforeAttempt(Operation<?> op, int attempt) {
    return op.name + ": the client was closed before attempt " + attempt + " could start.";
  }

  static String closedDuringCall(Operation<?> op, boolean applied) {
    return op.name + ": the client was closed before the call completed." + (applied ? appliedHint(op, null) : "");
  }

  static final String CLIENT_CLOSED = "the client is closed";

  static final String NOT_RETRIED_CLOSED = "(not retried: the client is closed)";

  static String interruptedWaitingForSlot(Operation<?> op) {
    return op.name + " was interrupted while waiting for a free connection slot; nothing was sent for this attempt.";
  }

  static String interruptedWaitingToRetry(Operation<?> op) {
    return op.name + " was interrupted while waiting to retry.";
  }

  static String credentialsFailed(Operation<?> op, Throwable error) {
    return "Could not authenticate the " + op.name + " request: " + error.getMessage()
        + " Nothing was sent for this attempt.";
  }

  static String appliedEarlier(Operation<?> op) {
    return "An earlier attempt may have been applied, so the " + op.name
        + " may have taken effect: check before repeating it.";
  }

  // ---------------------------------------------------------------- retry decision's notes

  static String gaveUp(int attempts) {
    return "(gave up after " + attempts + " attempts)";
  }

  static String wouldPassDeadline(Duration delay) {
    return "(not retried: waiting " + delay.toMillis() + " ms would pass the call timeout)";
  }

  // ---------------------------------------------------------------- pieces

  /** What to tell the user when the operation may have taken effect; empty for reads. */
  static String appliedHint(Operation<?> op, String requestId) {
    if (op.idempotent) {
      return "";
    }
    return " The " + op.name + " may have reached the service and started jobs: "
        + (requestId != null
            ? "list the jobs of request id " + requestId + " (CloudPhoneClient.listJobs) before repeating it."
            : "check the jobs of the target servers (CPH console or the list-jobs API) before repeating it.");
  }

  /** {@code host:port}, the port the connection went to even when the URI leaves it to the scheme. */
  static String hostAndPort(URI uri) {
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return uri.getHost() + ":" + port;
  }

  /** The cause of a connect failure in parentheses, without the "could not connect to HOST" it often repeats. */
  static String connectDetail(String message) {
    if (message == null || message.isEmpty()) {
      return "";
    }
    String prefix = "could not connect to ";
    if (message.regionMatches(true, 0, prefix, 0, prefix.length())) {
      int colon = message.indexOf(": ", prefix.length());
      message = colon < 0 ? "" : message.substring(colon + 2);
    }
    return message.isEmpty() ? "" : " (" + message + ")";
  }

  static String hostOf(String location) {
    try {
      String host = URI.create(location).getHost();
      return host == null ? "another address" : host;
    } catch (IllegalArgumentException e) {
      return "another address";
    }
  }
}
