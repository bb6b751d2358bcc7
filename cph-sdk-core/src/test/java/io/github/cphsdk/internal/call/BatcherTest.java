package io.github.cphsdk.internal.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneException;
import io.github.cphsdk.CloudPhoneServiceException;
import io.github.cphsdk.model.BatchOutcome;
import io.github.cphsdk.model.ServerJob;
import io.github.cphsdk.model.ServerOutcome;
import io.github.cphsdk.model.ShareAppsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The batcher on its own: calls are futures the test completes, so concurrency and order are exact. */
class BatcherTest {
  final List<List<String>> sent = new ArrayList<>();
  final List<CompletableFuture<ShareAppsResponse>> calls = new ArrayList<>();

  CompletableFuture<ShareAppsResponse> send(List<String> ids) {
    sent.add(ids);
    CompletableFuture<ShareAppsResponse> f = new CompletableFuture<>();
    calls.add(f);
    return f;
  }

  static List<String> servers(int n) {
    return IntStream.range(0, n).mapToObj(i -> String.format("%032d", i)).collect(Collectors.toList());
  }

  static ShareAppsResponse accepted(String requestId, List<String> ids) {
    ShareAppsResponse.Builder b = ShareAppsResponse.builder().requestId(requestId);
    ids.forEach(id -> b.addJobs(ServerJob.builder().serverId(id).jobId("job-" + id).build()));
    return b.build();
  }

  @Test
  void splitsInOrderAndKeepsAtMostTheConcurrencyInFlight() {
    List<String> ids = servers(95);
    Batcher batcher = Batcher.start("push", ids, 20, 2, this::send);

    assertEquals(2, sent.size(), "two in flight, no more");
    assertEquals(ids.subList(0, 20), sent.get(0));
    assertEquals(ids.subList(20, 40), sent.get(1));
    calls.get(1).complete(accepted("r1", sent.get(1)));
    assertEquals(3, sent.size(), "one ended, one more starts");
    assertEquals(ids.subList(40, 60), sent.get(2));
    calls.get(0).complete(accepted("r0", sent.get(0)));
    calls.get(2).complete(accepted("r2", sent.get(2)));
    assertEquals(5, sent.size());
    assertEquals(ids.subList(80, 95), sent.get(4), "the last batch holds the rest");
    assertFalse(batcher.isDone());
    calls.get(3).complete(accepted("r3", sent.get(3)));
    calls.get(4).complete(accepted("r4", sent.get(4)));

    BatchOutcome outcome = batcher.join();
    assertEquals(5, outcome.batchCount());
    assertEquals(ids, outcome.servers().stream().map(ServerOutcome::serverId).collect(Collectors.toList()));
    assertTrue(outcome.allAccepted());
    assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), outcome.requestIds());
    assertEquals(4, outcome.servers().get(85).batch());
    assertEquals("job-" + ids.get(85), outcome.servers().get(85).jobId().get());
  }

  @Test
  void everyServerIsAccountedForExactlyOnceWhateverHappens() {
    List<String> ids = servers(50);
    Batcher batcher = Batcher.start("push", ids, 20, 4, this::send);
    assertEquals(3, sent.size());
    // batch 0: one accepted, one rejected, one omitted, and a server it was not sent
    ShareAppsResponse.Builder mixed = ShareAppsResponse.builder().requestId("r0");
    for (String id : sent.get(0)) {
      if (id.equals(ids.get(1))) {
        mixed.addJobs(ServerJob.builder().serverId(id).errorCode("CPS.0149").errorMsg("no shared apps").build());
      } else if (!id.equals(ids.get(2))) {
        mixed.addJobs(ServerJob.builder().serverId(id).jobId("job-" + id).build());
      }
    }
    mixed.addJobs(ServerJob.builder().serverId("f".repeat(32)).jobId("foreign").build());
    calls.get(0).complete(mixed.build());
    CloudPhoneServiceException ambiguous = new CloudPhoneServiceException("HTTP 500", 500, "CPS.0003", "internal",
        "r1", true, 1);
    calls.get(1).completeExceptionally(ambiguous);
    CloudPhoneServiceException refused = new CloudPhoneServiceException("HTTP 400", 400, "CPS.0100", "bad", "r2",
        false, 1);
    calls.get(2).completeExceptionally(new java.util.concurrent.CompletionException(refused));

    BatchOutcome outcome = batcher.join();
    assertEquals(ids, outcome.servers().stream().map(ServerOutcome::serverId).collect(Collectors.toList()),
        "each server once, in order, the foreign one ignored");
    assertEquals(18, outcome.accepted().size());
    assertEquals(List.of(ids.get(1)), outcome.rejected().stream().map(ServerOutcome::serverId).collect(Collectors.toList()));
    assertEquals("CPS.0149", outcome.rejected().get(0).errorCode().get());
    assertFalse(outcome.rejected().get(0).mayHaveBeenApplied());
    ServerOutcome omitted = outcome.notConfirmed().get(0);
    assertEquals(ids.get(2), omitted.serverId());
    assertEquals("r0", omitted.requestId().get());
    assertTrue(omitted.mayHaveBeenApplied());
    assertEquals(30, outcome.failed().size());
    for (ServerOutcome s : outcome.failed().subList(0, 20)) {
      assertSame(ambiguous, s.failure().get());
      assertTrue(s.mayHaveBeenApplied());
      assertEquals(1, s.batch());
    }
    for (ServerOutcome s : outcome.failed().subList(20, 30)) {
      assertSame(refused, s.failure().get(), "unwrapped from the CompletionException");
      assertFalse(s.mayHaveBeenApplied());
    }
    assertEquals(List.of(ambiguous, refused), outcome.failures());
    assertEquals(3, sent.size(), "nothing re-sent");
  }

  @Test
  void aCallThatThrowsBeforeSendingFailsOnlyItsBatch() {
    List<String> ids = servers(30);
    int[] n = {0};
    BatchOutcome outcome = Batcher.start("push", ids, 20, 4, chunk -> {
      if (n[0]++ == 0) {
        throw new IllegalStateException("this CloudPhoneClient is closed");
      }
      return CompletableFuture.completedFuture(accepted("r", chunk));
    }).join();
    assertEquals(20, outcome.failed().size());
    CloudPhoneException e = outcome.failed().get(0).failure().get();
    assertFalse(e.mayHaveBeenApplied());
    assertTrue(e.getMessage().contains("this CloudPhoneClient is closed"), e.getMessage());
    assertEquals(10, outcome.accepted().size());
  }

  @Test
  void synchronouslyCompletingCallsDoNotRecurseOrReorder() {
    List<String> ids = servers(2000);
    BatchOutcome outcome = Batcher.start("push", ids, 1, 3,
        chunk -> CompletableFuture.completedFuture(accepted("r" + chunk.get(0), chunk))).join();
    assertEquals(2000, outcome.batchCount());
    assertEquals(ids, outcome.servers().stream().map(ServerOutcome::serverId).collect(Collectors.toList()));
  }

  @Test
  void stoppingReportsUnsentBatchesAsNotAppliedAndWaitsForThoseInFlight() {
    List<String> ids = servers(100);
    Batcher batcher = Batcher.start("push", ids, 20, 2, this::send);
    batcher.stop("the calling thread was interrupted");
    assertFalse(batcher.isDone(), "two batches are still in flight");
    calls.get(0).complete(accepted("r0", sent.get(0)));
    calls.get(1).completeExceptionally(new CloudPhoneException("lost", null, true, 1));
    BatchOutcome outcome = batcher.join();
    assertEquals(2, sent.size(), "nothing sent after the stop");
    assertEquals(100, outcome.servers().size());
    assertEquals(20, outcome.accepted().size());
    List<ServerOutcome> unsent = outcome.servers().subList(40, 100);
    for (ServerOutcome s : unsent) {
      assertEquals(ServerOutcome.Result.BATCH_FAILED, s.result());
      assertFalse(s.mayHaveBeenApplied());
      assertTrue(s.failure().get().getMessage().contains("was not sent: the calling thread was interrupted"));
    }
    assertTrue(outcome.servers().get(20).mayHaveBeenApplied());
  }

  @Test
  void anInterruptedAwaitStopsSendingButReturnsTheWholeOutcome() {
    List<String> ids = servers(60);
    Batcher batcher = Batcher.start("push", ids, 20, 1, this::send);
    calls.get(0).complete(accepted("r0", sent.get(0))); // batch 1 starts
    Thread.currentThread().interrupt();
    CompletableFuture.runAsync(() -> {
      // completes the batch in flight once the awaiting thread has stopped the batcher
      while (!batcher.toString().contains("stopped")) {
        Thread.onSpinWait();
      }
      calls.get(1).complete(accepted("r1", sent.get(1)));
    });
    BatchOutcome outcome = batcher.await();
    assertTrue(Thread.interrupted(), "the interrupt flag is kept (and cleared here)");
    assertEquals(40, outcome.accepted().size());
    assertEquals(20, outcome.failed().size());
    assertEquals(2, sent.size());
  }
}
