package io.github.cphsdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-made X-Sdk-Date must match java.time's formatting everywhere. */
class SdkDateTest {
  static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static void check(long second) {
    assertEquals(REFERENCE.format(Instant.ofEpochSecond(second)), SigningText.formatUtcSecond(second),
        "epoch second " + second);
  }

  @Test
  void knownDatesAndEdges() {
    assertEquals("20191115T033655Z", SigningText.formatUtcSecond(Instant.parse("2019-11-15T03:36:55Z").getEpochSecond()));
    assertEquals("19700101T000000Z", SigningText.formatUtcSecond(0));
    check(-1); // 1969-12-31T23:59:59Z
    check(Instant.parse("2000-02-29T23:59:59Z").getEpochSecond()); // leap day of a 400-year leap year
    check(Instant.parse("2100-03-01T00:00:00Z").getEpochSecond()); // 2100 is no leap year
    check(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond());
    check(Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
  }

  @Test
  void agreesWithJavaTimeOnRandomSeconds() {
    Random r = new Random(20261127);
    long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      check(min + (long) (r.nextDouble() * (max - min)));
    }
  }

  @Test
  void formatDateReusesTheTextWithinASecondAndMovesOn() {
    Instant a = Instant.parse("2026-11-27T18:28:29.100Z");
    assertEquals("20261127T182829Z", SigningText.formatDate(a));
    assertEquals("20261127T182829Z", SigningText.formatDate(a.plusMillis(800)));
    assertEquals("20261127T182830Z", SigningText.formatDate(a.plusMillis(900)));
    assertEquals("20261127T182829Z", SigningText.formatDate(a), "going back in time is not cached wrongly");
  }
}
