package io.github.cphsdk.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Future helpers that Android API level 26 lacks ({@code CompletableFuture.failedFuture} is Java 9 and
 * Android API 31). The build's animal-sniffer check flags the JDK methods; use these instead.
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
}
