package io.github.cphsdk;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.cphsdk.model.ShareAppsResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Shared pieces of the retry, timeout and async tests. */
final class Harness {
  private Harness() {}

  /** The two ways to call the client; every retry rule must give the same outcome both ways. */
  enum Mode { SYNC, ASYNC }

  /**
   * Pushes the documented request the given way. For ASYNC it plays the scheduler: whenever a retry is the
   * only pending task of {@code timing} (the attempt's timer was cancelled because its exchange ended), it
   * runs it. Failures are rethrown unwrapped, as the synchronous call throws them.
   */
  static ShareAppsResponse push(CloudPhoneClient client, FakeTiming timing, Mode mode) {
    if (mode == Mode.SYNC) {
      return client.shareApps(CloudPhoneClientTest.request());
    }
    int before = timing.scheduledCount();
    return drive(client.shareAppsAsync(CloudPhoneClientTest.request()), timing, before);
  }

  /**
   * Plays the scheduler for one asynchronous call started when {@code timing} had {@code before} tasks scheduled
   * (see {@link #push}), and returns its value; failures are rethrown unwrapped.
   */
  static <T> T drive(CompletableFuture<T> f, FakeTiming timing, int before) {
    for (int attempt = 1; ; attempt++) {
      awaitRetryPendingOrDone(f, timing, before, attempt);
      if (f.isDone()) {
        break;
      }
      assertTrue(timing.runNext());
    }
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw e;
    }
  }

  /**
   * Waits until {@code f} is done or attempt {@code attempt} has ended and scheduled its retry. Attempt k
   * schedules its timer as the call's (2k-1)th task and its retry as its (2k)th, and cancels the timer first,
   * so "2k tasks scheduled since the call began, one pending" means the retry is the only thing left to run.
   */
  static void awaitRetryPendingOrDone(CompletableFuture<?> f, FakeTiming timing, int scheduledBefore, int attempt) {
    awaitOrDone(f, () -> timing.scheduledCount() - scheduledBefore >= 2 * attempt && timing.pending() == 1,
        "retry after attempt " + attempt);
  }

  /** Waits (in 1 ms steps on the future itself, never a bare sleep) until {@code f} is done or {@code ready}. */
  static void awaitOrDone(CompletableFuture<?> f, BooleanSupplier ready, String what) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        f.get(1, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException notYet) {
        // keep waiting
      } catch (ExecutionException | CancellationException done) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (ready.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > end) {
        fail("the call neither completed nor reached: " + what);
      }
    }
  }

  /** Waits until {@code condition} holds, polling on a never-completing future in 1 ms steps. */
  static void await(BooleanSupplier condition, String what) {
    awaitOrDone(new CompletableFuture<Void>(), condition, what);
  }

  /**
   * The waits between attempts: sleeps on the caller's thread for SYNC; for ASYNC the timer tasks that
   * were retries (every second task scheduled, see {@link #awaitRetryPendingOrDone}). For a test that made
   * one call.
   */
  static List<Duration> retryWaits(FakeTiming timing, Mode mode) {
    if (mode == Mode.SYNC) {
      return timing.slept();
    }
    List<Duration> all = timing.scheduled();
    List<Duration> retries = new ArrayList<>();
    for (int i = 1; i < all.size(); i += 2) {
      retries.add(all.get(i));
    }
    return retries;
  }

  /** Every listener callback as one line, e.g. {@code "finished 1 503 PT0.25S CloudPhoneServiceException"}. */
  static final class RecordingListener implements CallListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> callIds = new CopyOnWriteArrayList<>();

    @Override
    public void attemptStarted(String operation, String callId, int attempt) {
      callIds.add(callId);
      events.add("started " + attempt);
    }

    @Override
    public void attemptFinished(String operation, String callId, int attempt, int statusCode, Duration duration,
        Throwable failure) {
      callIds.add(callId);
      events.add("finished " + attempt + " " + statusCode + " " + duration
          + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
    }

    @Override
    public void retryScheduled(String operation, String callId, int nextAttempt, Duration delay,
        CloudPhoneException cause) {
      callIds.add(callId);
      events.add("retry " + nextAttempt + " " + delay + " " + cause.getClass().getSimpleName());
    }

    long count(String prefix) {
      return events.stream().filter(e -> e.startsWith(prefix)).count();
    }
  }
}
