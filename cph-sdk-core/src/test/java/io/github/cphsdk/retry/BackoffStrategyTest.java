package io.github.cphsdk.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffStrategyTest {
  static final Duration BASE = Duration.ofMillis(200);
  static final Duration CAP = Duration.ofSeconds(20);
  static final int SAMPLES = 2000;

  /** Samples the strategy; checks every delay is in [0, ceiling] and that they spread over that range. */
  static void assertFullJitter(BackoffStrategy s, int retry, Duration ceiling) {
    Duration min = null;
    Duration max = Duration.ZERO;
    for (int i = 0; i < SAMPLES; i++) {
      Duration d = s.delayBeforeRetry(retry);
      assertFalse(d.isNegative(), "retry " + retry + ": " + d);
      assertTrue(d.compareTo(ceiling) <= 0, "retry " + retry + ": " + d + " > " + ceiling);
      min = min == null || d.compareTo(min) < 0 ? d : min;
      max = d.compareTo(max) > 0 ? d : max;
    }
    // Uniform over [0, ceiling]: 2000 samples all missing the top (or bottom) tenth has odds of 0.9^2000.
    assertTrue(max.compareTo(ceiling.multipliedBy(9).dividedBy(10)) > 0, "retry " + retry + " max " + max);
    assertTrue(min.compareTo(ceiling.dividedBy(10)) < 0, "retry " + retry + " min " + min);
  }

  @Test
  void fullJitterStaysWithinTheExponentialCeiling() {
    BackoffStrategy s = BackoffStrategy.exponentialWithFullJitter(BASE, CAP);
    long[] ceilingsMs = {200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000, 20000};
    for (int retry = 1; retry <= ceilingsMs.length; retry++) {
      assertFullJitter(s, retry, Duration.ofMillis(ceilingsMs[retry - 1]));
    }
  }

  @Test
  void hugeRetryNumbersDoNotOverflow() {
    BackoffStrategy s = BackoffStrategy.exponentialWithFullJitter(BASE, CAP);
    for (int retry : new int[] {31, 32, 62, 63, 64, 65, 1000, Integer.MAX_VALUE}) {
      assertFullJitter(s, retry, CAP);
    }
  }

  @Test
  void retryNumbersBelowOneCountAsTheFirst() {
    BackoffStrategy s = BackoffStrategy.exponentialWithFullJitter(BASE, CAP);
    assertFullJitter(s, 0, BASE);
    assertFullJitter(s, -7, BASE);
  }

  @Test
  void theLargestCapsWork() {
    // Long.MAX_VALUE ns is the most a Duration can give in nanoseconds; ceiling + 1 must not overflow
    BackoffStrategy atMax = BackoffStrategy.exponentialWithFullJitter(Duration.ofSeconds(1), Duration.ofNanos(Long.MAX_VALUE));
    assertFullJitter(atMax, 1000, Duration.ofNanos(Long.MAX_VALUE));
    // a longer cap counts as that maximum instead of failing with an ArithmeticException
    BackoffStrategy beyond = BackoffStrategy.exponentialWithFullJitter(Duration.ofSeconds(1), Duration.ofDays(1_000_000));
    assertFullJitter(beyond, 1000, Duration.ofNanos(Long.MAX_VALUE));
    assertFullJitter(beyond, 3, Duration.ofSeconds(4));
  }

  @Test
  void baseEqualToCapIsAllowed() {
    assertFullJitter(BackoffStrategy.exponentialWithFullJitter(CAP, CAP), 5, CAP);
  }

  @Test
  void fixedAndNone() {
    BackoffStrategy fixed = BackoffStrategy.fixed(Duration.ofMillis(750));
    for (int retry : new int[] {1, 2, 10, 1000}) {
      assertEquals(Duration.ofMillis(750), fixed.delayBeforeRetry(retry));
      assertEquals(Duration.ZERO, BackoffStrategy.none().delayBeforeRetry(retry));
    }
    assertEquals(Duration.ZERO, BackoffStrategy.fixed(Duration.ZERO).delayBeforeRetry(1));
  }

  @Test
  void badSettingsAreRefusedWithTheFieldAndTheRule() {
    assertMessage(() -> BackoffStrategy.exponentialWithFullJitter(Duration.ZERO, CAP), "base must be positive, got PT0S");
    assertMessage(() -> BackoffStrategy.exponentialWithFullJitter(Duration.ofMillis(-1), CAP), "base must be positive");
    assertMessage(() -> BackoffStrategy.exponentialWithFullJitter(BASE, Duration.ZERO), "cap must be positive");
    assertMessage(() -> BackoffStrategy.exponentialWithFullJitter(CAP, BASE), "cap must be >= base");
    assertMessage(() -> BackoffStrategy.fixed(Duration.ofMillis(-1)), "delay must not be negative");
    assertEquals("base", assertThrows(NullPointerException.class,
        () -> BackoffStrategy.exponentialWithFullJitter(null, CAP)).getMessage());
    assertEquals("cap", assertThrows(NullPointerException.class,
        () -> BackoffStrategy.exponentialWithFullJitter(BASE, null)).getMessage());
    assertEquals("delay", assertThrows(NullPointerException.class, () -> BackoffStrategy.fixed(null)).getMessage());
  }

  @Test
  void toStringShowsTheShape() {
    assertEquals("exponentialWithFullJitter(base=PT0.2S, cap=PT20S)",
        BackoffStrategy.exponentialWithFullJitter(BASE, CAP).toString());
    assertEquals("fixed(PT1S)", BackoffStrategy.fixed(Duration.ofSeconds(1)).toString());
  }

  static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), () -> "\"" + e.getMessage() + "\" lacks \"" + expected + "\"");
  }
}
