package io.github.cphsdk.bench;

import java.util.concurrent.CompletableFuture;

/**
 * One way of making the push call against the stub: ours, the official SDK, or bare java.net.http. Every
 * call checks its answer (status 200, the expected number of jobs) and throws when it is wrong, so a fast
 * broken contender cannot win.
 */
public interface Contender extends AutoCloseable {

  /** The column name, e.g. {@code ours (AK/SK)}. */
  String name();

  /** One blocking push of {@code servers} server ids. */
  void call(int servers) throws Exception;

  /** One non-blocking push; {@code null} when this contender has no async form. */
  CompletableFuture<?> callAsync(int servers);

  @Override
  void close();

  /** Throws when {@code actual != expected}. */
  static void expect(String what, long expected, long actual) {
    if (expected != actual) {
      throw new IllegalStateException(what + ": expected " + expected + ", got " + actual);
    }
  }
}
