package dev.messagelake.events;

import dev.messagelake.cli.UserError;
import dev.messagelake.stream.DurationOptions;
import dev.messagelake.stream.MicroBatches;
import dev.messagelake.stream.MicroBatches.Backlog;
import java.util.function.LongSupplier;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate source's schedule as micro-batches: at each window's end, the rows of the windows that
 * came due (at most a million at a time); after the stop, the rows due until then.
 */
public final class RateBatches {
  private static final Logger LOG = LoggerFactory.getLogger(RateBatches.class);
  private static final long MAX_ROWS_PER_BATCH = 1_000_000;
  private static final long PROGRESS_MILLIS = 5_000;

  private final RateOptions options;
  private final long firstValue;
  private final MicroBatches loop;
  private final RateSource.ScheduledTime schedule;
  private long generated; // the run's rows [0, generated) are written
  private long due;

  public RateBatches(RateOptions options, long firstValue) {
    this.options = options;
    this.firstValue = firstValue;
    // The schedule starts at the next whole second: windows then hold whole seconds.
    long start = (System.currentTimeMillis() / 1000 + 1) * 1000;
    int duration = options.as(DurationOptions.class).getDurationSeconds();
    this.loop =
        new MicroBatches(options.getTriggerSeconds() * 1000L, start, duration, 60_000)
            .alignedToEpoch()
            .withFinalBatch();
    this.schedule = new RateSource.ScheduledTime(new Instant(start), options.getRowsPerSecond());
  }

  /** A batch's rows, sent where the job sends them and committed there. */
  @FunctionalInterface
  public interface Sink {
    void write(RateSource.Batch batch) throws Exception;
  }

  /**
   * Runs the schedule's batches into {@code sink} until the duration ends or a stop is asked for,
   * logging as {@code job} (its progress read from {@code nextValue}).
   */
  public void run(String job, String target, LongSupplier nextValue, Sink sink) throws Exception {
    LOG.info(
        "{}: {} rows/s into {}, {} s windows, continuing at value {}",
        job,
        options.getRowsPerSecond(),
        target,
        options.getTriggerSeconds(),
        firstValue);
    loop.withProgress(
            PROGRESS_MILLIS,
            () ->
                LOG.info(
                    "{}: {} rows this run into {}, last value {}",
                    job,
                    nextValue.getAsLong() - firstValue,
                    target,
                    nextValue.getAsLong() - 1))
        .run(
            last -> {
              RateSource.Batch batch = next(last);
              if (batch == null) {
                return Backlog.NONE;
              }
              sink.write(batch);
              return generated < due ? Backlog.MORE : Backlog.NONE; // fallen behind: at once
            });
  }

  /** The next batch, or null when no row came due; {@code last}: the batch after the stop. */
  private RateSource.Batch next(boolean last) {
    long now = System.currentTimeMillis();
    // Whole windows only, so each window is one file; the last batch also takes the rows of
    // the open window that came due before the stop.
    due =
        schedule.rowsBefore(
            new Instant(last ? Math.min(now, loop.deadlineMillis()) : loop.intervalStart(now)));
    if (due <= generated) {
      return null;
    }
    long end = Math.min(due, generated + MAX_ROWS_PER_BATCH); // fallen behind: in steps
    RateSource.Batch batch =
        new RateSource.Batch(
            loop.startMillis(),
            options.getRowsPerSecond(),
            options.getSeed(),
            firstValue,
            generated,
            end);
    generated = end;
    return batch;
  }

  public double secondsSoFar() {
    return Math.max(0.001, (System.currentTimeMillis() - loop.startMillis()) / 1000.0);
  }

  /** Refuses a rate or trigger out of range, and a negative duration, in one line. */
  public static void validate(RateOptions options) {
    if (options.getRowsPerSecond() < 1 || options.getRowsPerSecond() > 10_000_000) {
      throw new UserError(
          "--rowsPerSecond must be between 1 and 10000000, got " + options.getRowsPerSecond());
    }
    UserError.requireAtLeast("--triggerSeconds", options.getTriggerSeconds(), 1);
    UserError.requireDuration(options.as(DurationOptions.class).getDurationSeconds());
  }
}
