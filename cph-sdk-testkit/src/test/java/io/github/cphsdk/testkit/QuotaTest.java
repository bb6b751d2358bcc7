package io.github.cphsdk.testkit;

import static io.github.cphsdk.testkit.TestHttp.S1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The request-rate quota: above it, 429 {@code APIGW.0308} with {@code Retry-After}, nothing carried out. The
 * quota is half a request per second, so a burst of 20 requests cannot refill it whatever the machine's load
 * (only a pause of two seconds between requests would).
 */
class QuotaTest {

  @Test
  void requestsAboveTheQuotaAreThrottledWithRetryAfterAndNotCarriedOut() throws Exception {
    try (FakeCloudPhoneServer server = FakeCloudPhoneServer.builder().token("t").requestRateQuota(0.5).start()) {
      TestHttp http = new TestHttp(server);
      int ok = 0;
      int throttled = 0;
      for (int i = 0; i < 20; i++) {
        TestHttp.Response r = http.push("t", S1);
        if (r.status == 200) {
          ok++;
        } else {
          assertEquals(429, r.status, r.body);
          assertEquals("APIGW.0308", r.errorCode());
          assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1, r.header("Retry-After"));
          throttled++;
        }
      }
      assertTrue(ok >= 1 && throttled >= 15, ok + " admitted, " + throttled + " throttled");
      assertEquals(throttled, server.throttledCount());
      assertEquals(ok, server.pushCount(), "throttled pushes were not carried out");
    }
  }

  @Test
  void theQuotaMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FakeCloudPhoneServer.builder().requestRateQuota(0));
    assertTrue(e.getMessage().contains("requestRateQuota must be more than 0"), e.getMessage());
  }
}
