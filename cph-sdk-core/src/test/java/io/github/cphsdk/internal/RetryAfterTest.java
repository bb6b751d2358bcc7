package io.github.cphsdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  static final Clock NOW = Clock.fixed(Instant.parse("1994-11-06T08:49:30Z"), ZoneOffset.UTC);

  @Test
  void deltaSeconds() {
    assertEquals(Duration.ofSeconds(2), RetryAfter.parse("2", NOW));
    assertEquals(Duration.ZERO, RetryAfter.parse(" 0 ", NOW));
    assertEquals(Duration.ofSeconds(999_999_999L), RetryAfter.parse("99999999999999999999", NOW));
  }

  @Test
  void allThreeHttpDateForms() {
    assertEquals(Duration.ofSeconds(7), RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW));
    assertEquals(Duration.ofSeconds(7), RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW));
    assertEquals(Duration.ofSeconds(7), RetryAfter.parse("Sun Nov  6 08:49:37 1994", NOW));
  }

  @Test
  void pastDateMeansNowAndGarbageMeansAbsent() {
    assertEquals(Duration.ZERO, RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", NOW));
    assertNull(RetryAfter.parse("soon", NOW));
    assertNull(RetryAfter.parse("-5", NOW));
    assertNull(RetryAfter.parse("", NOW));
    assertNull(RetryAfter.parse(null, NOW));
  }
}
