package io.github.cphsdk.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stub CPH the harness talks to, run in its own JVM so it does not share a heap, a GC or JIT threads
 * with the clients. Answers {@code POST .../share-apps} with the documented 200 body (one job per server id
 * in the request), needs an {@code X-Auth-Token} or {@code Authorization} header (401 otherwise, the same
 * cheap check for every client) and never checks signatures. Prints {@code PORT n} when ready; exits when
 * its standard input closes, so it never outlives the harness.
 *
 * <pre>{@code
 * java -Dsun.net.httpserver.nodelay=true -Dsun.net.httpserver.maxIdleConnections=4096 \
 *     -cp ... io.github.cphsdk.bench.StubServer [port] [threads]
 * }</pre>
 */
public final class StubServer {
  private static final int MAX_SERVERS = 100;
  private static final byte[][] ANSWERS = new byte[MAX_SERVERS + 1][];
  private static final AtomicLong SERVED = new AtomicLong();
  /** The service latency the stub adds to every push ({@code -Dstub.latencyMs}, default 0). */
  private static final long LATENCY_MS = Long.getLong("stub.latencyMs", 0);

  private StubServer() {}

  public static void main(String[] args) throws Exception {
    if (!"true".equals(System.getProperty("sun.net.httpserver.nodelay"))) {
      // must be set before the server classes load, or small answers wait ~40 ms for delayed ACKs
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(2, Runtime.getRuntime().availableProcessors());
    for (int i = 1; i <= MAX_SERVERS; i++) {
      ANSWERS[i] = Fixtures.answer(i);
    }
    String keystore = System.getProperty("stub.tls.keystore");
    HttpServer server;
    if (keystore != null) { // https with the given PKCS12 key store (the realistic scenario)
      char[] password = System.getProperty("stub.tls.password", "").toCharArray();
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      try (InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Paths.get(keystore))) {
        ks.load(in, password);
      }
      {
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
            javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ctx));
        server = https;
      }
    } else {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "stub-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.createContext("/", StubServer::handle);
    server.start();
    System.out.println("PORT " + server.getAddress().getPort());
    System.out.flush();
    // live until the harness closes our stdin (or dies)
    while (System.in.read() >= 0) {
      // ignore input
    }
    System.err.println("stub served " + SERVED.get() + " requests");
    server.stop(0);
    pool.shutdownNow();
  }

  private static void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String path = exchange.getRequestURI().getRawPath();
      if (!"POST".equals(exchange.getRequestMethod()) || !path.endsWith("/cloud-phone/phones/share-apps")) {
        send(exchange, 404, "{\"error_code\":\"APIGW.0101\",\"error_msg\":\"no such API\"}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (!exchange.getRequestHeaders().containsKey("X-Auth-Token")
          && !exchange.getRequestHeaders().containsKey("Authorization")) {
        send(exchange, 401, "{\"error_code\":\"APIGW.0301\",\"error_msg\":\"no credentials\"}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      int servers = countServerIds(body);
      if (LATENCY_MS > 0) { // the service's own time; the stub runs enough threads for every call in flight
        try {
          Thread.sleep(LATENCY_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      SERVED.incrementAndGet();
      send(exchange, 200, ANSWERS[Math.max(1, Math.min(MAX_SERVERS, servers))]);
    }
  }

  private static void send(HttpExchange exchange, int status, byte[] answer) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.getResponseHeaders().set("X-Request-Id", "6837531fd3f54550927b930180a706bf");
    exchange.sendResponseHeaders(status, answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  /** Counts the strings of the {@code server_ids} array without a JSON parser (bodies are ours and compact). */
  static int countServerIds(byte[] body) {
    byte[] key = "\"server_ids\"".getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + key.length <= body.length; i++) {
      for (int k = 0; k < key.length; k++) {
        if (body[i + k] != key[k]) {
          continue outer;
        }
      }
      int quotes = 0;
      for (int j = i + key.length; j < body.length && body[j] != ']'; j++) {
        if (body[j] == '"') {
          quotes++;
        }
      }
      return quotes / 2;
    }
    return 0;
  }
}
