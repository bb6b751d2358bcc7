package io.github.cphsdk.internal.call;

import io.github.cphsdk.http.HttpResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;

/**
 * One API operation ready to send: what it is called in logs, its method and URI, the body serialized
 * once, whether repeating it is harmless, and how to read its successful answer.
 *
 * @param <T> the parsed answer
 */
public final class Operation<T> {

  /** Reads a 2xx answer into a value; throws {@link IOException} when the body is not what was expected. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(HttpResponse response) throws IOException;
  }

  final String name;
  final String method;
  final URI uri;
  final String logPath;
  final byte[] body;
  final boolean idempotent;
  final long maxResponseBytes;
  final Parser<T> parser;

  /**
   * @param name the operation's name in logs and messages, e.g. {@code "push shared apps"}
   * @param logPath the path as logged (no secrets in paths; the project id is not one)
   * @param body the JSON body or {@code null}; not copied (every attempt sends this array): never write to it
   * @param idempotent whether a repeat is harmless (reads), which lets ambiguous failures be retried
   */
  public Operation(String name, String method, URI uri, String logPath, byte[] body, boolean idempotent,
      long maxResponseBytes, Parser<T> parser) {
    this.name = Objects.requireNonNull(name);
    this.method = Objects.requireNonNull(method);
    this.uri = Objects.requireNonNull(uri);
    this.logPath = Objects.requireNonNull(logPath);
    this.body = body;
    this.idempotent = idempotent;
    this.maxResponseBytes = maxResponseBytes;
    this.parser = Objects.requireNonNull(parser);
  }

  /** The operation's name in logs and messages. */
  public String name() {
    return name;
  }
}
