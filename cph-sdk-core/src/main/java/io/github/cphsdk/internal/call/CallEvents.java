package io.github.cphsdk.internal.call;

import io.github.cphsdk.CallListener;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.ShareAppsResponse;
import java.time.Duration;

/**
 * What a call tells the outside as it goes: one DEBUG line per attempt and per scheduled retry, and the user's
 * {@link CallListener}, whose exceptions are logged and ignored. Both paths report through this.
 */
final class CallEvents {
  private final CallListener listener;
  private final Timing timing;
  private final int maxAttempts;

  CallEvents(CallListener listener, Timing timing, int maxAttempts) {
    this.listener = listener;
    this.timing = timing;
    this.maxAttempts = maxAttempts;
  }

  void attemptStarted(CallState call, int attempt) {
    try {
      listener.attemptStarted(call.op.name, call.id, attempt);
    } catch (RuntimeException e) {
      CallPipeline.LOG.warn("CallListener.attemptStarted threw; ignored", e);
    }
  }

  void attemptEnded(CallState call, int attempt, long start, AttemptResult<?> result) {
    Operation<?> op = call.op;
    Duration took = Duration.ofNanos(timing.nanoTime() - start);
    Failure failure = result.failure;
    int status = result.answer != null ? result.answer.statusCode() : failure == null ? 200 : failure.statusCode;
    if (CallPipeline.LOG.isDebugEnabled()) {
      String requestId = failure != null ? failure.requestId : successRequestId(result);
      CallPipeline.LOG.debug("{} {} -> {} (attempt {}/{}, {} ms, request id {}, call {}){}", op.method, op.logPath,
          status < 0 ? "no answer" : String.valueOf(status), attempt, maxAttempts,
          took.toMillis(), requestId == null ? "none" : requestId, call.id,
          failure == null ? "" : ": " + failure.message);
    }
    try {
      listener.attemptFinished(op.name, call.id, attempt, status, took,
          failure == null ? null : failure.toException(attempt));
    } catch (RuntimeException e) {
      CallPipeline.LOG.warn("CallListener.attemptFinished threw; ignored", e);
    }
  }

  void retryScheduled(CallState call, int attempt, Duration delay, Failure failure) {
    Operation<?> op = call.op;
    if (CallPipeline.LOG.isDebugEnabled()) {
      CallPipeline.LOG.debug("{} {}: retry {} of call {} in {} ms", op.method, op.logPath, attempt + 1, call.id,
          delay.toMillis());
    }
    try {
      listener.retryScheduled(op.name, call.id, attempt + 1, delay, failure.toException(attempt));
    } catch (RuntimeException e) {
      CallPipeline.LOG.warn("CallListener.retryScheduled threw; ignored", e);
    }
  }

  /** The request id of a successful answer, for the log: the body's, else {@code X-Request-Id}, else null. */
  private static String successRequestId(AttemptResult<?> result) {
    Object value = result.value;
    String id = value instanceof ShareAppsResponse ? ((ShareAppsResponse) value).requestId()
        : value instanceof JobList ? ((JobList) value).requestId() : null;
    if ((id == null || id.isEmpty()) && result.answer != null) {
      id = result.answer.header("X-Request-Id").orElse(null);
    }
    return id == null || id.isEmpty() ? null : id;
  }
}
