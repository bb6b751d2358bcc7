package io.github.cphsdk.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddAndEvenCountsIgnoresOrder() {
    assertEquals(3.0, Stats.median(new double[] {5, 1, 3}));
    assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
    assertEquals(7.0, Stats.median(List.of(7.0)));
  }

  @Test
  void quantileUsesNearestRank() {
    double[] v = new double[100];
    for (int i = 0; i < 100; i++) {
      v[99 - i] = i + 1; // 100..1, unsorted on purpose
    }
    assertEquals(90.0, Stats.quantile(v, 0.90));
    assertEquals(50.0, Stats.quantile(v, 0.50));
    assertEquals(1.0, Stats.quantile(v, 0.0));
    assertEquals(100.0, Stats.quantile(v, 1.0));
  }

  @Test
  void quantileDoesNotReorderTheCallersArray() {
    double[] v = {3, 1, 2};
    Stats.quantile(v, 0.5);
    assertEquals(3.0, v[0]);
  }

  @Test
  void badInputIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Stats.median(new double[0]));
    assertThrows(IllegalArgumentException.class, () -> Stats.quantile(new double[] {1}, 1.5));
  }

  @Test
  void ratiosAndNumbersFormatForTheTable() {
    assertEquals("0.50x", Stats.ratio(1, 2));
    assertEquals("n/a", Stats.ratio(Double.NaN, 2));
    assertEquals("n/a", Stats.ratio(1, 0));
    assertEquals("12,346", Stats.num(12345.6));
    assertEquals("98.8", Stats.num(98.76));
    assertEquals("1.50 MiB", Stats.mib(1572864));
  }
}
