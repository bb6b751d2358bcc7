package io.github.cphsdk.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdkHttpTransportTest {
  MockWebServer server;
  JdkHttpTransport transport;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    transport = new JdkHttpTransport(Duration.ofSeconds(5), null);
  }

  @AfterEach
  void stop() {
    transport.close();
    server.close();
  }

  private HttpRequest.Builder post(String body) {
    return HttpRequest.builder("POST", server.url("/v1/p/cloud-phone/phones/share-apps").uri())
        .header("Content-Type", "application/json")
        .header("X-Auth-Token", "secret")
        .body(body.getBytes(StandardCharsets.UTF_8))
        .timeout(Duration.ofSeconds(5));
  }

  @Test
  void syncExchangeSendsHeadersAndBodyAndReturnsTheWholeAnswer() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).addHeader("X-Request-Id", "rid").body("{\"ok\":1}").build());
    HttpResponse r = transport.execute(post("{\"a\":1}").build());
    assertEquals(200, r.statusCode());
    assertEquals("rid", r.header("x-request-id").orElseThrow());
    assertEquals("{\"ok\":1}", r.bodyAsString());
    assertFalse(r.bodyTruncated());
    RecordedRequest seen = server.takeRequest();
    assertEquals("POST", seen.getMethod());
    assertEquals("secret", seen.getHeaders().get("X-Auth-Token"));
    assertEquals("{\"a\":1}", seen.getBody().utf8());
  }

  @Test
  void getAndDeleteWithoutBodyCarryNoContentLength() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    java.net.URI uri = server.url("/v1/p/cloud-phone/jobs/j").uri();
    transport.execute(HttpRequest.builder("GET", uri).build());
    transport.executeAsync(HttpRequest.builder("DELETE", uri).build()).get(10, TimeUnit.SECONDS);
    transport.execute(post("{\"a\":1}").build());
    RecordedRequest get = server.takeRequest();
    RecordedRequest delete = server.takeRequest();
    RecordedRequest withBody = server.takeRequest();
    // JDK 17 and 18 add "Content-Length: 0" to every request without a body themselves (JDK-8283544, fixed in 19)
    String expected = Runtime.version().feature() >= 19 ? null : "0";
    assertEquals(expected, get.getHeaders().get("Content-Length"), get.getHeaders().toString());
    assertEquals(expected, delete.getHeaders().get("Content-Length"), delete.getHeaders().toString());
    assertEquals("7", withBody.getHeaders().get("Content-Length"));
    assertEquals(null, withBody.getHeaders().get("Transfer-Encoding"), "never chunked");
  }

  @Test
  void asyncExchangeReturnsTheWholeAnswer() throws Exception {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3").body("slow down").build());
    HttpResponse r = transport.executeAsync(post("{}").build()).get(10, TimeUnit.SECONDS);
    assertEquals(429, r.statusCode());
    assertEquals("3", r.header("Retry-After").orElseThrow());
    assertEquals("slow down", r.bodyAsString());
  }

  @Test
  void answersPastTheLimitAreCutAndMarkedBothWays() throws Exception {
    String big = "x".repeat(5000);
    server.enqueue(new MockResponse.Builder().code(200).body(big).build());
    server.enqueue(new MockResponse.Builder().code(200).body(big).build());
    HttpResponse sync = transport.execute(post("{}").maxResponseBytes(1000).build());
    HttpResponse async = transport.executeAsync(post("{}").maxResponseBytes(1000).build()).get(10, TimeUnit.SECONDS);
    for (HttpResponse r : new HttpResponse[] {sync, async}) {
      assertTrue(r.bodyTruncated());
      assertArrayEquals(big.substring(0, 1000).getBytes(StandardCharsets.US_ASCII), r.body());
    }
  }

  /** java.net.http's own timeout ends at the headers; a body that stalls must still end the exchange. */
  @Test
  void aStalledBodyEndsTheSyncExchangeWithAResponseTimeout() {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"late\":true}").bodyDelay(30, TimeUnit.SECONDS).build());
    HttpTransportException e = assertThrows(HttpTransportException.class,
        () -> transport.execute(post("{}").timeout(Duration.ofMillis(300)).build()));
    assertEquals(HttpTransportException.Kind.RESPONSE_TIMEOUT, e.kind());
  }

  @Test
  void aStalledBodyEndsTheAsyncExchangeWithAResponseTimeout() {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"late\":true}").bodyDelay(30, TimeUnit.SECONDS).build());
    CompletableFuture<HttpResponse> f = transport.executeAsync(post("{}").timeout(Duration.ofMillis(300)).build());
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
    HttpTransportException cause = assertInstanceOf(HttpTransportException.class, e.getCause());
    assertEquals(HttpTransportException.Kind.RESPONSE_TIMEOUT, cause.kind());
  }

  @Test
  void noAnswerAtAllIsAResponseTimeoutToo() {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(30, TimeUnit.SECONDS).build());
    HttpTransportException e = assertThrows(HttpTransportException.class,
        () -> transport.execute(post("{}").timeout(Duration.ofMillis(300)).build()));
    assertEquals(HttpTransportException.Kind.RESPONSE_TIMEOUT, e.kind());
  }

  @Test
  void aClosedPortIsAConnectFailure() throws Exception {
    int port = server.getPort();
    server.close();
    HttpRequest request = HttpRequest.builder("POST", java.net.URI.create("http://127.0.0.1:" + port + "/x"))
        .body(new byte[] {'{', '}'}).build();
    HttpTransportException e = assertThrows(HttpTransportException.class, () -> transport.execute(request));
    assertEquals(HttpTransportException.Kind.CONNECT_FAILED, e.kind());
    ExecutionException ae = assertThrows(ExecutionException.class,
        () -> transport.executeAsync(request).get(10, TimeUnit.SECONDS));
    assertEquals(HttpTransportException.Kind.CONNECT_FAILED, ((HttpTransportException) ae.getCause()).kind());
  }

  @Test
  void asyncExchangesRunConcurrentlyAndEachGetsItsOwnAnswer() throws Exception {
    int n = 12;
    for (int i = 0; i < n; i++) {
      server.enqueue(new MockResponse.Builder().code(200).body("answer").build());
    }
    java.util.List<CompletableFuture<HttpResponse>> all = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(transport.executeAsync(post("{\"i\":" + i + "}").build()));
    }
    for (CompletableFuture<HttpResponse> f : all) {
      assertEquals("answer", f.get(10, TimeUnit.SECONDS).bodyAsString());
    }
    java.util.Set<String> bodies = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      bodies.add(server.takeRequest().getBody().utf8());
    }
    assertEquals(n, bodies.size(), "every request went out once");
  }

  @Test
  void aCancelledExchangeFreesItsWorkerForTheNextOne() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(30, TimeUnit.SECONDS).build());
    CompletableFuture<HttpResponse> stuck = transport.executeAsync(post("{}").build());
    server.takeRequest(10, TimeUnit.SECONDS);
    stuck.cancel(true);
    server.enqueue(new MockResponse.Builder().code(201).body("next").build());
    HttpResponse next = transport.executeAsync(post("{}").build()).get(10, TimeUnit.SECONDS);
    assertEquals(201, next.statusCode());
    assertFalse(Thread.currentThread().isInterrupted());
  }

  @Test
  void closeStopsTheTransportsThreads() throws Exception {
    java.util.Set<Thread> before = sdkThreads(); // other tests' transports, if any linger
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    server.enqueue(new MockResponse.Builder().code(200).body("{}").bodyDelay(30, TimeUnit.SECONDS).build());
    transport.executeAsync(post("{}").build()).get(10, TimeUnit.SECONDS);
    CompletableFuture<HttpResponse> running = transport.executeAsync(post("{}").build());
    server.takeRequest(10, TimeUnit.SECONDS);
    server.takeRequest(10, TimeUnit.SECONDS);
    java.util.Set<Thread> ours = sdkThreads();
    ours.removeAll(before);
    assertFalse(ours.isEmpty(), "async exchanges ran on the transport's own threads");
    transport.close();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ours.stream().anyMatch(Thread::isAlive) && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertTrue(ours.stream().noneMatch(Thread::isAlive), () -> "threads outlived close(): " + ours);
    assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
  }

  private static java.util.Set<Thread> sdkThreads() {
    java.util.Set<Thread> all = new java.util.HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("cph-sdk-http")) {
        all.add(t);
      }
    }
    return all;
  }

  @Test
  void cancellingTheAsyncFutureEndsItAtOnce() {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(30, TimeUnit.SECONDS).build());
    CompletableFuture<HttpResponse> f = transport.executeAsync(post("{}").build());
    assertTrue(f.cancel(true));
    assertTrue(f.isCancelled());
  }
}
