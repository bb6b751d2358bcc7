package io.github.cphsdk.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Future helpers for what Android API level 26 lacks: {@code CompletableFuture.failedFuture} and
 * {@code orTimeout} are Java 9 (Android API 31). The build's animal-sniffer check flags the JDK methods;
 * use these instead.
 */
public final class Futures {
  private Futures() {}

  /**
   * A future already completed with {@code error}, like {@code CompletableFuture.failedFuture}.
   *
   * @param <T> the future's value type
   * @param error the failure
   * @return a new, exceptionally completed future
   */
  public static <T> CompletableFuture<T> failed(Throwable error) {
    CompletableFuture<T> f = new CompletableFuture<>();
    f.completeExceptionally(error);
    return f;
  }

  /**
   * The failure inside the {@code CompletionException} or {@code ExecutionException} wrappers that futures add.
   *
   * @param t a failure, wrapped or not
   * @return the innermost cause below the wrappers ({@code t} itself when it is not one)
   */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Like {@code future.orTimeout(timeout, unit)}: completes {@code future} with a {@link TimeoutException}
   * unless it completes within the timeout. The timer is one shared daemon {@link TimerThread} that ends
   * when no timeout is pending (as the JDK's own delayer, but not kept forever).
   *
   * @param <T> the future's value type
   * @param future the future to bound
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return {@code future}
   */
  public static <T> CompletableFuture<T> orTimeout(CompletableFuture<T> future, long timeout, TimeUnit unit) {
    if (!future.isDone()) {
      ScheduledFuture<?> timer = Delayer.INSTANCE.schedule(
          () -> future.completeExceptionally(new TimeoutException()), unit.toNanos(timeout));
      future.whenComplete((r, e) -> timer.cancel(false));
    }
    return future;
  }

  /**
   * The timer of {@link #orTimeout}: a {@link TimerThread} of its own, not a client's, because its callers
   * (credentials, which several clients may share) have no client at hand. Its thread ends 1 s after the last
   * pending timeout.
   */
  private static final class Delayer {
    static final TimerThread INSTANCE = new TimerThread("cph-sdk-timeout", 1);
  }
}
