package dev.messagelake.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.messagelake.storage.LakeStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The benchmark's results, their agreement checks and goals, as markdown and as JSON. */
final class BenchReport {
  /** One figure of one engine; {@code tier} is the input size in rows, 0 when it has none. */
  record Result(
      String section,
      String measure,
      String engine,
      long tier,
      double value,
      String unit,
      boolean higherIsBetter,
      double wallSeconds,
      double cpuSeconds,
      long peakRssMb,
      String detail) {}

  /** Whether the engines produced the same output (counts, reports). */
  record Agreement(String section, long tier, List<String> compared, boolean agree) {}

  /** A goal of the benchmark, what was measured against it, and whether it is met. */
  record Goal(String goal, String measured, boolean met) {}

  static final String QUICK = "Quick command from the shell";

  /** Issue 21's limits for the quick commands, in seconds of wall time. */
  static final Map<String, Double> QUICK_GOALS =
      Map.of(Benchmark.QUICK_HELP, 1.0, Benchmark.QUICK_CHECK, 3.0, Benchmark.QUICK_GOLD, 5.0);

  static final String FOREIGN_SILVER = "Silver, bronze written by DuckDB";
  static final String SMALL_FILES_SILVER = "Silver, 20,000 bronze files of 5 rows";
  static final String SMALL_FILES_GOLD = "Gold, a day of small silver files";
  static final String LARGE_FILES_GOLD = "Gold, the same rows in large files";
  static final String COMPACTED_GOLD = "Gold, the day of small files after compact and vacuum";
  static final String DASHBOARD_TIME = "Dashboard JSON under load, response time";
  static final String DASHBOARD_RATE = "Dashboard JSON under load, throughput";
  static final String DASHBOARD_ERRORS = "Dashboard JSON under load, errors";

  private final String sparkMaster;
  private final List<Result> results = new ArrayList<>();
  private final List<Agreement> agreements = new ArrayList<>();

  BenchReport(String sparkMaster) {
    this.sparkMaster = sparkMaster;
  }

  void add(
      String section,
      String measure,
      String engine,
      long tier,
      double value,
      String unit,
      boolean higherIsBetter,
      ProcessProbe.Usage usage,
      String detail) {
    results.add(
        new Result(
            section,
            measure,
            engine,
            tier,
            value,
            unit,
            higherIsBetter,
            usage.wallSeconds,
            usage.cpuSeconds,
            usage.peakRssMb,
            detail));
  }

  List<Result> results() {
    return results;
  }

  void agreement(String section, long tier, List<String> compared, boolean agree) {
    agreements.add(new Agreement(section, tier, compared, agree));
  }

  /** How we compare with a peer: above 1 we are better (faster, quicker, more rows/s). */
  Optional<Double> ratio(Result ours, String peer) {
    return results.stream()
        .filter(r -> r.engine.equals(peer) && r.measure.equals(ours.measure) && r.tier == ours.tier)
        .findFirst()
        .filter(p -> p.value > 0 && ours.value > 0) // a rate of 0 (none kept up) has no ratio
        .map(p -> ours.higherIsBetter ? ours.value / p.value : p.value / ours.value);
  }

  List<Goal> goals() {
    List<Goal> goals = new ArrayList<>();
    String onSpark = " on Spark " + sparkMaster;
    for (Result silver : find(Benchmark.SPARK, "Silver, bronze backlog")) {
      String tier = "silver " + rows(silver.tier) + onSpark;
      ratioGoal(goals, silver, Benchmark.SPARK_SS, tier + " >= Spark Structured Streaming", 1.0);
      ratioGoal(goals, silver, Benchmark.DUCKDB, tier + " within 5x of DuckDB", 0.2);
    }
    for (Result gold : find(Benchmark.SPARK, "Gold, both reports")) {
      String tier = "gold " + rows(gold.tier) + onSpark;
      ratioGoal(goals, gold, Benchmark.SPARK_SS, tier + " >= Spark SQL", 1.0);
      ratioGoal(goals, gold, Benchmark.DUCKDB, tier + " within 5x of DuckDB", 0.2);
    }
    // Issue 21's goals for the default runner, the large tier, other engines' files, small files.
    for (Result gold : find(Benchmark.DIRECT, "Gold, both reports")) {
      ratioGoal(
          goals,
          gold,
          Benchmark.SPARK_SS,
          "gold " + rows(gold.tier) + " on the Direct runner >= Spark SQL",
          1.0);
      if (gold.tier >= 10_000_000) {
        goals.add(
            new Goal(
                "gold " + rows(gold.tier) + " on the Direct runner, peak RSS < 2 GB",
                gold.peakRssMb + " MB",
                gold.peakRssMb < 2048));
      }
    }
    for (String engine : List.of(Benchmark.DIRECT, Benchmark.SPARK)) {
      for (Result silver : find(engine, "Silver, bronze backlog")) {
        if (silver.tier >= 10_000_000) {
          ratioGoal(
              goals,
              silver,
              Benchmark.DUCKDB,
              "silver " + rows(silver.tier) + ", " + engine + ", within 3x of DuckDB",
              1.0 / 3);
        }
      }
    }
    for (Result gold : find(Benchmark.SPARK, "Gold, both reports")) {
      if (gold.tier >= 10_000_000) {
        ratioGoal(
            goals,
            gold,
            Benchmark.DUCKDB,
            "gold " + rows(gold.tier) + onSpark + " within 2x of DuckDB",
            0.5);
      }
    }
    for (Result quick : find(null, QUICK)) {
      double limit = QUICK_GOALS.getOrDefault(quick.engine, 0.0);
      goals.add(
          new Goal(
              quick.engine + String.format(Locale.ROOT, " < %.0f s (JVM start included)", limit),
              String.format(Locale.ROOT, "%.2f s", quick.value),
              quick.value < limit));
    }
    for (String engine : List.of(Benchmark.DIRECT, Benchmark.SPARK)) {
      for (String measure : List.of(FOREIGN_SILVER, SMALL_FILES_SILVER, SMALL_FILES_GOLD)) {
        String peer = measure.startsWith("Gold") ? "Spark SQL" : "Spark Structured Streaming";
        for (Result ours : find(engine, measure)) {
          ratioGoal(goals, ours, Benchmark.SPARK_SS, measure + ", " + engine + " >= " + peer, 1.0);
        }
      }
      withinGoals(
          goals,
          "gold after compact within 1.2x of the same rows freshly written in large files, "
              + engine,
          find(engine, COMPACTED_GOLD),
          find(engine, LARGE_FILES_GOLD),
          1.2);
      withinGoals(
          goals,
          "gold over a day of small silver files within 2x of the same rows in large files, "
              + engine,
          find(engine, SMALL_FILES_GOLD),
          find(engine, LARGE_FILES_GOLD),
          2.0);
    }
    for (Result p95 : find(Benchmark.DIRECT, "Silver latency p95, 5 s trigger")) {
      goals.add(
          new Goal(
              "silver p95 latency < 6 s (trigger + 1 s), Direct runner",
              String.format(Locale.ROOT, "%.2f s", p95.value),
              p95.value < 6.0));
    }
    for (Result p95 : find(Benchmark.FLINK_CLUSTER, "Silver latency p95, 5 s trigger")) {
      goals.add(
          new Goal(
              "silver p95 latency <= 7 s (trigger + 2 s), Flink session cluster",
              String.format(Locale.ROOT, "%.2f s", p95.value),
              p95.value <= 7.0));
    }
    for (String engine : List.of(Benchmark.DIRECT, Benchmark.SPARK)) {
      for (String measure : List.of("Silver, bronze backlog")) {
        List<Result> tiers = find(engine, measure);
        if (tiers.size() >= 2) {
          Result small = tiers.get(0);
          Result large = tiers.get(tiers.size() - 1);
          double growth = (double) large.peakRssMb / small.peakRssMb;
          goals.add(
              new Goal(
                  measure.split(",")[0].toLowerCase(Locale.ROOT)
                      + " memory flat from "
                      + rows(small.tier)
                      + " to "
                      + rows(large.tier)
                      + " rows, "
                      + engine
                      + " (peak RSS within 1.25x)",
                  String.format(
                      Locale.ROOT, "%d -> %d MB (%.2fx)", small.peakRssMb, large.peakRssMb, growth),
                  growth <= 1.25));
        }
      }
    }
    for (String engine : List.of(Benchmark.DIRECT, Benchmark.SPARK)) {
      for (String measure : List.of("Silver, local disk vs HDFS", "Gold, local disk vs HDFS")) {
        List<Result> local = find(engine + ", local disk", measure);
        List<Result> hdfs = find(engine + ", HDFS", measure);
        for (int i = 0; i < Math.min(local.size(), hdfs.size()); i++) {
          withinGoal(
              goals,
              measure.split(",")[0].toLowerCase(Locale.ROOT)
                  + " on HDFS within 1.5x of the local disk, "
                  + rows(local.get(i).tier)
                  + " rows, "
                  + engine,
              hdfs.get(i),
              local.get(i),
              1.5);
        }
      }
    }
    for (Result producer : find(Benchmark.DIRECT, "Producer, rate unlimited")) {
      goals.add(
          new Goal(
              "producer >= 100000 rows/s, Direct runner",
              String.format(Locale.ROOT, "%.0f rows/s", producer.value),
              producer.value >= 100_000));
    }
    for (Result lake : find(Benchmark.DIRECT, "./run.sh lake at 1 row/s, CPU in steady state")) {
      goals.add(
          new Goal(
              "./run.sh lake at 1 row/s < 0.2 cores",
              String.format(Locale.ROOT, "%.3f cores", lake.value),
              lake.value < 0.2));
    }
    // Issue 23's goal for the dashboard's JSON under load.
    for (Result p95 : find(Benchmark.DASHBOARD + ", p95", DASHBOARD_TIME)) {
      long errors =
          find(Benchmark.DASHBOARD, DASHBOARD_ERRORS).stream().mapToLong(r -> (long) r.value).sum();
      goals.add(
          new Goal(
              "dashboard p95 < 200 ms, zero errors",
              String.format(Locale.ROOT, "p95 %.1f ms, %d errors", p95.value, errors),
              p95.value < 200 && errors == 0));
    }
    for (Agreement agreement : agreements) {
      goals.add(
          new Goal(
              "engines agree on " + agreement.section + " " + rows(agreement.tier),
              String.join("; ", agreement.compared),
              agreement.agree));
    }
    return goals;
  }

  /** Writes bench-&lt;time&gt;.md and .json into {@code folder}; prints the markdown. */
  void write(Path folder) {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    LakeStorage.local().createDirectories(folder);
    String markdown = markdown();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("machine", machine());
    json.put("sparkMaster", sparkMaster);
    json.put("results", results);
    json.put("goals", goals());
    try {
      Files.writeString(folder.resolve("bench-" + stamp + ".md"), markdown);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(folder.resolve("bench-" + stamp + ".json").toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the results into " + folder, e);
    }
    System.out.println(markdown);
    System.out.println(
        "bench: results in " + folder.resolve("bench-" + stamp + ".md") + " and .json");
  }

  /** The line below which {@link #updateDocument} writes, replacing what was there. */
  static final String GENERATED = "<!-- generated by ./run.sh bench: do not edit below -->";

  /**
   * Replaces the results in {@code document} (everything below its {@link #GENERATED} line) with
   * this run's, one heading level down; a document without that line is left alone, said so.
   */
  void updateDocument(Path document) {
    String text = Files.exists(document) ? LakeStorage.local().read(document) : "";
    int at = text.indexOf(GENERATED);
    if (at < 0) {
      System.out.println("bench: " + document + " has no '" + GENERATED + "' line: not updated");
      return;
    }
    String results = markdown().replaceFirst("^# [^\n]*\n\n", "").replaceAll("(?m)^## ", "### ");
    LakeStorage.local()
        .writeAtomically(document, text.substring(0, at) + GENERATED + "\n\n" + results);
    System.out.println("bench: latest results written into " + document);
  }

  String markdown() {
    StringBuilder md = new StringBuilder("# Message lake benchmark\n\n");
    Map<String, Object> machine = machine();
    md.append(
        String.format(
            Locale.ROOT,
            "%s, %s cores, %s GiB of memory, Java %s; Spark runner and Spark peer on `%s`. Each job"
                + " runs as a process of its own, timed from its start to its exit (JVM start-up"
                + " included); memory is the process's peak resident set (RSS). Ratios: above 1.0"
                + " we are better.%n%n",
            machine.get("date"),
            machine.get("cores"),
            machine.get("memoryGiB"),
            machine.get("java"),
            sparkMaster));
    Map<String, List<Result>> byMeasure = new LinkedHashMap<>();
    for (Result result : results) {
      byMeasure
          .computeIfAbsent(
              result.measure + (result.tier > 0 ? ", " + rows(result.tier) + " rows" : ""),
              k -> new ArrayList<>())
          .add(result);
    }
    for (Map.Entry<String, List<Result>> measure : byMeasure.entrySet()) {
      Result first = measure.getValue().get(0);
      md.append("## ")
          .append(measure.getKey())
          .append(" (")
          .append(first.unit)
          .append(first.higherIsBetter ? ", higher is better" : ", lower is better")
          .append(")\n\n")
          .append("| engine | ")
          .append(first.unit)
          .append(" | peak RSS MB | CPU s | wall s | vs Spark SS | vs DuckDB | notes |\n")
          .append("|---|---:|---:|---:|---:|---:|---:|---|\n");
      for (Result r : measure.getValue()) {
        boolean ours = r.engine.equals(Benchmark.DIRECT) || r.engine.equals(Benchmark.SPARK);
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d | %.1f | %.1f | %s | %s | %s |%n",
                r.engine,
                number(r.value),
                r.peakRssMb,
                r.cpuSeconds,
                r.wallSeconds,
                ours ? ratio(r, Benchmark.SPARK_SS).map(BenchReport::times).orElse("-") : "-",
                ours ? ratio(r, Benchmark.DUCKDB).map(BenchReport::times).orElse("-") : "-",
                r.detail));
      }
      md.append('\n');
    }
    md.append("## Goals\n\n| goal | measured | met |\n|---|---|---|\n");
    for (Goal goal : goals()) {
      md.append("| ")
          .append(goal.goal)
          .append(" | ")
          .append(goal.measured)
          .append(" | ")
          .append(goal.met ? "yes" : "**no**")
          .append(" |\n");
    }
    return md.toString();
  }

  /**
   * A goal on how our result compares with a peer's of the same measure and tier (above 1: ours is
   * better), met at {@code atLeast} or more; none when the peer did not run.
   */
  private void ratioGoal(List<Goal> goals, Result ours, String peer, String goal, double atLeast) {
    ratio(ours, peer).ifPresent(r -> goals.add(new Goal(goal, times(r), r >= atLeast)));
  }

  /** A goal met when {@code run} took at most {@code times} the wall time of {@code baseline}. */
  /** {@link #withinGoal} for each run against the baseline of the same tier. */
  private static void withinGoals(
      List<Goal> goals, String goal, List<Result> runs, List<Result> baselines, double times) {
    for (int i = 0; i < Math.min(runs.size(), baselines.size()); i++) {
      withinGoal(goals, goal, runs.get(i), baselines.get(i), times);
    }
  }

  private static void withinGoal(
      List<Goal> goals, String goal, Result run, Result baseline, double times) {
    double ratio = run.wallSeconds / baseline.wallSeconds;
    goals.add(
        new Goal(
            goal,
            String.format(
                Locale.ROOT,
                "%.1f s vs %.1f s (%.2fx)",
                run.wallSeconds,
                baseline.wallSeconds,
                ratio),
            ratio <= times));
  }

  /** The results of one engine (any engine: null) in one measure. */
  private List<Result> find(String engine, String measure) {
    return results.stream()
        .filter(r -> (engine == null || r.engine.equals(engine)) && r.measure.equals(measure))
        .collect(Collectors.toList());
  }

  private static Map<String, Object> machine() {
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put(
        "date", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")));
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    long bytes =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize();
    machine.put("memoryGiB", Math.round(bytes / (1024.0 * 1024 * 1024)));
    machine.put("java", System.getProperty("java.version"));
    return machine;
  }

  private static String rows(long rows) {
    return rows % 1_000_000 == 0
        ? rows / 1_000_000 + "M"
        : rows % 1000 == 0 ? rows / 1000 + "k" : Long.toString(rows);
  }

  private static String times(double ratio) {
    return String.format(Locale.ROOT, "%.2fx", ratio);
  }

  private static String number(double value) {
    return value >= 100
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.3f", value);
  }
}
