package dev.messagelake.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark at a small size, as {@code ./run.sh bench} runs it: every engine (ours on both
 * runners, Spark Structured Streaming, DuckDB) turns the same bronze into the same silver, and the
 * same silver into byte-identical reports; the table and the JSON are written. The figures
 * themselves are not asserted: a benchmark's numbers are quoted, not tested.
 */
class BenchmarkTest {
  @TempDir Path temp;

  @Test
  void everyEngineDoesTheSameWorkAndTheResultsAreWritten() throws Exception {
    Benchmark.Options options =
        PipelineOptionsFactory.fromArgs(
                "--rows=20000",
                "--sections=silver,gold",
                "--sparkMaster=local[2]",
                "--repeats=1",
                "--work=" + temp.resolve("work"),
                "--results=" + temp.resolve("results"),
                "--document=" + temp.resolve("BENCH.md"))
            .as(Benchmark.Options.class);

    BenchReport report = Benchmark.measure(options);

    List<String> engines =
        List.of(
            Benchmark.DIRECT,
            Benchmark.SPARK,
            Benchmark.FLINK,
            Benchmark.SPARK_SS,
            Benchmark.DUCKDB);
    for (String measure : List.of("Silver, bronze backlog", "Gold, both reports")) {
      assertEquals(
          engines,
          report.results().stream()
              .filter(r -> r.measure().equals(measure))
              .map(BenchReport.Result::engine)
              .collect(Collectors.toList()),
          measure);
    }
    List<BenchReport.Goal> agreements =
        report.goals().stream()
            .filter(goal -> goal.goal().startsWith("engines agree"))
            .collect(Collectors.toList());
    assertEquals(2, agreements.size(), "silver and gold compared");
    for (BenchReport.Goal agreement : agreements) {
      assertTrue(agreement.met(), agreement.goal() + ": " + agreement.measured());
    }
    try (Stream<Path> files = Files.list(temp.resolve("results"))) {
      List<String> written =
          files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
      assertEquals(2, written.size(), "one table and one JSON: " + written);
      assertTrue(
          written.get(0).endsWith(".json") && written.get(1).endsWith(".md"), written.toString());
      String table = Files.readString(temp.resolve("results").resolve(written.get(1)));
      assertTrue(table.contains("| " + Benchmark.SPARK + " |"), table);
    }
  }

  @Test
  void theDocumentsLatestResultsAreReplacedAndItsProseKept() throws Exception {
    Path document = temp.resolve("BENCH.md");
    Files.writeString(
        document, "# Bench\n\nHow to run it.\n\n" + BenchReport.GENERATED + "\n\nold table\n");

    new BenchReport("local[2]").updateDocument(document);

    String updated = Files.readString(document);
    assertTrue(
        updated.startsWith("# Bench\n\nHow to run it.\n\n" + BenchReport.GENERATED), updated);
    assertFalse(updated.contains("old table"), updated);
    assertFalse(updated.contains("# Message lake benchmark"), "its title: " + updated);
    assertTrue(updated.contains("### Goals"), "its sections, a level down: " + updated);
  }

  @Test
  void theMedianRunIsTheMiddleOneByWallTime() {
    List<ProcessProbe.Usage> runs = List.of(usage(14.0, 900), usage(12.1, 1000), usage(12.3, 950));
    assertEquals(12.3, Benchmark.median(runs).wallSeconds);
    assertEquals(950, Benchmark.median(runs).peakRssMb, "the median run's own figures");
    assertEquals(
        12.1,
        Benchmark.median(runs.subList(0, 2)).wallSeconds,
        "even count: the faster middle one");
  }

  private static ProcessProbe.Usage usage(double wallSeconds, long peakRssMb) {
    return new ProcessProbe.Usage(0, wallSeconds, wallSeconds, peakRssMb, List.of());
  }
}
