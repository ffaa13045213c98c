package dev.messagelake.soak;

import dev.messagelake.bench.PipelineDefaults;
import dev.messagelake.bench.ProcessProbe;
import dev.messagelake.chaos.ChildJvm;
import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.StopSignal;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.flow.LakeFlow;
import dev.messagelake.storage.FreePorts;
import dev.messagelake.storage.KafkaServer;
import dev.messagelake.storage.LakeStorage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./run.sh soak}: the lake with its realtime path and dashboard ({@code ./run.sh lake
 * --realtime}) for a long while at a steady rate, on the project's own Kafka broker, both watched
 * from outside every few seconds: resident memory, heap after GC, open files, threads, the files of
 * each checkpoint folder, the dashboard's response time. At the end a table, a chart per series and
 * a verdict per series: flat or growing ({@link Trend}). A growing series is a finding, not a
 * failure: the exit code is 1 only when the lake died or its own final check failed.
 */
public class Soak {
  private static final Logger LOG = LoggerFactory.getLogger(Soak.class);
  // The lake's catch-up, check and gold after the run: seconds on a lake of an hour at 100/s.
  private static final long FINISH_TIMEOUT_SECONDS = 1800;
  private static final String CHECK_PASSED = "OK: bronze reconciles with silver";
  private static final java.util.Set<String> OWN_OPTIONS =
      java.util.Set.of(
          "--minutes",
          "--rowsPerSecond",
          "--sampleSeconds",
          "--logRetentionSeconds",
          "--work",
          "--report");

  /** The soak's options. */
  @Description(
      "Runs ./run.sh lake --realtime (publisher -> Kafka -> bronze, silver, realtime counts,"
          + " dashboard) on a broker of its own for --minutes, sampling the lake's and the"
          + " broker's JVMs (RSS, heap after GC, open files, threads), the files of the lake's"
          + " checkpoint folders and the dashboard's /api/summary time every --sampleSeconds;"
          + " then writes a table, a chart per series and a verdict per series (flat or growing,"
          + " with its slope per hour over the second half) to --report.\n"
          + "Exit code 0 when the run completed (a growing series is a finding), 1 when the lake"
          + " died or its final check failed, 2 on a usage error, 130 when stopped by Ctrl-C.\n"
          + "Options not its own (the runner options below) go to the lake.")
  public interface Options extends PipelineOptions {
    @Description("How long the lake runs, in minutes (fractions allowed: 0.5 is 30 s)")
    @Default.Double(60)
    double getMinutes();

    void setMinutes(double value);

    @Description("Rows per second the lake's publisher sends")
    @Default.Long(100)
    long getRowsPerSecond();

    void setRowsPerSecond(long value);

    @Description(
        "Seconds between two samples; a JVM's open files and threads are the mean of a read each"
            + " second since the previous sample")
    @Default.Integer(10)
    int getSampleSeconds();

    void setSampleSeconds(int value);

    @Description(
        "Seconds of history silver's logs keep, passed to the lake as its --logRetentionHours (the"
            + " Delta logs) and --checkpointCleanupDelaySeconds (the checkpoint's compacted"
            + " entries): short, so a run of minutes shows where each log levels off")
    @Default.Integer(60)
    int getLogRetentionSeconds();

    void setLogRetentionSeconds(int value);

    @Description(
        "Folder of the run: the lake, the broker's data and logs, the lake's log, and the report"
            + " unless --report says otherwise; absent or empty. Empty: target/soak in the"
            + " project, emptied at every start")
    @Default.String("")
    String getWork();

    void setWork(String value);

    @Description(
        "Folder the report goes to: soak.md (the table and verdicts), soak.html (a chart per"
            + " series), samples.csv; empty: <work>/report")
    @Default.String("")
    String getReport();

    void setReport(String value);
  }

  public static void main(String[] args) {
    List<String> lakeOptions = new ArrayList<>();
    for (String arg : JobLauncher.lastOneWins(args)) {
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (arg.startsWith("--") && !OWN_OPTIONS.contains(name)) {
        lakeOptions.add(arg);
      }
    }
    System.exit(
        JobLauncher.run(
            "soak",
            args,
            Options.class,
            options -> {
              Result result = run(options, lakeOptions);
              if (result.exitCode != 0) {
                throw new JobFailed(result.failure, result.exitCode);
              }
            }));
  }

  /** What a soak saw; {@code exitCode} 0 when the run completed, whatever the verdicts. */
  public static final class Result {
    public final Samples samples;
    public final Map<String, Trend> trends = new LinkedHashMap<>();
    public final List<Path> reportFiles = new ArrayList<>();
    public long lakePid = -1;
    public long brokerPid = -1;
    public final List<Long> leftBehind = new ArrayList<>();
    public int exitCode;
    public String failure = "";

    Result(Samples samples) {
      this.samples = samples;
    }

    /** The verdict on one series ({@link Trend#FLAT} or {@link Trend#GROWING}). */
    public String verdict(String series) {
      return trends.get(series).verdict;
    }
  }

  /** Runs the soak; {@code lakeOptions} go to the lake after its own (a runner, say). */
  public static Result run(Options options, List<String> lakeOptions) throws Exception {
    if (!(options.getMinutes() > 0)) {
      throw new UserError("--minutes must be more than 0, got " + options.getMinutes());
    }
    UserError.requireAtLeast("--rowsPerSecond", options.getRowsPerSecond(), 1);
    UserError.requireAtLeast("--sampleSeconds", options.getSampleSeconds(), 1);
    UserError.requireAtLeast("--logRetentionSeconds", options.getLogRetentionSeconds(), 0);
    long durationSeconds = Math.max(1, Math.round(options.getMinutes() * 60));
    Path work = workFolder(options.getWork());
    Path reportFolder =
        options.getReport().isEmpty()
            ? work.resolve("report")
            : Path.of(options.getReport()).toAbsolutePath().normalize();
    LakeLayout lake = new LakeLayout(work.resolve("lake"));
    Samples samples = new Samples(Samples.seriesNames(checkpointFolders(lake).keySet()));
    Result result = new Result(samples);
    Running running = new Running();
    // A second Ctrl-C, or one outside the sampling, ends this JVM at once: the hook still stops
    // the lake and the broker.
    Thread hook = new Thread(running::stopAll, "soak-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean stopped = false;
    try {
      running.broker = KafkaServer.onFreePorts(work);
      running.broker.start();
      result.brokerPid = running.broker.pid().orElse(-1);
      int dashboardPort = FreePorts.one();
      PipelineDefaults defaults = PipelineDefaults.fromRunScript();
      List<String> args = new ArrayList<>(defaults.of("lake"));
      args.addAll(
          List.of(
              "--lake=" + lake.root(),
              "--realtime",
              "--durationSeconds=" + durationSeconds,
              "--rowsPerSecond=" + options.getRowsPerSecond(),
              "--dashboardPort=" + dashboardPort,
              "--kafkaBootstrapServers=" + running.broker.bootstrapServers(),
              "--logRetentionHours=" + options.getLogRetentionSeconds() / 3600.0,
              "--checkpointCleanupDelaySeconds=" + options.getLogRetentionSeconds()));
      args.addAll(lakeOptions);
      Path lakeLog = work.resolve("lake.log");
      System.out.printf(
          "soak: the lake --realtime at %d rows/s for %s, a sample every %d s; broker pid %d on"
              + " %s; lake log %s; report to %s%n",
          options.getRowsPerSecond(),
          durationSeconds + " s",
          options.getSampleSeconds(),
          result.brokerPid,
          running.broker.bootstrapServers(),
          lakeLog,
          reportFolder);
      running.lake =
          ChildJvm.start(List.of(), defaults.jvmOptions("lake"), LakeFlow.class, lakeLog, args);
      result.lakePid = running.lake.pid();
      stopped =
          sample(
              options.getSampleSeconds(),
              durationSeconds,
              running.lake,
              result.brokerPid,
              dashboardPort,
              lake,
              samples);
      if (!running.lake.isAlive() && !stopped) {
        result.failure =
            "the lake exited with "
                + running.lake.exitValue()
                + " while it should have been running; the end of "
                + lakeLog
                + ":\n"
                + running.lake.logTail(30);
      } else {
        LOG.info("soak: sampling done; the lake's catch-up, check and gold");
        int exit =
            stopped
                ? running.lake.stop(FINISH_TIMEOUT_SECONDS)
                : running.lake.waitFor(FINISH_TIMEOUT_SECONDS);
        String log = Files.readString(lakeLog);
        if (exit != 0 || !log.contains(CHECK_PASSED)) {
          result.failure =
              "the lake exited with "
                  + exit
                  + (log.contains(CHECK_PASSED) ? "" : " without its check passing")
                  + "; the end of "
                  + lakeLog
                  + ":\n"
                  + running.lake.logTail(30);
        }
      }
    } catch (Exception e) {
      result.failure = "failed: " + e;
      throw e;
    } finally {
      running.stopAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // a signal is ending the JVM: the hook runs, and finds everything stopped
      }
      for (long pid : new long[] {result.lakePid, result.brokerPid}) {
        if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          result.leftBehind.add(pid);
        }
      }
    }

    for (String series : samples.series) {
      result.trends.put(series, Trend.of(samples.seconds(), samples.column(series)));
    }
    String table = SoakReport.markdown(samples, result.trends, options, durationSeconds);
    System.out.println(table);
    result.reportFiles.addAll(
        SoakReport.write(reportFolder, table, samples, result.trends, options, durationSeconds));
    System.out.println("soak: report in " + reportFolder);
    if (!result.leftBehind.isEmpty()) {
      result.failure += " processes left behind: " + result.leftBehind;
    }
    if (!result.failure.isEmpty()) {
      result.exitCode = JobLauncher.FAILED;
    } else if (stopped) {
      result.exitCode = JobLauncher.STOPPED;
      result.failure = "stopped by a signal after " + samples.size() + " samples";
    }
    return result;
  }

  /**
   * Samples every {@code sampleSeconds} for {@code durationSeconds} while the lake runs; true when
   * a Ctrl-C or SIGTERM ended it early.
   */
  private static boolean sample(
      int sampleSeconds,
      long durationSeconds,
      ChildJvm lakeJvm,
      long brokerPid,
      int dashboardPort,
      LakeLayout lake,
      Samples samples)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    StopSignal stop = StopSignal.onShutdown(FINISH_TIMEOUT_SECONDS * 1000);
    ProcessCounts lakeCounts = new ProcessCounts(lakeJvm.pid());
    ProcessCounts brokerCounts = new ProcessCounts(brokerPid);
    try (HeapProbe lakeHeap = new HeapProbe(lakeJvm.pid());
        HeapProbe brokerHeap = new HeapProbe(brokerPid)) {
      long started = System.nanoTime();
      long nextRead = started;
      for (long k = 0; k * sampleSeconds <= durationSeconds; k++) {
        long due = started + k * sampleSeconds * 1_000_000_000L;
        // In short steps: a Ctrl-C is passed on to the lake within the second the lake itself
        // takes as one request with it (StopSignal), not as a second one.
        while (System.nanoTime() < due) {
          if (stop.requested()) {
            return true;
          }
          if (System.nanoTime() >= nextRead) {
            lakeCounts.read();
            brokerCounts.read();
            nextRead += ProcessCounts.READ_EVERY_MILLIS * 1_000_000L;
          }
          long wait = Math.min(due, nextRead) - System.nanoTime();
          if (lakeJvm.awaitExit(Math.min(200, Math.max(0, wait) / 1_000_000 + 1))) {
            return false;
          }
        }
        if (stop.requested()) {
          return true;
        }
        double second = (System.nanoTime() - started) / 1e9;
        Map<String, Double> values = new LinkedHashMap<>();
        process("lake", lakeJvm.pid(), lakeHeap, lakeCounts, values);
        process("broker", brokerPid, brokerHeap, brokerCounts, values);
        values.put(Samples.DASHBOARD, dashboardMillis(http, dashboardPort));
        checkpointFolders(lake).forEach((name, folder) -> values.put(name, filesUnder(folder)));
        samples.add(second, values);
        if (k % Math.max(1, 60 / sampleSeconds) == 0) {
          LOG.info("soak: {} s: {}", Math.round(second), values);
        }
      }
      return false;
    } finally {
      stop.done();
    }
  }

  private static void process(
      String name, long pid, HeapProbe heap, ProcessCounts counts, Map<String, Double> values) {
    values.put(name + Samples.RSS, megabytes(ProcessProbe.status(pid, "VmRSS")));
    values.put(name + Samples.HEAP, heap.heapAfterGcMb());
    counts.read();
    values.put(name + Samples.FDS, counts.meanFds());
    values.put(name + Samples.THREADS, counts.meanThreads());
    counts.reset();
  }

  private static double megabytes(long kb) {
    return kb < 0 ? Double.NaN : kb / 1024.0;
  }

  /** Milliseconds for one GET /api/summary; NaN while the dashboard does not answer 200. */
  private static double dashboardMillis(HttpClient http, int port) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/summary"))
            .timeout(Duration.ofSeconds(10))
            .build();
    long began = System.nanoTime();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? (System.nanoTime() - began) / 1e6 : Double.NaN;
    } catch (IOException e) {
      return Double.NaN; // not up yet, or no answer in time
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /**
   * The checkpoint folders of docs/LAKE.md, by the name the report gives them: bronze's (the Kafka
   * ingest's offsets and windows), the publisher's, silver's and its plans/ and commits/, and the
   * silver tables' Delta logs.
   */
  static Map<String, Path> checkpointFolders(LakeLayout lake) {
    Map<String, Path> folders = new LinkedHashMap<>();
    folders.put("bronze/messages/checkpoint", lake.bronzeCheckpoint());
    folders.put("_publisher/messages", lake.root().resolve("_publisher").resolve("messages"));
    folders.put("silver/checkpoint", lake.silverCheckpoint());
    folders.put("silver/checkpoint/plans", lake.silverCheckpoint().resolve("plans"));
    folders.put("silver/checkpoint/commits", lake.silverCheckpoint().resolve("commits"));
    folders.put("silver/messages/data/_delta_log", lake.silverMessagesData().resolve("_delta_log"));
    folders.put(
        "silver/messages_corrupted/data/_delta_log",
        lake.silverCorruptedData().resolve("_delta_log"));
    return folders;
  }

  /** Regular files under a folder, hidden ones too (0 before it exists). */
  private static double filesUnder(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).count();
    } catch (IOException | RuntimeException e) {
      return Files.exists(folder) ? Double.NaN : 0; // a file renamed away while listed: no count
    }
  }

  /** The run's folder: the one given, absent or empty; by default target/soak, emptied first. */
  private static Path workFolder(String work) throws IOException {
    Path folder;
    if (work.isEmpty()) {
      Path project = PipelineDefaults.fromRunScript().runScript().getParent();
      folder = project.resolve("target").resolve("soak");
      if (Files.exists(folder)) {
        LakeStorage.local().delete(folder);
      }
    } else {
      folder = Path.of(work).toAbsolutePath().normalize();
      if (Files.exists(folder) && !LakeStorage.local().list(folder).isEmpty()) {
        throw new UserError(
            "--work="
                + work
                + " is not empty: the soak runs a lake and a broker of its own there;"
                + " give an absent or empty folder, or none for target/soak");
      }
    }
    LakeStorage.local().requireWritableDirectory(folder);
    return folder;
  }

  /** The processes of a run, stopped once: in the end, on a failure, or by the shutdown hook. */
  private static final class Running {
    volatile ChildJvm lake;
    volatile KafkaServer broker;

    synchronized void stopAll() {
      try {
        if (lake != null && lake.isAlive()) {
          lake.kill(); // only on a failure or a hard stop: a finished run has waited for it
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (broker != null) {
        try {
          broker.close();
        } catch (Exception e) {
          LOG.warn("soak: stopping the broker failed: {}", e.toString());
        }
      }
    }
  }
}
