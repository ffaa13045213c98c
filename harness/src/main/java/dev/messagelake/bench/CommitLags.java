package dev.messagelake.bench;

import dev.messagelake.storage.LakeStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The lag from a bronze file's publication to its batch's commit in silver, per file: what the
 * latency and sustained sections measure. Steady state is the files published after the stream's
 * first commit (its start-up done).
 */
final class CommitLags {
  /** Silver keeps up when a file's lag stays under this (issue 23). */
  static final double KEEP_UP_SECONDS = 10;

  /** A producer that writes less than this share of the rate asked has not kept its rate. */
  static final double PRODUCER_SHARE = 0.9;

  /** One bronze file: when it was published, when silver committed it (null: not committed). */
  record File(long publishedMillis, Long committedMillis) {
    long lagMillis() {
      return committedMillis - publishedMillis;
    }
  }

  private CommitLags() {}

  /** Every parquet file under bronze's data folder, oldest publication first. */
  static List<File> of(Path bronzeData, Map<Path, Long> committed) {
    List<File> files = new ArrayList<>();
    for (Path file : LakeStorage.local().parquetFilesUnder(bronzeData)) {
      files.add(new File(changedMillis(file), committed.get(bronzeData.relativize(file))));
    }
    files.sort(Comparator.comparingLong(File::publishedMillis));
    return files;
  }

  /** The files published after the first commit, in publication order; none if none committed. */
  static List<File> steadyState(List<File> files) {
    long firstCommit =
        files.stream()
            .filter(f -> f.committedMillis() != null)
            .mapToLong(File::committedMillis)
            .min()
            .orElse(Long.MAX_VALUE);
    return files.stream()
        .filter(f -> f.publishedMillis() > firstCommit)
        .sorted(Comparator.comparingLong(File::publishedMillis))
        .collect(Collectors.toList());
  }

  /** The committed files' lags, in millis, sorted. */
  static List<Long> sortedLags(List<File> files) {
    return files.stream()
        .filter(f -> f.committedMillis() != null)
        .map(File::lagMillis)
        .sorted()
        .collect(Collectors.toList());
  }

  /** What one step of the sustained section saw, and whether silver kept up. */
  record Verdict(
      int files,
      int steadyFiles,
      int uncommitted,
      double p50,
      double p95,
      double lastThirdP95,
      double max,
      double producedRowsPerSecond,
      boolean keptUp,
      String why) {}

  /**
   * Silver kept up with a producer asked for {@code rate} rows/s when, over the files published
   * after its first commit, the p95 lag is under {@link #KEEP_UP_SECONDS}, and so is the last
   * third's (a lag still growing at the end of the run would hide under the whole run's p95); every
   * file was committed before the stream was stopped (a grace after the producer's end); and the
   * producer wrote at {@link #PRODUCER_SHARE} of the rate or more ({@code rows} over the span of
   * its publications, plus one window), or silver was not given the rate at all.
   *
   * <p>Example: 30 steady files with lags of 2 s, then 10 whose lags climb from 4 s to 13 s: the
   * p95 over all is 12 s, not kept up; had the last 10 stayed at 4 s, both p95s are 4 s, kept up.
   */
  static Verdict judge(List<File> files, long rows, long rate, double windowSeconds) {
    List<File> steady = steadyState(files);
    int uncommitted = (int) files.stream().filter(f -> f.committedMillis() == null).count();
    List<Long> lags = sortedLags(steady);
    List<Long> lastThird = sortedLags(steady.subList(steady.size() * 2 / 3, steady.size()));
    double spanSeconds =
        files.isEmpty()
            ? 0
            : (files.get(files.size() - 1).publishedMillis() - files.get(0).publishedMillis())
                    / 1000.0
                + windowSeconds;
    double produced = spanSeconds > 0 ? rows / spanSeconds : 0;
    double p50 = seconds(lags, 50);
    double p95 = seconds(lags, 95);
    double lastThirdP95 = seconds(lastThird, 95);
    double max = lags.isEmpty() ? Double.NaN : lags.get(lags.size() - 1) / 1000.0;
    List<String> why = new ArrayList<>();
    if (lags.isEmpty()) {
      why.add("no file committed after the first commit");
    } else {
      if (!(p95 < KEEP_UP_SECONDS)) {
        why.add(String.format(Locale.ROOT, "p95 %.1f s", p95));
      }
      if (!(lastThirdP95 < KEEP_UP_SECONDS)) {
        why.add(String.format(Locale.ROOT, "last third's p95 %.1f s", lastThirdP95));
      }
    }
    if (uncommitted > 0) {
      why.add(uncommitted + " of " + files.size() + " files never committed");
    }
    if (produced < PRODUCER_SHARE * rate) {
      why.add(String.format(Locale.ROOT, "producer wrote %,.0f rows/s", produced));
    }
    return new Verdict(
        files.size(),
        steady.size(),
        uncommitted,
        p50,
        p95,
        lastThirdP95,
        max,
        produced,
        why.isEmpty(),
        String.join(", ", why));
  }

  /** The nearest-rank percentile in seconds; NaN (which fails every goal) for no lag. */
  private static double seconds(List<Long> sortedMillis, int percent) {
    return sortedMillis.isEmpty()
        ? Double.NaN
        : LoadLoop.percentile(sortedMillis, percent) / 1000.0;
  }

  /** When a file was last renamed: its publication (a rename changes the inode's ctime). */
  static long changedMillis(Path file) {
    try {
      return ((FileTime) Files.getAttribute(file, "unix:ctime")).toMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
