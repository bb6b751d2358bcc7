package io.github.cphsdk.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.testsupport.HandshakeStaller;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocketFactory;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UrlConnectionTransportTest {
  private static final String PATH = "/v1/0123456789abcdef0123456789abcdef/cloud-phone/phones/share-apps";
  private static final byte[] JSON = "{\"package_name\":\"com.example.app\",\"server_ids\":[\"a\"]}".getBytes(UTF_8);

  private MockWebServer server;
  private UrlConnectionTransport transport;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    transport = new UrlConnectionTransport();
  }

  @AfterEach
  void stop() {
    transport.close();
    server.close();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.getPort() + pathAndQuery);
  }

  private HttpRequest.Builder post() {
    return HttpRequest.builder("POST", uri(PATH))
        .header("Content-Type", "application/json")
        .body(JSON)
        .timeout(Duration.ofSeconds(20));
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the server received no request");
    }
    return r;
  }

  @Test
  void postSendsMethodUriHeadersAndBodyWithAContentLength() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).addHeader("X-Request-Id", "req-1")
        .body("{\"request_id\":\"req-1\"}").build());

    HttpResponse response = transport.execute(post()
        .header("X-Auth-Token", "token-value")
        .header("X-Multi", "one")
        .header("X-Multi", "two")
        .build());

    assertEquals(200, response.statusCode());
    assertEquals("{\"request_id\":\"req-1\"}", response.bodyAsString());
    assertEquals("req-1", response.header("x-request-id").orElseThrow());
    assertFalse(response.bodyTruncated());

    RecordedRequest r = take();
    assertEquals("POST", r.getMethod());
    assertEquals(PATH, r.getTarget());
    assertEquals("127.0.0.1:" + server.getPort(), r.getHeaders().get("Host"));
    assertEquals(String.valueOf(JSON.length), r.getHeaders().get("Content-Length"));
    assertNull(r.getHeaders().get("Transfer-Encoding"));
    assertTrue(r.getChunkSizes() == null || r.getChunkSizes().isEmpty(), "body must not be chunked");
    assertEquals("application/json", r.getHeaders().get("Content-Type"));
    assertEquals("token-value", r.getHeaders().get("X-Auth-Token"));
    assertEquals(List.of("one", "two"), r.getHeaders().values("X-Multi"));
    assertEquals("*/*", r.getHeaders().get("Accept"));
    assertArrayEquals(JSON, r.getBody().toByteArray());
  }

  @Test
  void queryStringIsSentAsGiven() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());

    transport.execute(HttpRequest.builder("GET", uri("/v1/p/cloud-phone/jobs?request_id=abc&limit=100")).build());

    RecordedRequest r = take();
    assertEquals("GET", r.getMethod());
    assertEquals("/v1/p/cloud-phone/jobs?request_id=abc&limit=100", r.getTarget());
    assertEquals(0, r.getBodySize());
  }

  @Test
  void deleteCarriesItsBody() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"jobs\":[]}").build());

    HttpResponse response = transport.execute(HttpRequest.builder("DELETE", uri(PATH))
        .header("Content-Type", "application/json").body(JSON).build());

    assertEquals(200, response.statusCode());
    RecordedRequest r = take();
    assertEquals("DELETE", r.getMethod());
    assertEquals(String.valueOf(JSON.length), r.getHeaders().get("Content-Length"));
    assertArrayEquals(JSON, r.getBody().toByteArray());
  }

  @Test
  void postWithoutBodySendsContentLengthZero() throws Exception {
    server.enqueue(new MockResponse.Builder().code(204).build());

    HttpResponse response = transport.execute(HttpRequest.builder("POST", uri("/empty")).build());

    assertEquals(204, response.statusCode());
    assertEquals(0, response.bodyLength());
    RecordedRequest r = take();
    assertEquals("0", r.getHeaders().get("Content-Length"));
  }

  @Test
  void errorAnswersKeepTheirBody() throws Exception {
    String error = "{\"request_id\":\"r\",\"error_code\":\"CPS.0016\",\"error_msg\":\"invalid server_id\"}";
    server.enqueue(new MockResponse.Builder().code(400).body(error).build());
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "3").body("busy").build());
    server.enqueue(new MockResponse.Builder().code(404).body("<html>no</html>").build());

    HttpResponse bad = transport.execute(post().build());
    HttpResponse busy = transport.execute(post().build());
    HttpResponse missing = transport.execute(HttpRequest.builder("GET", uri("/nothing")).build());

    assertEquals(400, bad.statusCode());
    assertEquals(error, bad.bodyAsString());
    assertEquals(503, busy.statusCode());
    assertEquals("busy", busy.bodyAsString());
    assertEquals("3", busy.header("Retry-After").orElseThrow());
    assertEquals(404, missing.statusCode());
    assertEquals("<html>no</html>", missing.bodyAsString());
  }

  @Test
  void unauthorizedAnswerKeepsStatusAndHeaders() throws Exception {
    String error = "{\"error_code\":\"APIGW.0307\",\"error_msg\":\"The token must be updated.\"}";
    server.enqueue(new MockResponse.Builder().code(401).addHeader("X-Request-Id", "r401").body(error).build());
    server.enqueue(new MockResponse.Builder().code(401).addHeader("X-Request-Id", "r401-get").body(error).build());

    HttpResponse post = transport.execute(post().build());
    HttpResponse get = transport.execute(HttpRequest.builder("GET", uri("/jobs")).build());

    assertEquals(401, post.statusCode());
    assertEquals("r401", post.header("X-Request-Id").orElseThrow());
    assertEquals(401, get.statusCode());
    assertEquals("r401-get", get.header("X-Request-Id").orElseThrow());
    assertEquals(error, get.bodyAsString(), "without a request body the 401 body is kept");
    assertEquals(2, server.getRequestCount(), "a 401 is never answered by resending");
  }

  @Test
  void redirectsAreReturnedNotFollowed() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/elsewhere").build());
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", "/elsewhere").build());

    HttpResponse get = transport.execute(HttpRequest.builder("GET", uri("/here")).build());
    HttpResponse post = transport.execute(post().build());

    assertEquals(302, get.statusCode());
    assertEquals("/elsewhere", get.header("Location").orElseThrow());
    assertEquals(307, post.statusCode());
    assertEquals(2, server.getRequestCount());
  }

  @Test
  void keepsAtMostTheLimitAndMarksTheAnswerTruncated() throws Exception {
    String big = "0123456789".repeat(100);
    server.enqueue(new MockResponse.Builder().code(200).body(big).build());
    server.enqueue(new MockResponse.Builder().code(500).body(big).build());
    server.enqueue(new MockResponse.Builder().code(200).body("exactly10!").build());
    server.enqueue(new MockResponse.Builder().code(200).body("next").build());

    HttpResponse ok = transport.execute(post().maxResponseBytes(25).build());
    HttpResponse error = transport.execute(post().maxResponseBytes(7).build());
    HttpResponse exact = transport.execute(post().maxResponseBytes(10).build());
    HttpResponse next = transport.execute(post().build());

    assertTrue(ok.bodyTruncated());
    assertEquals(big.substring(0, 25), ok.bodyAsString());
    assertTrue(error.bodyTruncated());
    assertEquals(500, error.statusCode());
    assertEquals(big.substring(0, 7), error.bodyAsString());
    assertFalse(exact.bodyTruncated(), "an answer of exactly the limit is complete");
    assertEquals("exactly10!", exact.bodyAsString());
    assertEquals("next", next.bodyAsString(), "a later exchange reads its own answer, not leftovers");
  }

  @Test
  void zeroLimitKeepsNothing() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("x").build());
    server.enqueue(new MockResponse.Builder().code(200).build());

    HttpResponse some = transport.execute(post().maxResponseBytes(0).build());
    HttpResponse none = transport.execute(post().maxResponseBytes(0).build());

    assertTrue(some.bodyTruncated());
    assertEquals(0, some.bodyLength());
    assertFalse(none.bodyTruncated());
  }

  @Test
  void reusesTheConnectionAcrossExchanges() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"a\":1}").build());
    server.enqueue(new MockResponse.Builder().code(400).body("{\"error_code\":\"CPS.0148\"}").build());
    server.enqueue(new MockResponse.Builder().code(200).body("{\"b\":2}").build());
    server.enqueue(new MockResponse.Builder().code(200).body("{\"c\":3}").build());

    transport.execute(post().build());
    transport.execute(post().build());
    transport.execute(HttpRequest.builder("GET", uri("/jobs")).build());
    transport.execute(HttpRequest.builder("DELETE", uri(PATH)).body(JSON).build());

    List<RecordedRequest> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(take());
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(all.get(0).getConnectionIndex(), all.get(i).getConnectionIndex(), "exchange " + i);
      assertEquals(i, all.get(i).getExchangeIndex());
    }
  }

  /**
   * The JDK's HttpURLConnection probes an idle kept-alive connection (a read with a 1 ms timeout) before it
   * sends a POST in streaming mode on it, and opens a new connection when the server has closed the idle one.
   * This probe is the ~1 ms per POST the class javadoc talks about; the transport keeps it (does not dodge it,
   * e.g. by leaving streaming mode or by a GET turned POST), because without it this POST fails after sending.
   */
  @Test
  void postAfterTheServerClosedTheIdleConnectionGoesOnANewConnection() throws Exception {
    try (ClosingServer raw = new ClosingServer()) {
      URI uri = URI.create("http://127.0.0.1:" + raw.socket.getLocalPort() + PATH);

      assertEquals(200, transport.execute(HttpRequest.builder("POST", uri).body(JSON).build()).statusCode());
      assertTrue(raw.closedAfterAnswer.tryAcquire(10, TimeUnit.SECONDS), "the server closed the first connection");
      HttpResponse second = transport.execute(HttpRequest.builder("POST", uri).body(JSON).build());

      assertEquals(200, second.statusCode());
      assertEquals(List.of("POST " + PATH + " on connection 1", "POST " + PATH + " on connection 2"), raw.requests);
      assertEquals(List.of(new String(JSON, UTF_8), new String(JSON, UTF_8)), raw.bodies);
    }
  }

  /**
   * The control for the test above, and a limit of HttpURLConnection the class javadoc states: the same
   * closed idle connection makes a DELETE (which the JDK does not probe) fail after it was sent. So the
   * server above really leaves a dead connection in the JDK's cache, and only the probe saves the POST.
   */
  @Test
  void controlDeleteAfterTheServerClosedTheIdleConnectionFailsAfterSend() throws Exception {
    try (ClosingServer raw = new ClosingServer()) {
      URI uri = URI.create("http://127.0.0.1:" + raw.socket.getLocalPort() + PATH);

      assertEquals(200, transport.execute(HttpRequest.builder("DELETE", uri).body(JSON).build()).statusCode());
      assertTrue(raw.closedAfterAnswer.tryAcquire(10, TimeUnit.SECONDS), "the server closed the first connection");
      HttpTransportException e = assertThrows(HttpTransportException.class,
          () -> transport.execute(HttpRequest.builder("DELETE", uri).body(JSON).build()));

      assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, e.kind());
      assertEquals(List.of("DELETE " + PATH + " on connection 1"), raw.requests, "never resent");
    }
  }

  @Test
  void refusedConnectionIsConnectFailed() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }

    HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(
        HttpRequest.builder("POST", URI.create("http://127.0.0.1:" + port + "/x")).body(JSON).build()));

    assertEquals(HttpTransportException.Kind.CONNECT_FAILED, e.kind());
    assertFalse(e.kind().requestMayHaveBeenSent());
  }

  @Test
  void connectionDroppedAfterTheRequestIsFailedAfterSendAndNeverResent() throws Exception {
    // Two drops queued: if the POST were resent, the second one would arrive and be counted.
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());

    HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(post().build()));

    assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, e.kind());
    assertTrue(e.kind().requestMayHaveBeenSent());
    assertArrayEquals(JSON, take().getBody().toByteArray());
    assertEquals(1, server.getRequestCount(), "the POST must reach the server exactly once");
  }

  @Test
  void deleteDroppedAfterTheRequestIsNeverResent() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());

    HttpTransportException e = assertThrows(HttpTransportException.class,
        () -> transport.execute(HttpRequest.builder("DELETE", uri(PATH)).body(JSON).build()));

    assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, e.kind());
    assertEquals(1, server.getRequestCount());
  }

  /**
   * The control for the two tests above: the same server effect makes a plain HttpURLConnection (no
   * streaming mode) send the POST twice, so those tests would catch a transport that resends.
   */
  @Test
  void controlPlainHttpUrlConnectionResendsAPostOnTheSameDrop() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());

    HttpURLConnection c = (HttpURLConnection) uri(PATH).toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setReadTimeout(10_000);
    try (OutputStream out = c.getOutputStream()) {
      out.write(JSON);
    }
    assertThrows(IOException.class, c::getResponseCode);
    c.disconnect();

    assertEquals(2, server.getRequestCount());
  }

  @Test
  void slowAnswerIsResponseTimeout() throws Exception {
    server.enqueue(new MockResponse.Builder().headersDelay(20, TimeUnit.SECONDS).body("late").build());

    HttpTransportException e = assertThrows(HttpTransportException.class,
        () -> transport.execute(post().timeout(Duration.ofMillis(300)).build()));

    assertEquals(HttpTransportException.Kind.RESPONSE_TIMEOUT, e.kind());
    assertTrue(e.kind().requestMayHaveBeenSent());
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void tricklingAnswerIsCutOffAtTheDeadline() throws Exception {
    // Headers at once, then one body byte every 20 ms for 4000 bytes (80 s): each read returns well within
    // the read timeout, so only the deadline check between reads can stop the exchange. The deadline (2 s) is
    // also the read timeout: a loaded machine would have to stall the trickling thread that long to make a
    // socket read time out instead.
    try (LoopbackServer raw = new LoopbackServer((request, out) -> { // closing it interrupts the trickle
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n".getBytes(UTF_8));
      out.flush();
      for (int i = 0; i < 4000; i++) {
        Thread.sleep(20);
        out.write('x');
        out.flush();
      }
      return false;
    })) {
      HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(
          HttpRequest.builder("GET", raw.uri("/slow")).timeout(Duration.ofMillis(2000)).build()));

      assertEquals(HttpTransportException.Kind.RESPONSE_TIMEOUT, e.kind());
      assertNull(e.getCause(), "cut off by the deadline, not by a socket read timeout");
    }
  }

  /** Reads an HTTP request head (up to the blank line) from {@code in}. */
  private static String readRequestHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(UTF_8).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request ended early");
      }
      head.write(b);
    }
    return head.toString(UTF_8);
  }

  @Test
  void deadlineIsReadFromTheClock() throws Exception {
    // A clock that jumps past the deadline once the exchange has started reading.
    AtomicLong now = new AtomicLong();
    AtomicInteger calls = new AtomicInteger();
    UrlConnectionTransport clocked = UrlConnectionTransport.withClock(UrlConnectionTransport.builder(), () -> {
      return calls.incrementAndGet() > 3 ? now.addAndGet(Duration.ofSeconds(31).toNanos()) : now.get();
    });
    server.enqueue(new MockResponse.Builder().code(200).body("complete but late").build());

    HttpTransportException e = assertThrows(HttpTransportException.class,
        () -> clocked.execute(post().timeout(Duration.ofSeconds(30)).build()));

    assertEquals(HttpTransportException.Kind.RESPONSE_TIMEOUT, e.kind());
  }

  // ---------------------------------------------------------------- deadlines through connect, TLS and head

  /**
   * A status line and headers that trickle in a byte every 100 ms (330 bytes: 33 s): every byte restarts the
   * socket's read timeout, so only the watchdog ends the exchange at the deadline, sync and async alike. The
   * bound asserted is far below the trickle's length, not close to the deadline, so load cannot break it.
   */
  @Test
  void tricklingHeadIsCutByTheDeadlineSyncAndAsync() throws Exception {
    byte[] head = ("HTTP/1.1 200 OK\r\nX-Padding: " + "p".repeat(280) + "\r\nContent-Length: 2\r\n\r\n{}")
        .getBytes(UTF_8);
    try (LoopbackServer raw = scriptedServer((connection, request, out) -> {
      for (byte b : head) {
        out.write(b);
        out.flush();
        Thread.sleep(100);
      }
      return true;
    })) {
      HttpRequest request = HttpRequest.builder("POST", raw.uri(PATH)).body(JSON).timeout(Duration.ofMillis(600))
          .build();
      long start = System.nanoTime();
      HttpTransportException sync = assertThrows(HttpTransportException.class, () -> transport.execute(request));
      long syncMillis = millisSince(start);
      start = System.nanoTime();
      ExecutionException async = assertThrows(ExecutionException.class,
          () -> transport.executeAsync(request).get(60, TimeUnit.SECONDS));
      long asyncMillis = millisSince(start);

      for (HttpTransportException e : List.of(sync, assertInstanceOf(HttpTransportException.class, async.getCause()))) {
        assertEquals(HttpTransportException.Kind.RESPONSE_TIMEOUT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("within the timeout (600 ms)"), e.getMessage());
      }
      assertTrue(syncMillis < 15_000, "sync took " + syncMillis + " ms; the trickle lasts 33 s");
      assertTrue(asyncMillis < 15_000, "async took " + asyncMillis + " ms; the trickle lasts 33 s");
      assertEquals(2, raw.requests.size());
    }
  }

  /**
   * A server that accepts the TCP connection and never answers the ClientHello, and one that drips a TLS record
   * header and then a byte every 100 ms (each restarting the read timeout): the connect timeout covers the
   * handshake, and the failure says nothing was sent. When the connect timeout is longer than the attempt's, the
   * deadline ends the handshake, still as a connect timeout.
   */
  @Test
  void stalledOrDrippedTlsHandshakeIsCutByTheConnectTimeout() throws Exception {
    for (boolean drip : new boolean[] {false, true}) {
      try (HandshakeStaller raw = new HandshakeStaller(drip ? HandshakeStaller.Mode.DRIP : HandshakeStaller.Mode.STALL)) {
        URI uri = raw.uri(PATH);

        long start = System.nanoTime();
        HttpTransportException connectLimited = assertThrows(HttpTransportException.class, () -> transport.execute(
            HttpRequest.builder("POST", uri).body(JSON).connectTimeout(Duration.ofMillis(300))
                .timeout(Duration.ofSeconds(40)).build()));
        long connectLimitedMillis = millisSince(start);
        start = System.nanoTime();
        HttpTransportException deadlineLimited = assertThrows(HttpTransportException.class, () -> transport.execute(
            HttpRequest.builder("POST", uri).body(JSON).connectTimeout(Duration.ofSeconds(40))
                .timeout(Duration.ofMillis(300)).build()));
        long deadlineLimitedMillis = millisSince(start);

        String context = drip ? "dripped handshake" : "stalled handshake";
        for (HttpTransportException e : List.of(connectLimited, deadlineLimited)) {
          assertEquals(HttpTransportException.Kind.CONNECT_TIMEOUT, e.kind(), context + ": " + e.getMessage());
          assertFalse(e.kind().requestMayHaveBeenSent(), context);
          assertTrue(e.getMessage().contains("within 300 ms"), context + ": " + e.getMessage());
        }
        assertTrue(connectLimitedMillis < 20_000, context + " took " + connectLimitedMillis + " ms; the read timeout"
            + " alone would end it after 40 s");
        assertTrue(deadlineLimitedMillis < 20_000, context + " took " + deadlineLimitedMillis + " ms");
      }
    }
  }

  // ---------------------------------------------------------------- framing

  /**
   * An interim answer (102, 103) before the 200: newer Java releases (25) skip it inside HttpURLConnection and
   * the exchange returns the 200; older ones (17) hand the 103 over as if final, and the transport then fails at
   * once with a clear error instead of reading the 200 as a body until the deadline. Either way the next
   * exchange gets its own answer on a new connection.
   */
  @Test
  void interimAnswersEndInTheFinalAnswerOrAClearErrorAtOnce() throws Exception {
    for (String interim : new String[] {"102 Processing", "103 Early Hints\r\nLink: </style.css>; rel=preload"}) {
      try (LoopbackServer raw = scriptedServer((connection, request, out) -> {
        String body = "{\"request_id\":\"c" + connection + "-r" + request + "\"}";
        if (connection == 1 && request == 1) {
          out.write(("HTTP/1.1 " + interim + "\r\n\r\n").getBytes(UTF_8));
        }
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(UTF_8));
        return true;
      })) {
        HttpRequest request = HttpRequest.builder("POST", raw.uri(PATH)).body(JSON).timeout(Duration.ofSeconds(30))
            .build();
        long start = System.nanoTime();
        HttpResponse first = null;
        HttpTransportException failure = null;
        try {
          first = transport.execute(request);
        } catch (HttpTransportException e) {
          failure = e;
        }
        long millis = millisSince(start);
        HttpResponse second = transport.execute(request);

        String code = interim.substring(0, 3);
        if (first != null) {
          assertEquals(200, first.statusCode());
          assertEquals("{\"request_id\":\"c1-r1\"}", first.bodyAsString());
        } else {
          assertTrue(Runtime.version().feature() < 25, "Java 25 skips interim answers: " + failure);
          assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, failure.kind());
          assertTrue(failure.getMessage().contains("interim answer " + code), failure.getMessage());
          assertTrue(millis < 15_000, "the failure came after " + millis + " ms, not at once");
          assertEquals("{\"request_id\":\"c2-r1\"}", second.bodyAsString(), "the next exchange, on a new connection");
        }
        assertEquals(200, second.statusCode());
        assertTrue(List.of("{\"request_id\":\"c1-r2\"}", "{\"request_id\":\"c2-r1\"}").contains(second.bodyAsString()),
            "the second exchange's own answer: " + second.bodyAsString());
      }
    }
  }

  /** A Content-Length that is not one number: a clear framing error at once, not a read until the deadline. */
  @Test
  void contentLengthThatIsNotOneNumberIsAFramingErrorAtOnce() throws Exception {
    String body = "{\"request_id\":\"r\"}";
    for (String lengthHeaders : new String[] {
        "Content-Length: " + body.length() + ", 5", "Content-Length: " + body.length() + "\r\nContent-Length: 5",
        "Content-Length: 1e2", "Content-Length: -" + body.length()}) {
      try (LoopbackServer raw = scriptedServer((connection, request, out) -> {
        out.write(("HTTP/1.1 200 OK\r\n" + lengthHeaders + "\r\n\r\n" + body).getBytes(UTF_8));
        return true; // keeps the connection open: a client that reads until the close waits for the deadline
      })) {
        long start = System.nanoTime();
        HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(
            HttpRequest.builder("POST", raw.uri(PATH)).body(JSON).timeout(Duration.ofSeconds(30)).build()),
            lengthHeaders);
        long millis = millisSince(start);

        assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, e.kind(), lengthHeaders + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("Content-Length that is not one number"), e.getMessage());
        assertTrue(millis < 15_000, lengthHeaders + ": failed after " + millis + " ms, not at once");
      }
    }
  }

  /**
   * A 204 (or 304) whose server sends bytes after it, late (here: when the next request arrives): on a reused
   * connection HttpURLConnection would read those bytes as the next exchange's answer. The connection of such
   * an answer is not kept, so the next exchange goes on a new connection and gets its own answer.
   */
  @Test
  void noBodyAnswerWithALateBodyIsNotReadAsTheNextAnswer() throws Exception {
    for (int status : new int[] {204, 304}) {
      try (LoopbackServer raw = scriptedServer((connection, request, out) -> {
        if (connection == 1 && request == 1) {
          out.write(("HTTP/1.1 " + status + " X\r\n\r\n").getBytes(UTF_8));
          return true;
        }
        if (connection == 1 && request == 2) { // the late "body" of the first answer, shaped like an answer
          String leftover = "{\"request_id\":\"leftover\"}";
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + leftover.length() + "\r\n\r\n" + leftover)
              .getBytes(UTF_8));
        }
        String own = "{\"request_id\":\"c" + connection + "-r" + request + "\"}";
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + own.length() + "\r\n\r\n" + own).getBytes(UTF_8));
        return true;
      })) {
        HttpRequest request = HttpRequest.builder("POST", raw.uri(PATH)).body(JSON).build();

        assertEquals(status, transport.execute(request).statusCode());
        HttpResponse second = transport.execute(request);

        assertEquals("{\"request_id\":\"c2-r1\"}", second.bodyAsString(), status + ": the second exchange's own answer");
        assertEquals(2, raw.connections.get(), status + ": a new connection after the " + status);
      }
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  @Test
  void tlsFailureIsTlsFailedAndUsesTheGivenSocketFactory() throws Exception {
    AtomicInteger sockets = new AtomicInteger();
    SSLSocketFactory counting = new DelegatingSslSocketFactory(
        (SSLSocketFactory) SSLSocketFactory.getDefault(), sockets);
    try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
        UrlConnectionTransport tls = UrlConnectionTransport.builder().sslSocketFactory(counting).build()) {
      Thread answer = new Thread(() -> {
        try (Socket s = plain.accept()) {
          s.getInputStream().read(new byte[512]);
          s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(UTF_8));
        } catch (IOException ignored) {
          // the client hung up
        }
      });
      answer.setDaemon(true);
      answer.start();

      HttpTransportException e = assertThrows(HttpTransportException.class, () -> tls.execute(
          HttpRequest.builder("POST", URI.create("https://127.0.0.1:" + plain.getLocalPort() + "/x"))
              .body(JSON).build()));

      assertEquals(HttpTransportException.Kind.TLS_FAILED, e.kind());
      assertFalse(e.kind().requestMayHaveBeenSent());
      assertTrue(sockets.get() > 0, "the given SSLSocketFactory must be used");
    }
  }

  @Test
  void requestsGoThroughTheGivenProxy() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("via proxy").build());
    Proxy proxy = new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", server.getPort()));
    try (UrlConnectionTransport proxied = UrlConnectionTransport.builder().proxy(proxy).build()) {
      HttpResponse response = proxied.execute(
          HttpRequest.builder("POST", URI.create("http://127.0.0.1:9/target?q=1")).body(JSON).build());

      assertEquals("via proxy", response.bodyAsString());
      RecordedRequest r = take();
      assertEquals("http://127.0.0.1:9/target?q=1", r.getTarget());
      assertArrayEquals(JSON, r.getBody().toByteArray());
    }
  }

  @Test
  void unsupportedMethodIsRejectedBeforeConnecting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> transport.execute(HttpRequest.builder("PATCH", uri("/x")).body(JSON).build()));

    assertTrue(e.getMessage().contains("PATCH"), e.getMessage());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void asyncReturnsTheAnswer() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("async").build());

    HttpResponse response = transport.executeAsync(post().build()).get(20, TimeUnit.SECONDS);

    assertEquals("async", response.bodyAsString());
    assertArrayEquals(JSON, take().getBody().toByteArray());
  }

  @Test
  void asyncFailuresAreClassifiedLikeSyncOnes() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> transport.executeAsync(post().build()).get(20, TimeUnit.SECONDS));

    HttpTransportException cause = assertInstanceOf(HttpTransportException.class, e.getCause());
    assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, cause.kind());
  }

  @Test
  void asyncRunsOnTheGivenExecutorAndNeverShutsItDown() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    AtomicInteger tasks = new AtomicInteger();
    try {
      server.enqueue(new MockResponse.Builder().code(200).body("mine").build());
      UrlConnectionTransport custom = UrlConnectionTransport.builder().executor(r -> {
        tasks.incrementAndGet();
        executor.execute(r);
      }).build();

      HttpResponse response = custom.executeAsync(post().build()).get(20, TimeUnit.SECONDS);
      custom.close();

      assertEquals("mine", response.bodyAsString());
      assertEquals(1, tasks.get());
      assertFalse(executor.isShutdown());
      assertTrue(ownThreads(custom).isEmpty(), "no thread of its own when an executor is given");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void cancellingTheFutureDisconnects() throws Exception {
    try (HangingServer hanging = new HangingServer()) {
      CompletableFuture<HttpResponse> future = transport.executeAsync(
          HttpRequest.builder("POST", hanging.uri()).body(JSON).timeout(Duration.ofMinutes(5)).build());
      assertTrue(hanging.requestRead.await(20, TimeUnit.SECONDS), "the request must arrive");

      assertTrue(future.cancel(true));

      assertTrue(hanging.clientClosed.await(20, TimeUnit.SECONDS),
          "the connection must be closed long before the 5-minute timeout");
      assertThrows(CancellationException.class, future::join);
    }
  }

  @Test
  void closeFailsInFlightExchangesAndStopsItsThreads() throws Exception {
    try (HangingServer hanging = new HangingServer()) {
      server.enqueue(new MockResponse.Builder().code(200).body("done").build());
      assertEquals("done", transport.executeAsync(post().build()).get(20, TimeUnit.SECONDS).bodyAsString());
      CompletableFuture<HttpResponse> inFlight = transport.executeAsync(
          HttpRequest.builder("POST", hanging.uri()).body(JSON).timeout(Duration.ofMinutes(5)).build());
      assertTrue(hanging.requestRead.await(20, TimeUnit.SECONDS));
      List<Thread> threads = ownThreads(transport);
      assertFalse(threads.isEmpty());

      transport.close();

      ExecutionException e = assertThrows(ExecutionException.class, () -> inFlight.get(20, TimeUnit.SECONDS));
      HttpTransportException cause = assertInstanceOf(HttpTransportException.class, e.getCause());
      assertEquals(HttpTransportException.Kind.FAILED_AFTER_SEND, cause.kind());
      assertTrue(hanging.clientClosed.await(20, TimeUnit.SECONDS));
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(t.isAlive(), t.getName() + " must stop on close()");
      }
      assertThrows(IllegalStateException.class, () -> transport.executeAsync(post().build()));
      assertThrows(IllegalStateException.class, () -> transport.execute(post().build()));
    }
  }

  @Test
  void toStringShowsNoSecrets() {
    assertEquals("UrlConnectionTransport", transport.toString());
    assertNotEquals(-1, UrlConnectionTransport.builder()
        .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", 3128))).build()
        .toString().indexOf("3128"));
  }

  private static List<Thread> ownThreads(UrlConnectionTransport t) {
    List<Thread> own = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith(t.threadPrefix())) {
        own.add(thread);
      }
    }
    return own;
  }

  /**
   * Answers each request with a keep-alive {@code 200} (HTTP/1.1, a Content-Length, no {@code Connection:
   * close}), then closes that connection, as a server does when an idle connection times out, and releases
   * {@link #closedAfterAnswer}.
   */
  private static final class ClosingServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
    final Semaphore closedAfterAnswer = new Semaphore(0);
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();

    ClosingServer() throws IOException {
      Thread thread = new Thread(() -> {
        for (int connection = 1; ; connection++) {
          Socket accepted;
          try {
            accepted = socket.accept();
          } catch (IOException e) {
            return; // the socket was closed: the test is over
          }
          try (Socket s = accepted) {
            InputStream in = s.getInputStream();
            String head = readRequestHead(in);
            int length = 0;
            for (String line : head.split("\r\n")) {
              if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
              }
            }
            byte[] body = in.readNBytes(length);
            requests.add(head.substring(0, head.indexOf(" HTTP/1.1")) + " on connection " + connection);
            bodies.add(new String(body, UTF_8));
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".getBytes(UTF_8));
            out.flush();
          } catch (IOException e) {
            // this connection failed; serve the next one
          }
          closedAfterAnswer.release();
        }
      }, "closing-server");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Reads one request, then holds the connection open until the client closes it. */
  private static final class HangingServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
    final CountDownLatch requestRead = new CountDownLatch(1);
    final CountDownLatch clientClosed = new CountDownLatch(1);
    private final Thread thread;

    HangingServer() throws IOException {
      thread = new Thread(() -> {
        try (Socket s = socket.accept()) {
          InputStream in = s.getInputStream();
          ByteArrayOutputStream seen = new ByteArrayOutputStream();
          byte[] buf = new byte[1024];
          int n;
          while ((n = in.read(buf)) >= 0) {
            seen.write(buf, 0, n);
            if (seen.toString(UTF_8).contains("\r\n\r\n") && seen.toString(UTF_8).endsWith("]}")) {
              requestRead.countDown();
            }
          }
          clientClosed.countDown();
        } catch (IOException e) {
          clientClosed.countDown();
        }
      }, "hanging-server");
      thread.setDaemon(true);
      thread.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hang");
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Writes the answer to request {@code request} (from 1) of connection {@code connection} (from 1). */
  private interface Script {
    boolean answer(int connection, int request, OutputStream out) throws IOException, InterruptedException;
  }

  /** A loopback server that reads each request and lets {@code script} write any bytes as the answer. */
  private static LoopbackServer scriptedServer(Script script) throws IOException {
    return new LoopbackServer((request, out) -> script.answer(request.connection, request.numberOnConnection, out));
  }
}
