package dev.messagelake.lake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** A job as a separate JVM, as a user runs it, so tests can signal and kill it. */
public final class JobProcess {
  private final Process process;
  private final Path log;

  private JobProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code main} on the lake at {@code lakeRoot}, its output appended to {@code log}. */
  public static JobProcess start(Class<?> main, Path lakeRoot, Path log, String... extra)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.add("--lake=" + lakeRoot);
    command.add("--enforceImmutability=false");
    command.add("--enforceEncodability=false");
    command.addAll(List.of(extra));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new JobProcess(process, log);
  }

  public void sigterm() {
    process.destroy();
  }

  public void sigkill() {
    process.destroyForcibly();
  }

  public int waitFor(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("job did not exit within " + timeout + "\n" + output());
    }
    return process.exitValue();
  }

  public String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Waits until {@code condition} holds, failing with the producer's output after timeout. */
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
