package dev.messagelake.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * The verdict on one series of a soak: flat or growing, from the least-squares line through its
 * second half (the first half is warm-up: heaps fill, caches load, bronze's log fills to 100).
 *
 * <p>Growing when all three hold: the line would add more than {@link #GROWTH_PER_HOUR} of the
 * series' mean per hour; what it rises over the half is more than {@link #NOISE_FACTOR} times the
 * residuals' standard deviation (a sawtooth such as a heap between collections is noise, not a
 * rise); and the slope is more than {@link #SIGNIFICANCE} standard errors, the error counted over
 * the effective number of samples of correlated residuals (a thread count that wanders for a minute
 * with a cached pool's idle threads is about one sample a minute, not six, and a line through a
 * minute-long excursion is no trend). A falling series is flat: the question is whether something
 * accumulates.
 */
final class Trend {
  /** Growth per hour, as a share of the mean, above which a series may be growing. */
  static final double GROWTH_PER_HOUR = 0.10;

  /** How many residual standard deviations the rise over the half must exceed. */
  static final double NOISE_FACTOR = 2.0;

  /** How many standard errors, over the effective samples, the slope must exceed. */
  static final double SIGNIFICANCE = 3.0;

  static final String FLAT = "flat";
  static final String GROWING = "growing";
  static final String TOO_FEW = "too few samples";

  final int points;
  final double mean;
  final double slopePerHour;
  final double rise; // of the line over the second half
  final double noise; // the residuals' standard deviation
  final double effectivePoints; // the samples' worth of independent residuals
  final double standardErrors; // the slope over its standard error; NaN: too few to tell
  final String verdict;

  private Trend(
      int points,
      double mean,
      double slopePerHour,
      double rise,
      double noise,
      double effectivePoints,
      double standardErrors,
      String verdict) {
    this.points = points;
    this.mean = mean;
    this.slopePerHour = slopePerHour;
    this.rise = rise;
    this.noise = noise;
    this.effectivePoints = effectivePoints;
    this.standardErrors = standardErrors;
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
      return new Trend(
          n, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, TOO_FEW);
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
    double lagged = 0; // the sum of each residual times the one before it
    double previous = 0;
    for (double[] point : half) {
      double residual = point[1] - (meanV + slope * (point[0] - meanT));
      squares += residual * residual;
      lagged += residual * previous;
      previous = residual;
    }
    double noise = Math.sqrt(squares / (n - 2));
    double span = half.get(n - 1)[0] - half.get(0)[0];
    double rise = slope * span;
    double effective = effectivePoints(n, squares == 0 ? 0 : lagged / squares);
    double standardErrors =
        squares == 0
            ? (slope > 0 ? Double.POSITIVE_INFINITY : 0)
            : effective <= 2 ? Double.NaN : slope / Math.sqrt(squares / (effective - 2) / sxx);
    boolean growing =
        slope * 3600 > GROWTH_PER_HOUR * Math.abs(meanV)
            && rise > NOISE_FACTOR * noise
            && standardErrors > SIGNIFICANCE;
    return new Trend(
        n, meanV, slope * 3600, rise, noise, effective, standardErrors, growing ? GROWING : FLAT);
  }

  /**
   * The independent samples {@code n} residuals with lag-1 autocorrelation {@code r} are worth, n
   * (1 - r) / (1 + r) (Santer et al. 2000, for trends in autocorrelated series), with r first
   * corrected for its bias on a short series, which reads it low by about (1 + 3r) / n.
   */
  static double effectivePoints(int n, double r) {
    double corrected = Math.min(0.99, r + (1 + 3 * r) / n);
    return corrected <= 0 ? n : n * (1 - corrected) / (1 + corrected);
  }

  boolean growing() {
    return GROWING.equals(verdict);
  }
}
