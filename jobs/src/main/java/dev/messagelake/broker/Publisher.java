package dev.messagelake.broker;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.events.RateBatches;
import dev.messagelake.events.RateOptions;
import dev.messagelake.events.RateSource;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.CheckpointFolder;
import dev.messagelake.storage.JobLock;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.LogEntry;
import dev.messagelake.stream.DurationOptions;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's feed: the rate source's events published to the broker's topic with KafkaIO, one
 * micro-batch per window.
 *
 * <p>Its checkpoint, {@code <lake>/_publisher/<topic>/}, holds the batch in flight: {@code
 * plans/<n>} records what generates batch {@code n} again before it is sent, {@code commits/<n>}
 * the next value and the topic's end once its pipeline has succeeded (KafkaIO flushes every bundle
 * before it completes). A restart after a kill sends a planned batch again, the very same events: a
 * value that reaches the topic twice is the same event twice, and every reader keeps one copy per
 * value. A topic holding records this publisher did not send is refused, not mixed with.
 */
public class Publisher {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

  /** The job's name, as users run it. */
  public static final String JOB = "publish";

  private static final int RETAINED_BATCHES = 100;

  /** The publisher's options (pipelines/publish adds runner flags and the demo's rate). */
  @Description(
      "Reads: the rate source.\n"
          + "Writes: the Kafka topic --kafkaTopic at --kafkaBootstrapServers, and its progress in"
          + " <lake>/_publisher/<topic>/.")
  public interface Options extends LakeOptions, KafkaOptions, RateOptions, DurationOptions {
    @Description("Forget what was published (its progress only) and publish from value 0 again")
    @Default.Boolean(false)
    boolean getReset();

    void setReset(boolean value);
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run(JOB, args, Options.class, Publisher::run));
  }

  public static void run(Options options) throws Exception {
    RateBatches.validate(options);
    LakeLayout layout = LakeLayout.of(options);
    LakeStorage storage = layout.storage();
    storage.requireWritableDirectory(layout.root());
    String topic = options.getKafkaTopic();
    CheckpointFolder folder =
        new CheckpointFolder(
            storage,
            layout.root().resolve("_publisher").resolve(topic),
            "publisher.lock",
            "publisher of " + topic);
    try (JobLock lock = folder.lock();
        KafkaTopics topics = KafkaTopics.connect(options);
        BrokerWatch watch = BrokerWatch.start(JOB, options)) {
      if (options.getReset()) {
        folder.reset(List.of(layout.root().resolve("_publisher").resolve(topic + ".properties")));
        LOG.info("publish: reset: forgot what was published to {}", topic);
      }
      java.nio.file.Path earlier =
          layout.root().resolve("_publisher").resolve(topic + ".properties");
      if (storage.exists(earlier)) {
        throw new UserError(
            earlier
                + " is the progress of an earlier version of message-lake"
                + " (before format v"
                + BatchLog.VERSION
                + "); run with --reset to publish again");
      }
      topics.ensureTopic(topic); // one partition: the topic keeps the events' order
      new Publisher(options, folder, topics, watch).publish();
    }
  }

  private final Options options;
  private final BatchLog plans;
  private final BatchLog commits;
  private final KafkaTopics topics;
  private final BrokerWatch watch;
  private long nextValue;
  private long topicEnd; // records in the topic after the last commit, all this publisher's
  private long lastBatch;

  private Publisher(
      Options options, CheckpointFolder folder, KafkaTopics topics, BrokerWatch watch) {
    this.options = options;
    this.plans = folder.log("plans");
    this.commits = folder.log("commits");
    this.topics = topics;
    this.watch = watch;
  }

  private void publish() throws Exception {
    recover();
    long firstValue = nextValue;
    RateBatches rate = new RateBatches(options, firstValue);
    rate.run(
        JOB,
        target(),
        () -> nextValue,
        batch -> {
          plans.add(++lastBatch, entry(batch));
          send(batch);
        });
    System.out.printf(
        "publish stopped: published %d rows this run (%.1f rows/s) to %s; values 0..%d sent%n",
        nextValue - firstValue,
        (nextValue - firstValue) / rate.secondsSoFar(),
        target(),
        nextValue - 1);
  }

  /**
   * Checks the topic holds exactly what this publisher sent, and sends again a batch a kill
   * interrupted.
   */
  private void recover() throws Exception {
    String topic = options.getKafkaTopic();
    // Once per start, what a kill between a commit and its removal below left behind.
    plans.retainLast(RETAINED_BATCHES);
    commits.retainLast(RETAINED_BATCHES);
    Optional<LogEntry> committed = commits.latest();
    long recordedEnd = committed.map(e -> e.getLong("topicEnd")).orElse(0L);
    nextValue = committed.map(e -> e.getLong("nextValue")).orElse(0L);
    lastBatch = Math.max(plans.latestId().orElse(0), commits.latestId().orElse(0));
    long inFlight = plans.latestId().orElse(0);
    boolean sending = inFlight > commits.latestId().orElse(0);
    long end = recordsIn(topic);
    if (end < recordedEnd) {
      throw new UserError(
          "topic "
              + topic
              + " holds "
              + end
              + " records, fewer than the "
              + recordedEnd
              + " this publisher sent: was it deleted? --reset"
              + " publishes from value 0 again into an empty topic");
    }
    if (end > recordedEnd && !sending) {
      throw new UserError(
          "topic "
              + topic
              + " holds "
              + (end - recordedEnd)
              + " records this"
              + " publisher did not send (its progress: "
              + (committed.isPresent() ? commits.folder() : "none yet")
              + "); publish to another --kafkaTopic, or start with an empty broker"
              + " (./run.sh kafka stop && ./run.sh kafka reset)");
    }
    topicEnd = recordedEnd;
    if (sending) {
      RateSource.Batch batch = batch(plans.require(inFlight));
      LOG.info(
          "publish: sending again the batch a stop interrupted, values {}..{} (the same"
              + " events)",
          batch.firstValue() + batch.fromOffset(),
          batch.endValue() - 1);
      send(batch);
    }
  }

  /**
   * One batch: sent to the topic, then committed. A broker lost meanwhile is waited for and the
   * batch sent again (the same events: readers keep one copy per value).
   */
  private void send(RateSource.Batch batch) throws Exception {
    watch.retry(
        () -> {
          Pipeline pipeline = Pipeline.create(options);
          pipeline
              .apply("GenerateMessages", batch.generate())
              .apply("PublishToKafka", new KafkaEvents.Publish(options));
          watch.run(pipeline);
          return null;
        });
    nextValue = batch.endValue();
    topicEnd = watch.retry(() -> recordsIn(options.getKafkaTopic()));
    commits.add(
        lastBatch,
        LogEntry.builder().put("nextValue", nextValue).put("topicEnd", topicEnd).build());
    plans.remove(lastBatch - RETAINED_BATCHES); // the ones that fall out: no listing per batch
    commits.remove(lastBatch - RETAINED_BATCHES);
  }

  private String target() {
    return "topic " + options.getKafkaTopic() + " at " + options.getKafkaBootstrapServers();
  }

  /** How many records {@code topic} has ever held: its partitions' end offsets, summed. */
  private long recordsIn(String topic) {
    return topics.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
  }

  private static LogEntry entry(RateSource.Batch batch) {
    return LogEntry.builder()
        .put("startMillis", batch.startMillis())
        .put("rowsPerSecond", batch.rowsPerSecond())
        .put("seed", batch.seed())
        .put("firstValue", batch.firstValue())
        .put("fromOffset", batch.fromOffset())
        .put("toOffset", batch.toOffset())
        .build();
  }

  private static RateSource.Batch batch(LogEntry entry) {
    return new RateSource.Batch(
        entry.getLong("startMillis"),
        entry.getLong("rowsPerSecond"),
        entry.getLong("seed"),
        entry.getLong("firstValue"),
        entry.getLong("fromOffset"),
        entry.getLong("toOffset"));
  }
}
