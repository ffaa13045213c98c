package dev.messagelake.bench;

import dev.messagelake.audit.CheckpointFiles;
import dev.messagelake.audit.DuckDb;
import dev.messagelake.bronze.BronzeCheckpoint;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.chaos.ChildJvm;
import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.flow.LakeFlow;
import dev.messagelake.gold.GoldReports;
import dev.messagelake.maintenance.SilverCompaction;
import dev.messagelake.maintenance.SilverVacuum;
import dev.messagelake.realtime.Dashboard;
import dev.messagelake.realtime.MessageCountsTable;
import dev.messagelake.realtime.WindowCounts;
import dev.messagelake.silver.SilverJob;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.HdfsServer;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.ParquetFooters;
import dev.messagelake.storage.S3Server;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.runners.spark.SparkCommonPipelineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./run.sh bench}: our jobs and their peers (Spark Structured Streaming written against
 * Spark's own API, and DuckDB) doing the same work on the same input, on this machine, in one run.
 * Every job runs in a process of its own, watched from outside ({@link ProcessProbe}): wall time,
 * peak resident memory, CPU. Writes a markdown table and a JSON file of the results.
 *
 * <pre>
 *   producer: rows/s with the rate far above what it can write (Direct, Spark local[2])
 *   silver:   rows/s through a bronze backlog of each size; latency from a bronze file's commit
 *             to its rows committed in silver, producer at a steady rate, 5 s trigger
 *   gold:     seconds for both reports over silver of each size
 *   lake:     CPU of ./run.sh lake at its default 1 row/s
 *   quick:    wall time of --help, check and gold on a 1,000-row lake, run from the shell
 *   foreign:  silver over a bronze DuckDB wrote (large files, micros timestamps)
 *   smallfiles: silver over 20,000 bronze files of 5 rows; gold over a day of 5 s batches, and
 *             over the same after compact and vacuum
 *   storage:  silver and gold with the lake on the local disk, HDFS and S3 (s3proxy)
 *   dashboard: response times of the dashboard's JSON, many clients polling it back to back
 *   sustained: the highest producer rate silver keeps up with, producer and silver together
 * </pre>
 */
public class Benchmark {
  private static final Logger LOG = LoggerFactory.getLogger(Benchmark.class);
  static final String DIRECT = "Beam, Direct runner";
  static final String SPARK = "Beam, Spark runner";
  static final String FLINK = "Beam, Flink runner";
  static final String FLINK_CLUSTER = "Beam, Flink session cluster";
  static final String SPARK_SS = "Spark Structured Streaming";
  static final String DASHBOARD = "Dashboard over SQLite";
  static final String DUCKDB = "DuckDB";
  private static final List<String> ENGINES = List.of(DIRECT, SPARK, FLINK, SPARK_SS, DUCKDB);
  private static final Set<String> SECTIONS =
      Set.of(
          "producer",
          "silver",
          "latency",
          "gold",
          "lake",
          "quick",
          "foreign",
          "smallfiles",
          "storage",
          "flink",
          "dashboard",
          "sustained");
  static final String QUICK_HELP = "./run.sh bronze --help";
  static final String QUICK_CHECK = "./run.sh check, 1,000-row lake";
  static final String QUICK_GOLD = "./run.sh gold, 1,000-row lake";

  /** The engines of the foreign and small-files sections: ours on each runner, and the peers. */
  private static final List<String> LOCAL_ENGINES = List.of(DIRECT, SPARK, SPARK_SS, DUCKDB);

  /**
   * The benchmark's options (--sparkMaster is the Spark runner's and the Spark peer's master);
   * pipelines/bench adds the Spark master.
   */
  @Description(
      "Runs our jobs and their peers (Spark Structured Streaming, Spark SQL, DuckDB) on"
          + " the same generated lakes, in turns.\n"
          + "Writes: the tables under --results, and prints them.")
  public interface Options extends SparkCommonPipelineOptions {
    @Description(
        "Backlog sizes in rows for silver and gold, comma-separated (10000000 adds the 10M tier)")
    @Default.String("1000000")
    String getRows();

    void setRows(String value);

    @Description(
        "Runs of each engine in the silver and gold sections, taken in turns; the median"
            + " run is reported (this machine's timings vary by 10-20% from run to run)")
    @Default.Integer(3)
    int getRepeats();

    void setRepeats(int value);

    @Description(
        "Sections to run, comma-separated: producer,silver,latency,gold,lake,quick,foreign (and,"
            + " not by default, smallfiles: silver over 20,000 bronze files of 5 rows and gold over"
            + " a day of 5 s batches, also compacted; storage: silver and gold with the lake on the"
            + " local disk, on a real HDFS and on a real S3 server; flink: silver, gold and latency"
            + " on a Flink session cluster started here; dashboard: --dashboardClients polling the"
            + " dashboard's JSON back to back for --dashboardSeconds; sustained: the highest"
            + " producer rate silver keeps up with, Direct and Spark runners and Spark Structured"
            + " Streaming, --sustainedMinutes per step)")
    @Default.String("producer,silver,latency,gold,lake,quick,foreign")
    String getSections();

    void setSections(String value);

    @Description("Seconds of rows the producer is asked for, at --producerRowsPerSecond")
    @Default.Integer(2)
    int getProducerSeconds();

    void setProducerSeconds(int value);

    @Description("Rate asked of the producer: far above what it writes, so it runs flat out")
    @Default.Long(1_000_000)
    long getProducerRowsPerSecond();

    void setProducerRowsPerSecond(long value);

    @Description("Seconds the producer and silver stream run together for the latency figures")
    @Default.Integer(60)
    int getLatencySeconds();

    void setLatencySeconds(int value);

    @Description("Producer rate during the latency run, rows per second")
    @Default.Long(1000)
    long getLatencyRowsPerSecond();

    void setLatencyRowsPerSecond(long value);

    @Description(
        "Seconds ./run.sh lake runs for its CPU figure (measured from 30 s to 5 s before the end)")
    @Default.Integer(90)
    int getLakeSeconds();

    void setLakeSeconds(int value);

    @Description("Clients polling the dashboard's JSON at once in the dashboard section")
    @Default.Integer(50)
    int getDashboardClients();

    void setDashboardClients(int value);

    @Description("Seconds the dashboard section's clients poll for")
    @Default.Integer(60)
    int getDashboardSeconds();

    void setDashboardSeconds(int value);

    @Description(
        "Sustained section: minutes each step runs the producer and silver together (issue 23's"
            + " protocol: 10); fractions allowed for a short run")
    @Default.Double(10)
    double getSustainedMinutes();

    void setSustainedMinutes(double value);

    @Description(
        "Sustained section: the first rate tried, rows per second; it doubles while silver keeps"
            + " up")
    @Default.Long(2000)
    long getSustainedStartRate();

    void setSustainedStartRate(long value);

    @Description(
        "Sustained section: steps bisecting between the highest rate that kept up and the lowest"
            + " that did not, once one did not")
    @Default.Integer(3)
    int getSustainedBisections();

    void setSustainedBisections(int value);

    @Description(
        "Sustained section: at most this many steps per engine; a search cut short reports the"
            + " highest rate that kept up so far")
    @Default.Integer(10)
    int getSustainedMaxSteps();

    void setSustainedMaxSteps(int value);

    @Description(
        "Sustained section: the engines searched, comma-separated, of direct (Beam, Direct"
            + " runner), spark (Beam, Spark runner) and sparkss (Spark Structured Streaming)")
    @Default.String("direct,spark,sparkss")
    String getSustainedEngines();

    void setSustainedEngines(String value);

    @Description("Folder of the results (bench-<time>.md and .json)")
    @Default.String("bench/results")
    String getResults();

    void setResults(String value);

    @Description(
        "Document whose latest results this run replaces (below its 'generated by' line); empty:"
            + " none")
    @Default.String("docs/BENCH.md")
    String getDocument();

    void setDocument(String value);

    @Description(
        "Working folder of the lakes it builds; empty: a temporary folder, deleted at the end")
    @Default.String("")
    String getWork();

    void setWork(String value);
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("bench", args, Options.class, Benchmark::run));
  }

  public static void run(Options options) throws Exception {
    measure(options);
  }

  /** Runs the sections asked for; the report is written (and printed) even when one fails. */
  static BenchReport measure(Options options) throws Exception {
    List<Long> tiers = tiers(options.getRows());
    List<String> sections = Arrays.asList(options.getSections().split(","));
    UserError.requireAtLeast("--repeats", options.getRepeats(), 1);
    UserError.requireAtLeast("--dashboardClients", options.getDashboardClients(), 1);
    UserError.requireAtLeast("--dashboardSeconds", options.getDashboardSeconds(), 1);
    UserError.requireAtLeast("--sustainedStartRate", options.getSustainedStartRate(), 1);
    UserError.requireAtLeast("--sustainedBisections", options.getSustainedBisections(), 0);
    UserError.requireAtLeast("--sustainedMaxSteps", options.getSustainedMaxSteps(), 1);
    if (!(options.getSustainedMinutes() * 60 >= 10)) {
      throw new UserError(
          "--sustainedMinutes must be at least 10 s (0.17), got " + options.getSustainedMinutes());
    }
    sustainedEngines(options);
    for (String section : sections) {
      if (!SECTIONS.contains(section)) {
        throw new UserError("--sections: unknown section '" + section + "'; known: " + SECTIONS);
      }
    }
    Path work =
        options.getWork().isEmpty()
            ? Files.createTempDirectory("bench")
            : Path.of(options.getWork());
    LakeStorage.local().createDirectories(work);
    Benchmark bench = new Benchmark(options, work);
    try {
      if (sections.contains("producer")) {
        bench.producer(DIRECT);
        bench.producer(SPARK);
      }
      for (long rows : tiers) {
        if (sections.contains("silver")) {
          bench.silverBacklog(rows);
        }
        if (sections.contains("gold")) {
          bench.gold(rows);
        }
        if (sections.contains("storage")) {
          bench.storage(rows);
        }
      }
      if (sections.contains("latency")) {
        bench.latency(DIRECT);
        bench.latency(FLINK);
        bench.latency(SPARK_SS);
      }
      if (sections.contains("flink")) {
        bench.flinkCluster(tiers);
      }
      if (sections.contains("lake")) {
        bench.lakeCpu();
      }
      if (sections.contains("quick")) {
        bench.quickCommands();
      }
      if (sections.contains("foreign")) {
        bench.foreignBronze();
      }
      if (sections.contains("smallfiles")) {
        bench.smallFiles();
      }
      if (sections.contains("dashboard")) {
        bench.dashboard();
      }
      if (sections.contains("sustained")) {
        bench.sustained();
      }
    } finally {
      bench.report.write(Path.of(options.getResults()));
      if (!options.getDocument().isEmpty()) {
        bench.report.updateDocument(Path.of(options.getDocument()));
      }
      if (options.getWork().isEmpty()) {
        LakeStorage.local().delete(work);
      }
    }
    return bench.report;
  }

  private final Options options;
  private final Path work;
  private final PipelineDefaults defaults = PipelineDefaults.fromRunScript();
  private final BenchReport report;
  private FlinkCluster flinkCluster; // while the flink section runs

  private Benchmark(Options options, Path work) {
    this.options = options;
    this.work = work;
    this.report = new BenchReport(options.getSparkMaster());
  }

  // ---- producer ------------------------------------------------------------------------------

  /**
   * The producer asked for far more rows per second than it writes: what it writes is its ceiling.
   */
  private void producer(String engine) throws Exception {
    Path lake = fresh("producer-" + slug(engine));
    long asked = options.getProducerRowsPerSecond() * options.getProducerSeconds();
    List<String> args = new ArrayList<>(defaults.of("bronze"));
    args.addAll(runner(engine));
    args.add("--lake=" + lake);
    args.add("--rowsPerSecond=" + options.getProducerRowsPerSecond());
    args.add("--durationSeconds=" + options.getProducerSeconds());
    LOG.info(
        "bench: producer on {}: {} rows asked in {} s",
        engine,
        asked,
        options.getProducerSeconds());
    ProcessProbe.Usage usage =
        runToEnd("producer-" + slug(engine), "bronze", BronzeProducer.class, args, 1800);
    long rows = bronzeRows(new LakeLayout(lake));
    report.add(
        "producer",
        "Producer, rate unlimited",
        engine,
        0,
        rows / usage.wallSeconds,
        "rows/s",
        true,
        usage,
        String.format("%d rows in %.1f s of process", rows, usage.wallSeconds));
  }

  // ---- silver --------------------------------------------------------------------------------

  /** Each engine turns the same bronze backlog into silver; the results must agree. */
  private void silverBacklog(long rows) throws Exception {
    addSilverRuns("silver", "Silver, bronze backlog", rows, silverRuns(rows, ENGINES));
  }

  private Map<String, List<Run>> silverRuns(long rows, List<String> engines) throws Exception {
    return silverRuns(bronzeFixture(rows), "silver-" + rows, engines);
  }

  /** Each engine turns the bronze of the lake {@code bronze} into silver, in turns. */
  private Map<String, List<Run>> silverRuns(Path bronze, String name, List<String> engines)
      throws Exception {
    Path bronzeData = new LakeLayout(bronze).bronzeData();
    return inTurns(
        engines,
        (engine, repeat) -> {
          Path lake = fresh(name + "-" + slug(engine));
          // The backlog is shared, not copied: each lake's bronze folder links to it.
          Files.createSymbolicLink(lake.resolve("bronze"), bronze.resolve("bronze"));
          String label = name + "-" + slug(engine) + "-" + repeat;
          ProcessProbe.Usage usage = silverRun(engine, label, bronzeData, lake);
          long[] written = silverRows(new LakeLayout(lake));
          LakeStorage.local().delete(lake); // keeps the disk use to one silver copy at a time
          return new Run(usage, written[0] + " valid + " + written[1] + " corrupted");
        });
  }

  /** Each engine's median silver run as rows/s, and whether all of them wrote the same silver. */
  private void addSilverRuns(
      String section, String measure, long rows, Map<String, List<Run>> runs) {
    runs.forEach(
        (engine, engineRuns) -> {
          ProcessProbe.Usage usage = median(usages(engineRuns));
          report.add(
              section,
              measure,
              engine,
              rows,
              rows / usage.wallSeconds,
              "rows/s",
              true,
              usage,
              String.join(" / ", produced(engineRuns)) + " in " + runsNote(usages(engineRuns)));
        });
    report.agreement(
        section,
        rows,
        runs.entrySet().stream()
            .map(e -> e.getKey() + ": " + String.join(" / ", produced(e.getValue())))
            .collect(Collectors.toList()),
        allProducedTheSame(runs));
  }

  /** Each engine's median gold run, in seconds. */
  private void addGoldRuns(String section, String measure, long rows, Map<String, List<Run>> runs) {
    runs.forEach(
        (engine, engineRuns) -> {
          ProcessProbe.Usage usage = median(usages(engineRuns));
          report.add(
              section,
              measure,
              engine,
              rows,
              usage.wallSeconds,
              "s",
              false,
              usage,
              runsNote(usages(engineRuns)));
        });
  }

  /** One engine turns the backlog into silver in {@code lake}. */
  private ProcessProbe.Usage silverRun(String engine, String label, Path bronzeData, Path lake)
      throws Exception {
    switch (engine) {
      case SPARK_SS:
        return runToEnd(
            label,
            SparkStreamingPeer.class,
            List.of(
                "silver",
                "--bronze=" + bronzeData,
                "--silver=" + lake.resolve("silver"),
                "--checkpoint=" + lake.resolve("spark-checkpoint"),
                "--trigger=availableNow",
                "--master=" + options.getSparkMaster()),
            3600);
      case DUCKDB:
        return runToEnd(
            label,
            DuckDbPeer.class,
            List.of("silver", "--bronze=" + bronzeData, "--silver=" + lake.resolve("silver")),
            3600);
      default:
        List<String> args = new ArrayList<>(defaults.of("silver"));
        args.addAll(runner(engine));
        args.add("--lake=" + lake);
        args.add("--catchUp");
        return runToEnd(label, "silver", SilverJob.class, args, 3600);
    }
  }

  /** One run of one engine: its usage, and what it produced (compared across engines and runs). */
  private record Run(ProcessProbe.Usage usage, String produced) {}

  /** One run of {@code engine}; {@code repeat} counts from 1. */
  private interface EngineRun {
    Run run(String engine, int repeat) throws Exception;
  }

  /** Every engine --repeats times, the engines taking turns (the machine's drift falls on all). */
  private Map<String, List<Run>> inTurns(EngineRun run) throws Exception {
    return inTurns(ENGINES, run);
  }

  private Map<String, List<Run>> inTurns(List<String> engines, EngineRun run) throws Exception {
    Map<String, List<Run>> runs = new LinkedHashMap<>();
    for (int repeat = 1; repeat <= options.getRepeats(); repeat++) {
      for (String engine : engines) {
        runs.computeIfAbsent(engine, e -> new ArrayList<>()).add(run.run(engine, repeat));
      }
    }
    return runs;
  }

  private static List<ProcessProbe.Usage> usages(List<Run> runs) {
    return runs.stream().map(Run::usage).collect(Collectors.toList());
  }

  /** What the runs produced, each distinct outcome once. */
  private static Set<String> produced(List<Run> runs) {
    return runs.stream().map(Run::produced).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Every run of every engine produced the same. */
  private static boolean allProducedTheSame(Map<String, List<Run>> runs) {
    return runs.values().stream().flatMap(List::stream).map(Run::produced).distinct().count() == 1;
  }

  /** The run of median wall time (the faster of the middle two for an even count). */
  static ProcessProbe.Usage median(List<ProcessProbe.Usage> runs) {
    List<ProcessProbe.Usage> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingDouble(usage -> usage.wallSeconds));
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** "12.3 s (median of 3: 12.1, 12.3, 14.0 s)". */
  private static String runsNote(List<ProcessProbe.Usage> runs) {
    String median = String.format(Locale.ROOT, "%.1f s", median(runs).wallSeconds);
    if (runs.size() == 1) {
      return median;
    }
    return median
        + " (median of "
        + runs.size()
        + ": "
        + runs.stream()
            .map(usage -> String.format(Locale.ROOT, "%.1f", usage.wallSeconds))
            .collect(Collectors.joining(", "))
        + " s)";
  }

  /**
   * The producer at a steady rate and a silver stream at a 5 s trigger, together: for each bronze
   * file, the time from its commit (its modification time) to its batch's commit in silver.
   */
  private void latency(String engine) throws Exception {
    String label = "latency-" + slug(engine);
    Path lake = fresh(label);
    LakeLayout layout = new LakeLayout(lake);
    int seconds = options.getLatencySeconds();
    ChildJvm producer =
        startProducer(
            "latency-producer-" + slug(engine),
            lake,
            DIRECT,
            options.getLatencyRowsPerSecond(),
            seconds);
    ChildJvm stream =
        engine.equals(SPARK_SS)
            ? startSparkStreaming(label, lake, "--durationSeconds=" + (seconds + 15))
            : startSilverStream(label, lake, engine, seconds + 15);
    LOG.info(
        "bench: latency of {} at a 5 s trigger, producer at {} rows/s for {} s",
        engine,
        options.getLatencyRowsPerSecond(),
        seconds);
    ProcessProbe.Usage usage = ProcessProbe.follow(stream, seconds + 120);
    producer.waitFor(120);
    requireSuccess(label, stream, usage);

    List<CommitLags.File> files = CommitLags.of(layout.bronzeData(), commitTimes(engine, lake));
    List<Long> latencies = CommitLags.sortedLags(CommitLags.steadyState(files));
    if (latencies.isEmpty()) {
      throw new JobFailed(
          label + ": no bronze file was committed into silver; see " + stream.log());
    }
    String detail =
        String.format(
            "%d bronze files, %d published after the first commit; max %.2f s",
            files.size(), latencies.size(), latencies.get(latencies.size() - 1) / 1000.0);
    report.add(
        "latency",
        "Silver latency p50, 5 s trigger",
        engine,
        0,
        LoadLoop.percentile(latencies, 50) / 1000.0,
        "s",
        false,
        usage,
        detail);
    report.add(
        "latency",
        "Silver latency p95, 5 s trigger",
        engine,
        0,
        LoadLoop.percentile(latencies, 95) / 1000.0,
        "s",
        false,
        usage,
        detail);
  }

  /** Our producer into {@code lake} at {@code rate} for {@code seconds}, on engine's runner. */
  private ChildJvm startProducer(String label, Path lake, String engine, long rate, int seconds)
      throws Exception {
    return ChildJvm.start(
        List.of(),
        defaults.jvmOptions("bronze"),
        BronzeProducer.class,
        log(label),
        jobArgs(
            "bronze",
            engine,
            lake.toString(),
            "--rowsPerSecond=" + rate,
            "--durationSeconds=" + seconds));
  }

  /** Our silver stream over {@code lake}'s bronze, at its default 5 s trigger. */
  private ChildJvm startSilverStream(String label, Path lake, String engine, int seconds)
      throws Exception {
    return ChildJvm.start(
        List.of(),
        defaults.jvmOptions("silver"),
        SilverJob.class,
        log(label),
        jobArgs("silver", engine, lake.toString(), "--durationSeconds=" + seconds));
  }

  /** The Spark peer's silver stream over {@code lake}'s bronze, 5 s trigger, and {@code more}. */
  private ChildJvm startSparkStreaming(String label, Path lake, String... more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "silver",
                "--bronze=" + new LakeLayout(lake).bronzeData(),
                "--silver=" + lake.resolve("silver"),
                "--checkpoint=" + lake.resolve("spark-checkpoint"),
                "--trigger=5",
                "--master=" + options.getSparkMaster()));
    args.addAll(List.of(more));
    return ChildJvm.start(SparkStreamingPeer.class, log(label), args);
  }

  /** When each bronze file of {@code lake} was committed into silver, by engine's checkpoint. */
  private static Map<Path, Long> commitTimes(String engine, Path lake) {
    LakeLayout layout = new LakeLayout(lake);
    return engine.equals(SPARK_SS)
        ? SparkStreamingLog.commitTimes(lake.resolve("spark-checkpoint"), layout.bronzeData())
        : CheckpointFiles.silverCommitTimes(layout);
  }

  // ---- sustained -----------------------------------------------------------------------------

  static final String SUSTAINED = "Sustained end to end: highest rate that keeps up";
  static final String SUSTAINED_STEPS = "Sustained end to end, each step: p95 lag";

  /** After the producer's end, silver's time to commit the last files before it is stopped. */
  private static final int GRACE_SECONDS = 20;

  /** One step of the search: its rate, what it saw, and what the processes used. */
  private record Step(
      String engine,
      long rate,
      CommitLags.Verdict verdict,
      ProcessProbe.Usage usage,
      double cores) {}

  /**
   * Issue 23: for each engine, the highest producer rate silver keeps up with, producer and silver
   * running together (a {@link RateLadder} of steps, each judged by {@link CommitLags#judge}).
   */
  private void sustained() throws Exception {
    List<Step> steps = new ArrayList<>();
    try {
      for (String engine : sustainedEngines(options)) {
        RateLadder ladder =
            new RateLadder(
                options.getSustainedStartRate(),
                options.getSustainedBisections(),
                options.getSustainedMaxSteps());
        Step best = null;
        for (long rate = ladder.next(); rate > 0; rate = ladder.next()) {
          Step step = sustainedStep(engine, rate);
          ladder.record(rate, step.verdict().keptUp());
          steps.add(step);
          if (step.verdict().keptUp() && (best == null || rate > best.rate())) {
            best = step;
          }
        }
        report.add(
            "sustained",
            SUSTAINED,
            engine,
            0,
            ladder.highestKeptUp(),
            "rows/s",
            true,
            best != null ? best.usage() : new ProcessProbe.Usage(0, 0, 0, 0, List.of()),
            searchNote(ladder));
      }
    } finally {
      // Each step's own row, after the engines': a table of its own below the rates (and kept
      // when a later step fails).
      for (Step step : steps) {
        CommitLags.Verdict verdict = step.verdict();
        report.add(
            "sustained",
            SUSTAINED_STEPS,
            String.format(Locale.ROOT, "%s, %,d rows/s", step.engine(), step.rate()),
            0,
            verdict.p95(),
            "s",
            false,
            step.usage(),
            String.format(
                Locale.ROOT,
                "kept up: %s; p50 %.2f s, max %.2f s, last third p95 %.2f s; %d bronze files, %d"
                    + " after the first commit; producer %,.0f rows/s; %.2f cores",
                verdict.keptUp() ? "yes" : "**no** (" + verdict.why() + ")",
                verdict.p50(),
                verdict.max(),
                verdict.lastThirdP95(),
                verdict.files(),
                verdict.steadyFiles(),
                verdict.producedRowsPerSecond(),
                step.cores()));
      }
    }
  }

  private static final Map<String, String> SUSTAINED_ENGINES =
      Map.of("direct", DIRECT, "spark", SPARK, "sparkss", SPARK_SS);

  /** --sustainedEngines, in its order; a name it does not know is a user error. */
  static List<String> sustainedEngines(Options options) {
    List<String> engines = new ArrayList<>();
    for (String name : options.getSustainedEngines().split(",")) {
      String engine = SUSTAINED_ENGINES.get(name.trim());
      if (engine == null) {
        throw new UserError(
            "--sustainedEngines: unknown engine '"
                + name.trim()
                + "'; known: direct, spark, sparkss");
      }
      engines.add(engine);
    }
    return engines;
  }

  /** "kept up at 16,000, not at 24,000 rows/s; 7 steps of 10 min". */
  private String searchNote(RateLadder ladder) {
    String steps =
        String.format(
            Locale.ROOT, "%d steps of %s min", ladder.steps(), options.getSustainedMinutes());
    if (ladder.highestKeptUp() == 0) {
      return String.format(
          Locale.ROOT, "none kept up, down to %,d rows/s; %s", ladder.lowestFellBehind(), steps);
    }
    if (ladder.lowestFellBehind() == 0) {
      return String.format(
          Locale.ROOT,
          "every rate kept up (at least %,d rows/s: the steps ran out); %s",
          ladder.highestKeptUp(),
          steps);
    }
    return String.format(
        Locale.ROOT,
        "kept up at %,d, not at %,d rows/s; %s",
        ladder.highestKeptUp(),
        ladder.lowestFellBehind(),
        steps);
  }

  /**
   * The producer at {@code rate} and silver together for --sustainedMinutes, then silver alone for
   * a grace, then stopped. Ours run as two processes (as {@code ./run.sh bronze} and {@code
   * ./run.sh silver}), their CPU and peak RSS added; the peer is one Spark application of two
   * queries.
   */
  private Step sustainedStep(String engine, long rate) throws Exception {
    int seconds = (int) Math.round(options.getSustainedMinutes() * 60);
    String label = "sustained-" + slug(engine) + "-" + rate;
    Path lake = fresh(label);
    LakeLayout layout = new LakeLayout(lake);
    LOG.info("bench: sustained, {} at {} rows/s for {} s", engine, rate, seconds);
    ProcessProbe.Usage usage;
    double cores; // from a third into the run to the producer's end: start-up left out
    if (engine.equals(SPARK_SS)) {
      ChildJvm app =
          startSparkStreaming(
              label,
              lake,
              "--rowsPerSecond=" + rate,
              "--produceSeconds=" + seconds,
              "--graceSeconds=" + GRACE_SECONDS,
              "--bronzeCheckpoint=" + lake.resolve("spark-bronze-checkpoint"));
      usage = ProcessProbe.follow(app, seconds + GRACE_SECONDS + 600);
      requireSuccess(label, app, usage);
      cores = usage.coresBetween(seconds / 3.0, seconds);
    } else {
      ChildJvm producer = startProducer(label + "-producer", lake, engine, rate, seconds);
      // Stopped here, a grace after the producer's end; its own limit only a backstop.
      ChildJvm stream = startSilverStream(label, lake, engine, seconds + GRACE_SECONDS + 600);
      ExecutorService watchers = Executors.newFixedThreadPool(2);
      try {
        Future<ProcessProbe.Usage> producing =
            watchers.submit(() -> ProcessProbe.follow(producer, seconds + 600));
        Future<ProcessProbe.Usage> streaming =
            watchers.submit(() -> ProcessProbe.follow(stream, seconds + GRACE_SECONDS + 900));
        ProcessProbe.Usage producerUsage = producing.get();
        requireSuccess(label + "-producer", producer, producerUsage);
        Thread.sleep(GRACE_SECONDS * 1000L);
        stream.stop(120);
        ProcessProbe.Usage streamUsage = streaming.get();
        requireSuccess(label, stream, streamUsage);
        usage = ProcessProbe.Usage.together(producerUsage, streamUsage);
        cores =
            producerUsage.coresBetween(seconds / 3.0, seconds)
                + streamUsage.coresBetween(seconds / 3.0, seconds);
      } finally {
        watchers.shutdownNow();
        if (stream.isAlive()) {
          stream.kill();
        }
        if (producer.isAlive()) {
          producer.kill();
        }
      }
    }
    List<CommitLags.File> files = CommitLags.of(layout.bronzeData(), commitTimes(engine, lake));
    long rows = 0;
    for (Path file : LakeStorage.local().parquetFilesUnder(layout.bronzeData())) {
      rows += ParquetFooters.rowCount(LakeStorage.local(), file);
    }
    CommitLags.Verdict verdict = CommitLags.judge(files, rows, rate, 1);
    LOG.info(
        "bench: sustained, {} at {} rows/s: kept up {} (p95 {} s) {}",
        engine,
        rate,
        verdict.keptUp(),
        verdict.p95(),
        verdict.why());
    LakeStorage.local().delete(lake); // a step at a high rate leaves gigabytes
    return new Step(engine, rate, verdict, usage, cores);
  }

  // ---- gold ----------------------------------------------------------------------------------

  /** Each engine computes both reports over the same silver; the reports must be identical. */
  private void gold(long rows) throws Exception {
    Map<String, List<Run>> runs = goldRuns(rows, ENGINES);
    addGoldRuns("gold", "Gold, both reports", rows, runs);
    report.agreement(
        "gold",
        rows,
        List.of("reports of " + String.join(", ", runs.keySet())),
        allProducedTheSame(runs));
  }

  // ---- quick commands ------------------------------------------------------------------------

  /**
   * What a user waits for at the shell: {@code ./run.sh} itself (JVM start, class-data archive and
   * all) for --help, and for check and gold on a 1,000-row lake. The first run of each is not
   * timed: after a build it records the job's class-data archive, as a user's first run does.
   */
  private void quickCommands() throws Exception {
    Path lake = fresh("quick");
    LakeFixtures.bronze(lake, 1000, 200);
    runToEnd(
        "quick-silver",
        "silver",
        SilverJob.class,
        jobArgs("silver", DIRECT, lake.toString(), "--catchUp"),
        600);
    Map<String, List<String>> commands = new LinkedHashMap<>();
    commands.put(QUICK_HELP, List.of("bronze", "--help"));
    commands.put(QUICK_CHECK, List.of("check", "--lake=" + lake));
    commands.put(QUICK_GOLD, List.of("gold", "--lake=" + lake));
    for (Map.Entry<String, List<String>> command : commands.entrySet()) {
      String label = "quick-" + slug(command.getKey());
      LOG.info("bench: {}, a first run then {} timed", command.getKey(), options.getRepeats());
      fromShell(label + "-first", command.getValue());
      List<ProcessProbe.Usage> runs = new ArrayList<>();
      for (int repeat = 1; repeat <= options.getRepeats(); repeat++) {
        runs.add(fromShell(label + "-" + repeat, command.getValue()));
      }
      ProcessProbe.Usage usage = median(runs);
      report.add(
          "quick",
          BenchReport.QUICK,
          command.getKey(),
          0,
          usage.wallSeconds,
          "s",
          false,
          usage,
          runsNote(runs));
    }
  }

  /** {@code ./run.sh <args>} as a user runs it (their JAVA_OPTS left out), to its end. */
  private ProcessProbe.Usage fromShell(String label, List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(defaults.runScript().toString());
    command.addAll(args);
    ChildJvm process = ChildJvm.command(command, List.of("JAVA_OPTS"), log(label));
    ProcessProbe.Usage usage = ProcessProbe.follow(process, 600);
    requireSuccess(label, process, usage);
    return usage;
  }

  // ---- bronze of another engine --------------------------------------------------------------

  /**
   * Silver over a bronze DuckDB wrote: 20 files of 50,000 rows, timestamps in microseconds (our
   * producer writes small files with millis), the same rows as the 1M bronze backlog.
   */
  private void foreignBronze() throws Exception {
    long rows = 1_000_000;
    Path bronze = work.resolve("bronze-duckdb-" + rows);
    if (!Files.exists(bronze)) {
      LOG.info("bench: DuckDB rewrites the bronze backlog of {} rows into 20 files", rows);
      Path ours = new LakeLayout(bronzeFixture(rows)).bronzeData();
      written(bronze, partial -> duckDbBronze(ours, new LakeLayout(partial).bronzeData(), rows));
    }
    addSilverRuns(
        "foreign",
        BenchReport.FOREIGN_SILVER,
        rows,
        silverRuns(bronze, "foreign-silver", LOCAL_ENGINES));
  }

  /** {@code ours}'s rows as DuckDB writes them: 20 files in {@code data}, in value order. */
  private static void duckDbBronze(Path ours, Path data, long rows) {
    LakeStorage.local().createDirectories(data);
    try (DuckDb duckDb = new DuckDb()) {
      long perFile = rows / 20;
      for (int file = 0; file < 20; file++) {
        duckDb.execute(
            "COPY (SELECT * FROM "
                + DuckDb.parquetUnder(ours)
                + " WHERE \"value\" >= "
                + file * perFile
                + " AND \"value\" < "
                + (file + 1) * perFile
                + " ORDER BY \"value\") TO '"
                + data.resolve(String.format("duckdb-%02d.parquet", file)).toAbsolutePath()
                + "' (FORMAT parquet)");
      }
    }
  }

  // ---- small files ---------------------------------------------------------------------------

  /**
   * Cost that grows with rows, not files: silver over 20,000 bronze files of 5 rows; gold over a
   * day of silver as its 5 s trigger leaves it at 1 row/s (17,280 files of 5 rows), and over the
   * same rows in a few large files.
   */
  private void smallFiles() throws Exception {
    Path bronze = work.resolve("bronze-small-files");
    if (!Files.exists(bronze)) {
      LOG.info("bench: writing 20,000 bronze files of 5 rows");
      written(bronze, partial -> LakeFixtures.bronze(partial, 100_000, 5));
    }
    addSilverRuns(
        "smallfiles",
        BenchReport.SMALL_FILES_SILVER,
        100_000,
        silverRuns(bronze, "small-files-silver", LOCAL_ENGINES));
    long day = 86_400;
    Path small = work.resolve("silver-small-files");
    Path large = work.resolve("silver-large-files");
    if (!Files.exists(small) || !Files.exists(large)) {
      LOG.info("bench: writing a day of silver at 1 row/s in 5 s batches, and in large files");
      written(small, partial -> LakeFixtures.silver(partial, day, 1000, 5));
      written(large, partial -> LakeFixtures.silver(partial, day, 1000, 250_000));
    }
    // The small files compacted as ./run.sh compact does, the replaced ones vacuumed: what a lake
    // kept compacted holds, for every engine (hive-style peers included).
    Path compacted = work.resolve("silver-small-files-compacted");
    if (!Files.exists(compacted)) {
      LOG.info("bench: compacting a copy of the day of small files (compact, vacuum)");
      written(compacted, partial -> compactedCopy(small, partial));
    }
    Map<String, List<Run>> smallRuns = goldRuns(small, "small-files-gold", LOCAL_ENGINES);
    Map<String, List<Run>> largeRuns = goldRuns(large, "large-files-gold", LOCAL_ENGINES);
    Map<String, List<Run>> compactedRuns =
        goldRuns(compacted, "compacted-files-gold", LOCAL_ENGINES);
    addGoldRuns("smallfiles", BenchReport.SMALL_FILES_GOLD, day, smallRuns);
    addGoldRuns("smallfiles", BenchReport.LARGE_FILES_GOLD, day, largeRuns);
    addGoldRuns("smallfiles", BenchReport.COMPACTED_GOLD, day, compactedRuns);
    Map<String, List<Run>> both = new LinkedHashMap<>();
    smallRuns.forEach((engine, runs) -> both.put(engine + ", small files", runs));
    largeRuns.forEach((engine, runs) -> both.put(engine + ", large files", runs));
    compactedRuns.forEach((engine, runs) -> both.put(engine + ", compacted", runs));
    report.agreement(
        "smallfiles",
        day,
        List.of("reports of " + String.join(", ", smallRuns.keySet()) + ", small and large files"),
        allProducedTheSame(both));
  }

  /** A copy of the lake {@code from}, its silver compacted and vacuumed by the jobs themselves. */
  private static void compactedCopy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path copy = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(file, copy);
        }
      }
    }
    String lake = "--lake=" + to;
    if (JobLauncher.run(
                "compact",
                new String[] {lake},
                SilverCompaction.Options.class,
                SilverCompaction::run)
            != 0
        || JobLauncher.run(
                "vacuum",
                new String[] {lake, "--retainHours=0"},
                SilverVacuum.Options.class,
                SilverVacuum::run)
            != 0) {
      throw new IllegalStateException("compacting the small files' copy " + to + " failed");
    }
  }

  private Map<String, List<Run>> goldRuns(long rows, List<String> engines) throws Exception {
    return goldRuns(silverFixture(rows), "gold-" + rows, engines);
  }

  /** Each engine writes both reports of the silver of the lake {@code silver}, in turns. */
  private Map<String, List<Run>> goldRuns(Path silver, String name, List<String> engines)
      throws Exception {
    return inTurns(
        engines,
        (engine, repeat) -> {
          Path lake = fresh(name + "-" + slug(engine));
          Files.createSymbolicLink(lake.resolve("silver"), silver.resolve("silver"));
          String label = name + "-" + slug(engine) + "-" + repeat;
          Path out = lake.resolve("reports");
          ProcessProbe.Usage usage = goldRun(engine, label, lake, out);
          return new Run(
              usage,
              Files.readString(out.resolve("daily_channel_events.csv"))
                  + Files.readString(out.resolve("user_channel_activity.csv")));
        });
  }

  /** One engine writes both reports of the silver in {@code lake} as CSV files into {@code out}. */
  private ProcessProbe.Usage goldRun(String engine, String label, Path lake, Path out)
      throws Exception {
    switch (engine) {
      case SPARK_SS:
        return runToEnd(
            label,
            SparkStreamingPeer.class,
            List.of(
                "gold",
                "--silver=" + lake.resolve("silver"),
                "--out=" + out,
                "--master=" + options.getSparkMaster()),
            3600);
      case DUCKDB:
        return runToEnd(
            label,
            DuckDbPeer.class,
            List.of("gold", "--silver=" + lake.resolve("silver"), "--out=" + out),
            3600);
      default:
        List<String> args = new ArrayList<>(defaults.of("gold"));
        args.addAll(runner(engine));
        args.add("--lake=" + lake);
        ProcessProbe.Usage usage =
            runToEnd(
                label, defaults.jvmOptions("gold", lake.toString()), GoldReports.class, args, 3600);
        LakeLayout layout = new LakeLayout(lake);
        LakeStorage.local().createDirectories(out);
        Files.copy(
            onlyFile(layout.goldDailyChannelEvents()), out.resolve("daily_channel_events.csv"));
        Files.copy(
            onlyFile(layout.goldUserChannelActivity()), out.resolve("user_channel_activity.csv"));
        return usage;
    }
  }

  /** A lake holding a bronze backlog of {@code rows} rows (written once per work folder). */
  private Path bronzeFixture(long rows) throws Exception {
    Path bronze = work.resolve("bronze-" + rows);
    if (!Files.exists(bronze)) {
      LOG.info("bench: writing a bronze backlog of {} rows", rows);
      written(bronze, partial -> LakeFixtures.bronze(partial, rows, 10_000));
    }
    return bronze;
  }

  /**
   * Writes a fixture beside {@code lake}, then renames it there: a bench stopped half way leaves no
   * half fixture.
   */
  private static void written(Path lake, Fixture fixture) throws Exception {
    Path partial = lake.resolveSibling(lake.getFileName() + ".partial");
    LakeStorage.local().delete(partial);
    fixture.write(partial);
    Files.move(partial, lake, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private interface Fixture {
    void write(Path lake) throws Exception;
  }

  /** A lake holding a silver of {@code rows} rows (written once per work folder). */
  private Path silverFixture(long rows) throws Exception {
    Path silver = work.resolve("silver-fixture-" + rows);
    if (!Files.exists(silver)) {
      LOG.info("bench: writing silver of {} rows", rows);
      written(silver, partial -> LakeFixtures.silver(partial, rows, 250));
    }
    return silver;
  }

  // ---- flink ---------------------------------------------------------------------------------

  /**
   * Silver's catch-up and gold on a Flink session cluster started here (./run.sh flink), in turns
   * with the embedded Flink runner, then silver's latency with every micro-batch a cluster job.
   */
  private void flinkCluster(List<Long> tiers) throws Exception {
    try (FlinkCluster cluster = FlinkCluster.start(work.resolve("flink-cluster"))) {
      flinkCluster = cluster;
      List<String> engines = List.of(FLINK, FLINK_CLUSTER);
      for (long rows : tiers) {
        addSilverRuns(
            "flink",
            "Silver on Flink, embedded vs session cluster",
            rows,
            silverRuns(rows, engines));
        Map<String, List<Run>> gold = goldRuns(rows, engines);
        addGoldRuns("flink", "Gold on Flink, embedded vs session cluster", rows, gold);
        report.agreement(
            "flink",
            rows,
            List.of("reports of " + String.join(", ", gold.keySet())),
            allProducedTheSame(gold));
      }
      latency(FLINK_CLUSTER);
    } finally {
      flinkCluster = null;
    }
  }

  // ---- storage -------------------------------------------------------------------------------

  /**
   * Silver's catch-up and gold on the same input, the lake on the local disk, on a real HDFS
   * (./run.sh hdfs's NameNode and DataNode) and on a real S3 API server (./run.sh s3's s3proxy),
   * all on this machine, on each runner, in turns.
   */
  private void storage(long rows) throws Exception {
    Path bronze = bronzeFixture(rows);
    Path silver = silverFixture(rows);
    try (HdfsServer hdfs = HdfsServer.start(work.resolve("hdfs-" + rows));
        S3Server s3 = S3Server.start(work.resolve("s3-" + rows));
        FileSystem s3fs =
            FileSystem.newInstance(URI.create("s3a://lake"), s3.hadoopConfiguration())) {
      List<String> client = List.of("env", "HADOOP_CONF_DIR=" + hdfs.folder().resolve("conf"));
      List<String> s3Client = List.of("env", "HADOOP_CONF_DIR=" + s3.conf());
      org.apache.hadoop.fs.Path bronzeOnHdfs = new org.apache.hadoop.fs.Path("/fixtures/bronze");
      org.apache.hadoop.fs.Path silverOnHdfs = new org.apache.hadoop.fs.Path("/fixtures/silver");
      try (FileSystem fs = hdfs.client()) {
        fs.copyFromLocalFile(
            new org.apache.hadoop.fs.Path(bronze.resolve("bronze").toUri()), bronzeOnHdfs);
        fs.copyFromLocalFile(
            new org.apache.hadoop.fs.Path(silver.resolve("silver").toUri()), silverOnHdfs);
        Map<String, List<Run>> silverRuns = new LinkedHashMap<>();
        Map<String, List<Run>> goldRuns = new LinkedHashMap<>();
        for (int repeat = 1; repeat <= options.getRepeats(); repeat++) {
          for (String engine : List.of(DIRECT, SPARK)) {
            String label = slug(engine) + "-" + rows + "-" + repeat;
            // local disk: the fixtures linked in, as in the silver and gold sections
            Path lake = fresh("storage-local-" + slug(engine));
            Files.createSymbolicLink(lake.resolve("bronze"), bronze.resolve("bronze"));
            ProcessProbe.Usage usage =
                runToEnd(
                    "storage-silver-local-" + label,
                    "silver",
                    SilverJob.class,
                    jobArgs("silver", engine, lake.toString(), "--catchUp"),
                    3600);
            long[] written = silverRows(new LakeLayout(lake));
            silverRuns
                .computeIfAbsent(engine + ", local disk", e -> new ArrayList<>())
                .add(new Run(usage, written[0] + " valid + " + written[1] + " corrupted"));
            LakeStorage.local().delete(lake);
            lake = fresh("storage-local-gold-" + slug(engine));
            Files.createSymbolicLink(lake.resolve("silver"), silver.resolve("silver"));
            goldRuns
                .computeIfAbsent(engine + ", local disk", e -> new ArrayList<>())
                .add(
                    new Run(
                        goldOn(lake.toString(), "storage-gold-local-" + label, engine, List.of()),
                        ""));
            LakeStorage.local().delete(lake);
            // HDFS: the fixtures moved into the lake by a rename, and back after the run
            String hdfsLake = hdfs.uri() + "/storage-" + slug(engine);
            org.apache.hadoop.fs.Path lakeOnHdfs = new org.apache.hadoop.fs.Path(hdfsLake);
            fs.delete(lakeOnHdfs, true);
            fs.mkdirs(lakeOnHdfs);
            fs.rename(bronzeOnHdfs, new org.apache.hadoop.fs.Path(lakeOnHdfs, "bronze"));
            usage =
                runToEnd(
                    "storage-silver-hdfs-" + label,
                    client,
                    defaults.jvmOptions("silver"),
                    SilverJob.class,
                    jobArgs("silver", engine, hdfsLake, "--catchUp"),
                    3600);
            written = silverRowsOn(hdfsLake);
            silverRuns
                .computeIfAbsent(engine + ", HDFS", e -> new ArrayList<>())
                .add(new Run(usage, written[0] + " valid + " + written[1] + " corrupted"));
            fs.rename(new org.apache.hadoop.fs.Path(lakeOnHdfs, "bronze"), bronzeOnHdfs);
            fs.delete(new org.apache.hadoop.fs.Path(lakeOnHdfs, "silver"), true);
            fs.rename(silverOnHdfs, new org.apache.hadoop.fs.Path(lakeOnHdfs, "silver"));
            goldRuns
                .computeIfAbsent(engine + ", HDFS", e -> new ArrayList<>())
                .add(new Run(goldOn(hdfsLake, "storage-gold-hdfs-" + label, engine, client), ""));
            fs.rename(new org.apache.hadoop.fs.Path(lakeOnHdfs, "silver"), silverOnHdfs);
            fs.delete(lakeOnHdfs, true);
            // S3: the fixtures copied in (a rename is a copy there too); silver writes in place
            String key = "storage-" + slug(engine) + "-" + repeat;
            org.apache.hadoop.fs.Path lakeOnS3 = new org.apache.hadoop.fs.Path("s3a://lake/" + key);
            s3fs.copyFromLocalFile(
                false,
                true,
                new org.apache.hadoop.fs.Path(bronze.resolve("bronze").toUri()),
                new org.apache.hadoop.fs.Path(lakeOnS3, "bronze"));
            usage =
                runToEnd(
                    "storage-silver-s3-" + label,
                    s3Client,
                    defaults.jvmOptions("silver"),
                    SilverJob.class,
                    jobArgs("silver", engine, lakeOnS3.toString(), "--catchUp"),
                    3600);
            written = silverRowsThroughLog(new LakeLayout(s3.objects(key)));
            silverRuns
                .computeIfAbsent(engine + ", S3", e -> new ArrayList<>())
                .add(new Run(usage, written[0] + " valid + " + written[1] + " corrupted"));
            s3fs.delete(lakeOnS3, true);
            s3fs.copyFromLocalFile(
                false,
                true,
                new org.apache.hadoop.fs.Path(silver.resolve("silver").toUri()),
                new org.apache.hadoop.fs.Path(lakeOnS3, "silver"));
            goldRuns
                .computeIfAbsent(engine + ", S3", e -> new ArrayList<>())
                .add(
                    new Run(
                        goldOn(lakeOnS3.toString(), "storage-gold-s3-" + label, engine, s3Client),
                        ""));
            s3fs.delete(lakeOnS3, true);
          }
        }
        addSilverRuns("storage", "Silver, local disk vs HDFS vs S3", rows, silverRuns);
        addGoldRuns("storage", "Gold, local disk vs HDFS vs S3", rows, goldRuns);
      }
    }
  }

  /** A job's pipelines/ defaults, its runner's options, the lake and {@code more}. */
  private List<String> jobArgs(String job, String engine, String lake, String... more) {
    List<String> args = new ArrayList<>(defaults.of(job));
    args.addAll(runner(engine));
    args.add("--lake=" + lake);
    args.addAll(List.of(more));
    return args;
  }

  private ProcessProbe.Usage goldOn(String lake, String label, String engine, List<String> prefix)
      throws Exception {
    return runToEnd(
        label,
        prefix,
        defaults.jvmOptions("gold", lake),
        GoldReports.class,
        jobArgs("gold", engine, lake),
        3600);
  }

  /** Silver's valid and corrupted rows on a lake on HDFS, from the footers. */
  /** Valid and corrupted rows the newest versions of the silver tables' Delta logs list. */
  private static long[] silverRowsThroughLog(LakeLayout layout) {
    long[] rows = new long[2];
    for (int i = 0; i < 2; i++) {
      for (Path file : SilverTables.readableFiles(layout, layout.silverTables().get(i))) {
        rows[i] += ParquetFooters.rowCount(layout.storage(), file);
      }
    }
    return rows;
  }

  private static long[] silverRowsOn(String lake) {
    LakeOptions options = PipelineOptionsFactory.as(LakeOptions.class);
    options.setLake(lake);
    LakeLayout layout = LakeLayout.of(options);
    long[] rows = new long[2];
    for (int i = 0; i < 2; i++) {
      for (Path file : layout.storage().parquetFilesUnder(layout.silverTables().get(i))) {
        rows[i] += ParquetFooters.rowCount(layout.storage(), file);
      }
    }
    return rows;
  }

  // ---- dashboard -----------------------------------------------------------------------------

  /**
   * The dashboard's JSON under load: --dashboardClients clients poll /api/summary back to back for
   * --dashboardSeconds, in turn as the page asks (its default minutes) and with minutes=60. The
   * dashboard runs in this JVM, on 127.0.0.1, over SQLite holding a day of counts.
   */
  private void dashboard() throws Exception {
    Path lake = fresh("dashboard");
    Dashboard.Options served =
        JobLauncher.parse(List.of("--lake=" + lake, "--port=0"), Dashboard.Options.class);
    int rows = dayOfCounts(served);
    int clients = options.getDashboardClients();
    int seconds = options.getDashboardSeconds();
    com.sun.management.OperatingSystemMXBean jvm =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    LoadLoop.Result load;
    double cpuSeconds;
    try (Dashboard dashboard = Dashboard.start(served)) {
      String summary = "http://127.0.0.1:" + dashboard.port() + "/api/summary";
      LOG.info("bench: {} clients polling {} back to back for {} s", clients, summary, seconds);
      long cpuBefore = jvm.getProcessCpuTime();
      load =
          LoadLoop.run(
              List.of(URI.create(summary), URI.create(summary + "?minutes=60")), clients, seconds);
      cpuSeconds = (jvm.getProcessCpuTime() - cpuBefore) / 1e9;
    }
    // CPU and memory are the bench's own JVM's: the clients and the dashboard together.
    ProcessProbe.Usage usage =
        new ProcessProbe.Usage(
            0,
            load.seconds(),
            cpuSeconds,
            ProcessProbe.status(ProcessHandle.current().pid(), "VmHWM") / 1024,
            List.of());
    String detail =
        String.format(
            Locale.ROOT,
            "%d clients for %d s: %,d requests, %d errors%s; %,d rows of counts (a day)",
            clients,
            seconds,
            load.requests(),
            load.errors(),
            load.errors() > 0 ? " (first: " + load.firstError() + ")" : "",
            rows);
    Map<String, Double> times = new LinkedHashMap<>();
    times.put("p50", load.p50());
    times.put("p95", load.p95());
    times.put("p99", load.p99());
    times.put("max", load.max());
    times.forEach(
        (figure, millis) ->
            report.add(
                "dashboard",
                BenchReport.DASHBOARD_TIME,
                DASHBOARD + ", " + figure,
                0,
                millis,
                "ms",
                false,
                usage,
                detail));
    report.add(
        "dashboard",
        BenchReport.DASHBOARD_RATE,
        DASHBOARD,
        0,
        load.requestsPerSecond(),
        "requests/s",
        true,
        usage,
        detail);
    report.add(
        "dashboard",
        BenchReport.DASHBOARD_ERRORS,
        DASHBOARD,
        0,
        load.errors(),
        "errors",
        false,
        usage,
        detail);
  }

  /**
   * A day of counts up to the present minute, as the realtime job leaves them at its default 60 s
   * windows: per window, the valid event types, the channels, the countries and the quality.
   */
  private static int dayOfCounts(Dashboard.Options options) throws Exception {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put(WindowCounts.EVENT_TYPE, List.of("CLICKED", "CREATED", "OPEN", "RECEIVED", "SENT"));
    keys.put(WindowCounts.CHANNEL, List.of("CHAT", "EMAIL", "OTHER", "PUSH", "SMS"));
    List<String> countries = new ArrayList<>(Countries.bundled().values());
    countries.add(WindowCounts.UNKNOWN_COUNTRY);
    keys.put(WindowCounts.COUNTRY, countries);
    keys.put(WindowCounts.QUALITY, List.of(WindowCounts.VALID, WindowCounts.CORRUPTED));
    String insert =
        "INSERT INTO "
            + MessageCountsTable.TABLE
            + " ("
            + String.join(", ", MessageCountsTable.SCHEMA.getFieldNames())
            + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
    MessageCountsTable.create(options);
    long now = System.currentTimeMillis();
    long minute = now / 60_000 * 60_000;
    Random random = new Random(23);
    int rows = 0;
    try (Connection connection = MessageCountsTable.connect(options);
        PreparedStatement statement = connection.prepareStatement(insert)) {
      connection.setAutoCommit(false);
      for (long window = minute - 1439 * 60_000L; window <= minute; window += 60_000) {
        long events = 50_000 + random.nextInt(20_000); // about 1,000 events/s
        for (Map.Entry<String, List<String>> dimension : keys.entrySet()) {
          for (String key : dimension.getValue()) {
            Object[] values = {
              window,
              dimension.getKey(),
              key,
              (long) random.nextInt((int) (2 * events / dimension.getValue().size()) + 1),
              events,
              Math.min(now, window + 59_999),
              Math.min(now, window + 60_000)
            };
            for (int i = 0; i < values.length; i++) {
              statement.setObject(i + 1, values[i]);
            }
            statement.addBatch();
            rows++;
          }
        }
        statement.executeBatch();
      }
      connection.commit();
    }
    return rows;
  }

  // ---- lake demo -----------------------------------------------------------------------------

  /** CPU of the default demo at 1 row/s, in its steady state (after start-up, before the end). */
  private void lakeCpu() throws Exception {
    Path lake = fresh("lake");
    int seconds = options.getLakeSeconds();
    List<String> args = new ArrayList<>(defaults.of("lake"));
    args.add("--lake=" + lake);
    args.add("--durationSeconds=" + seconds);
    LOG.info("bench: ./run.sh lake at its default rate for {} s", seconds);
    ChildJvm process =
        ChildJvm.start(List.of(), defaults.jvmOptions("lake"), LakeFlow.class, log("lake"), args);
    ProcessProbe.Usage usage = ProcessProbe.follow(process, seconds + 600);
    requireSuccess("lake", process, usage);
    double cores = usage.coresBetween(30, seconds - 5);
    report.add(
        "lake",
        "./run.sh lake at 1 row/s, CPU in steady state",
        DIRECT,
        0,
        cores,
        "cores",
        false,
        usage,
        String.format("from 30 s to %d s of a %d s run", seconds - 5, seconds));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** A peer, run with this JVM's flags. */
  private ProcessProbe.Usage runToEnd(
      String label, Class<?> main, List<String> args, long timeoutSeconds) throws Exception {
    return runToEnd(label, List.of(), main, args, timeoutSeconds);
  }

  /**
   * One of our jobs, run with the JVM flags of its {@code pipelines/<job>} file, as run.sh runs it.
   */
  private ProcessProbe.Usage runToEnd(
      String label, String job, Class<?> main, List<String> args, long timeoutSeconds)
      throws Exception {
    return runToEnd(label, defaults.jvmOptions(job), main, args, timeoutSeconds);
  }

  private ProcessProbe.Usage runToEnd(
      String label, List<String> jvmOptions, Class<?> main, List<String> args, long timeoutSeconds)
      throws Exception {
    return runToEnd(label, List.of(), jvmOptions, main, args, timeoutSeconds);
  }

  /** The same under a wrapper command ({@code env VAR=value}, which execs the JVM). */
  private ProcessProbe.Usage runToEnd(
      String label,
      List<String> prefix,
      List<String> jvmOptions,
      Class<?> main,
      List<String> args,
      long timeoutSeconds)
      throws Exception {
    ChildJvm process = ChildJvm.start(prefix, jvmOptions, main, log(label), args);
    ProcessProbe.Usage usage = ProcessProbe.follow(process, timeoutSeconds);
    requireSuccess(label, process, usage);
    LOG.info(
        "bench: {} done in {} s, peak RSS {} MB",
        label,
        String.format("%.1f", usage.wallSeconds),
        usage.peakRssMb);
    return usage;
  }

  private static void requireSuccess(String label, ChildJvm process, ProcessProbe.Usage usage) {
    if (usage.exitCode != 0 && usage.exitCode != 143) {
      throw new JobFailed(
          label
              + " exited with code "
              + usage.exitCode
              + "; the end of "
              + process.log()
              + ":\n"
              + process.logTail(20));
    }
  }

  private List<String> runner(String engine) {
    switch (engine) {
      case SPARK:
        return List.of("--runner=SparkRunner", "--sparkMaster=" + options.getSparkMaster());
      case FLINK:
        return List.of("--runner=FlinkRunner", "--flinkMaster=[local]");
      case FLINK_CLUSTER:
        if (flinkCluster == null) {
          throw new IllegalStateException("no Flink session cluster is running");
        }
        return flinkCluster.runnerOptions();
      default:
        return List.of();
    }
  }

  private Path fresh(String name) {
    Path lake = work.resolve(name);
    LakeStorage.local().delete(lake);
    LakeStorage.local().createDirectories(lake);
    return lake;
  }

  private Path log(String label) {
    return work.resolve("logs").resolve(label + ".log");
  }

  private static String slug(String engine) {
    return engine.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
  }

  private static long bronzeRows(LakeLayout layout) {
    long rows = 0;
    for (Path file : LakeStorage.local().listFiles(layout.bronzeData())) {
      long[] values = BronzeCheckpoint.valuesInName(file.getFileName().toString());
      if (values != null) {
        rows += values[1] - values[0] + 1;
      }
    }
    return rows;
  }

  /** Valid and corrupted rows of a lake's silver, as DuckDB reads them. */
  private static long[] silverRows(LakeLayout layout) {
    try (DuckDb duckDb = new DuckDb()) {
      return new long[] {
        count(duckDb, layout.silverMessagesData()), count(duckDb, layout.silverCorruptedData())
      };
    }
  }

  private static long count(DuckDb duckDb, Path table) {
    if (LakeStorage.local().parquetFilesUnder(table).isEmpty()) {
      return 0;
    }
    return ((Number) duckDb.rows("SELECT count(*) FROM " + DuckDb.silverTable(table)).get(0).get(0))
        .longValue();
  }

  private static Path onlyFile(Path folder) {
    List<Path> files = LakeStorage.local().listFiles(folder);
    if (files.size() != 1) {
      throw new JobFailed(folder + " holds " + files.size() + " files, not one report");
    }
    return files.get(0);
  }

  private static List<Long> tiers(String rows) {
    List<Long> tiers = new ArrayList<>();
    for (String tier : rows.split(",")) {
      try {
        long value = Long.parseLong(tier.trim());
        UserError.requireAtLeast("--rows", value, 1000);
        tiers.add(value);
      } catch (NumberFormatException e) {
        throw new UserError("--rows: '" + tier + "' is not a number of rows");
      }
    }
    return tiers;
  }
}
