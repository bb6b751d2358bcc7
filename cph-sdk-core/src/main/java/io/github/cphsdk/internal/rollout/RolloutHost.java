package io.github.cphsdk.internal.rollout;

import io.github.cphsdk.CallListener;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.internal.Timing;
import io.github.cphsdk.model.Job;
import io.github.cphsdk.model.JobList;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.model.ShareAppsResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a rollout needs of its client beyond the public API: the client's timing, its batch limits, its shared
 * rate limiter, and job listings that ask the limiter before every page. The client implements it and hands it
 * to the {@link RolloutBuilder} it creates; nothing here knows the client's class.
 */
public interface RolloutHost {

  /** Starts one push (at most {@link #maxServersPerRequest()} servers). */
  CompletableFuture<ShareAppsResponse> push(ShareAppsRequest request);

  /** Lists every job of these request ids (at most 20), running {@code beforePage} before each page is asked for. */
  JobList list(List<String> requestIds, Runnable beforePage);

  /** One job. */
  Job show(String jobId);

  /** {@return the client's clocks and sleeper} */
  Timing timing();

  /** {@return the most server ids one request may carry} */
  int maxServersPerRequest();

  /** {@return how many batches the client keeps in flight by default} */
  int maxConcurrentBatches();

  /** {@return the client's one rate limiter, shared by all its rollouts} */
  RateLimiter rateLimiter();

  /**
   * The client's listener, plus the rate limiter hearing of every throttled answer: a 429 slows it down, the
   * retry delay the client chose after it (which honours {@code Retry-After}) holds new requests.
   */
  static CallListener listening(CallListener user, RateLimiter limiter) {
    return new CallListener() {
      @Override
      public void attemptStarted(String operation, String callId, int attempt) {
        user.attemptStarted(operation, callId, attempt);
      }

      @Override
      public void attemptFinished(String operation, String callId, int attempt, int statusCode, Duration duration,
          Throwable failure) {
        if (statusCode == 429) {
          limiter.throttled();
        }
        user.attemptFinished(operation, callId, attempt, statusCode, duration, failure);
      }

      @Override
      public void retryScheduled(String operation, String callId, int nextAttempt, Duration delay,
          CloudPhoneException cause) {
        if (cause instanceof CloudPhoneServiceException && ((CloudPhoneServiceException) cause).statusCode() == 429) {
          limiter.hold(delay);
        }
        user.retryScheduled(operation, callId, nextAttempt, delay, cause);
      }
    };
  }
}
