package dev.messagelake.bronze;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.StopSignal;
import dev.messagelake.cli.UserError;
import dev.messagelake.lake.JobLock;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import dev.messagelake.lake.LakeOptions;
import dev.messagelake.lake.LakeSchemas;
import dev.messagelake.lake.RowToAvro;
import dev.messagelake.broker.KafkaOptions;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.WriteFilesResult;
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
 *   every window: GenerateSequence (the rows that came due) -> EnrichWithFakeData
 *     -> FixedWindows -> FileIO + ParquetIO (staging)
 *   -> BronzeCheckpoint publishes each staged file into data/, in value order
 * </pre>
 *
 * <p>Micro-batches, as Spark's rate source runs: at each window's end one bounded pipeline
 * generates the rows that came due. An unbounded pipeline on the Direct runner busy-polls its
 * source (apache/beam#18070: 1.5 cores at 1 row/s here) and topped out near 2k rows/s; bounded
 * batches idle between windows and run on every runner.
 */
public class BronzeProducer {
  private static final Logger LOG = LoggerFactory.getLogger(BronzeProducer.class);
  private static final long PROGRESS_MILLIS = 5_000;
  private static final long MAX_ROWS_PER_BATCH = 1_000_000;
  static final String RATE = "rate";
  static final String LAKE = "lake";
  static final String KAFKA = "kafka";

  /** The producer's options (pipelines/bronze and pipelines/publish add runner flags). */
  @Description("Reads: the rate source (--source=rate), or the Kafka topic --kafkaTopic"
      + " (--source=kafka).\n"
      + "Writes: bronze/messages/data under --lake, one parquet file per window, and"
      + " bronze/messages/checkpoint; with --sink=kafka (./run.sh publish) the topic instead, and"
      + " its progress in _publisher/<topic>.properties.")
  public interface Options extends LakeOptions, KafkaOptions {
    @Description("Where events come from: rate (generated here) or kafka (the topic, from"
        + " --kafkaBootstrapServers)")
    @Default.String("rate")
    String getSource();

    void setSource(String value);

    @Description("Where events go: lake (bronze parquet) or kafka (published to the topic, as the"
        + " platform's broker receives them; progress in <lake>/_publisher/)")
    @Default.String("lake")
    String getSink();

    void setSink(String value);

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

  /**
   * The rate source for one micro-batch: the run's rows {@code fromOffset..toOffset-1}, each
   * stamped with the moment the rate schedule makes it due and given its fake fields. As Spark's
   * rate source, each trigger generates the rows that came due since the last one.
   */
  public static class GenerateMessages extends PTransform<PBegin, PCollection<Row>> {
    private final ScheduledTime schedule;
    private final long seed;
    private final long firstValue;
    private final long fromOffset;
    private final long toOffset;

    public GenerateMessages(
        ScheduledTime schedule, long seed, long firstValue, long fromOffset, long toOffset) {
      this.schedule = schedule;
      this.seed = seed;
      this.firstValue = firstValue;
      this.fromOffset = fromOffset;
      this.toOffset = toOffset;
    }

    @Override
    public PCollection<Row> expand(PBegin input) {
      return input
          .apply(
              "RateSource",
              GenerateSequence.from(fromOffset).to(toOffset).withTimestampFn(schedule))
          .apply("EnrichWithFakeData", ParDo.of(new EnrichWithFakeDataFn(seed, firstValue)))
          .setRowSchema(LakeSchemas.BRONZE);
    }
  }

  /**
   * Event time of the n-th row of a run: when the rate source is due to emit it (as Spark's rate
   * source stamps rows). Timestamps then follow the sequence, so each window holds one contiguous
   * range of values whatever way the runner splits the source.
   */
  public static class ScheduledTime implements SerializableFunction<Long, Instant> {
    private final long startMillis;
    private final long rowsPerSecond;

    public ScheduledTime(Instant start, long rowsPerSecond) {
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
  public static class EnrichWithFakeDataFn extends DoFn<Long, Row> {
    private final FakeMessages fakeMessages;
    private final long firstValue;

    public EnrichWithFakeDataFn(long seed, long firstValue) {
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
                  .via(new RowToAvro(LakeSchemas.BRONZE_AVRO)))
          .setCoder(AvroCoder.of(LakeSchemas.BRONZE_AVRO))
          .apply("PackPerWindow", ParDo.of(new PackedRecords.PackPerWindowFn(LakeSchemas.BRONZE_AVRO)))
          .setCoder(ByteArrayCoder.of())
          .apply(
              "WriteParquet",
              FileIO.<byte[]>write()
                  .via(new PackedRecords.ParquetSink(LakeSchemas.BRONZE_AVRO))
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
    String job = jobName(JobLauncher.lastOneWins(args).contains("--sink=" + KAFKA) ? KAFKA : LAKE);
    System.exit(JobLauncher.run(job, args, Options.class, BronzeProducer::run));
  }

  /** ./run.sh publish is this class with --sink=kafka: messages name the job the user ran. */
  static String jobName(String sink) {
    return sink.equals(KAFKA) ? "publish" : "bronze";
  }

  /** Runs the producer until its duration ends or the process is asked to stop. */
  public static void run(Options options) throws Exception {
    validate(options);
    LakeLayout layout = LakeLayout.of(options);
    LakeFiles.requireWritableDirectory(layout.root());
    if (options.getSink().equals(KAFKA)) {
      try (PublishedValues published = PublishedValues.open(layout, options)) {
        produce(options, published);
      }
      return;
    }
    try (JobLock lock = BronzeCheckpoint.lock(layout)) {
      if (options.getReset()) {
        BronzeCheckpoint.reset(layout);
      }
      BronzeCheckpoint checkpoint = BronzeCheckpoint.recover(layout);
      if (options.getSource().equals(KAFKA)) {
        KafkaIngest.run(options, layout, checkpoint);
      } else {
        produce(options, new LakeSink(options, layout, checkpoint));
      }
    }
  }

  /** Where the rate source's micro-batches go, and how each is committed there. */
  interface BatchSink {
    /** The value of the next row to generate (every value below it is committed). */
    long nextValue();

    /** Called before a batch's pipeline runs, with all it takes to generate it again. */
    default void starting(Batch batch) {}

    /** Adds the write of {@code rows} to a batch's pipeline. */
    void write(PCollection<Row> rows);

    /** Commits a batch whose pipeline succeeded, up to value {@code end} (exclusive). */
    void commit(long end);

    /** The closing line: what this run wrote and where things stand. */
    String summary(long rowsThisRun, double seconds);

    /** Where the rows go, for the log. */
    String target();
  }

  /**
   * One micro-batch, as it can be generated again identically: the run's schedule (start, rate),
   * the seed, the run's first value and the batch's rows {@code [fromOffset, toOffset)} of the run.
   */
  record Batch(long startMillis, long rowsPerSecond, long seed, long firstValue, long fromOffset,
      long toOffset) {
    long endValue() {
      return firstValue + toOffset;
    }

    GenerateMessages generate() {
      return new GenerateMessages(new ScheduledTime(new Instant(startMillis), rowsPerSecond), seed,
          firstValue, fromOffset, toOffset);
    }
  }

  /** Bronze parquet files in the lake, one per window, published by {@link BronzeCheckpoint}. */
  static class LakeSink implements BatchSink {
    private final Options options;
    private final LakeLayout layout;
    private final BronzeCheckpoint checkpoint;
    private final long firstFiles;

    LakeSink(Options options, LakeLayout layout, BronzeCheckpoint checkpoint) {
      this.options = options;
      this.layout = layout;
      this.checkpoint = checkpoint;
      this.firstFiles = checkpoint.committedFiles();
    }

    @Override
    public long nextValue() {
      return checkpoint.nextValue();
    }

    @Override
    public void write(PCollection<Row> rows) {
      rows.apply("WriteParquetPerWindow",
          new WriteParquetPerWindow(
              Duration.standardSeconds(options.getTriggerSeconds()),
              checkpoint.staging(),
              checkpoint.temp()));
    }

    @Override
    public void commit(long end) {
      checkpoint.commitStaged();
    }

    @Override
    public String target() {
      return layout.display(layout.bronzeData());
    }

    @Override
    public String summary(long rows, double seconds) {
      checkpoint.discardStaging();
      return String.format(
          "bronze stopped: wrote %d rows in %d files this run (%.1f rows/s); "
              + "%s now holds values 0..%d in %d files",
          rows, checkpoint.committedFiles() - firstFiles, rows / seconds,
          layout.display(layout.bronzeData()),
          checkpoint.nextValue() - 1, checkpoint.committedFiles());
    }
  }

  private static void produce(Options options, BatchSink sink) throws Exception {
    long firstValue = sink.nextValue();
    String job = jobName(options.getSink());
    LOG.info(
        "{}: {} rows/s into {}, {} s windows, continuing at value {}",
        job, options.getRowsPerSecond(), sink.target(), options.getTriggerSeconds(), firstValue);

    Instant start = new Instant((System.currentTimeMillis() / 1000 + 1) * 1000);
    ScheduledTime schedule = new ScheduledTime(start, options.getRowsPerSecond());
    long windowMillis = options.getTriggerSeconds() * 1000L;
    long generated = 0; // the run's rows [0, generated) are written
    long nextProgress = System.currentTimeMillis() + PROGRESS_MILLIS;
    StopSignal stop = StopSignal.onShutdown(60_000);
    try {
      long deadline =
          options.getDurationSeconds() > 0
              ? start.getMillis() + options.getDurationSeconds() * 1000L
              : Long.MAX_VALUE;
      while (true) {
        long now = System.currentTimeMillis();
        boolean last = stop.requested() || now >= deadline;
        // Rows of whole windows only, so each window is one file; the last batch also takes
        // the rows of the open window that came due before the stop.
        long due =
            schedule.rowsBefore(new Instant(last ? Math.min(now, deadline) : windowStart(now, windowMillis)));
        if (due > generated) {
          long end = Math.min(due, generated + MAX_ROWS_PER_BATCH); // fallen behind: in steps
          Batch batch = new Batch(start.getMillis(), options.getRowsPerSecond(), options.getSeed(),
              firstValue, generated, end);
          sink.starting(batch);
          writeBatch(options, sink, batch);
          generated = end;
          sink.commit(batch.endValue());
          if (generated < due) {
            continue;
          }
        }
        if (last) {
          break;
        }
        if (System.currentTimeMillis() >= nextProgress) {
          nextProgress += PROGRESS_MILLIS;
          LOG.info("{}: {} rows this run into {}, last value {}", job,
              sink.nextValue() - firstValue, sink.target(), sink.nextValue() - 1);
        }
        long wait = Math.min(windowStart(now, windowMillis) + windowMillis, deadline)
            - System.currentTimeMillis();
        if (wait > 0) {
          stop.awaitRequest(wait);
        }
      }
      double seconds = Math.max(0.001, (System.currentTimeMillis() - start.getMillis()) / 1000.0);
      System.out.println(sink.summary(sink.nextValue() - firstValue, seconds));
    } finally {
      stop.done();
    }
  }

  /** One bounded pipeline: a batch's rows into the sink. */
  static void writeBatch(Options options, BatchSink sink, Batch batch) {
    Pipeline pipeline = Pipeline.create(options);
    sink.write(pipeline.apply("GenerateMessages", batch.generate()));
    pipeline.run().waitUntilFinish();
  }

  private static long windowStart(long millis, long windowMillis) {
    return millis - Math.floorMod(millis, windowMillis);
  }

  private static void validate(Options options) {
    if (options.getRowsPerSecond() < 1 || options.getRowsPerSecond() > 10_000_000) {
      throw new UserError(
          "--rowsPerSecond must be between 1 and 10000000, got " + options.getRowsPerSecond());
    }
    UserError.requireAtLeast("--triggerSeconds", options.getTriggerSeconds(), 1);
    if (!List.of(RATE, KAFKA).contains(options.getSource())) {
      throw new UserError("--source must be rate or kafka, got " + options.getSource());
    }
    if (!List.of(LAKE, KAFKA).contains(options.getSink())) {
      throw new UserError("--sink must be lake or kafka, got " + options.getSink());
    }
    if (options.getSource().equals(KAFKA) && options.getSink().equals(KAFKA)) {
      throw new UserError("--source=kafka reads the topic into bronze: its sink is the lake");
    }
    UserError.requireDuration(options.getDurationSeconds());
  }
}
