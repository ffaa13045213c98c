package dev.messagelake.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The load loop's arithmetic: nearest-rank percentiles of the response times, rate, errors. */
class LoadLoopTest {
  @Test
  void percentilesAreNearestRankOverEveryResponseInAnyOrder() {
    List<Long> nanos = new ArrayList<>();
    for (long millis = 1; millis <= 200; millis++) {
      nanos.add(millis * 1_000_000);
    }
    Collections.shuffle(nanos, new Random(23));

    LoadLoop.Result result = LoadLoop.summary(50, 4.0, nanos, 3, 2, "status 503");

    assertEquals(100.0, result.p50());
    assertEquals(190.0, result.p95());
    assertEquals(198.0, result.p99());
    assertEquals(200.0, result.max());
    assertEquals(202, result.requests(), "200 responses and 2 without one");
    assertEquals(5, result.errors(), "3 not a 200, 2 without a response");
    assertEquals(50.5, result.requestsPerSecond());
  }

  @Test
  void aFewResponsesRoundUpToTheSlowerOne() {
    List<Long> nanos = List.of(3_500_000L, 1_000_000L, 2_000_000L);
    LoadLoop.Result result = LoadLoop.summary(1, 1.0, nanos, 0, 0, "");
    assertEquals(2.0, result.p50(), "rank ceil(1.5) = 2");
    assertEquals(3.5, result.p95());
    assertEquals(3.5, result.max());
    assertEquals(0, result.errors());
    assertEquals(3, LoadLoop.percentile(List.of(1L, 2L, 3L, 4L), 51), "rank ceil(2.04) = 3");
    assertEquals(1, LoadLoop.percentile(List.of(1L, 2L, 3L, 4L), 0), "never below the first");
  }

  @Test
  void noResponseAtAllMissesEveryGoal() {
    LoadLoop.Result result = LoadLoop.summary(50, 60.0, List.of(), 0, 7, "connection refused");
    assertTrue(Double.isNaN(result.p95()), "no time to report, and NaN < 200 is false");
    assertEquals(7, result.errors());
  }
}
