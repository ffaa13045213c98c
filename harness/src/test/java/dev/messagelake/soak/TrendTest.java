package dev.messagelake.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The soak's verdict arithmetic: least squares over the second half, and its thresholds. */
class TrendTest {
  private static final double[] SECONDS = new double[31]; // 0, 10, ..., 300: a 5-minute soak

  static {
    for (int i = 0; i < SECONDS.length; i++) {
      SECONDS[i] = i * 10;
    }
  }

  private static double[] series(java.util.function.IntToDoubleFunction value) {
    double[] values = new double[SECONDS.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = value.applyAsDouble(i);
    }
    return values;
  }

  @Test
  void aLineHasItsSlopePerHourAndGrows() {
    Trend trend = Trend.of(SECONDS, series(i -> 100 + SECONDS[i] / 5)); // one file per 5 s batch
    assertEquals(720, trend.slopePerHour, 1e-9);
    assertEquals(16, trend.points); // 150 s .. 300 s
    assertEquals(100 + 225 / 5.0, trend.mean, 1e-9);
    assertEquals(30, trend.rise, 1e-9);
    assertEquals(0, trend.noise, 1e-9);
    assertEquals(Trend.GROWING, trend.verdict);
  }

  @Test
  void theWarmUpIsLeftOut() {
    // Climbs to 100 in the first half (bronze filling its newest-100 log), then holds.
    Trend trend = Trend.of(SECONDS, series(i -> Math.min(100, i * 10)));
    assertEquals(0, trend.slopePerHour, 1e-9);
    assertEquals(Trend.FLAT, trend.verdict);
  }

  @Test
  void aSlowRiseUnderTenPercentOfTheMeanPerHourIsFlat() {
    // 1000 MB rising 90 MB per hour: 9 % of the mean.
    Trend trend = Trend.of(SECONDS, series(i -> 1000 + SECONDS[i] * 90 / 3600));
    assertEquals(90, trend.slopePerHour, 1e-9);
    assertEquals(Trend.FLAT, trend.verdict);
  }

  @Test
  void aSawtoothIsNoiseNotGrowth() {
    // A heap between collections: up and down by 40 around 200, a fitted tilt within the noise.
    Trend trend = Trend.of(SECONDS, series(i -> 200 + (i % 2 == 0 ? 40 : -40) + (i == 30 ? 5 : 0)));
    assertEquals(Trend.FLAT, trend.verdict, () -> "rise " + trend.rise + ", noise " + trend.noise);
  }

  @Test
  void aNoisyRiseBeyondTheNoiseGrows() {
    Random random = new Random(7);
    Trend trend =
        Trend.of(SECONDS, series(i -> 200 + SECONDS[i] * 0.5 + random.nextGaussian() * 5));
    assertEquals(1800, trend.slopePerHour, 200);
    assertEquals(Trend.GROWING, trend.verdict);
  }

  @Test
  void aCountWanderingForMinutesIsFlat() {
    // Threads up by three for a minute or two and back (a cached pool's idle threads): a line
    // through the half rises past twice its residuals, but the residuals run in long arcs, a
    // handful of independent samples, not sixteen.
    Trend trend =
        Trend.of(
            SECONDS, series(i -> 60 + Math.round(3 * Math.sin(2 * Math.PI * SECONDS[i] / 200))));
    assertTrue(trend.rise > Trend.NOISE_FACTOR * trend.noise, "rise " + trend.rise);
    assertTrue(trend.effectivePoints < 8, "effective points " + trend.effectivePoints);
    assertEquals(Trend.FLAT, trend.verdict, () -> trend.standardErrors + " standard errors");
  }

  @Test
  void aStaircaseOfAThreadAMinuteGrows() {
    // One thread kept every minute, read as the mean of a second's reads over each 10 s.
    Trend trend = Trend.of(SECONDS, series(i -> 60 + Math.floor(SECONDS[i] / 60)));
    assertEquals(Trend.GROWING, trend.verdict, () -> trend.standardErrors + " standard errors");
  }

  @Test
  void correlatedResidualsAreFewerSamples() {
    assertEquals(16, Trend.effectivePoints(16, -0.4), 1e-9); // alternating: no fewer
    assertEquals(16 * 15 / 17.0, Trend.effectivePoints(16, 0), 1e-9); // (1 + 3r) / n = 1/16
    assertTrue(Trend.effectivePoints(16, 0.8) < 2);
  }

  @Test
  void aFallingOrConstantSeriesIsFlat() {
    assertEquals(Trend.FLAT, Trend.of(SECONDS, series(i -> 500 - i)).verdict);
    assertEquals(Trend.FLAT, Trend.of(SECONDS, series(i -> 0)).verdict);
  }

  @Test
  void missingValuesAreLeftOutAndTooFewGiveNoVerdict() {
    double[] values = series(i -> i >= 15 && i % 5 != 0 ? 42 : Double.NaN);
    Trend trend = Trend.of(SECONDS, values);
    assertEquals(12, trend.points);
    assertEquals(0, trend.slopePerHour, 1e-9);
    assertEquals(
        Trend.TOO_FEW, Trend.of(new double[] {0, 10, 20}, new double[] {1, Double.NaN, 3}).verdict);
  }
}
