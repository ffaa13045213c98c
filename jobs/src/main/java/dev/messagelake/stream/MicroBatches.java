package dev.messagelake.stream;

import dev.messagelake.cli.StopSignal;

/**
 * The loop of a micro-batch job, as Spark's {@code ProcessingTimeExecutor}: a batch every trigger
 * interval, counted from the start (or from the epoch, for windows), the next at once when a batch
 * overran its interval or left a backlog, until the duration ends or Ctrl-C / SIGTERM asks to stop.
 */
public final class MicroBatches {
  /** One batch; {@code last} is true for the batch run after the stop (with finalBatch). */
  @FunctionalInterface
  public interface Batch {
    Backlog run(boolean last) throws Exception;
  }

  /** Whether the source holds more than the batch just run took. */
  public enum Backlog {
    NONE,
    MORE
  }

  private final long triggerMillis;
  private final long startMillis;
  private final long deadlineMillis;
  private final long drainMillis;
  private long anchorMillis;
  private boolean finalBatch;
  private Runnable progress = () -> {};
  private long progressMillis = Long.MAX_VALUE;

  /**
   * @param durationSeconds 0: until stopped
   * @param drainMillis how long a JVM without signal handlers waits for the loop to end at exit
   */
  public MicroBatches(long triggerMillis, long startMillis, int durationSeconds, long drainMillis) {
    this.triggerMillis = triggerMillis;
    this.startMillis = startMillis;
    this.deadlineMillis =
        durationSeconds > 0 ? startMillis + durationSeconds * 1000L : Long.MAX_VALUE;
    this.drainMillis = drainMillis;
    this.anchorMillis = startMillis;
  }

  /** Triggers at multiples of the interval since the epoch, where fixed windows end. */
  public MicroBatches alignedToEpoch() {
    this.anchorMillis = 0;
    return this;
  }

  /** After the stop, one more batch with {@code last} set (a source that must flush). */
  public MicroBatches withFinalBatch() {
    this.finalBatch = true;
    return this;
  }

  /** Calls {@code progress} between batches, at most every {@code everyMillis}. */
  public MicroBatches withProgress(long everyMillis, Runnable progress) {
    this.progressMillis = everyMillis;
    this.progress = progress;
    return this;
  }

  public long startMillis() {
    return startMillis;
  }

  public long deadlineMillis() {
    return deadlineMillis;
  }

  /** The start of the trigger interval holding {@code millis}. */
  public long intervalStart(long millis) {
    return millis - Math.floorMod(millis - anchorMillis, triggerMillis);
  }

  /** Runs batches until the duration ends or a stop is asked for. */
  public void run(Batch batch) throws Exception {
    StopSignal stop = StopSignal.onShutdown(drainMillis);
    try {
      long nextProgress = System.currentTimeMillis() + progressMillis;
      while (true) {
        boolean stopping = stop.requested() || System.currentTimeMillis() >= deadlineMillis;
        if (stopping && !finalBatch) {
          return;
        }
        long batchStart = System.currentTimeMillis();
        if (batch.run(stopping) == Backlog.MORE) {
          continue; // a backlog: the next batch at once, as Spark does after a late batch
        }
        if (stopping) {
          return;
        }
        long now = System.currentTimeMillis();
        if (now >= nextProgress) {
          nextProgress = now + progressMillis;
          progress.run();
        }
        long wait = Math.min(intervalStart(batchStart) + triggerMillis, deadlineMillis) - now;
        if (wait > 0) {
          stop.awaitRequest(wait);
        }
      }
    } finally {
      stop.done();
    }
  }

  /** Runs batches until the source holds nothing more (or a stop is asked for). */
  public void catchUp(Batch batch) throws Exception {
    StopSignal stop = StopSignal.onShutdown(drainMillis);
    try {
      while (!stop.requested() && batch.run(false) == Backlog.MORE) {}
    } finally {
      stop.done();
    }
  }
}
