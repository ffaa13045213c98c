package dev.messagelake.flow;

import dev.messagelake.broker.KafkaOptions;
import dev.messagelake.broker.KafkaTopics;
import dev.messagelake.bronze.BronzeCheckpoint;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.OptionsCopy;
import dev.messagelake.cli.StopSignal;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.events.EventSource;
import dev.messagelake.gold.GoldReports;
import dev.messagelake.realtime.Dashboard;
import dev.messagelake.realtime.DatabaseOptions;
import dev.messagelake.realtime.MessageCountsTable;
import dev.messagelake.realtime.RealtimeJob;
import dev.messagelake.silver.SilverCheckpoint;
import dev.messagelake.silver.SilverJob;
import dev.messagelake.silver.SilverRetentionOptions;
import dev.messagelake.storage.JobLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./run.sh lake}: the medallion flow end to end. The producer and the silver stream run
 * together for {@code --durationSeconds}, both stop cleanly, silver catches up on what bronze
 * holds, the check reconciles bronze with silver, and gold writes its reports. With {@code
 * --realtime} the events go through the Kafka broker, feeding bronze and the realtime counts behind
 * the dashboard at once.
 */
public class LakeFlow {
  private static final Logger LOG = LoggerFactory.getLogger(LakeFlow.class);

  /** The flow's options ({@code pipelines/lake} adds runner and JVM flags). */
  @Description(
      "Runs bronze and silver together for --durationSeconds (or until Ctrl-C or SIGTERM),"
          + " then silver's catch-up, the check and gold, under --lake: it reads and writes what"
          + " those jobs do.\n"
          + "Exit code 0: the lake reconciles and both reports are written; 1: it does not (see the"
          + " check); 2: a usage error; 130: stopped by a second Ctrl-C before the end.")
  public interface Options
      extends LakeOptions, KafkaOptions, DatabaseOptions, SilverRetentionOptions {
    @Description(
        "Also the near-real-time path, through the Kafka broker (./run.sh kafka start first): the"
            + " producer publishes to the topic, bronze ingests it, the realtime job counts it into"
            + " --jdbcUrl, and the dashboard serves on --dashboardPort while the flow runs")
    @Default.Boolean(false)
    boolean getRealtime();

    void setRealtime(boolean value);

    @Description("With --realtime: the dashboard's port on 127.0.0.1")
    @Default.Integer(8088)
    int getDashboardPort();

    void setDashboardPort(int value);

    @Description(
        "Seconds the producer and the silver stream run together; 0 runs until Ctrl-C or SIGTERM"
            + " (either one, like the end of the duration, goes on to the catch-up, the check and"
            + " gold)")
    @Default.Integer(60)
    int getDurationSeconds();

    void setDurationSeconds(int value);

    @Description("Rows per second the producer generates")
    @Default.Long(1)
    long getRowsPerSecond();

    void setRowsPerSecond(long value);

    @Description("Seed of the producer's fake fields")
    @Default.Long(42)
    long getSeed();

    void setSeed(long value);

    @Description("Producer window: seconds per bronze file")
    @Default.Integer(1)
    int getBronzeTriggerSeconds();

    void setBronzeTriggerSeconds(int value);

    @Description("Seconds between silver micro-batches")
    @Default.Integer(5)
    int getSilverTriggerSeconds();

    void setSilverTriggerSeconds(int value);

    @Description("Delete bronze and silver (data and checkpoints) first, and start from value 0")
    @Default.Boolean(false)
    boolean getReset();

    void setReset(boolean value);
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("lake", args, Options.class, LakeFlow::run));
  }

  public static void run(Options options) throws Exception {
    UserError.requireDuration(options.getDurationSeconds());
    UserError.requireAtLeast("--rowsPerSecond", options.getRowsPerSecond(), 1);
    UserError.requireAtLeast("--bronzeTriggerSeconds", options.getBronzeTriggerSeconds(), 1);
    UserError.requireAtLeast("--silverTriggerSeconds", options.getSilverTriggerSeconds(), 1);
    flow(options);
  }

  private static void flow(Options options) throws Exception {
    LakeLayout layout = LakeLayout.of(options);
    layout.storage().requireWritableDirectory(layout.root());
    if (options.getReset()) {
      reset(layout);
    }

    BronzeProducer.Options bronze = OptionsCopy.as(options, BronzeProducer.Options.class);
    bronze.setDurationSeconds(options.getDurationSeconds());
    bronze.setRowsPerSecond(options.getRowsPerSecond());
    bronze.setSeed(options.getSeed());
    bronze.setTriggerSeconds(options.getBronzeTriggerSeconds());
    bronze.setReset(false);
    SilverJob.Options silver = OptionsCopy.as(options, SilverJob.Options.class);
    silver.setDurationSeconds(options.getDurationSeconds());
    silver.setTriggerSeconds(options.getSilverTriggerSeconds());
    silver.setReset(false);

    if (options.getRealtime()) {
      realtimeFlow(options, bronze, silver);
    } else {
      LOG.info(
          "lake: producer and silver stream {}",
          options.getDurationSeconds() > 0
              ? "for " + options.getDurationSeconds() + " s"
              : "until Ctrl-C");
      runTogether(() -> BronzeProducer.run(bronze), () -> SilverJob.run(silver));
    }

    // A Ctrl-C above stopped both jobs cleanly, as the end of --durationSeconds does; one now
    // stops the catch-up after its batch, and the flow with it.
    LOG.info("lake: silver catches up on what bronze holds");
    SilverJob.Options catchUp = OptionsCopy.as(silver, SilverJob.Options.class);
    catchUp.setCatchUp(true);
    StopSignal stop = StopSignal.onShutdown(10 * 60_000L);
    try {
      SilverJob.run(catchUp);
      if (stop.requested()) {
        throw new JobFailed(
            "stopped during silver's catch-up: what silver committed stands;"
                + " ./run.sh silver --catchUp finishes it, then ./run.sh check and ./run.sh gold",
            JobLauncher.STOPPED);
      }
    } finally {
      stop.done();
    }

    LOG.info("lake: reconciling bronze with silver");
    LakeCheck.run(OptionsCopy.as(options, LakeCheck.Options.class));

    LOG.info("lake: gold reports");
    GoldReports.run(OptionsCopy.as(options, GoldReports.Options.class));
  }

  /**
   * The flow through the broker: publisher -> topic -> bronze (Kafka source) -> silver, and the
   * topic -> realtime counts -> dashboard, all together; then bronze takes what the publisher sent
   * last, so the lake holds every published event before silver catches up.
   */
  private static void realtimeFlow(
      Options options, BronzeProducer.Options bronze, SilverJob.Options silver) throws Exception {
    try (KafkaTopics topics = KafkaTopics.connect(options)) {
      topics.ensureTopic(options.getKafkaTopic()); // fails in one line when there is no broker
    }
    BronzeProducer.Options publisher = OptionsCopy.as(bronze, BronzeProducer.Options.class);
    publisher.setSink(BronzeProducer.Sink.kafka);
    BronzeProducer.Options ingest = OptionsCopy.as(bronze, BronzeProducer.Options.class);
    ingest.setSource(EventSource.kafka);
    RealtimeJob.Options realtime = OptionsCopy.as(options, RealtimeJob.Options.class);
    realtime.setSource(EventSource.kafka);
    realtime.setDurationSeconds(options.getDurationSeconds());
    Dashboard.Options dashboardOptions = OptionsCopy.as(options, Dashboard.Options.class);
    dashboardOptions.setPort(options.getDashboardPort());
    MessageCountsTable.create(realtime);
    try (Dashboard dashboard = Dashboard.start(dashboardOptions)) {
      LOG.info(
          "lake: publisher -> Kafka topic {} -> bronze and silver, and -> realtime counts in {};"
              + " dashboard on http://127.0.0.1:{}/ ({})",
          options.getKafkaTopic(),
          options.getJdbcUrl(),
          dashboard.port(),
          options.getDurationSeconds() > 0 ? options.getDurationSeconds() + " s" : "until Ctrl-C");
      runTogether(
          () -> BronzeProducer.run(publisher),
          () -> BronzeProducer.run(ingest),
          () -> SilverJob.run(silver),
          () -> RealtimeJob.run(realtime));
      LOG.info("lake: bronze takes what the publisher sent last");
      BronzeProducer.Options lastIngest = OptionsCopy.as(ingest, BronzeProducer.Options.class);
      lastIngest.setDurationSeconds(1);
      BronzeProducer.run(lastIngest);
    }
  }

  /** A job of the flow, run on a thread of its own. */
  interface Step {
    void run() throws Exception;
  }

  /** Runs the steps together until all have ended; then throws the first failure, if any. */
  private static void runTogether(Step... steps) throws Exception {
    ExecutorService jobs = Executors.newFixedThreadPool(steps.length);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (Step step : steps) {
        running.add(
            jobs.submit(
                () -> {
                  step.run();
                  return null;
                }));
      }
      for (Future<?> job : running) {
        await(job);
      }
    } finally {
      jobs.shutdownNow();
    }
  }

  /** Both layers at once, under both locks, before either job starts reading. */
  private static void reset(LakeLayout layout) {
    try (JobLock producer = BronzeCheckpoint.lock(layout);
        JobLock silver = SilverCheckpoint.lock(layout)) {
      BronzeCheckpoint.reset(layout);
      SilverCheckpoint.reset(layout);
    }
  }

  private static void await(Future<?> job) throws Exception {
    try {
      job.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception) {
        throw (Exception) e.getCause();
      }
      throw e;
    }
  }
}
