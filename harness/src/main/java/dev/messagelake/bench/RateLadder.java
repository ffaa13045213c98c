package dev.messagelake.bench;

/**
 * The sustained section's search for the highest rate that keeps up: rates doubling from a start
 * until one does not keep up, then bisecting between the highest that did and the lowest that did
 * not, a set number of times; at most a set number of steps in all.
 *
 * <p>Example, from 2,000 rows/s with 2 bisections, keeping up to 20,000: 2k, 4k, 8k, 16k kept up,
 * 32k not; 24k not; 20k kept up: 20,000 rows/s after 7 steps (the answer lies in 20k-24k).
 */
final class RateLadder {
  private final long start;
  private final int bisections;
  private final int maxSteps;
  private long keptUp; // the highest rate that kept up; 0: none yet
  private long fellBehind; // the lowest rate that did not; 0: none yet
  private int steps;
  private int bisected;

  RateLadder(long start, int bisections, int maxSteps) {
    this.start = start;
    this.bisections = bisections;
    this.maxSteps = maxSteps;
  }

  /** The next rate to run, or 0 when the search is over. */
  long next() {
    if (steps >= maxSteps) {
      return 0;
    }
    if (fellBehind == 0) {
      return keptUp == 0 ? start : keptUp * 2;
    }
    long middle = (keptUp + fellBehind) / 2; // with no rate kept up yet, halves down from 0
    return bisected < bisections && middle > keptUp && middle < fellBehind ? middle : 0;
  }

  /** What the step at {@code rate} found. */
  void record(long rate, boolean keptUpAtRate) {
    if (fellBehind != 0) {
      bisected++;
    }
    steps++;
    if (keptUpAtRate) {
      keptUp = Math.max(keptUp, rate);
    } else {
      fellBehind = fellBehind == 0 ? rate : Math.min(fellBehind, rate);
    }
  }

  /** The highest rate that kept up; 0 when none did. */
  long highestKeptUp() {
    return keptUp;
  }

  /** The lowest rate that did not keep up; 0 when all did (the steps ran out first). */
  long lowestFellBehind() {
    return fellBehind;
  }

  int steps() {
    return steps;
  }
}
