package io.github.cphsdk;

import static io.github.cphsdk.CloudPhoneClientTest.PROJECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.DeleteShareAppsRequest;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.retry.BackoffStrategy;
import io.github.cphsdk.retry.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Batched push and delete over real HTTP, with faults chosen per batch (by its first server id). */
class BatchesTest {
  static final Pattern ID = Pattern.compile("\"([0-9a-f]{32})\"");

  MockWebServer server;
  CloudPhoneClient client;
  final List<String> servers = IntStream.range(0, 50).mapToObj(i -> String.format("%032x", 0xabc000 + i))
      .collect(Collectors.toList());
  /** What to answer the next request of a batch (keyed by its first server id); default: accept all. */
  final Map<String, List<MockResponse>> faults = Collections.synchronizedMap(new HashMap<>());
  final List<String> rejected = Collections.synchronizedList(new ArrayList<>());
  final List<String> omitted = Collections.synchronizedList(new ArrayList<>());
  final List<RecordedRequest> received = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        received.add(request);
        List<String> ids = ids(request);
        List<MockResponse> planned = faults.get(ids.get(0));
        if (planned != null && !planned.isEmpty()) {
          return planned.remove(0);
        }
        StringBuilder b = new StringBuilder("{\"request_id\":\"req-" + ids.get(0).substring(26) + "\",\"jobs\":[");
        String sep = "";
        for (String id : ids) {
          if (omitted.contains(id)) {
            continue;
          }
          b.append(sep).append(rejected.contains(id)
              ? "{\"server_id\":\"" + id + "\",\"error_code\":\"CPS.0149\",\"error_msg\":\"no shared apps\"}"
              : "{\"server_id\":\"" + id + "\",\"job_id\":\"job-" + id.substring(26) + "\"}");
          sep = ",";
        }
        return new MockResponse.Builder().code(200).body(b.append("]}").toString()).build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    client = builder().build();
  }

  CloudPhoneClient.Builder builder() {
    return CloudPhoneClient.builder().endpoint(server.url("/").uri()).projectId(PROJECT)
        .credentials(Credentials.token("tok"))
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).backoff(BackoffStrategy.fixed(Duration.ofMillis(10))).build())
        .attemptTimeout(Duration.ofSeconds(5)).callTimeout(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  static List<String> ids(RecordedRequest r) {
    List<String> out = new ArrayList<>();
    Matcher m = ID.matcher(r.getBody().utf8());
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  ShareAppsRequest push() {
    return ShareAppsRequest.builder().packageName("com.example.game").bucketName("bucket").objectPath("apps/game.tar")
        .preInstallApp(true).addAllServerIds(servers).build();
  }

  /** How many requests carried each server id. */
  Map<String, Integer> sends() {
    Map<String, Integer> n = new HashMap<>();
    synchronized (received) {
      received.forEach(r -> ids(r).forEach(id -> n.merge(id, 1, Integer::sum)));
    }
    return n;
  }

  @Test
  void fiftyServersGoOutAsThreeBatchesAndEachIsAccountedForOnce() {
    rejected.add(servers.get(33));

    BatchOutcome outcome = client.shareAppsInBatches(push());

    assertEquals(3, server.getRequestCount());
    List<Integer> sizes = received.stream().map(r -> ids(r).size()).sorted().collect(Collectors.toList());
    assertEquals(List.of(10, 20, 20), sizes);
    Map<String, Integer> sends = sends();
    assertEquals(50, sends.size());
    assertTrue(sends.values().stream().allMatch(n -> n == 1), "each server sent exactly once");
    for (RecordedRequest r : received) {
      assertEquals("POST", r.getMethod());
      assertTrue(r.getBody().utf8().startsWith("{\"package_name\":\"com.example.game\",\"pre_install_app\":1,"
          + "\"bucket_name\":\"bucket\",\"object_path\":\"apps/game.tar\",\"server_ids\":["), "every batch carries the rest");
    }
    assertEquals(servers, outcome.servers().stream().map(ServerOutcome::serverId).collect(Collectors.toList()));
    assertEquals(3, outcome.batchCount());
    assertEquals(49, outcome.accepted().size());
    ServerOutcome r = outcome.rejected().get(0);
    assertEquals(servers.get(33), r.serverId());
    assertEquals(1, r.batch());
    assertEquals("CPS.0149", r.errorCode().get());
    assertEquals(List.of("req-" + servers.get(0).substring(26), "req-" + servers.get(20).substring(26),
        "req-" + servers.get(40).substring(26)), outcome.requestIds());
  }

  @Test
  void faultsAreAccountedPerBatchAndNoBatchIsSentTwiceUnlessTheServiceDidNotAct() {
    // batch 0: 503 first (not applied: the client retries it), then accepted
    faults.put(servers.get(0), new ArrayList<>(List.of(new MockResponse.Builder().code(503).body("{}").build())));
    // batch 1: the connection drops after the request was read (may have been applied: never re-sent)
    faults.put(servers.get(20), new ArrayList<>(List.of(
        new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build())));
    // batch 2: refused with 400 (not applied)
    faults.put(servers.get(40), new ArrayList<>(List.of(new MockResponse.Builder().code(400)
        .body("{\"error_code\":\"CPS.0016\",\"error_msg\":\"invalid server_id\",\"request_id\":\"bad-req\"}").build())));
    omitted.add(servers.get(5));

    BatchOutcome outcome = client.shareAppsInBatches(push());

    assertEquals(4, server.getRequestCount(), "3 batches + the retry of the 503");
    Map<String, Integer> sends = sends();
    for (int i = 0; i < 50; i++) {
      assertEquals(i < 20 ? 2 : 1, sends.get(servers.get(i)), "server " + i);
    }
    assertEquals(servers, outcome.servers().stream().map(ServerOutcome::serverId).collect(Collectors.toList()));
    assertEquals(19, outcome.accepted().size());
    assertEquals(servers.get(5), outcome.notConfirmed().get(0).serverId());
    assertTrue(outcome.notConfirmed().get(0).mayHaveBeenApplied());
    List<ServerOutcome> dropped = outcome.servers().subList(20, 40);
    List<ServerOutcome> refused = outcome.servers().subList(40, 50);
    for (ServerOutcome s : dropped) {
      assertEquals(ServerOutcome.Result.BATCH_FAILED, s.result());
      assertInstanceOf(CloudPhoneTransportException.class, s.failure().get());
      assertTrue(s.mayHaveBeenApplied(), "failed after sending: possibly applied");
    }
    for (ServerOutcome s : refused) {
      assertEquals(ServerOutcome.Result.BATCH_FAILED, s.result());
      CloudPhoneServiceException e = assertInstanceOf(CloudPhoneServiceException.class, s.failure().get());
      assertEquals(400, e.statusCode());
      assertFalse(s.mayHaveBeenApplied(), "refused with 400: not applied");
      assertEquals("bad-req", s.requestId().get());
    }
    assertEquals(2, outcome.failures().size());
    assertFalse(outcome.allAccepted());
  }

  @Test
  void asyncBatchesGiveTheSameOutcome() throws Exception {
    rejected.add(servers.get(7));
    BatchOutcome outcome = client.shareAppsInBatchesAsync(push()).get(10, TimeUnit.SECONDS);
    assertEquals(49, outcome.accepted().size());
    assertEquals(servers.get(7), outcome.rejected().get(0).serverId());
    assertEquals(3, server.getRequestCount());
  }

  @Test
  void theLimitPerRequestIsConfigurable() {
    try (CloudPhoneClient small = builder().maxServersPerRequest(7).maxConcurrentBatches(1).build()) {
      BatchOutcome outcome = small.shareAppsInBatches(push());
      assertEquals(8, outcome.batchCount());
      assertEquals(8, server.getRequestCount());
      assertTrue(outcome.allAccepted());
      List<List<String>> inOrder = received.stream().map(BatchesTest::ids).collect(Collectors.toList());
      assertEquals(servers.subList(0, 7), inOrder.get(0), "one at a time: batches go out in order");
      assertEquals(servers.subList(49, 50), inOrder.get(7));
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CloudPhoneClient.builder().maxConcurrentBatches(0))
        .getMessage().startsWith("maxConcurrentBatches must be 1 to 64"));
  }

  @Test
  void deleteInBatchesSendsDeletesWithBodies() {
    DeleteShareAppsRequest request = DeleteShareAppsRequest.builder().packageName("com.example.game")
        .addAllServerIds(servers.subList(0, 25)).build();
    BatchOutcome outcome = client.deleteShareAppsInBatches(request);
    assertEquals(25, outcome.accepted().size());
    assertEquals(2, server.getRequestCount());
    for (RecordedRequest r : received) {
      assertEquals("DELETE", r.getMethod());
      assertEquals("/v1/" + PROJECT + "/cloud-phone/phones/share-apps", r.getTarget());
      assertTrue(r.getBody().utf8().startsWith("{\"package_name\":\"com.example.game\",\"server_ids\":["));
    }
    assertEquals(25, client.deleteShareAppsInBatchesAsync(request).join().accepted().size());
  }

  @Test
  void aClosedClientRefusesBatches() {
    client.close();
    assertThrows(IllegalStateException.class, () -> client.shareAppsInBatches(push()));
    assertInstanceOf(IllegalStateException.class, assertThrows(java.util.concurrent.CompletionException.class,
        () -> client.shareAppsInBatchesAsync(push()).join()).getCause());
    assertEquals(0, server.getRequestCount());
  }
}
