package dev.messagelake.bronze;

import dev.messagelake.broker.KafkaEvents;
import dev.messagelake.broker.KafkaTopics;
import dev.messagelake.cli.UserError;
import dev.messagelake.lake.JobLock;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer publishing to the broker ({@code --sink=kafka}): each micro-batch's events go to
 * the topic with KafkaIO. {@code <lake>/_publisher/<topic>.properties} records the next value and
 * the topic's end once a batch's pipeline has succeeded (KafkaIO flushes every bundle before it
 * completes), and, before, the batch being sent, as what generates it again. A restart after a
 * kill sends that batch again, the very same events: a value that reaches the topic twice is
 * the same event twice, and bronze's Kafka source and the realtime job keep one copy per value.
 *
 * <p>Values must mean one event per topic: a topic holding records this publisher did not send
 * (another lake's publisher, a previous broker's data) is refused, not mixed with.
 */
final class PublishedValues implements BronzeProducer.BatchSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PublishedValues.class);
  private final BronzeProducer.Options options;
  private final Path file;
  private final JobLock lock;
  private final KafkaTopics topics;
  private long nextValue;
  private long topicEnd; // records in the topic after the last commit, all this publisher's

  private PublishedValues(BronzeProducer.Options options, Path file, JobLock lock,
      KafkaTopics topics, long nextValue, long topicEnd) {
    this.options = options;
    this.file = file;
    this.lock = lock;
    this.topics = topics;
    this.nextValue = nextValue;
    this.topicEnd = topicEnd;
  }

  /**
   * Locks the topic's publisher state (one publisher per topic and lake), checks the topic holds
   * exactly what this publisher sent, and sends again a batch a kill interrupted.
   */
  static PublishedValues open(LakeLayout layout, BronzeProducer.Options options) {
    Path directory = layout.root().resolve("_publisher");
    LakeFiles.createDirectories(directory);
    String topic = options.getKafkaTopic();
    JobLock lock = JobLock.acquire(directory.resolve(topic + ".lock"), "publisher of " + topic);
    KafkaTopics topics = null;
    try {
      Path file = directory.resolve(topic + ".properties");
      if (options.getReset()) {
        LakeFiles.deleteRecursively(file);
      }
      topics = KafkaTopics.connect(options);
      topics.ensureTopic(topic); // one partition: the topic keeps the events' order
      Properties state = read(file);
      long recordedEnd = Long.parseLong(state.getProperty("topicEnd", "0"));
      long end = recordsIn(topics, topic);
      boolean inFlight = state.containsKey("batch.firstValue");
      if (end < recordedEnd) {
        throw new UserError("topic " + topic + " holds " + end + " records, fewer than the "
            + recordedEnd + " this publisher sent (" + file + "): was it deleted? --reset"
            + " publishes from value 0 again into an empty topic");
      }
      if (end > recordedEnd && !inFlight) {
        throw new UserError("topic " + topic + " holds " + (end - recordedEnd) + " records this"
            + " publisher did not send (its progress: " + (Files.exists(file) ? file : "none yet")
            + "); publish to another --kafkaTopic, or start with an empty broker"
            + " (./run.sh kafka stop && ./run.sh kafka reset)");
      }
      PublishedValues published = new PublishedValues(options, file, lock, topics,
          Long.parseLong(state.getProperty("nextValue", "0")), recordedEnd);
      if (inFlight) {
        published.sendAgain(batch(state));
      }
      return published;
    } catch (NumberFormatException e) {
      closeQuietly(topics);
      lock.close();
      throw new UserError(options.getLake() + "/_publisher/" + topic
          + ".properties is not a valid publisher checkpoint (" + e.getMessage() + ")");
    } catch (RuntimeException e) {
      closeQuietly(topics);
      lock.close();
      throw e;
    }
  }

  private void sendAgain(BronzeProducer.Batch batch) {
    LOG.info("publish: sending again the batch a stop interrupted, values {}..{} (the same events)",
        batch.firstValue() + batch.fromOffset(), batch.endValue() - 1);
    BronzeProducer.writeBatch(options, this, batch);
    commit(batch.endValue());
  }

  @Override
  public long nextValue() {
    return nextValue;
  }

  @Override
  public void starting(BronzeProducer.Batch batch) {
    record(nextValue, topicEnd,
        "batch.startMillis=" + batch.startMillis() + "\n"
            + "batch.rowsPerSecond=" + batch.rowsPerSecond() + "\n"
            + "batch.seed=" + batch.seed() + "\n"
            + "batch.firstValue=" + batch.firstValue() + "\n"
            + "batch.fromOffset=" + batch.fromOffset() + "\n"
            + "batch.toOffset=" + batch.toOffset() + "\n");
  }

  @Override
  public void write(PCollection<Row> rows) {
    rows.apply("PublishToKafka", new KafkaEvents.Publish(options));
  }

  @Override
  public void commit(long end) {
    nextValue = end;
    topicEnd = recordsIn(topics, options.getKafkaTopic());
    record(nextValue, topicEnd, "");
  }

  @Override
  public String target() {
    return "topic " + options.getKafkaTopic() + " at " + options.getKafkaBootstrapServers();
  }

  @Override
  public String summary(long rows, double seconds) {
    return String.format(
        "publish stopped: published %d rows this run (%.1f rows/s) to %s; values 0..%d sent",
        rows, rows / seconds, target(), nextValue - 1);
  }

  @Override
  public void close() {
    closeQuietly(topics);
    lock.close();
  }

  /** How many records {@code topic} has ever held: its partitions' end offsets, summed. */
  private static long recordsIn(KafkaTopics topics, String topic) {
    return topics.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
  }

  private void record(long next, long topicEnd, String batch) {
    LakeFiles.writeAtomically(
        file,
        "# publisher: every value below nextValue is in topic " + options.getKafkaTopic()
            + ", which held topicEnd records then\n"
            + "nextValue=" + next + "\ntopicEnd=" + topicEnd + "\n"
            + (batch.isEmpty() ? "" : "# the batch being sent, to send again after a kill\n" + batch));
  }

  private static BronzeProducer.Batch batch(Properties state) {
    return new BronzeProducer.Batch(
        Long.parseLong(state.getProperty("batch.startMillis")),
        Long.parseLong(state.getProperty("batch.rowsPerSecond")),
        Long.parseLong(state.getProperty("batch.seed")),
        Long.parseLong(state.getProperty("batch.firstValue")),
        Long.parseLong(state.getProperty("batch.fromOffset")),
        Long.parseLong(state.getProperty("batch.toOffset")));
  }

  private static Properties read(Path file) {
    try {
      return Files.exists(file) ? LakeFiles.readProperties(file) : new Properties();
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static void closeQuietly(KafkaTopics topics) {
    if (topics != null) {
      topics.close();
    }
  }
}
