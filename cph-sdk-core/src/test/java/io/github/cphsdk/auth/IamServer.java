package io.github.cphsdk.auth;

import java.net.InetAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A MockWebServer playing IAM: answers from a queue, counts and records token requests, and can hold every
 * answer until {@link #release()} so tests can pile up callers while one request is in flight.
 */
final class IamServer implements AutoCloseable {
  final MockWebServer server = new MockWebServer();
  final AtomicInteger requests = new AtomicInteger();
  final List<RecordedRequest> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<MockResponse> answers = new LinkedBlockingQueue<>();
  private volatile CountDownLatch gate = new CountDownLatch(0);

  IamServer() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        requests.incrementAndGet();
        recorded.add(request);
        gate.await();
        MockResponse answer = answers.poll();
        return answer != null ? answer : new MockResponse.Builder().code(599).body("no answer queued").build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getPort());
  }

  IamServer enqueue(MockResponse response) {
    answers.add(response);
    return this;
  }

  /** Queues a 201 with {@code token}, issued at {@code issued} and expiring at {@code expires} (IAM's clock). */
  IamServer enqueueToken(String token, Instant issued, Instant expires) {
    return enqueue(tokenAnswer(token, issued, expires));
  }

  static MockResponse tokenAnswer(String token, Instant issued, Instant expires) {
    String body = "{\"token\":{\"methods\":[\"password\"],\"expires_at\":\"" + iamTime(expires) + "\",\"issued_at\":\""
        + iamTime(issued) + "\",\"user\":{\"name\":\"alice\",\"domain\":{\"name\":\"acme\"}},"
        + "\"project\":{\"id\":\"0123456789abcdef0123456789abcdef\",\"name\":\"cn-north-4\"}}}";
    return new MockResponse.Builder().code(201).addHeader("X-Subject-Token", token)
        .addHeader("Content-Type", "application/json").body(body).build();
  }

  /** IAM's format: microseconds and a Z, e.g. 2026-11-28T09:05:22.701000Z. */
  static String iamTime(Instant t) {
    String s = t.toString();
    String base = s.substring(0, 19);
    String fraction = String.format("%06d", t.getNano() / 1000);
    return base + "." + fraction + "Z";
  }

  /** Holds every answer until {@link #release()}. */
  void hold() {
    gate = new CountDownLatch(1);
  }

  void release() {
    gate.countDown();
  }

  List<RecordedRequest> recorded() {
    return new ArrayList<>(recorded);
  }

  @Override
  public void close() {
    release();
    server.close();
  }
}
