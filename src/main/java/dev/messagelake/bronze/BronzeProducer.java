package dev.messagelake.bronze;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.StopSignal;
import dev.messagelake.cli.UserError;
import dev.messagelake.lake.JobLock;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import dev.messagelake.lake.LakeOptions;
import dev.messagelake.lake.LakeSchemas;
import java.nio.file.Path;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bronze producer: a rate source whose events get their own fake fields, written as one
 * parquet file per window into {@code bronze/messages/data}, with a checkpoint so that a restart
 * continues the sequence where the last run stopped.
 *
 * <pre>
 *   GenerateSequence (rate) -> EnrichWithFakeData -> FixedWindows -> FileIO + ParquetIO (staging)
 *   -> BronzeCheckpoint publishes each staged file into data/, in value order
 * </pre>
 */
public class BronzeProducer {
  private static final Logger LOG = LoggerFactory.getLogger(BronzeProducer.class);
  private static final long POLL_MILLIS = 100;
  private static final long PROGRESS_MILLIS = 5_000;
  private static final long DRAIN_GRACE_MILLIS = 30_000;

  /** The producer's options; {@code pipelines/bronze} holds the defaults run.sh passes. */
  public interface Options extends LakeOptions {
    @Description("Rows per second the rate source generates")
    @Default.Long(1)
    long getRowsPerSecond();

    void setRowsPerSecond(long value);

    @Description("Seconds per window: each window's rows become one parquet file")
    @Default.Integer(1)
    int getTriggerSeconds();

    void setTriggerSeconds(int value);

    @Description("Seed of the fake fields: the same seed and value always give the same record")
    @Default.Long(42)
    long getSeed();

    void setSeed(long value);

    @Description("Run this many seconds, then stop cleanly; 0 runs until Ctrl-C or SIGTERM")
    @Default.Integer(0)
    int getDurationSeconds();

    void setDurationSeconds(int value);

    @Description("Delete bronze data and checkpoint (only those), then produce again from value 0")
    @Default.Boolean(false)
    boolean getReset();

    void setReset(boolean value);
  }

  /** The rate source, each sequence number turned into a bronze event with its fake fields. */
  public static class GenerateMessages extends PTransform<PBegin, PCollection<Row>> {
    private final long rowsPerSecond;
    private final long seed;
    private final long firstValue;
    private final Instant start;

    public GenerateMessages(long rowsPerSecond, long seed, long firstValue, Instant start) {
      this.rowsPerSecond = rowsPerSecond;
      this.seed = seed;
      this.firstValue = firstValue;
      this.start = start;
    }

    @Override
    public PCollection<Row> expand(PBegin input) {
      // Each run counts from 0 and adds firstValue: GenerateSequence.from(n) with a rate would
      // wait n / rate seconds before its first element (its rate counts from 0).
      return input
          .apply(
              "RateSource",
              GenerateSequence.from(0)
                  .withRate(rowsPerSecond, Duration.standardSeconds(1))
                  .withTimestampFn(new ScheduledTime(start, rowsPerSecond)))
          .apply("EnrichWithFakeData", ParDo.of(new EnrichWithFakeDataFn(seed, firstValue)))
          .setRowSchema(LakeSchemas.BRONZE);
    }
  }

  /**
   * Event time of the n-th row of a run: when the rate source is due to emit it (as Spark's rate
   * source stamps rows). Timestamps then follow the sequence, so each window holds one contiguous
   * range of values whatever way the runner splits the source.
   */
  static class ScheduledTime implements SerializableFunction<Long, Instant> {
    private final long startMillis;
    private final long rowsPerSecond;

    ScheduledTime(Instant start, long rowsPerSecond) {
      this.startMillis = start.getMillis();
      this.rowsPerSecond = rowsPerSecond;
    }

    @Override
    public Instant apply(Long offset) {
      return new Instant(startMillis + offset * 1000 / rowsPerSecond);
    }

    /** How many rows are scheduled before {@code time}. */
    long rowsBefore(Instant time) {
      long elapsed = time.getMillis() - startMillis;
      return elapsed <= 0 ? 0 : Math.floorDiv(elapsed * rowsPerSecond + 999, 1000);
    }
  }

  /** Gives sequence number {@code firstValue + offset} its fake fields. */
  static class EnrichWithFakeDataFn extends DoFn<Long, Row> {
    private final FakeMessages fakeMessages;
    private final long firstValue;

    EnrichWithFakeDataFn(long seed, long firstValue) {
      this.fakeMessages = new FakeMessages(seed);
      this.firstValue = firstValue;
    }

    @ProcessElement
    public void processElement(
        @Element Long offset, @Timestamp Instant timestamp, OutputReceiver<Row> out) {
      out.output(fakeMessages.message(firstValue + offset, timestamp));
    }
  }

  /** One parquet file per window, written into {@code directory} under a name free of ':'. */
  public static class WriteParquetPerWindow
      extends PTransform<PCollection<Row>, WriteFilesResult<Void>> {
    private final Duration windowSize;
    private final Path directory;
    private final Path tempDirectory;

    public WriteParquetPerWindow(Duration windowSize, Path directory, Path tempDirectory) {
      this.windowSize = windowSize;
      this.directory = directory;
      this.tempDirectory = tempDirectory;
    }

    @Override
    public WriteFilesResult<Void> expand(PCollection<Row> rows) {
      return rows.apply("WindowPerTrigger", Window.into(FixedWindows.of(windowSize)))
          .apply(
              "ToAvro",
              MapElements.into(TypeDescriptor.of(GenericRecord.class))
                  .via(AvroUtils.getRowToGenericRecordFunction(LakeSchemas.BRONZE_AVRO)))
          .setCoder(AvroCoder.of(LakeSchemas.BRONZE_AVRO))
          .apply(
              "WriteParquet",
              FileIO.<GenericRecord>write()
                  .via(ParquetIO.sink(LakeSchemas.BRONZE_AVRO))
                  .to(directory.toString())
                  .withTempDirectory(tempDirectory.toString())
                  .withNaming(new WindowFileNaming())
                  .withNumShards(1));
    }
  }

  /** {@code window-<start millis>-<end millis>-pane-<n>-shard-<i>-of-<n>.parquet}. */
  static class WindowFileNaming implements FileIO.Write.FileNaming {
    @Override
    public String getFilename(
        BoundedWindow window, PaneInfo pane, int numShards, int shardIndex, Compression compression) {
      IntervalWindow interval = (IntervalWindow) window;
      return String.format(
          "window-%d-%d-pane-%d-shard-%d-of-%d.parquet",
          interval.start().getMillis(),
          interval.end().getMillis(),
          pane.getIndex(),
          shardIndex,
          numShards);
    }
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("bronze", args, Options.class, BronzeProducer::run));
  }

  /** Runs the producer until its duration ends or the process is asked to stop. */
  public static void run(Options options) throws Exception {
    validate(options);
    LakeLayout layout = new LakeLayout(Path.of(options.getLake()));
    LakeFiles.requireWritableDirectory(layout.root());
    try (JobLock lock = BronzeCheckpoint.lock(layout)) {
      if (options.getReset()) {
        BronzeCheckpoint.reset(layout);
      }
      produce(options, layout, BronzeCheckpoint.recover(layout));
    }
  }

  private static void produce(Options options, LakeLayout layout, BronzeCheckpoint checkpoint)
      throws Exception {
    long firstValue = checkpoint.nextValue();
    long firstFiles = checkpoint.committedFiles();
    LOG.info(
        "bronze: {} rows/s into {}, {} s windows, continuing at value {}",
        options.getRowsPerSecond(), layout.bronzeData(), options.getTriggerSeconds(), firstValue);

    // The job watches its own progress and stops itself: the pipeline must not block run().
    options.as(DirectOptions.class).setBlockOnRun(false);
    Instant start = new Instant((System.currentTimeMillis() / 1000 + 1) * 1000);
    ScheduledTime schedule = new ScheduledTime(start, options.getRowsPerSecond());
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply(
            "GenerateMessages",
            new GenerateMessages(
                options.getRowsPerSecond(), options.getSeed(), firstValue, start))
        .apply(
            "WriteParquetPerWindow",
            new WriteParquetPerWindow(
                Duration.standardSeconds(options.getTriggerSeconds()),
                checkpoint.staging(),
                checkpoint.temp()));

    StopSignal stop = StopSignal.onShutdown(DRAIN_GRACE_MILLIS + 10_000);
    try {
      PipelineResult result = pipeline.run();
      long deadline =
          options.getDurationSeconds() > 0
              ? System.currentTimeMillis() + options.getDurationSeconds() * 1000L
              : Long.MAX_VALUE;
      long nextProgress = System.currentTimeMillis() + PROGRESS_MILLIS;
      while (!stop.requested() && System.currentTimeMillis() < deadline) {
        checkpoint.commitStaged();
        failIfStopped(result, layout);
        if (System.currentTimeMillis() >= nextProgress) {
          nextProgress += PROGRESS_MILLIS;
          if (checkpoint.nextValue() == firstValue) {
            LOG.info("bronze: starting up, no window written yet");
          } else {
            LOG.info(
                "bronze: {} rows in {} files this run, last value {}",
                checkpoint.nextValue() - firstValue,
                checkpoint.committedFiles() - firstFiles,
                checkpoint.nextValue() - 1);
          }
        }
        Thread.sleep(POLL_MILLIS);
      }
      Instant stopAt = Instant.now();
      drain(checkpoint, result, firstValue + schedule.rowsBefore(stopAt), options, layout);
      cancel(result);
      checkpoint.commitStaged();
      checkpoint.discardStaging();
      double seconds = Math.max(0.001, (System.currentTimeMillis() - start.getMillis()) / 1000.0);
      long rows = checkpoint.nextValue() - firstValue;
      System.out.printf(
          "bronze stopped: wrote %d rows in %d files this run (%.1f rows/s); "
              + "%s now holds values 0..%d in %d files%n",
          rows,
          checkpoint.committedFiles() - firstFiles,
          rows / seconds,
          layout.bronzeData(),
          checkpoint.nextValue() - 1,
          checkpoint.committedFiles());
    } finally {
      stop.done();
    }
  }

  /** Waits until every row scheduled before the stop is committed, or the grace period ends. */
  private static void drain(
      BronzeCheckpoint checkpoint, PipelineResult result, long target, Options options, LakeLayout layout)
      throws InterruptedException {
    long deadline =
        System.currentTimeMillis() + options.getTriggerSeconds() * 1000L + DRAIN_GRACE_MILLIS;
    LOG.info("bronze: stopping, committing the rows generated so far (up to value {})", target - 1);
    while (checkpoint.nextValue() < target && System.currentTimeMillis() < deadline) {
      checkpoint.commitStaged();
      failIfStopped(result, layout);
      Thread.sleep(POLL_MILLIS);
    }
    if (checkpoint.nextValue() < target) {
      LOG.warn(
          "bronze: values from {} were not written in time; the next run produces them again",
          checkpoint.nextValue());
    }
  }

  private static void failIfStopped(PipelineResult result, LakeLayout layout) {
    PipelineResult.State state = result.getState();
    if (state.isTerminal()) {
      result.waitUntilFinish(); // throws the pipeline's failure, if the runner still holds it
      // The Direct runner hands a failure to one waiter only, and may already have dropped it:
      // name the usual cause, a lake that can no longer be written, when it is the case.
      LakeFiles.requireStillWritable(layout.root());
      throw new IllegalStateException("the pipeline stopped by itself (" + state + ")");
    }
  }

  private static void cancel(PipelineResult result) {
    try {
      result.cancel();
      result.waitUntilFinish(Duration.standardSeconds(10));
    } catch (Exception e) {
      LOG.warn("bronze: cancelling the pipeline: {}", e.toString());
    }
  }

  private static void validate(Options options) {
    if (options.getRowsPerSecond() < 1 || options.getRowsPerSecond() > 10_000_000) {
      throw new UserError(
          "--rowsPerSecond must be between 1 and 10000000, got " + options.getRowsPerSecond());
    }
    UserError.requireAtLeast("--triggerSeconds", options.getTriggerSeconds(), 1);
    UserError.requireDuration(options.getDurationSeconds());
  }
}
