package dev.messagelake.chaos;

import dev.messagelake.audit.LakeAudit;
import dev.messagelake.audit.LakeCopy;
import dev.messagelake.audit.SparkReads;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.gold.GoldReports;
import dev.messagelake.silver.SilverJob;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault harness: the producer and silver run as child processes on a lake of their own; one of
 * them, picked at random, is killed with SIGKILL at a random moment (or the moment it is
 * committing) and restarted, again and again. Then both stop cleanly, silver catches up, and the
 * lake is audited by {@link LakeAudit}: bronze exactly 0..N-1, silver exactly bronze row for row,
 * no uncommitted file visible, gold equal to DuckDB's recomputation. The seed replays the same
 * targets and moments.
 *
 * <p>Options it does not know (such as {@code --runner=SparkRunner --sparkMaster=local[2]}) go to
 * the jobs it runs.
 */
public class ChaosRun {
  private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);
  private static final long PROGRESS_TIMEOUT_MILLIS = 180_000;
  private static final long COMMIT_WATCH_MILLIS = 10_000;
  private static final int REMOTE_LEASE_SECONDS = 10;
  // 128 + SIGTERM: a job signalled before its loop began stops at once (nothing to drain).
  private static final int STOPPED_AT_ONCE = 143;
  private static final Set<String> OWN_OPTIONS =
      Set.of("--kills", "--seconds", "--seed", "--rowsPerSecond", "--lake", "--keepLake");

  /** The harness's options. */
  @Description(
      "Runs the producer and silver on a scratch lake (or --lake), SIGKILLs them at random"
          + " and restarts them, then audits the lake: bronze 0..N-1 once, silver = bronze row for"
          + " row.\nExit code 0 when the audit passes, 1 when it does not.")
  public interface Options extends PipelineOptions {
    @Description("SIGKILLs to deliver, each to the producer or to silver, picked at random")
    @Default.Integer(20)
    int getKills();

    void setKills(int value);

    @Description("Run the jobs under fire for at least this many seconds")
    @Default.Integer(60)
    int getSeconds();

    void setSeconds(int value);

    @Description(
        "Seed of the kills' targets and moments and of the fake data; 0 draws one"
            + " (printed, so a failure can be replayed)")
    @Default.Long(0)
    long getSeed();

    void setSeed(long value);

    @Description("Producer rate during the run, rows per second")
    @Default.Long(50)
    long getRowsPerSecond();

    void setRowsPerSecond(long value);

    @Description("Lake folder to run on, absent or empty; empty: a new temporary folder")
    @Default.String("")
    String getLake();

    void setLake(String value);

    @Description("Keep the lake after a run that passed (one that failed is always kept)")
    @Default.Boolean(false)
    boolean getKeepLake();

    void setKeepLake(boolean value);
  }

  public static void main(String[] args) {
    List<String> jobOptions = new ArrayList<>();
    for (String arg : JobLauncher.lastOneWins(args)) {
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (arg.startsWith("--") && !OWN_OPTIONS.contains(name)) {
        jobOptions.add(arg);
      }
    }
    System.exit(JobLauncher.run("chaos", args, Options.class, o -> run(o, jobOptions)));
  }

  /** Runs the harness; throws {@link JobFailed} when the audit finds any loss or duplicate. */
  public static Result run(Options options, List<String> jobOptions) throws Exception {
    UserError.requireAtLeast("--kills", options.getKills(), 0);
    UserError.requireAtLeast("--seconds", options.getSeconds(), 0);
    UserError.requireAtLeast("--rowsPerSecond", options.getRowsPerSecond(), 1);
    long seed =
        options.getSeed() != 0 ? options.getSeed() : new SecureRandom().nextInt(1 << 30) + 1L;
    // A lake on HDFS or S3 (hdfs://, s3a://: its client settings in HADOOP_CONF_DIR, which the
    // jobs inherit) is audited from a local copy; a local one where it is.
    boolean remote = options.getLake().contains("://");
    LakeLayout lake =
        remote ? remoteLake(options.getLake()) : new LakeLayout(lakeRoot(options.getLake()));
    if (remote) {
      SparkReads.useS3(lake.storage().hadoopConfiguration()); // the Delta reader's Spark
    }
    Path root = lake.root();
    String lakeArg = remote ? options.getLake() : root.toString();
    Path scratch = remote ? Files.createTempDirectory("message-lake-chaos-") : root.getParent();
    Path logs = remote ? scratch.resolve("chaos-logs") : root.resolve("chaos-logs");
    System.out.printf(
        "chaos: seed %d, %d kills over at least %d s, producer at %d rows/s, lake %s%n",
        seed, options.getKills(), options.getSeconds(), options.getRowsPerSecond(), lakeArg);

    List<String> common =
        new ArrayList<>(
            List.of(
                "--lake=" + lakeArg, "--enforceImmutability=false", "--enforceEncodability=false"));
    common.addAll(jobOptions);
    List<String> producerArgs = new ArrayList<>(common);
    producerArgs.addAll(
        List.of(
            "--rowsPerSecond=" + options.getRowsPerSecond(),
            "--seed=" + seed,
            "--triggerSeconds=1"));
    List<String> silverArgs = new ArrayList<>(common);
    silverArgs.add("--triggerSeconds=2");
    JobUnderFire producer = JobUnderFire.producer(lake, logs.resolve("producer.log"), producerArgs);
    JobUnderFire silver = JobUnderFire.silver(lake, logs.resolve("silver.log"), silverArgs);
    // Where no OS lock reaches (HDFS, S3) a job's lock is a lease, which a killed job keeps until
    // it times out (LeaseLock): a shorter one, so that a restart is not refused for 30 s.
    List<String> lease = List.of("-Dmessagelake.leaseSeconds=" + REMOTE_LEASE_SECONDS);
    if (remote) {
      producer.withJvmOptions(lease);
      silver.withJvmOptions(lease);
    }

    Result result = new Result(seed, root);
    long began = System.currentTimeMillis();
    producer.start();
    silver.start();
    ConcurrentReader reader = new ConcurrentReader(lake);
    reader.start();
    DeltaReader deltaReader = new DeltaReader(lake);
    deltaReader.start();
    Random random = new Random(seed);
    while (result.kills < options.getKills()) {
      JobUnderFire target = random.nextBoolean() ? producer : silver;
      boolean atCommit = random.nextInt(3) == 0;
      long delay = random.nextInt(2500);
      // Kill a job at work, not one still starting its JVM: wait for progress since its start.
      awaitWhileRunning(
          target::progressedSinceStart,
          20,
          PROGRESS_TIMEOUT_MILLIS,
          producer,
          silver,
          target.name + " made no progress");
      // A commit lasts milliseconds: watch for one closely, else kill at a random moment.
      boolean caughtCommitting =
          atCommit
              && awaitWhileRunning(
                  target::committing, 1, COMMIT_WATCH_MILLIS, producer, silver, null);
      if (!caughtCommitting) {
        Thread.sleep(delay);
      }
      String state = target.kill();
      result.kills++;
      result
          .statesLeft
          .computeIfAbsent(target.name, k -> new TreeMap<>())
          .merge(state, 1, Integer::sum);
      LOG.info(
          "chaos: kill {}/{}: {} {}, left at: {}; restarting it",
          result.kills,
          options.getKills(),
          target.name,
          caughtCommitting
              ? "caught committing"
              : "at a random moment (" + delay + " ms after progress)",
          state);
      if (remote) {
        // The killed job's lease outlives it by its timeout; a restart before is refused.
        Thread.sleep((REMOTE_LEASE_SECONDS + 1) * 1000L);
      }
      target.start();
    }
    long rest = began + options.getSeconds() * 1000L - System.currentTimeMillis();
    if (rest > 0) {
      awaitWhileRunning(() -> false, 100, rest, producer, silver, null);
    }
    result.firedSeconds = (System.currentTimeMillis() - began) / 1000.0;
    reader.finish(result);
    deltaReader.finish();
    result.deltaReaderLooks = deltaReader.looks();
    result.deltaVersionsSeen = deltaReader.versions();
    result.deltaVersionsReadBySpark = deltaReader.sparkReads();

    LOG.info("chaos: stopping both jobs cleanly, then silver catches up, check, gold, audit");
    requireCleanStop(producer);
    requireCleanStop(silver);
    List<String> jvm = remote ? lease : List.of();
    runToEnd(
        SilverJob.class, jvm, logs.resolve("silver-catch-up.log"), concat(common, "--catchUp"));
    runToEnd(LakeCheck.class, jvm, logs.resolve("check.log"), common);
    runToEnd(GoldReports.class, jvm, logs.resolve("gold.log"), common);
    result.deltaReaderSaw.addAll(deltaReader.problems());
    if (deltaReader.versions() == 0) {
      result.deltaReaderSaw.add("it saw no version"); // (the audit of a lake alone has no reader)
    }
    if (remote) {
      LakeCopy copy = LakeCopy.of(lakeArg, lake, scratch);
      result.uncommittedLeftOut = copy.uncommittedLeftOut;
      result.audit(copy.lake);
    } else {
      result.audit(lake);
    }
    System.out.println(result.summary(options, jobOptions));
    if (!result.problems.isEmpty()) {
      throw new JobFailed(
          "FAILED: "
              + String.join("; ", result.problems)
              + " (lake kept in "
              + root
              + "; replay: ./run.sh chaos --seed="
              + seed
              + ")");
    }
    if (!options.getKeepLake() && (options.getLake().isEmpty() || remote)) {
      LakeStorage.local().delete(scratch);
    }
    return result;
  }

  /** What a run did and what the audit found. */
  public static final class Result {
    public final long seed;
    public final Path lake;
    public int kills;
    public final Map<String, Map<String, Integer>> statesLeft = new TreeMap<>();
    public double firedSeconds;
    public LakeAudit.BronzeValues bronze;
    public Map<String, Long> silver;
    public long[] silverRows;
    public List<Path> uncommittedFiles;

    /** Rows Spark's partition discovery reads: bronze, silver messages, messages_corrupted. */
    public long[] sparkRows;

    public long sparkRowsInTheWrongDatePartition;
    public boolean sparkReadsTheCommittedRows;
    public boolean goldEqualsRecomputation = true;
    public long readerLooks;
    public final List<String> readerSaw = new ArrayList<>();

    /** What the reader through the silver tables' Delta logs found wrong, and what it read. */
    public final List<String> deltaReaderSaw = new ArrayList<>();

    /** On S3: silver files of attempts that never committed (in no version), left to vacuum. */
    public long uncommittedLeftOut;

    public long deltaReaderLooks;
    public long deltaVersionsSeen;
    public long deltaVersionsReadBySpark;
    public final List<String> problems = new ArrayList<>();

    public Result(long seed, Path lake) {
      this.seed = seed;
      this.lake = lake;
    }

    /** Audits a local lake, adding what is wrong to {@link #problems}. */
    public void audit(LakeLayout layout) {
      if (!readerSaw.isEmpty()) {
        problems.add("a reader saw, while the jobs ran: " + String.join("; ", readerSaw));
      }
      if (!deltaReaderSaw.isEmpty()) {
        problems.add(
            "a reader through the Delta logs saw, while the jobs ran: "
                + String.join("; ", deltaReaderSaw.subList(0, Math.min(5, deltaReaderSaw.size()))));
      }

      bronze = LakeAudit.bronzeValues(layout);
      if (bronze.rows == 0) {
        problems.add("bronze is empty");
      }
      if (bronze.lost > 0 || bronze.duplicated > 0) {
        problems.add(
            "bronze lost " + bronze.lost + " and duplicated " + bronze.duplicated + " values");
      }
      silver = LakeAudit.silverAgainstBronze(layout);
      silver.forEach(
          (what, count) -> {
            if (count > 0) {
              problems.add(count + " silver rows " + what);
            }
          });
      silverRows = LakeAudit.silverRowsReadAndCommitted(layout);
      if (silverRows[0] != silverRows[1] || silverRows[2] != silverRows[3]) {
        problems.add(
            "hive partition discovery reads "
                + silverRows[0]
                + " + "
                + silverRows[2]
                + " silver rows, the commit log says "
                + silverRows[1]
                + " + "
                + silverRows[3]);
      }
      sparkRows =
          new long[] {
            SparkReads.rows(layout, layout.bronzeData()),
            SparkReads.rows(layout, layout.silverMessagesData()),
            SparkReads.rows(layout, layout.silverCorruptedData())
          };
      sparkRowsInTheWrongDatePartition =
          SparkReads.rowsInTheWrongDatePartition(layout, layout.silverMessagesData())
              + SparkReads.rowsInTheWrongDatePartition(layout, layout.silverCorruptedData());
      sparkReadsTheCommittedRows =
          sparkRows[0] == bronze.rows
              && sparkRows[1] == silverRows[1]
              && sparkRows[2] == silverRows[3]
              && sparkRowsInTheWrongDatePartition == 0;
      if (!sparkReadsTheCommittedRows) {
        problems.add(
            "Spark's partition discovery reads bronze "
                + sparkRows[0]
                + ", silver "
                + sparkRows[1]
                + " + "
                + sparkRows[2]
                + " rows ("
                + sparkRowsInTheWrongDatePartition
                + " in the wrong date partition); the commit logs say "
                + bronze.rows
                + ", "
                + silverRows[1]
                + " + "
                + silverRows[3]);
      }
      uncommittedFiles = LakeAudit.uncommittedFiles(layout);
      if (!uncommittedFiles.isEmpty()) {
        problems.add(
            uncommittedFiles.size()
                + " uncommitted files in data folders, first "
                + uncommittedFiles.get(0));
      }
      LakeAudit.expectedGoldReports(layout)
          .forEach(
              (report, expected) -> {
                if (!expected.equals(LakeAudit.goldReport(layout, report))) {
                  goldEqualsRecomputation = false;
                  problems.add("gold report " + report + " differs from DuckDB's recomputation");
                }
              });
    }

    String summary(Options options, List<String> jobOptions) {
      StringBuilder out = new StringBuilder();
      out.append(String.format("chaos: %d kills in %.0f s:%n", kills, firedSeconds));
      statesLeft.forEach(
          (job, states) ->
              states.forEach(
                  (state, count) ->
                      out.append(
                          String.format(
                              "  %-8s killed %2d x with its checkpoint at: %s%n",
                              job, count, state))));
      out.append(
          String.format(
              "chaos: a concurrent reader listed the data folders %d times: %d problems%n",
              readerLooks, readerSaw.size()));
      out.append(
          String.format(
              "chaos: a reader through the Delta logs looked %d times and saw %d versions of the"
                  + " silver tables (Spark read %d of them): each whole batches, %d problems%n",
              deltaReaderLooks,
              deltaVersionsSeen,
              deltaVersionsReadBySpark,
              deltaReaderSaw.size()));
      out.append(
          String.format(
              "chaos: bronze %d rows (values 0..%d): %d lost, %d duplicated%n",
              bronze.rows, bronze.rows - 1, bronze.lost, bronze.duplicated));
      out.append(
          String.format(
              "chaos: silver %d valid + %d corrupted rows; against bronze, row for row (DuckDB):"
                  + " %d missing, %d duplicated, %d extra, %d different%n",
              silverRows[0],
              silverRows[2],
              silver.get("missing"),
              silver.get("duplicated"),
              silver.get("extra"),
              silver.get("different")));
      out.append(
          String.format(
              "chaos: %d uncommitted files in data folders; partition discovery reads exactly the"
                  + " committed rows: DuckDB %s (%d + %d), Spark %s (%d + %d, %d in a wrong"
                  + " date)%n",
              uncommittedFiles.size(),
              silverRows[0] == silverRows[1] && silverRows[2] == silverRows[3] ? "yes" : "NO",
              silverRows[0],
              silverRows[2],
              sparkReadsTheCommittedRows ? "yes" : "NO",
              sparkRows[1],
              sparkRows[2],
              sparkRowsInTheWrongDatePartition));
      if (uncommittedLeftOut > 0) {
        out.append(
            String.format(
                "chaos: %d silver files of attempts that never committed (written in place on S3,"
                    + " in no Delta version; vacuum's), left out of the audit's copy%n",
                uncommittedLeftOut));
      }
      out.append(
          "chaos: gold reports equal DuckDB's recomputation: "
              + (goldEqualsRecomputation ? "yes" : "NO")
              + "\n");
      out.append(problems.isEmpty() ? "OK" : "FAILED");
      out.append(
          String.format(
              ": %d kills, %d rows, %d lost, %d duplicated; seed %d (replay: ./run.sh chaos"
                  + " --seed=%d --kills=%d --seconds=%d --rowsPerSecond=%d%s)",
              kills,
              bronze.rows,
              bronze.lost + silver.get("missing"),
              bronze.duplicated + silver.get("duplicated"),
              seed,
              seed,
              options.getKills(),
              options.getSeconds(),
              options.getRowsPerSecond(),
              jobOptions.stream()
                  .map(o -> " " + o)
                  .collect(java.util.stream.Collectors.joining())));
      return out.toString();
    }
  }

  /**
   * A reader listing the data folders over and over while the jobs are killed and restarted: at no
   * moment may it see a gap in bronze or a silver file no commit covers.
   */
  private static final class ConcurrentReader extends Thread {
    private final LakeLayout lake;
    private final java.util.Set<String> saw = new java.util.LinkedHashSet<>();
    private volatile boolean running = true;
    private long looks;

    ConcurrentReader(LakeLayout lake) {
      super("chaos-reader");
      this.lake = lake;
    }

    @Override
    public void run() {
      while (running) {
        try {
          saw.addAll(LakeAudit.visibleNow(lake));
          looks++;
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          saw.add("reading failed: " + e.getMessage());
        }
      }
    }

    void finish(Result result) throws InterruptedException {
      running = false;
      join();
      result.readerLooks = looks;
      saw.stream().limit(5).forEach(result.readerSaw::add);
    }
  }

  /** A lake on HDFS or S3 of the run's own: the folder given, absent or empty. */
  private static LakeLayout remoteLake(String uri) {
    LakeLayout lake =
        LakeLayout.of(PipelineOptionsFactory.fromArgs("--lake=" + uri).as(LakeOptions.class));
    if (lake.storage().exists(lake.root()) && !lake.storage().list(lake.root()).isEmpty()) {
      throw new UserError(
          "--lake="
              + uri
              + " is not empty: chaos kills jobs on a lake of its own; give an absent or empty"
              + " folder");
    }
    return lake;
  }

  /** A lake of the run's own: the folder given (absent or empty), or a new temporary one. */
  private static Path lakeRoot(String lake) throws Exception {
    if (lake.isEmpty()) {
      return Files.createTempDirectory("message-lake-chaos-").resolve("lake");
    }
    Path root = Path.of(lake).toAbsolutePath().normalize();
    if (Files.exists(root) && !LakeStorage.local().list(root).isEmpty()) {
      throw new UserError(
          "--lake="
              + lake
              + " is not empty: chaos kills jobs on a lake of its"
              + " own; give an absent or empty folder, or none for a temporary one");
    }
    LakeStorage.local().requireWritableDirectory(root);
    return root;
  }

  /**
   * Polls {@code condition} every {@code pollMillis} until it holds (true) or {@code timeoutMillis}
   * pass (false, or a failure naming {@code timeoutFailure} when one is given); fails at once if a
   * job exits.
   */
  private static boolean awaitWhileRunning(
      BooleanSupplier condition,
      long pollMillis,
      long timeoutMillis,
      JobUnderFire producer,
      JobUnderFire silver,
      String timeoutFailure)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!condition.getAsBoolean()) {
      for (JobUnderFire job : List.of(producer, silver)) {
        if (!job.isAlive()) {
          throw new JobFailed("FAILED: " + job.describeFailure());
        }
      }
      if (System.currentTimeMillis() > deadline) {
        if (timeoutFailure != null) {
          throw new JobFailed("FAILED: " + timeoutFailure + " in " + timeoutMillis / 1000 + " s");
        }
        return false;
      }
      Thread.sleep(pollMillis);
    }
    return true;
  }

  private static void requireCleanStop(JobUnderFire job) throws InterruptedException {
    int exit = job.stop();
    if (exit != 0 && exit != STOPPED_AT_ONCE) {
      throw new JobFailed("FAILED: " + job.describeFailure());
    }
  }

  private static void runToEnd(Class<?> main, List<String> jvm, Path log, List<String> args)
      throws Exception {
    ChildJvm job = ChildJvm.start(List.of(), jvm, main, log, args);
    int exit = job.waitFor(600);
    if (exit != 0) {
      throw new JobFailed(
          "FAILED: "
              + main.getSimpleName()
              + " exited with "
              + exit
              + "; the end of "
              + log
              + ":\n"
              + job.logTail(30));
    }
  }

  private static List<String> concat(List<String> args, String more) {
    List<String> all = new ArrayList<>(args);
    all.add(more);
    return all;
  }
}
