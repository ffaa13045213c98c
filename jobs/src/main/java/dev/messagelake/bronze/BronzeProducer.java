package dev.messagelake.bronze;

import dev.messagelake.broker.KafkaOptions;
import dev.messagelake.broker.Publisher;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.PackedRecords;
import dev.messagelake.events.EventSource;
import dev.messagelake.events.RateBatches;
import dev.messagelake.events.RateOptions;
import dev.messagelake.events.RateSource;
import dev.messagelake.storage.JobLock;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.stream.DurationOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bronze producer: a rate source whose events get their own fake fields, one parquet file per
 * window into {@code bronze/messages/data}, committed by {@link BronzeCheckpoint} so that a restart
 * continues the sequence where the last run stopped.
 *
 * <pre>
 *   every window: GenerateMessages (the rows that came due) -> WriteParquetPerWindow (staging)
 *     -> BronzeCheckpoint publishes each staged file into data/, in value order
 * </pre>
 *
 * <p>Micro-batches, as Spark's rate source runs: an unbounded pipeline on the Direct runner
 * busy-polls its source (apache/beam#18070); bounded batches idle between windows and run on every
 * runner.
 */
public class BronzeProducer {
  private static final Logger LOG = LoggerFactory.getLogger(BronzeProducer.class);

  /** Where the producer's events go ({@code --sink}). */
  public enum Sink {
    /** Bronze parquet files in the lake. */
    lake,
    /** The broker's topic: the same job as {@code ./run.sh publish}. */
    kafka
  }

  /** The producer's options (pipelines/bronze adds runner flags). */
  @Description(
      "Reads: the rate source (--source=rate), or the Kafka topic --kafkaTopic (--source=kafka).\n"
          + "Writes: bronze/messages/data under --lake, one parquet file per window, and"
          + " bronze/messages/checkpoint; with --sink=kafka the topic instead (as ./run.sh"
          + " publish).")
  public interface Options
      extends LakeOptions, KafkaOptions, RateOptions, DurationOptions, Publisher.Options {
    @Description(
        "Where events come from: rate (generated here) or kafka (the topic, from"
            + " --kafkaBootstrapServers)")
    @Default.Enum("rate")
    EventSource getSource();

    void setSource(EventSource value);

    @Description(
        "Where events go: lake (bronze parquet) or kafka (published to the topic, as ./run.sh"
            + " publish does)")
    @Default.Enum("lake")
    Sink getSink();

    void setSink(Sink value);

    @Override
    @Description("Delete bronze data and checkpoint (only those), then produce again from value 0")
    @Default.Boolean(false)
    boolean getReset();

    @Override
    void setReset(boolean value);
  }

  public static void main(String[] args) {
    boolean publish = JobLauncher.lastOneWins(args).contains("--sink=" + Sink.kafka);
    System.exit(
        JobLauncher.run(
            publish ? Publisher.JOB : "bronze", args, Options.class, BronzeProducer::run));
  }

  /** Runs the producer until its duration ends or the process is asked to stop. */
  public static void run(Options options) throws Exception {
    if (options.getSink() == Sink.kafka) {
      if (options.getSource() == EventSource.kafka) {
        throw new UserError("--source=kafka reads the topic into bronze: its sink is the lake");
      }
      Publisher.run(options);
      return;
    }
    RateBatches.validate(options);
    LakeLayout layout = LakeLayout.of(options);
    layout.storage().requireWritableDirectory(layout.root());
    try (JobLock lock = BronzeCheckpoint.lock(layout)) {
      if (options.getReset()) {
        BronzeCheckpoint.reset(layout);
      }
      BronzeCheckpoint checkpoint = BronzeCheckpoint.recover(layout);
      checkpoint.guardedBy(lock);
      if (options.getSource() == EventSource.kafka) {
        KafkaIngest.run(options, layout, checkpoint);
      } else {
        new BronzeProducer(options, layout, checkpoint).produce();
      }
    }
  }

  private final Options options;
  private final LakeLayout layout;
  private final BronzeCheckpoint checkpoint;

  private BronzeProducer(Options options, LakeLayout layout, BronzeCheckpoint checkpoint) {
    this.options = options;
    this.layout = layout;
    this.checkpoint = checkpoint;
  }

  private void produce() throws Exception {
    long firstValue = checkpoint.nextValue();
    long firstFiles = checkpoint.committedFiles();
    RateBatches rate = new RateBatches(options, firstValue);
    rate.run(
        "bronze",
        layout.display(layout.bronzeData()),
        checkpoint::nextValue,
        batch -> {
          Pipeline pipeline = Pipeline.create(options);
          applyBronzeBatch(pipeline, batch, options.getTriggerSeconds(), checkpoint);
          pipeline.run().waitUntilFinish();
          if (checkpoint.commitStaged() == 0 && checkpoint.stagedFiles().isEmpty()) {
            // every window of a batch is written when its pipeline ends: none is still to come
            throw LakeStorage.writtenWhereTheDriverCannotSee(
                checkpoint.location(checkpoint.staging()));
          }
        });
    checkpoint.discardStaging();
    long rows = checkpoint.nextValue() - firstValue;
    System.out.printf(
        "bronze stopped: wrote %d rows in %d files this run (%.1f rows/s); "
            + "%s now holds values 0..%d in %d files%n",
        rows,
        checkpoint.committedFiles() - firstFiles,
        rows / rate.secondsSoFar(),
        layout.display(layout.bronzeData()),
        checkpoint.nextValue() - 1,
        checkpoint.committedFiles());
  }

  /** The graph of one batch: its rows, generated, written one parquet file per window. */
  static void applyBronzeBatch(
      Pipeline pipeline, RateSource.Batch batch, int windowSeconds, BronzeCheckpoint checkpoint) {
    pipeline
        .apply("GenerateMessages", batch.generate())
        .apply(
            "WriteParquetPerWindow",
            new WriteParquetPerWindow(
                Duration.standardSeconds(windowSeconds),
                checkpoint.location(checkpoint.staging()),
                checkpoint.location(checkpoint.temp())));
  }

  /**
   * One parquet file per window, written into {@code directory} under a name free of ':' (both
   * folders locations Beam's file systems open: a local path or an {@code hdfs://} URI).
   */
  public static class WriteParquetPerWindow
      extends PTransform<PCollection<Row>, WriteFilesResult<Void>> {
    private final Duration windowSize;
    private final String directory;
    private final String tempDirectory;

    public WriteParquetPerWindow(Duration windowSize, String directory, String tempDirectory) {
      this.windowSize = windowSize;
      this.directory = directory;
      this.tempDirectory = tempDirectory;
    }

    @Override
    public WriteFilesResult<Void> expand(PCollection<Row> rows) {
      return rows.apply("WindowPerTrigger", Window.into(FixedWindows.of(windowSize)))
          .apply(
              "PackPerWindow",
              ParDo.of(
                  new PackedRecords.PackRowsFn(
                      LakeSchemas.BRONZE_AVRO, row -> PackedRecords.ONE_DESTINATION)))
          .setCoder(PackedRecords.coder())
          .apply(
              "WriteParquet",
              FileIO.<KV<String, byte[]>>write()
                  .via(
                      Contextful.fn(KV::getValue),
                      new PackedRecords.ParquetSink(LakeSchemas.BRONZE_AVRO))
                  .to(directory)
                  .withTempDirectory(tempDirectory)
                  .withNaming(new WindowFileNaming())
                  .withNumShards(1));
    }
  }

  /** {@code window-<start millis>-<end millis>-pane-<n>-shard-<i>-of-<n>.parquet}. */
  static class WindowFileNaming implements FileIO.Write.FileNaming {
    @Override
    public String getFilename(
        BoundedWindow window,
        PaneInfo pane,
        int numShards,
        int shardIndex,
        Compression compression) {
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
}
