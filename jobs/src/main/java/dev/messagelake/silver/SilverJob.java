package dev.messagelake.silver;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.contract.MessageFiles;
import dev.messagelake.silver.SilverCheckpoint.Batch;
import dev.messagelake.silver.SilverCheckpoint.Committed;
import dev.messagelake.storage.JobLock;
import dev.messagelake.storage.ParquetFooters;
import dev.messagelake.storage.RowsToDriver;
import dev.messagelake.stream.DurationOptions;
import dev.messagelake.stream.MicroBatches;
import dev.messagelake.stream.MicroBatches.Backlog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silver stream: every {@code --triggerSeconds}, the bronze files not yet committed go through
 * one bounded micro-batch pipeline
 *
 * <pre>
 *   bronze files -> ReadMessageFiles -> SplitAndAddCountry -> WriteDatePartitioned (staged)
 * </pre>
 *
 * whose output {@link SilverCheckpoint} then commits. Bounded micro-batches, rather than an
 * unbounded file watch, are what runs on every runner: the Spark runner's streaming mode runs no
 * unbounded splittable DoFn (so not {@code FileIO.match().continuously()}) and takes only bounded
 * side inputs; it is also how Spark's own file source works.
 */
public class SilverJob {
  private static final Logger LOG = LoggerFactory.getLogger(SilverJob.class);

  /**
   * Rows read (and so written, per date) by one worker in one go: a trigger's few small bronze
   * files make one partition, one silver file per date; a backlog is spread over the cores.
   */
  static final long ROWS_PER_READ_PARTITION = 250_000;

  /** The silver job's options ({@code pipelines/silver} adds runner and JVM flags). */
  @Description(
      "Reads: bronze/messages/data under --lake, as it grows.\n"
          + "Writes: silver/messages/data and silver/messages_corrupted/data (date=YYYY-MM-DD"
          + " folders), silver/checkpoint, and bronze/messages/quarantine for bronze files it"
          + " cannot read.")
  public interface Options extends LakeOptions, DurationOptions, SilverRetentionOptions {
    @Description("Seconds between micro-batches")
    @Default.Integer(5)
    int getTriggerSeconds();

    void setTriggerSeconds(int value);

    @Description(
        "Most bronze rows a batch takes (whole files, at least one); a backlog goes through in"
            + " batches of this size, so memory stays flat however long bronze has grown")
    @Default.Long(1_000_000)
    long getMaxRowsPerBatch();

    void setMaxRowsPerBatch(long value);

    @Description("Process what bronze holds now (in batches of --maxRowsPerBatch), then stop")
    @Default.Boolean(false)
    boolean getCatchUp();

    void setCatchUp(boolean value);

    @Description("Delete the silver tables and checkpoint (only those), then process bronze again")
    @Default.Boolean(false)
    boolean getReset();

    void setReset(boolean value);

    @Description("CSV of countries (header country_id,country); empty: the table the project ships")
    @Default.String("")
    String getCountriesCsv();

    void setCountriesCsv(String value);
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("silver", args, Options.class, SilverJob::run));
  }

  public static void run(Options options) throws Exception {
    validate(options);
    LakeLayout layout = LakeLayout.of(options);
    Map<Integer, String> countries =
        options.getCountriesCsv().isEmpty()
            ? Countries.bundled()
            : Countries.fromCsv(Path.of(options.getCountriesCsv()));
    layout.storage().requireWritableDirectory(layout.root());
    try (JobLock lock = SilverCheckpoint.lock(layout)) {
      if (options.getReset()) {
        SilverCheckpoint.reset(layout);
      }
      SilverCheckpoint checkpoint =
          SilverCheckpoint.recover(layout, SilverCheckpoint.Retention.of(options));
      checkpoint.guardedBy(lock);
      new SilverJob(options, layout, countries, checkpoint).stream();
    }
  }

  private final Options options;
  private final LakeLayout layout;
  private final Map<Integer, String> countries;
  private final SilverCheckpoint checkpoint;
  private final Quarantine quarantine;
  private long batches;
  private long validRows;
  private long corruptedRows;

  private SilverJob(
      Options options,
      LakeLayout layout,
      Map<Integer, String> countries,
      SilverCheckpoint checkpoint) {
    this.options = options;
    this.layout = layout;
    this.countries = countries;
    this.checkpoint = checkpoint;
    this.quarantine = new Quarantine(layout);
  }

  /** Runs batches every trigger interval until stopped (or until bronze is processed). */
  private void stream() throws Exception {
    LOG.info(
        "silver: {} -> {} and {}, a batch every {} s ({} bronze files already committed)",
        layout.display(layout.bronzeData()),
        layout.display(layout.silverMessagesData()),
        layout.display(layout.silverCorruptedData()),
        options.getTriggerSeconds(),
        checkpoint.committedInputCount());
    MicroBatches loop =
        new MicroBatches(
            options.getTriggerSeconds() * 1000L,
            System.currentTimeMillis(),
            options.getDurationSeconds(),
            10 * 60_000L);
    if (options.getCatchUp()) {
      loop.catchUp(last -> runBatch());
    } else {
      loop.run(last -> runBatch());
    }
    layout.storage().delete(checkpoint.temp());
    System.out.printf(
        "silver stopped: %d batches this run, %d valid + %d corrupted rows written; "
            + "%d bronze files committed in all%n",
        batches, validRows, corruptedRows, checkpoint.committedInputCount());
  }

  /**
   * One micro-batch over the bronze files not yet committed (the oldest, up to --maxRowsPerBatch
   * rows), if there are any: planned, run, staged, committed.
   */
  private Backlog runBatch() {
    long started = System.currentTimeMillis();
    List<Path> uncommitted = quarantine.screen(checkpoint.uncommitted(bronzeFiles(layout)));
    Map<Path, Long> pendingRows = upToRows(uncommitted, options.getMaxRowsPerBatch());
    if (pendingRows.isEmpty()) {
      return Backlog.NONE;
    }
    List<Path> pending =
        pendingRows.keySet().stream()
            .map(layout.bronzeData()::relativize)
            .collect(Collectors.toList());
    long newestBronzeCommit = newestModification(pending);
    Batch batch = checkpoint.plan(pending);
    layout.storage().createDirectories(checkpoint.temp());
    RowsToDriver written =
        new RowsToDriver(layout.storage(), checkpoint.temp(), "written-" + batch.id);
    Pipeline pipeline = Pipeline.create(options);
    applySilverBatch(
            pipeline,
            MessageFiles.readPartitions(layout.storage(), pendingRows, ROWS_PER_READ_PARTITION),
            countries,
            layout.storage().location(checkpoint.output(batch)),
            checkpoint.outputTableSubfolder(),
            batch.filePrefix())
        .apply("FilesToDriver", RowsToDriver.strings(written));
    pipeline.run().waitUntilFinish();
    checkpoint.markStaged(
        batch,
        written.readStrings().stream().map(layout.storage()::path).collect(Collectors.toList()));
    layout.storage().delete(checkpoint.temp());
    Committed committed = checkpoint.commit(batch);
    batches++;
    validRows += committed.validRows;
    corruptedRows += committed.corruptedRows;
    LOG.info(
        "silver batch {}: {} bronze files -> {} valid + {} corrupted rows in {} files in {} ms; "
            + "{} ms from the newest bronze file to this commit{}",
        batch.id,
        pending.size(),
        committed.validRows,
        committed.corruptedRows,
        committed.files,
        System.currentTimeMillis() - started,
        System.currentTimeMillis() - newestBronzeCommit,
        pending.size() < uncommitted.size()
            ? "; " + (uncommitted.size() - pending.size()) + " bronze files left for the next"
            : "");
    return pending.size() < uncommitted.size() ? Backlog.MORE : Backlog.NONE;
  }

  /**
   * The graph of one silver batch: the bronze files' rows, split into valid and corrupted with
   * their country names, both sides written by date into their folders of the batch's staging
   * folder. Returns the paths of the files written. A batch of one read partition (a trigger's few
   * small files) writes one file per date, with no sharding of the runner's: on the Direct runner
   * that adds a count and a view of the batch (WriteWithShardingFactory), a fixed cost per batch
   * that small batches feel most.
   */
  public static PCollection<String> applySilverBatch(
      Pipeline pipeline,
      List<List<String>> readPartitions,
      Map<Integer, String> countries,
      String staging,
      String filePrefix) {
    return applySilverBatch(pipeline, readPartitions, countries, staging, "", filePrefix);
  }

  /** The same, each table's files in {@code <directory>/<table>/<tableSubfolder>/date=...}. */
  public static PCollection<String> applySilverBatch(
      Pipeline pipeline,
      List<List<String>> readPartitions,
      Map<Integer, String> countries,
      String directory,
      String tableSubfolder,
      String filePrefix) {
    return pipeline
        .apply(
            "BronzeFiles", Create.of(readPartitions).withCoder(ListCoder.of(StringUtf8Coder.of())))
        .apply("ReadBronze", new MessageFiles.ReadMessageFiles())
        .apply("SplitAndAddCountry", new SilverTransforms.SplitAndAddCountry(countries))
        .apply(
            "WriteByDate",
            new SilverTransforms.WriteDatePartitioned(
                directory, tableSubfolder, filePrefix, readPartitions.size() == 1 ? 1 : 0));
  }

  /**
   * The first files holding at most {@code maxRows} rows in all (at least one file), in order, as
   * paths under bronze's data folder with their row counts.
   */
  private Map<Path, Long> upToRows(List<Path> files, long maxRows) {
    Map<Path, Long> taken = new LinkedHashMap<>();
    long rows = 0;
    for (Path file : files) {
      Path path = layout.bronzeData().resolve(file);
      long fileRows = ParquetFooters.rowCount(layout.storage(), path);
      rows += fileRows;
      if (!taken.isEmpty() && rows > maxRows) {
        break;
      }
      taken.put(path, fileRows);
    }
    return taken;
  }

  /** The visible parquet files under bronze's data folder, relative to it, in name order. */
  static List<Path> bronzeFiles(LakeLayout layout) {
    return layout.storage().parquetFilesUnder(layout.bronzeData()).stream()
        .map(layout.bronzeData()::relativize)
        .collect(Collectors.toList());
  }

  private long newestModification(List<Path> files) {
    long newest = 0;
    for (Path file : files) {
      newest = Math.max(newest, layout.storage().modifiedMillis(layout.bronzeData().resolve(file)));
    }
    return newest;
  }

  private static void validate(Options options) {
    UserError.requireAtLeast("--triggerSeconds", options.getTriggerSeconds(), 1);
    UserError.requireAtLeast("--maxRowsPerBatch", options.getMaxRowsPerBatch(), 1);
    UserError.requireDuration(options.getDurationSeconds());
    UserError.requireAtLeast(
        "--checkpointCleanupDelaySeconds", options.getCheckpointCleanupDelaySeconds(), 0);
    if (!(options.getLogRetentionHours() >= 0)) {
      throw new UserError(
          "--logRetentionHours must be at least 0, got " + options.getLogRetentionHours());
    }
  }
}
