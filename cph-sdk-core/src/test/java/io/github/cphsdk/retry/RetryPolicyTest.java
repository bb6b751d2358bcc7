package io.github.cphsdk.retry;

import static io.github.cphsdk.retry.BackoffStrategyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cphsdk.CloudPhoneException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  @Test
  void defaultsAreThreeAttemptsJitteredBackoffAndNoAmbiguousRetries() {
    RetryPolicy p = RetryPolicy.defaults();
    assertEquals(3, p.maxAttempts());
    assertEquals(Duration.ofSeconds(30), p.maxRetryAfter());
    assertFalse(p.retryAmbiguousFailures());
    assertEquals("exponentialWithFullJitter(base=PT0.2S, cap=PT20S)", p.backoff().toString());
    assertFalse(p.retryCondition().shouldRetry(new CloudPhoneException("x", null, true, 1), 1),
        "the default condition retries nothing");
    assertEquals(p.toString(), RetryPolicy.builder().build().toString(), "the builder starts from the defaults");
  }

  @Test
  void noneIsASingleAttempt() {
    assertEquals(1, RetryPolicy.none().maxAttempts());
    assertFalse(RetryPolicy.none().retryAmbiguousFailures());
  }

  @Test
  void builderSetsEverythingAndToBuilderKeepsIt() {
    BackoffStrategy backoff = BackoffStrategy.fixed(Duration.ofSeconds(1));
    RetryCondition condition = (failure, attempt) -> true;
    RetryPolicy p = RetryPolicy.builder().maxAttempts(5).backoff(backoff).maxRetryAfter(Duration.ofSeconds(10))
        .retryAmbiguousFailures(true).retryCondition(condition).build();
    assertEquals(5, p.maxAttempts());
    assertSame(backoff, p.backoff());
    assertEquals(Duration.ofSeconds(10), p.maxRetryAfter());
    assertTrue(p.retryAmbiguousFailures());
    assertSame(condition, p.retryCondition());

    RetryPolicy copy = p.toBuilder().maxAttempts(2).build();
    assertEquals(2, copy.maxAttempts());
    assertSame(backoff, copy.backoff());
    assertEquals(Duration.ofSeconds(10), copy.maxRetryAfter());
    assertTrue(copy.retryAmbiguousFailures());
    assertSame(condition, copy.retryCondition());
    assertEquals(5, p.maxAttempts(), "the original is immutable");
  }

  @Test
  void aBuilderChangedAfterBuildDoesNotChangeThePolicy() {
    RetryPolicy.Builder b = RetryPolicy.builder().maxAttempts(4);
    RetryPolicy p = b.build();
    b.maxAttempts(9).retryAmbiguousFailures(true);
    assertEquals(4, p.maxAttempts());
    assertFalse(p.retryAmbiguousFailures());
    assertEquals(3, RetryPolicy.defaults().maxAttempts());
  }

  @Test
  void boundsAreAccepted() {
    assertEquals(1, RetryPolicy.builder().maxAttempts(1).build().maxAttempts());
    assertEquals(100, RetryPolicy.builder().maxAttempts(100).build().maxAttempts());
    assertEquals(Duration.ZERO, RetryPolicy.builder().maxRetryAfter(Duration.ZERO).build().maxRetryAfter());
  }

  @Test
  void badSettingsAreRefusedWithTheFieldAndTheRule() {
    assertMessage(() -> RetryPolicy.builder().maxAttempts(0),
        "maxAttempts must be 1 to 100 (attempts, the first included), got 0");
    assertMessage(() -> RetryPolicy.builder().maxAttempts(101), "maxAttempts must be 1 to 100");
    assertMessage(() -> RetryPolicy.builder().maxAttempts(-3), "got -3");
    assertMessage(() -> RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(-1)),
        "maxRetryAfter must not be negative, got PT-1S");
    assertEquals("backoff", assertThrows(NullPointerException.class, () -> RetryPolicy.builder().backoff(null)).getMessage());
    assertEquals("maxRetryAfter",
        assertThrows(NullPointerException.class, () -> RetryPolicy.builder().maxRetryAfter(null)).getMessage());
    assertEquals("retryCondition",
        assertThrows(NullPointerException.class, () -> RetryPolicy.builder().retryCondition(null)).getMessage());
  }

  @Test
  void toStringNamesTheSettings() {
    assertEquals("RetryPolicy{maxAttempts=3, backoff=exponentialWithFullJitter(base=PT0.2S, cap=PT20S), "
        + "maxRetryAfter=PT30S, retryAmbiguousFailures=false}", RetryPolicy.defaults().toString());
  }
}
