package dev.messagelake.bronze;

import dev.messagelake.broker.KafkaEvents;
import dev.messagelake.broker.KafkaTopics;
import dev.messagelake.cli.UserError;
import dev.messagelake.lake.JobLock;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * The producer publishing to the broker ({@code --sink=kafka}): each micro-batch's events go to
 * the topic with KafkaIO, and {@code <lake>/_publisher/<topic>.properties} records the next value
 * once the batch's pipeline has succeeded (KafkaIO flushes every bundle before it completes).
 * A kill mid-batch sends that batch's values again on restart: the same value always carries the
 * same event, and bronze's Kafka source and the realtime job both keep one copy per value.
 */
final class PublishedValues implements BronzeProducer.BatchSink, AutoCloseable {
  private final BronzeProducer.Options options;
  private final Path file;
  private final JobLock lock;
  private final long firstValue;
  private long nextValue;

  private PublishedValues(BronzeProducer.Options options, Path file, JobLock lock, long nextValue) {
    this.options = options;
    this.file = file;
    this.lock = lock;
    this.firstValue = nextValue;
    this.nextValue = nextValue;
  }

  /** Locks the topic's publisher state (one publisher per topic and lake) and reads it. */
  static PublishedValues open(LakeLayout layout, BronzeProducer.Options options) {
    Path directory = layout.root().resolve("_publisher");
    LakeFiles.createDirectories(directory);
    String topic = options.getKafkaTopic();
    JobLock lock = JobLock.acquire(directory.resolve(topic + ".lock"), "publisher of " + topic);
    try {
      Path file = directory.resolve(topic + ".properties");
      if (options.getReset()) {
        LakeFiles.deleteRecursively(file);
      }
      try (KafkaTopics topics = KafkaTopics.connect(options)) {
        topics.ensureTopic(topic); // one partition: the topic keeps the events' order
      }
      return new PublishedValues(options, file, lock, readNextValue(file));
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  @Override
  public long nextValue() {
    return nextValue;
  }

  @Override
  public void write(PCollection<Row> rows) {
    rows.apply("PublishToKafka", new KafkaEvents.Publish(options));
  }

  @Override
  public void commit(long end) {
    nextValue = end;
    LakeFiles.writeAtomically(
        file,
        "# publisher: every value below nextValue was sent to topic " + options.getKafkaTopic()
            + " at " + options.getKafkaBootstrapServers() + "\nnextValue=" + nextValue + "\n");
  }

  @Override
  public String target() {
    return "topic " + options.getKafkaTopic() + " at " + options.getKafkaBootstrapServers();
  }

  @Override
  public String summary(long rows, double seconds) {
    return String.format(
        "bronze stopped: published %d rows this run (%.1f rows/s) to %s; values 0..%d sent",
        rows, rows / seconds, target(), nextValue - 1);
  }

  @Override
  public void close() {
    lock.close();
  }

  private static long readNextValue(Path file) {
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      Properties properties = new Properties();
      properties.load(new StringReader(Files.readString(file)));
      return Long.parseLong(properties.getProperty("nextValue", "").trim());
    } catch (IOException | NumberFormatException e) {
      throw new UserError(file + " is not a valid publisher checkpoint (" + e.getMessage()
          + "); run with --reset to publish from value 0 again");
    }
  }
}
