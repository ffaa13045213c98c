package dev.messagelake.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.cli.UserError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongPredicate;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * The sustained section's search ({@link RateLadder}) and verdict ({@link CommitLags#judge}) on
 * made-up steps: the ten-minute runs themselves are too long for a test.
 */
class SustainedSearchTest {
  @Test
  void ratesDoubleUntilOneFallsBehindThenBisect() {
    RateLadder ladder = new RateLadder(2000, 2, 10);
    List<Long> tried = search(ladder, rate -> rate <= 20_000);
    assertEquals(List.of(2000L, 4000L, 8000L, 16_000L, 32_000L, 24_000L, 20_000L), tried);
    assertEquals(20_000, ladder.highestKeptUp());
    assertEquals(24_000, ladder.lowestFellBehind());
    assertEquals(7, ladder.steps());
  }

  @Test
  void aStartRateTooHighIsBisectedDownFromZero() {
    RateLadder ladder = new RateLadder(2000, 3, 10);
    List<Long> tried = search(ladder, rate -> rate <= 700);
    assertEquals(List.of(2000L, 1000L, 500L, 750L), tried);
    assertEquals(500, ladder.highestKeptUp());
    assertEquals(750, ladder.lowestFellBehind());
  }

  @Test
  void theStepCapEndsTheSearchWithTheBestSoFar() {
    RateLadder ladder = new RateLadder(1000, 3, 3);
    assertEquals(List.of(1000L, 2000L, 4000L), search(ladder, rate -> true));
    assertEquals(4000, ladder.highestKeptUp());
    assertEquals(0, ladder.lowestFellBehind(), "no rate fell behind: a lower bound only");
  }

  @Test
  void noRateKeptUpReportsZero() {
    RateLadder ladder = new RateLadder(8, 2, 10);
    assertEquals(List.of(8L, 4L, 2L), search(ladder, rate -> false));
    assertEquals(0, ladder.highestKeptUp());
  }

  @Test
  void lagsUnderTheLimitKeepUpAndStartUpIsLeftOut() {
    // The first file waits 30 s for the stream's start: not steady state, not counted.
    CommitLags.Verdict verdict = judge(files(30_000, Collections.nCopies(59, 2_000L)));
    assertTrue(verdict.keptUp(), verdict.why());
    assertEquals(60, verdict.files());
    assertEquals(59, verdict.steadyFiles());
    assertEquals(2.0, verdict.p95());
    assertEquals(2.0, verdict.max());
  }

  @Test
  void aLagGrowingAtTheEndFallsBehindThoughTheWholeRunsP95IsLow() {
    List<Long> lags = new ArrayList<>(Collections.nCopies(57, 2_000L));
    lags.addAll(List.of(12_000L, 14_000L, 16_000L));
    CommitLags.Verdict verdict = judge(files(1_000, lags));
    assertEquals(2.0, verdict.p95(), "3 of 60 above: the whole run's p95 is under 10 s");
    assertEquals(14.0, verdict.lastThirdP95());
    assertFalse(verdict.keptUp());
    assertEquals("last third's p95 14.0 s", verdict.why());
  }

  @Test
  void aHighP95FallsBehind() {
    CommitLags.Verdict verdict = judge(files(1_000, Collections.nCopies(40, 11_000L)));
    assertFalse(verdict.keptUp());
    assertTrue(verdict.why().startsWith("p95 11.0 s"), verdict.why());
  }

  @Test
  void aFileNeverCommittedFallsBehind() {
    List<CommitLags.File> files = new ArrayList<>(files(1_000, Collections.nCopies(40, 2_000L)));
    files.add(new CommitLags.File(files.get(files.size() - 1).publishedMillis() + 1000, null));
    CommitLags.Verdict verdict = judge(files);
    assertFalse(verdict.keptUp());
    assertEquals(1, verdict.uncommitted());
    assertEquals("1 of 42 files never committed", verdict.why());
  }

  @Test
  void aProducerShortOfItsRateFallsBehind() {
    List<CommitLags.File> files = files(1_000, Collections.nCopies(59, 2_000L)); // 61 s of files
    CommitLags.Verdict verdict = CommitLags.judge(files, 50_000, 1000, 1);
    assertFalse(verdict.keptUp());
    assertEquals(50_000 / 61.0, verdict.producedRowsPerSecond(), 1e-9);
    assertEquals("producer wrote 820 rows/s", verdict.why());
  }

  @Test
  void nothingCommittedFallsBehind() {
    List<CommitLags.File> files = List.of(new CommitLags.File(0, null));
    CommitLags.Verdict verdict = CommitLags.judge(files, 1000, 1000, 1);
    assertFalse(verdict.keptUp());
    assertTrue(Double.isNaN(verdict.p95()));
    assertTrue(verdict.why().startsWith("no file committed"), verdict.why());
  }

  @Test
  void theEnginesSearchedAreTheOnesNamedInTheirOrder() {
    Benchmark.Options options = PipelineOptionsFactory.as(Benchmark.Options.class);
    assertEquals(
        List.of(Benchmark.DIRECT, Benchmark.SPARK, Benchmark.SPARK_SS),
        Benchmark.sustainedEngines(options));
    options.setSustainedEngines("sparkss, direct");
    assertEquals(
        List.of(Benchmark.SPARK_SS, Benchmark.DIRECT), Benchmark.sustainedEngines(options));
    options.setSustainedEngines("direct,flink");
    UserError refused = assertThrows(UserError.class, () -> Benchmark.sustainedEngines(options));
    assertEquals(
        "--sustainedEngines: unknown engine 'flink'; known: direct, spark, sparkss",
        refused.getMessage());
  }

  /** Runs the ladder with a made-up machine that keeps up at the rates {@code keepsUp} accepts. */
  private static List<Long> search(RateLadder ladder, LongPredicate keepsUp) {
    List<Long> tried = new ArrayList<>();
    for (long rate = ladder.next(); rate > 0; rate = ladder.next()) {
      tried.add(rate);
      ladder.record(rate, keepsUp.test(rate));
    }
    return tried;
  }

  /**
   * One file a second: the first waits {@code firstLag} for the stream's first commit, then one
   * file per lag, each published after that commit.
   */
  private static List<CommitLags.File> files(long firstLag, List<Long> lags) {
    List<CommitLags.File> files = new ArrayList<>();
    files.add(new CommitLags.File(0, firstLag));
    long published = firstLag + 1000;
    for (long lag : lags) {
      files.add(new CommitLags.File(published, published + lag));
      published += 1000;
    }
    return files;
  }

  /** At 1000 rows/s, every file holding its second of rows. */
  private static CommitLags.Verdict judge(List<CommitLags.File> files) {
    long span = files.get(files.size() - 1).publishedMillis() / 1000 + 1;
    return CommitLags.judge(files, 1000 * span, 1000, 1);
  }
}
