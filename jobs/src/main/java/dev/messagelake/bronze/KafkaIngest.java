package dev.messagelake.bronze;

import dev.messagelake.broker.BrokerWatch;
import dev.messagelake.broker.KafkaEvents;
import dev.messagelake.broker.KafkaEvents.OffsetRange;
import dev.messagelake.broker.KafkaTopics;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.RowToAvro;
import dev.messagelake.stream.MicroBatches;
import dev.messagelake.stream.MicroBatches.Backlog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bronze from the platform's broker ({@code --source=kafka}): every trigger, one bounded pipeline
 * reads the records between the checkpoint's offsets and the topic's end with KafkaIO, keeps the
 * values bronze does not hold yet (once each: a publisher that restarted may have sent some twice),
 * and stages them as parquet runs of consecutive values; the checkpoint publishes the runs that
 * continue bronze and only then moves its offsets.
 *
 * <pre>
 *   offsets [checkpoint, end) -> KafkaIO -> NewValuesOnly -> ByValueRange -> WriteContiguousRuns
 *   -> BronzeCheckpoint.commitIngested(end offsets)
 * </pre>
 */
final class KafkaIngest {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIngest.class);
  private static final long PROGRESS_MILLIS = 5_000;
  private static final long VALUES_PER_GROUP = 100_000; // few keys: cheap on every runner

  private KafkaIngest() {}

  /** Values from {@code nextValue} on, once each, staged as parquet runs of consecutive values. */
  static class StageNewValues extends PTransform<PCollection<Row>, PCollection<String>> {
    private final long nextValue;
    private final String staging;

    /** Into {@code staging}, a location Beam's file systems open. */
    StageNewValues(long nextValue, String staging) {
      this.nextValue = nextValue;
      this.staging = staging;
    }

    @Override
    public PCollection<String> expand(PCollection<Row> events) {
      long first = nextValue;
      return events
          .apply("NewValuesOnly", Filter.by(row -> row.getInt64(LakeSchemas.VALUE) >= first))
          // KafkaIO's read is unbounded per element even with stop offsets: group once, at the end.
          .apply(
              "WhenAllIsRead",
              Window.<Row>into(new GlobalWindows())
                  .triggering(AfterWatermark.pastEndOfWindow())
                  .withAllowedLateness(Duration.ZERO)
                  .discardingFiredPanes())
          .apply(
              "ByValueRange",
              WithKeys.of((Row row) -> row.getInt64(LakeSchemas.VALUE) / VALUES_PER_GROUP)
                  .withKeyType(TypeDescriptors.longs()))
          .apply("GroupByValueRange", GroupByKey.create())
          .apply("WriteContiguousRuns", ParDo.of(new WriteContiguousRunsFn(staging)));
    }
  }

  /** Sorts a value range's rows, drops repeated values, writes each run of consecutive values. */
  static class WriteContiguousRunsFn extends DoFn<KV<Long, Iterable<Row>>, String> {
    private final String staging;
    private transient RowToAvro toAvro;

    WriteContiguousRunsFn(String staging) {
      this.staging = staging;
    }

    @Setup
    public void setup() {
      toAvro = new RowToAvro(LakeSchemas.BRONZE_AVRO);
    }

    @ProcessElement
    public void processElement(@Element KV<Long, Iterable<Row>> group, OutputReceiver<String> out)
        throws IOException {
      List<Row> rows = new ArrayList<>();
      group.getValue().forEach(rows::add);
      rows.sort(Comparator.comparingLong(row -> row.getInt64(LakeSchemas.VALUE)));
      List<Row> run = new ArrayList<>();
      for (Row row : rows) {
        long value = row.getInt64(LakeSchemas.VALUE);
        long last =
            run.isEmpty() ? Long.MIN_VALUE : run.get(run.size() - 1).getInt64(LakeSchemas.VALUE);
        if (value == last) {
          continue; // published twice: same value, same event
        }
        if (!run.isEmpty() && value != last + 1) {
          out.output(write(run));
          run = new ArrayList<>();
        }
        run.add(row);
      }
      if (!run.isEmpty()) {
        out.output(write(run));
      }
    }

    private String write(List<Row> run) throws IOException {
      long first = run.get(0).getInt64(LakeSchemas.VALUE);
      long last = run.get(run.size() - 1).getInt64(LakeSchemas.VALUE);
      ResourceId path =
          FileSystems.matchNewResource(staging, true)
              .resolve(BronzeCheckpoint.fileName(first, last), StandardResolveOptions.RESOLVE_FILE);
      FileIO.Sink<GenericRecord> file = ParquetIO.sink(LakeSchemas.BRONZE_AVRO);
      file.open(FileSystems.create(path, MimeTypes.BINARY));
      for (Row row : run) {
        file.write(toAvro.apply(row));
      }
      file.flush(); // closes the parquet file
      return path.toString();
    }
  }

  /** Ingests the topic until the duration ends or the process is asked to stop. */
  static void run(BronzeProducer.Options options, LakeLayout layout, BronzeCheckpoint checkpoint)
      throws Exception {
    String topic = options.getKafkaTopic();
    long firstValue = checkpoint.nextValue();
    long firstFiles = checkpoint.committedFiles();
    LOG.info(
        "bronze: ingesting topic {} at {} into {} every {} s, continuing at value {}",
        topic,
        options.getKafkaBootstrapServers(),
        layout.display(layout.bronzeData()),
        options.getTriggerSeconds(),
        firstValue);
    try (KafkaTopics topics = KafkaTopics.connect(options);
        BrokerWatch watch = BrokerWatch.start("bronze", options)) {
      MissingValue missing = new MissingValue(topic);
      new MicroBatches(
              options.getTriggerSeconds() * 1000L,
              System.currentTimeMillis(),
              options.getDurationSeconds(),
              60_000)
          .withFinalBatch()
          .withProgress(
              PROGRESS_MILLIS,
              () ->
                  LOG.info(
                      "bronze: {} rows in {} files this run from topic {}, offsets {}",
                      checkpoint.nextValue() - firstValue,
                      checkpoint.committedFiles() - firstFiles,
                      topic,
                      checkpoint.kafkaOffsets()))
          .run(
              last -> {
                // a batch the broker's loss cut short is read again, its staging dropped first
                watch.retry(
                    () -> {
                      ingestBatch(options, topics, watch, checkpoint, missing);
                      return null;
                    },
                    checkpoint::discardStaging);
                return Backlog.NONE;
              });
      checkpoint.discardStaging();
      System.out.printf(
          "bronze stopped: ingested %d rows in %d files this run from topic %s; "
              + "%s now holds values 0..%d in %d files (offsets %s)%n",
          checkpoint.nextValue() - firstValue,
          checkpoint.committedFiles() - firstFiles,
          topic,
          layout.display(layout.bronzeData()),
          checkpoint.nextValue() - 1,
          checkpoint.committedFiles(),
          checkpoint.kafkaOffsets());
    }
  }

  /** One batch: the records from the committed offsets to the topic's end, staged, committed. */
  private static void ingestBatch(
      BronzeProducer.Options options,
      KafkaTopics topics,
      BrokerWatch watch,
      BronzeCheckpoint checkpoint,
      MissingValue missing)
      throws Exception {
    String topic = options.getKafkaTopic();
    List<OffsetRange> ranges = new ArrayList<>();
    Map<String, Long> endOffsets = new HashMap<>();
    Map<String, Long> committed = checkpoint.kafkaOffsets();
    topics
        .endOffsets(topic)
        .forEach(
            (partition, end) -> {
              String key = topic + "/" + partition;
              long from = committed.getOrDefault(key, 0L);
              if (end > from) {
                ranges.add(new OffsetRange(partition, from, end));
                endOffsets.put(key, end);
              }
            });
    if (ranges.isEmpty()) {
      return;
    }
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("ReadOffsetRanges", new KafkaEvents.ReadOffsetRanges(options, ranges))
        .apply(
            "StageNewValues",
            new StageNewValues(checkpoint.nextValue(), checkpoint.location(checkpoint.staging())));
    watch.run(pipeline);
    missing.update(checkpoint.commitIngested(endOffsets), checkpoint.nextValue());
  }

  /** Says, every 30 s, that a value is still missing while later ones arrive. */
  private static final class MissingValue {
    private final String topic;
    private long since = -1;

    MissingValue(String topic) {
      this.topic = topic;
    }

    void update(boolean allCommitted, long nextValue) {
      long now = System.currentTimeMillis();
      if (allCommitted) {
        since = -1;
      } else if (since < 0) {
        since = now;
      } else if (now - since > 30_000) {
        LOG.warn(
            "bronze: value {} has been missing from topic {} for {} s while later values"
                + " arrived; waiting for the publisher to send it (is it stopped mid-batch?)",
            nextValue,
            topic,
            (now - since) / 1000);
        since = now;
      }
    }
  }
}
