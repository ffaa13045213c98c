package dev.messagelake.flow;

import dev.messagelake.bronze.BronzeCheckpoint;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.OptionsCopy;
import dev.messagelake.cli.StopSignal;
import dev.messagelake.cli.UserError;
import dev.messagelake.gold.GoldReports;
import dev.messagelake.lake.JobLock;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import dev.messagelake.lake.LakeOptions;
import dev.messagelake.silver.SilverCheckpoint;
import dev.messagelake.silver.SilverJob;
import java.nio.file.Path;
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
 * holds, the check reconciles bronze with silver, and gold writes its reports.
 */
public class LakeFlow {
  private static final Logger LOG = LoggerFactory.getLogger(LakeFlow.class);

  /** The flow's options; {@code pipelines/lake} holds the defaults run.sh passes. */
  public interface Options extends LakeOptions {
    @Description(
        "Seconds the producer and the silver stream run together; 0 runs until Ctrl-C or SIGTERM")
    @Default.Integer(0)
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
    // On Ctrl-C the two jobs stop cleanly; this keeps the JVM up for the catch-up and the check.
    StopSignal stop = StopSignal.onShutdown(10 * 60_000L);
    try {
      flow(options);
    } finally {
      stop.done();
    }
  }

  private static void flow(Options options) throws Exception {
    LakeLayout layout = new LakeLayout(Path.of(options.getLake()));
    LakeFiles.requireWritableDirectory(layout.root());
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

    LOG.info(
        "lake: producer and silver stream {}",
        options.getDurationSeconds() > 0
            ? "for " + options.getDurationSeconds() + " s"
            : "until Ctrl-C");
    ExecutorService jobs = Executors.newFixedThreadPool(2);
    try {
      Future<?> producing = jobs.submit(() -> {
        BronzeProducer.run(bronze);
        return null;
      });
      Future<?> streaming = jobs.submit(() -> {
        SilverJob.run(silver);
        return null;
      });
      await(producing);
      await(streaming);
    } finally {
      jobs.shutdownNow();
    }

    LOG.info("lake: silver catches up on what bronze holds");
    SilverJob.Options catchUp = OptionsCopy.as(silver, SilverJob.Options.class);
    catchUp.setCatchUp(true);
    SilverJob.run(catchUp);

    LOG.info("lake: reconciling bronze with silver");
    LakeCheck.run(OptionsCopy.as(options, LakeCheck.Options.class));

    LOG.info("lake: gold reports");
    GoldReports.run(OptionsCopy.as(options, GoldReports.Options.class));
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
