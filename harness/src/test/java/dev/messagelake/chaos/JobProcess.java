package dev.messagelake.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** A job as a separate JVM, as a user runs it, so tests can signal and kill it. */
public final class JobProcess {
  private final ChildJvm process;
  private final Path log;

  private JobProcess(ChildJvm process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code main} on the lake at {@code lakeRoot}, its output appended to {@code log}. */
  public static JobProcess start(Class<?> main, Path lakeRoot, Path log, String... extra)
      throws IOException {
    return startUnder(List.of(), main, lakeRoot, log, extra);
  }

  /** Starts a job that has no lake (the realtime job, the dashboard) with just {@code args}. */
  public static JobProcess startWithoutLake(Class<?> main, Path log, String... args)
      throws IOException {
    List<String> all =
        new ArrayList<>(List.of("--enforceImmutability=false", "--enforceEncodability=false"));
    all.addAll(List.of(args));
    return new JobProcess(ChildJvm.start(List.of(), main, log, all), log);
  }

  /** The same, under a wrapper command that execs the JVM (such as nsenter). */
  public static JobProcess startUnder(
      List<String> prefix, Class<?> main, Path lakeRoot, Path log, String... extra)
      throws IOException {
    return startUnder(prefix, main, lakeRoot.toString(), log, extra);
  }

  /** The same on the lake {@code lake} names (a path or a URI, such as {@code hdfs://...}). */
  public static JobProcess startUnder(
      List<String> prefix, Class<?> main, String lake, Path log, String... extra)
      throws IOException {
    List<String> args = new ArrayList<>();
    args.add("--lake=" + lake);
    args.add("--enforceImmutability=false");
    args.add("--enforceEncodability=false");
    args.addAll(List.of(extra));
    return new JobProcess(ChildJvm.start(prefix, main, log, args), log);
  }

  public long pid() {
    return process.pid();
  }

  /** CPU time the job's JVM has used so far. */
  public Duration cpuTime() {
    return ProcessHandle.of(process.pid())
        .flatMap(p -> p.info().totalCpuDuration())
        .orElseThrow(() -> new AssertionError("no CPU time for pid " + process.pid()));
  }

  public void sigterm() {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
  }

  /** SIGINT, as Ctrl-C in a terminal sends it. */
  public void sigint() throws Exception {
    Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -INT " + process.pid() + " failed");
    }
  }

  public void sigkill() throws InterruptedException {
    process.kill();
  }

  public int waitFor(Duration timeout) throws Exception {
    int exit = process.waitFor(timeout.toSeconds());
    if (exit == -1) {
      throw new AssertionError("job did not exit within " + timeout + "\n" + output());
    }
    return exit;
  }

  public String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** How many lines of the job's output contain {@code text}. */
  public long linesContaining(String text) {
    try {
      return output().lines().filter(line -> line.contains(text)).count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Waits until {@code condition} holds, failing with the job's output after timeout. */
  public void await(BooleanSupplier condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout + "\n" + output());
      }
      if (!process.isAlive()) {
        throw new AssertionError("job exited with " + process.exitValue() + "\n" + output());
      }
      Thread.sleep(20);
    }
  }
}
