package dev.messagelake.chaos;

import dev.messagelake.audit.CheckpointFiles;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.silver.SilverJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One of the lake's streaming jobs, run as a child process the chaos harness kills and restarts:
 * how to start it, how to see it make progress, when it is committing, and what state a kill left
 * its checkpoint in.
 */
final class JobUnderFire {
  final String name;
  private final Class<?> main;
  private final List<String> args;
  private final Path log;
  private final LongSupplier progress;
  private final BooleanSupplier committing;
  private final Supplier<String> interruption;
  private ChildJvm process;
  private long progressAtStart;

  /** JVM flags of the job's own (a lake on HDFS or S3: a shorter lease, see ChaosRun). */
  private List<String> jvmOptions = List.of();

  private JobUnderFire(
      String name,
      Class<?> main,
      List<String> args,
      Path log,
      LongSupplier progress,
      BooleanSupplier committing,
      Supplier<String> interruption) {
    this.name = name;
    this.main = main;
    this.args = args;
    this.log = log;
    this.progress = progress;
    this.committing = committing;
    this.interruption = interruption;
  }

  /** The producer; it progresses by publishing files into bronze and commits by renames. */
  static JobUnderFire producer(LakeLayout lake, Path log, List<String> args) {
    return new JobUnderFire(
        "producer",
        BronzeProducer.class,
        args,
        log,
        () -> lake.storage().listFiles(lake.bronzeData()).size(),
        () -> CheckpointFiles.bronzeWindowStaged(lake),
        () -> CheckpointFiles.bronzeInterruption(lake));
  }

  /**
   * Silver; it progresses by committing batches (a kill before its first commit would only hit its
   * start-up, and could keep it from ever committing), and commits a batch once staged.
   */
  static JobUnderFire silver(LakeLayout lake, Path log, List<String> args) {
    return new JobUnderFire(
        "silver",
        SilverJob.class,
        args,
        log,
        () -> CheckpointFiles.silverLastCommitted(lake),
        new StagedBatchWatch(lake),
        () -> CheckpointFiles.silverInterruption(lake));
  }

  /**
   * True while silver's current batch is staged and being published, a matter of milliseconds: one
   * cheap existence check per poll, the batch number looked up only now and then.
   */
  private static final class StagedBatchWatch implements BooleanSupplier {
    private final LakeLayout lake;
    private long batch;
    private long lookedUp;

    StagedBatchWatch(LakeLayout lake) {
      this.lake = lake;
    }

    @Override
    public boolean getAsBoolean() {
      if (System.nanoTime() - lookedUp > 50_000_000L) {
        batch = CheckpointFiles.silverLastPlanned(lake);
        lookedUp = System.nanoTime();
      }
      return CheckpointFiles.silverStaged(lake, batch);
    }
  }

  void start() throws IOException {
    progressAtStart = progress.getAsLong();
    process = ChildJvm.start(List.of(), jvmOptions, main, log, args);
  }

  JobUnderFire withJvmOptions(List<String> options) {
    this.jvmOptions = List.copyOf(options);
    return this;
  }

  /** True once the job has made progress since it was (re)started: past its start-up. */
  boolean progressedSinceStart() {
    return progress.getAsLong() > progressAtStart;
  }

  boolean committing() {
    return committing.getAsBoolean();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL; returns the state the kill left the job's checkpoint in. */
  String kill() throws InterruptedException {
    process.kill();
    return interruption.get();
  }

  /** SIGTERM, as Ctrl-C would; returns the exit code. */
  int stop() throws InterruptedException {
    return process.stop(120);
  }

  String describeFailure() {
    return name
        + " exited by itself with code "
        + process.exitValue()
        + "; the end of "
        + process.log()
        + ":\n"
        + process.logTail(30);
  }
}
