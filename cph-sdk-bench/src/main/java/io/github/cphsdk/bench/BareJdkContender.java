package io.github.cphsdk.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The floor: {@code java.net.http} sending the same headers and body bytes as our client, reading the
 * answer as bytes and checking the status, with no SDK around it. Headers are the ones our client sent
 * (captured once), so the exchange on the wire is the same; the body is serialized once up front.
 */
public final class BareJdkContender implements Contender {
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

  private final String name;
  private final HttpClient client;
  private final URI uri;
  private final String[] headers;
  private final byte[][] bodies = new byte[101][];

  private BareJdkContender(String name, HttpClient client, int port, List<Map.Entry<String, String>> captured) {
    this(name, client, "http://127.0.0.1:" + port, captured);
  }

  private BareJdkContender(String name, HttpClient client, String base, List<Map.Entry<String, String>> captured) {
    this.name = name;
    this.client = client;
    this.uri = URI.create(base + Fixtures.path());
    this.headers = captured.stream()
        .filter(h -> !RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT)))
        .flatMap(h -> java.util.stream.Stream.of(h.getKey(), h.getValue()))
        .toArray(String[]::new);
  }

  /** With the HTTP client's default executor (a cached thread pool). */
  public static Contender defaultExecutor(int port, List<Map.Entry<String, String>> headers) {
    return new BareJdkContender("bare JDK (default executor)", base().build(), port, headers);
  }

  /** Against {@code base} (e.g. {@code https://127.0.0.1:8443}), with the HTTP client's default executor. */
  public static Contender defaultExecutor(String base, List<Map.Entry<String, String>> headers) {
    return new BareJdkContender("bare java.net.http", base().build(), base, headers);
  }

  /** With a direct executor: completions run on the selector thread, as in our transport. */
  public static Contender directExecutor(int port, List<Map.Entry<String, String>> headers) {
    return new BareJdkContender("bare JDK (direct executor)", base().executor(Runnable::run).build(), port, headers);
  }

  private static HttpClient.Builder base() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10));
  }

  private HttpRequest request(int servers) {
    byte[] body = bodies[servers];
    if (body == null) {
      body = Fixtures.body(servers);
      bodies[servers] = body;
    }
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30))
        .headers(headers)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void call(int servers) throws Exception {
    HttpResponse<byte[]> r = client.send(request(servers), HttpResponse.BodyHandlers.ofByteArray());
    Contender.expect("status", 200, r.statusCode());
  }

  @Override
  public CompletableFuture<?> callAsync(int servers) {
    return client.sendAsync(request(servers), HttpResponse.BodyHandlers.ofByteArray())
        .thenAccept(r -> Contender.expect("status", 200, r.statusCode()));
  }

  @Override
  public void close() {
    // HttpClient has no close() before Java 21; its selector thread is daemon.
  }
}
