package dev.messagelake.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * The verdict on one series of a soak: flat or growing, from the least-squares line through its
 * second half (the first half is warm-up: heaps fill, caches load, bronze's log fills to 100).
 *
 * <p>Growing when both hold: the line would add more than {@link #GROWTH_PER_HOUR} of the series'
 * mean per hour, and what it rises over the half is more than {@link #NOISE_FACTOR} times the
 * residuals' standard deviation (a sawtooth such as a heap between collections is noise, not a
 * rise). A falling series is flat: the question is whether something accumulates.
 */
final class Trend {
  /** Growth per hour, as a share of the mean, above which a series may be growing. */
  static final double GROWTH_PER_HOUR = 0.10;

  /** How many residual standard deviations the rise over the half must exceed. */
  static final double NOISE_FACTOR = 2.0;

  static final String FLAT = "flat";
  static final String GROWING = "growing";
  static final String TOO_FEW = "too few samples";

  final int points;
  final double mean;
  final double slopePerHour;
  final double rise; // of the line over the second half
  final double noise; // the residuals' standard deviation
  final String verdict;

  private Trend(
      int points, double mean, double slopePerHour, double rise, double noise, String verdict) {
    this.points = points;
    this.mean = mean;
    this.slopePerHour = slopePerHour;
    this.rise = rise;
    this.noise = noise;
    this.verdict = verdict;
  }

  /**
   * The trend of {@code values} sampled at {@code seconds} (since the start), over the samples of
   * the second half of the run; missing values (NaN) are left out.
   */
  static Trend of(double[] seconds, double[] values) {
    double end = 0;
    for (double second : seconds) {
      end = Math.max(end, second);
    }
    List<double[]> half = new ArrayList<>();
    for (int i = 0; i < seconds.length; i++) {
      if (seconds[i] >= end / 2 && !Double.isNaN(values[i])) {
        half.add(new double[] {seconds[i], values[i]});
      }
    }
    int n = half.size();
    if (n < 3) {
      return new Trend(n, Double.NaN, Double.NaN, Double.NaN, Double.NaN, TOO_FEW);
    }
    double meanT = 0;
    double meanV = 0;
    for (double[] point : half) {
      meanT += point[0] / n;
      meanV += point[1] / n;
    }
    double sxx = 0;
    double sxy = 0;
    for (double[] point : half) {
      sxx += (point[0] - meanT) * (point[0] - meanT);
      sxy += (point[0] - meanT) * (point[1] - meanV);
    }
    double slope = sxx == 0 ? 0 : sxy / sxx; // per second
    double squares = 0;
    for (double[] point : half) {
      double residual = point[1] - (meanV + slope * (point[0] - meanT));
      squares += residual * residual;
    }
    double noise = Math.sqrt(squares / (n - 2));
    double span = half.get(n - 1)[0] - half.get(0)[0];
    double rise = slope * span;
    boolean growing =
        slope * 3600 > GROWTH_PER_HOUR * Math.abs(meanV) && rise > NOISE_FACTOR * noise;
    return new Trend(n, meanV, slope * 3600, rise, noise, growing ? GROWING : FLAT);
  }

  boolean growing() {
    return GROWING.equals(verdict);
  }
}
