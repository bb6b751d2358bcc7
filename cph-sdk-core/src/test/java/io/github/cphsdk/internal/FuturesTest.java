package io.github.cphsdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FuturesTest {

  @Test
  void failedIsCompletedExceptionally() {
    IllegalStateException error = new IllegalStateException("no");
    CompletableFuture<String> f = Futures.failed(error);

    assertTrue(f.isCompletedExceptionally());
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertSame(error, e.getCause());
  }

  @Test
  void orTimeoutFailsAFutureThatDoesNotComplete() {
    CompletableFuture<String> never = new CompletableFuture<>();

    CompletableFuture<String> bounded = Futures.orTimeout(never, 1, TimeUnit.MILLISECONDS);

    assertSame(never, bounded);
    ExecutionException e = assertThrows(ExecutionException.class, () -> bounded.get(30, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, e.getCause());
  }

  @Test
  void orTimeoutLeavesACompletedFutureAlone() throws Exception {
    CompletableFuture<String> soon = new CompletableFuture<>();
    Futures.orTimeout(soon, 1, TimeUnit.HOURS);
    soon.complete("done");

    assertEquals("done", soon.get());
    assertEquals("now", Futures.orTimeout(CompletableFuture.completedFuture("now"), 1, TimeUnit.NANOSECONDS).get());
  }
}
