package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.http.HttpRequest;
import io.github.cphsdk.http.HttpResponse;
import io.github.cphsdk.http.JdkHttpTransport;
import io.github.cphsdk.testsupport.LoopbackServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * 256 asynchronous exchanges in flight at once on {@link JdkHttpTransport} start no thread per exchange: the
 * server holds every answer until all 256 requests have arrived, and meanwhile the client side of the JVM has
 * only the transport's small executor, its watchdog and java.net.http's selector thread more than before.
 * Completions never run on the selector thread.
 */
class AsyncWithoutThreadsTest {
  static final int IN_FLIGHT = 256;

  @Test
  void twoHundredFiftySixInFlightNeedNoThreadEach() throws Exception {
    CountDownLatch arrived = new CountDownLatch(IN_FLIGHT);
    CountDownLatch release = new CountDownLatch(1);
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    try (LoopbackServer server = new LoopbackServer((request, out) -> {
          arrived.countDown();
          release.await(60, TimeUnit.SECONDS); // bounded, and released in finally below
          out.write(LoopbackServer.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n"));
          out.write(body);
          return true;
        }, new java.net.ServerSocket(0, 1024, java.net.InetAddress.getByName("127.0.0.1"))); // 256 connect at once
        JdkHttpTransport transport = new JdkHttpTransport(Duration.ofSeconds(30), null)) {
      List<CompletableFuture<HttpResponse>> calls = new ArrayList<>();
      List<String> completedOn = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < IN_FLIGHT; i++) {
        CompletableFuture<HttpResponse> f = transport.executeAsync(HttpRequest.builder("POST", server.endpoint()
            .resolve("/p" + i)).body(body).timeout(Duration.ofSeconds(60)).build());
        calls.add(f.whenComplete((r, e) -> completedOn.add(Thread.currentThread().getName())));
      }
      List<String> clientThreads;
      try {
        assertTrue(arrived.await(60, TimeUnit.SECONDS), "all " + IN_FLIGHT + " requests in flight at once; missing "
            + arrived.getCount() + ", failed " + calls.stream().filter(CompletableFuture::isCompletedExceptionally).count());
        clientThreads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && !before.contains(t) && !t.getName().startsWith(LoopbackServer.THREAD_NAME_PREFIX))
            .map(Thread::getName).sorted().collect(Collectors.toList());
      } finally {
        release.countDown();
      }
      for (CompletableFuture<HttpResponse> f : calls) {
        assertEquals(200, f.get(60, TimeUnit.SECONDS).statusCode());
      }
      // the executor (4), the watchdog, the selector; a little room for JVM housekeeping threads
      assertTrue(clientThreads.size() <= 10, clientThreads.size() + " client threads for " + IN_FLIGHT
          + " exchanges in flight: " + clientThreads);
      assertTrue(completedOn.stream().noneMatch(n -> n.contains("SelectorManager")), completedOn.toString());
      assertEquals(IN_FLIGHT, server.requests.size());
    }
  }
}
