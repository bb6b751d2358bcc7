package io.github.cphsdk.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneClient;
import io.github.cphsdk.WaitOptions;
import io.github.cphsdk.auth.Credentials;
import io.github.cphsdk.model.ShareAppsRequest;
import io.github.cphsdk.testkit.FakeCloudPhoneServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Throttling across a rollout: 10,000 servers against an emulator whose quota is 50 requests per second (429
 * {@code APIGW.0308} with {@code Retry-After} above it). The rollout's one shared rate must find the quota
 * and stay under it: no call fails, every server is pushed once. The goodput (requests the emulator carried out,
 * per second of the rollout) is printed, not asserted against a clock; what is asserted is load-proof: the
 * emulator's own count of 429 answers stays under a fifth of the requests it carried out (without the shared
 * rate it is about a third).
 */
class RolloutThrottleTest {
  static final double QUOTA = 50;

  @Test
  void tenThousandServersAtFiftyRequestsPerSecondWithoutAFailedCall() {
    List<String> ids = IntStream.range(0, 10_000).mapToObj(i -> String.format("%032x", 0x7a7e0000L + i))
        .collect(Collectors.toList());
    AtomicLong carriedOut = new AtomicLong();
    try (FakeCloudPhoneServer emulator = FakeCloudPhoneServer.builder().token("t").jobDuration(Duration.ZERO)
        .requestRateQuota(QUOTA).onRequest(r -> {
          if (r.responseStatus() == 200) {
            carriedOut.incrementAndGet();
          }
        }).start();
        CloudPhoneClient client = CloudPhoneClient.builder().endpoint(emulator.endpoint())
            .projectId(emulator.projectId()).credentials(Credentials.token("t")).build()) {
      RolloutReport report = client.rollout(ShareAppsRequest.builder().packageName("com.miniteck.miniworld")
              .bucketName("apps-bucket").objectPath("apps/game.tar").addAllServerIds(ids).build())
          .waitOptions(WaitOptions.builder().initialDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
              .maxPollInterval(Duration.ofMillis(200)).build())
          .maxConcurrentBatches(64) // without one shared rate, 64 batches in flight outrun the client's retries
          .build().run();

      assertEquals(RolloutState.COMPLETED, report.state());
      assertEquals(0, report.failedCalls(), "calls that failed after the client's retries");
      assertEquals(10_000, report.with(RolloutServer.Status.SUCCEEDED).size());
      assertEquals(10_000, emulator.pushedServerIds().size());
      assertEquals(10_000, new HashSet<>(emulator.pushedServerIds()).size(), "each server pushed once");
      long throttled = emulator.throttledCount();
      assertTrue(throttled * 5 < carriedOut.get(), "429s (" + throttled + ") must stay under a fifth of the "
          + carriedOut.get() + " requests carried out: the rollout must find the quota and stay under it");
      double seconds = report.elapsed().toNanos() / 1e9;
      System.out.println(String.format(Locale.ROOT, "[throttle] 10,000 servers, quota %.0f req/s: %d requests "
          + "carried out in %.1f s = goodput %.1f req/s (%.2f x quota), %d answered 429 by the emulator, %d seen "
          + "by the client, %d failed calls", QUOTA, carriedOut.get(), seconds,
          carriedOut.get() / seconds, carriedOut.get() / seconds / QUOTA, throttled, report.throttledAnswers(),
          report.failedCalls()));
    }
  }
}
