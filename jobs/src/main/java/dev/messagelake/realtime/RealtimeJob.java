package dev.messagelake.realtime;

import dev.messagelake.broker.BrokerWatch;
import dev.messagelake.broker.KafkaEvents;
import dev.messagelake.broker.KafkaOptions;
import dev.messagelake.broker.KafkaTopics;
import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.StopSignal;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.Countries;
import dev.messagelake.events.EventSource;
import dev.messagelake.events.RateSource;
import dev.messagelake.stream.DurationOptions;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The near-real-time aggregation behind the dashboard: a streaming pipeline that counts messages
 * per 1-minute event-time window (by event_type, channel and country, plus valid / corrupted) and
 * upserts the counts into a database at every firing.
 *
 * <pre>
 *   Kafka topic (KafkaIO, event-time watermark) | rate source
 *     -> CountMessages (windows, early/on-time/late firings, dedup) -> UpsertCounts
 * </pre>
 *
 * <p>With Kafka, a start re-reads the topic from {@code --replayMinutes} ago, aligned on a window:
 * every window it touches is counted again from its first event and the upserts converge on the
 * same rows, so a restart never loses or doubles a count.
 */
public class RealtimeJob {
  private static final Logger LOG = LoggerFactory.getLogger(RealtimeJob.class);
  private static final long PROGRESS_MILLIS = 10_000;
  private static final long PROBE_WAIT_MILLIS = 2_000;

  /** The realtime job's options ({@code pipelines/realtime} adds runner flags). */
  @Description(
      "Reads: the rate source (--source=rate) or the Kafka topic --kafkaTopic"
          + " (--source=kafka).\n"
          + "Writes: counts per --windowSeconds window, upserted into the message_counts table of"
          + " --jdbcUrl.")
  public interface Options extends KafkaOptions, DatabaseOptions, DurationOptions {
    @Description(
        "Where events come from: rate (generated here, a demo stream) or kafka (the"
            + " topic the publisher fills: ./run.sh publish)")
    @Default.Enum("rate")
    EventSource getSource();

    void setSource(EventSource value);

    @Description("Rows per second of the rate source")
    @Default.Long(10)
    long getRowsPerSecond();

    void setRowsPerSecond(long value);

    @Description("Seed of the rate source's fake fields")
    @Default.Long(42)
    long getSeed();

    void setSeed(long value);

    @Description(
        "A window's counts are written this many seconds after its first new event"
            + " (early firings while it is open, late ones after)")
    @Default.Integer(2)
    int getEarlyFiringSeconds();

    void setEarlyFiringSeconds(int value);

    @Description("Events up to this many seconds behind the watermark still update their window")
    @Default.Integer(60)
    int getAllowedLatenessSeconds();

    void setAllowedLatenessSeconds(int value);

    @Description("Kafka: the watermark trails the newest event time by this many seconds")
    @Default.Integer(2)
    int getMaxDelaySeconds();

    void setMaxDelaySeconds(int value);

    @Description(
        "How long the job retries its upserts into a database that went away before it stops"
            + " with exit code 1 (a restart counts the replayed windows again)")
    @Default.Integer(300)
    int getDatabaseOutageSeconds();

    void setDatabaseOutageSeconds(int value);

    @Description("Kafka: at start, count again the windows of the last N minutes from the topic")
    @Default.Integer(60)
    int getReplayMinutes();

    void setReplayMinutes(int value);
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("realtime", args, Options.class, RealtimeJob::run));
  }

  /** Runs the streaming job until its duration ends or the process is asked to stop. */
  public static void run(Options options) throws Exception {
    validate(options);
    MessageCountsTable.create(options);
    StopSignal stop = StopSignal.onShutdown(30_000);
    BrokerWatch watch =
        options.getSource() == EventSource.kafka ? BrokerWatch.start("realtime", options) : null;
    try {
      long deadline =
          options.getDurationSeconds() > 0
              ? System.currentTimeMillis() + options.getDurationSeconds() * 1000L
              : Long.MAX_VALUE;
      PipelineResult result = startCounting(options);
      while (!stop.requested() && System.currentTimeMillis() < deadline) {
        PipelineResult.State state =
            waitUntilFinish(
                result,
                Duration.millis(Math.min(PROGRESS_MILLIS, deadline - System.currentTimeMillis())));
        if (state != null && state.isTerminal()) {
          throw new IllegalStateException("the streaming pipeline ended: " + state);
        }
        if (watch != null && watch.brokerAway()) {
          // KafkaIO's reader would wait out the broker by itself, but the Direct runner polls it
          // without pause meanwhile (apache/beam#18070): stop, and start again as a restart does
          result.cancel();
          while (watch.brokerAway() && !stop.awaitRequest(PROBE_WAIT_MILLIS)) {
            watch.requireBroker(); // one line and exit code 1 past --kafkaOutageSeconds
          }
          if (!stop.requested()) {
            result = startCounting(options);
          }
          continue;
        }
        long[] counted = counted(options);
        if (counted != null) { // else the upserts are waiting for the database, and say so
          LOG.info(
              "realtime: {} valid and {} corrupted events counted into the table so far",
              counted[0],
              counted[1]);
        }
      }
      result.cancel();
      long[] counted = counted(options);
      if (counted == null) {
        System.out.printf(
            "realtime stopped: %s is unavailable, its counts unread%n", options.getJdbcUrl());
      } else {
        System.out.printf(
            "realtime stopped: %d valid and %d corrupted events counted into %s%n",
            counted[0], counted[1], options.getJdbcUrl());
      }
    } finally {
      stop.done();
      if (watch != null) {
        watch.close();
      }
    }
  }

  /**
   * Starts the counting pipeline; with Kafka, from {@code --replayMinutes} ago, so a start after a
   * stop of any kind converges on the same counts.
   */
  static PipelineResult startCounting(Options options) {
    Pipeline pipeline = Pipeline.create(options);
    PCollection<Row> events;
    if (options.getSource() == EventSource.kafka) {
      long windowMillis = options.getWindowSeconds() * 1000L;
      long replayFrom = System.currentTimeMillis() - options.getReplayMinutes() * 60_000L;
      Instant start = new Instant(replayFrom - Math.floorMod(replayFrom, windowMillis));
      String group = "messagelake-realtime";
      Map<Integer, Long> offsets;
      try (KafkaTopics topics = KafkaTopics.connect(options)) {
        topics.ensureTopic(options.getKafkaTopic());
        offsets = topics.positionGroupAt(group, options.getKafkaTopic(), start.getMillis());
      }
      events =
          pipeline.apply(
              "ReadTopic",
              new KafkaEvents.ReadStream(
                  options, group, Duration.standardSeconds(options.getMaxDelaySeconds())));
      LOG.info(
          "realtime: counting topic {} at {} from {} on (offsets {}), {} s windows, into {}",
          options.getKafkaTopic(),
          options.getKafkaBootstrapServers(),
          start,
          offsets,
          options.getWindowSeconds(),
          options.getJdbcUrl());
    } else {
      events =
          pipeline.apply(
              "RateSource",
              new RateSource.Unbounded(options.getRowsPerSecond(), options.getSeed()));
      LOG.info(
          "realtime: counting a rate source of {} rows/s, {} s windows, into {}",
          options.getRowsPerSecond(),
          options.getWindowSeconds(),
          options.getJdbcUrl());
    }
    events
        .apply(
            "CountPerWindow",
            new CountMessages(
                Duration.standardSeconds(options.getWindowSeconds()),
                Duration.standardSeconds(options.getEarlyFiringSeconds()),
                Duration.standardSeconds(options.getAllowedLatenessSeconds()),
                Countries.bundled()))
        .apply("UpsertCounts", new UpsertCounts(options));
    return pipeline.run();
  }

  /** The pipeline's state after at most {@code wait}; a job failure inside it is the job's. */
  private static PipelineResult.State waitUntilFinish(PipelineResult result, Duration wait) {
    try {
      return result.waitUntilFinish(wait);
    } catch (Pipeline.PipelineExecutionException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof JobFailed) {
          throw (JobFailed) cause; // one line (the database stayed away, or is full)
        }
      }
      throw e;
    }
  }

  /** {valid, corrupted} counted in the table, or null while the database cannot be read. */
  private static long[] counted(Options options) {
    try {
      return MessageCountsTable.validAndCorrupted(options);
    } catch (IllegalStateException e) {
      return null;
    }
  }

  private static void validate(Options options) {
    UserError.requireAtLeast("--rowsPerSecond", options.getRowsPerSecond(), 1);
    UserError.requireAtLeast("--windowSeconds", options.getWindowSeconds(), 1);
    UserError.requireAtLeast("--earlyFiringSeconds", options.getEarlyFiringSeconds(), 1);
    UserError.requireAtLeast("--allowedLatenessSeconds", options.getAllowedLatenessSeconds(), 0);
    UserError.requireAtLeast("--maxDelaySeconds", options.getMaxDelaySeconds(), 0);
    UserError.requireAtLeast("--replayMinutes", options.getReplayMinutes(), 0);
    UserError.requireAtLeast("--databaseOutageSeconds", options.getDatabaseOutageSeconds(), 1);
    UserError.requireDuration(options.getDurationSeconds());
  }
}
