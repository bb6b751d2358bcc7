package io.github.cphsdk.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CallListener;
import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.JobReport;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import io.github.cphsdk.testkit.Fault;
import io.github.cphsdk.testkit.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * No SDK thread outlives {@link CloudPhoneClient#close()}, even while the application still holds the closed
 * client (a field of a long-lived service, say). The client's own timer thread ends at once; java.net.http's
 * selector thread ends at close on JDK 21+ ({@code HttpClient.shutdownNow()}) and, on JDK 17, once its
 * HttpClient is garbage-collected, which the closed transport allows by letting go of it (the wait below
 * collects garbage while it polls, within a generous bound).
 */
class ThreadsAfterCloseTest {
  static final String SERVER = "1234567b8bab40ffb711234cb80d0234";
  /** The name of a client's one timer thread: backoff, job polls and attempt timeouts all run on it. */
  static final String CLIENT_TIMER = "cph-sdk-scheduler";
  /** The timer thread a client ran beside its scheduler before there was one: its attempt-timeout watchdog. */
  static final String FORMER_WATCHDOG = "cph-sdk-timeouts";

  /**
   * Each client runs one timer thread, whatever it waits for: an asynchronous call's attempt timeout, the
   * backoff before its retry, the delay before each job poll, and several calls of each at once. Two clients,
   * two timers; after close() no thread either client started is left (the default transport's included).
   */
  @Test
  void eachClientRunsOneTimerAndNoThreadOfItOutlivesClose() throws Exception {
    try (FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().token("t")
        .jobDuration(Duration.ofMillis(50)).start()) {
      Set<Thread> before = SdkThreads.alive();
      ShareAppsRequest request = ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket")
          .objectPath("apps/app.tar").addServerIds(SERVER).build();
      WaitOptions polls = WaitOptions.builder().initialDelay(Duration.ofMillis(5)).pollInterval(Duration.ofMillis(5))
          .maxPollInterval(Duration.ofMillis(20)).timeout(Duration.ofMinutes(1)).build();
      AtomicInteger retries = new AtomicInteger();
      List<CloudPhoneClient> clients = new ArrayList<>();
      for (int n = 1; n <= 2; n++) {
        CloudPhoneClient client = CloudPhoneClient.builder()
            .endpoint(server.endpoint())
            .projectId(server.projectId())
            .credentials(Credentials.token("t"))
            .retryPolicy(RetryPolicy.builder().maxAttempts(3).backoff(BackoffStrategy.fixed(Duration.ofMillis(5))).build())
            .listener(new CallListener() {
              @Override
              public void retryScheduled(String operation, String callId, int nextAttempt, Duration delay,
                  CloudPhoneException cause) {
                retries.incrementAndGet();
              }
            })
            .build();
        clients.add(client);
        server.injectFault(Fault.throttled().times(2).on(Operation.PUSH));
        List<CompletableFuture<JobReport>> waits = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // timeouts armed, retries scheduled, polls scheduled, all at once
          waits.add(client.shareAppsAsync(request).thenCompose(r -> client.waitForJobsAsync(r, polls)));
        }
        for (CompletableFuture<JobReport> wait : waits) {
          assertEquals(1, wait.get(60, TimeUnit.SECONDS).succeeded().size());
        }
        client.shareApps(request);

        Set<Thread> started = SdkThreads.startedSince(before);
        assertEquals(n, started.stream().filter(t -> t.getName().equals(CLIENT_TIMER)).count(),
            "one timer per client: " + started);
        assertTrue(started.stream().noneMatch(t -> t.getName().equals(FORMER_WATCHDOG)), started.toString());
      }
      assertEquals(4, retries.get(), "each client retried both throttled pushes on its timer");

      Set<Thread> started = SdkThreads.startedSince(before);
      clients.forEach(CloudPhoneClient::close);
      assertEquals(List.of(), SdkThreads.awaitEnd(started, 60), "threads of the closed clients");
    }
  }

  @Test
  void noSdkThreadRemainsAfterCloseWhileTheClosedClientIsStillReferenced() throws Exception {
    try (FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().token("t").start()) {
      Set<Thread> before = SdkThreads.alive();
      CloudPhoneClient client = CloudPhoneClient.builder()
          .endpoint(server.endpoint())
          .projectId(server.projectId())
          .credentials(Credentials.token("t"))
          .retryPolicy(RetryPolicy.none())
          .build();
      ShareAppsRequest request = ShareAppsRequest.builder().packageName("com.example.app").bucketName("bucket")
          .objectPath("apps/app.tar").addServerIds(SERVER).build();
      client.shareApps(request);
      client.shareAppsAsync(request).get(10, TimeUnit.SECONDS); // starts the client's timer and an HTTP worker
      Set<Thread> started = SdkThreads.startedSince(before);
      assertTrue(started.stream().anyMatch(t -> t.getName().equals(CLIENT_TIMER)), started.toString());
      assertTrue(started.stream().anyMatch(t -> t.getName().startsWith("cph-sdk-http-")), started.toString());
      assertTrue(started.stream().anyMatch(t -> t.getName().startsWith("HttpClient-")
          && t.getName().endsWith("SelectorManager")), "the default transport is java.net.http: " + started);

      client.close();
      List<String> left = SdkThreads.awaitEnd(started, 60);

      assertEquals(List.of(), left, "threads of the closed client");
      // Still referenced here, and closed for good.
      IllegalStateException closed = assertThrows(IllegalStateException.class, () -> client.shareApps(request));
      assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
      assertFalse(client.toString().isEmpty());
      assertEquals(2, server.pushCount());
    }
  }

  @Test
  void aClosedJdkTransportSendsNothing() throws Exception {
    io.github.cphsdk.http.JdkHttpTransport transport = new io.github.cphsdk.http.JdkHttpTransport();
    transport.close();
    transport.close(); // idempotent
    io.github.cphsdk.http.HttpRequest request = io.github.cphsdk.http.HttpRequest.builder("GET",
        java.net.URI.create("http://127.0.0.1:9/never")).build();
    io.github.cphsdk.http.HttpTransportException sync = assertThrows(
        io.github.cphsdk.http.HttpTransportException.class, () -> transport.execute(request));
    assertEquals(io.github.cphsdk.http.HttpTransportException.Kind.CONNECT_FAILED, sync.kind());
    assertTrue(sync.getMessage().contains("the transport is closed; nothing was sent"), sync.getMessage());
    java.util.concurrent.ExecutionException async = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> transport.executeAsync(request).get(10, TimeUnit.SECONDS));
    assertEquals(io.github.cphsdk.http.HttpTransportException.Kind.CONNECT_FAILED,
        ((io.github.cphsdk.http.HttpTransportException) async.getCause()).kind());
  }
}
