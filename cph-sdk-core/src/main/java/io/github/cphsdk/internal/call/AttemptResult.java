package io.github.cphsdk.internal.call;

import io.github.cphsdk.http.HttpResponse;
import java.util.Objects;

/**
 * What one attempt came to: the parsed answer, or the {@link Failure} that says why it failed. Made by the
 * {@link Classifier} on both the synchronous and the asynchronous path.
 *
 * @param <T> the parsed answer
 */
final class AttemptResult<T> {
  /** The parsed answer; {@code null} when the attempt failed (or when a parser answered null). */
  final T value;
  /** Why the attempt failed; {@code null} when it succeeded. */
  final Failure failure;
  /** The service's answer, when there was one (for the attempt's log line and listener); else {@code null}. */
  final HttpResponse answer;

  private AttemptResult(T value, Failure failure, HttpResponse answer) {
    this.value = value;
    this.failure = failure;
    this.answer = answer;
  }

  static <T> AttemptResult<T> success(T value, HttpResponse answer) {
    return new AttemptResult<>(value, null, answer);
  }

  /** A failure the service answered with (a status, or a 2xx that could not be read). */
  static <T> AttemptResult<T> failed(Failure failure, HttpResponse answer) {
    return new AttemptResult<>(null, Objects.requireNonNull(failure), answer);
  }

  /** A failure without an answer: no connection, no answer in time, no free connection slot. */
  static <T> AttemptResult<T> failed(Failure failure) {
    return failed(failure, null);
  }

  boolean succeeded() {
    return failure == null;
  }
}
