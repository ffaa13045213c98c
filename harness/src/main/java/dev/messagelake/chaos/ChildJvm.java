package dev.messagelake.chaos;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A job in its own JVM, as a user starts it: same Java, JVM flags and class path as this process,
 * output appended to a log file, so it can be sent SIGTERM or SIGKILL like any process.
 */
public final class ChildJvm {
  private final Process process;
  private final Path log;

  private ChildJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static ChildJvm start(Class<?> main, Path log, List<String> args) throws IOException {
    return start(List.of(), main, log, args);
  }

  /**
   * Starts {@code main} under a wrapper command ({@code prefix}, such as {@code nsenter ... --},
   * which must exec the JVM so signals reach it); no prefix runs it directly.
   */
  public static ChildJvm start(List<String> prefix, Class<?> main, Path log, List<String> args)
      throws IOException {
    return start(prefix, List.of(), main, log, args);
  }

  /** As {@link #start(List, Class, Path, List)}, with JVM flags of its own after this JVM's. */
  public static ChildJvm start(
      List<String> prefix, List<String> jvmOptions, Class<?> main, Path log, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmFlags(ManagementFactory.getRuntimeMXBean().getInputArguments(), jvmOptions));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new ChildJvm(process, log);
  }

  /**
   * A command that execs a JVM (such as {@code ./run.sh <job>}), without the environment variables
   * {@code unset}, its output appended to {@code log}.
   */
  public static ChildJvm command(List<String> command, List<String> unset, Path log)
      throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    unset.forEach(builder.environment()::remove);
    return new ChildJvm(builder.start(), log);
  }

  /**
   * A child's JVM flags: this JVM's (no agents: no debugger twice), then its own. When it sizes its
   * own heap, this JVM's heap size is left out: an -Xmx wins over -XX:MaxRAMPercentage wherever it
   * stands.
   */
  static List<String> jvmFlags(List<String> inherited, List<String> own) {
    boolean ownHeap = own.stream().anyMatch(ChildJvm::sizesHeap);
    List<String> flags = new ArrayList<>();
    for (String flag : inherited) {
      if (!flag.startsWith("-agentlib")
          && !flag.startsWith("-javaagent")
          && !isClassDataArchive(flag)
          && !(ownHeap && sizesHeap(flag))) {
        flags.add(flag);
      }
    }
    flags.addAll(own);
    return flags;
  }

  /**
   * run.sh's class-data archive of the parent: a child inheriting -XX:ArchiveClassesAtExit wrote
   * the parent's archive at its own exit, seconds more per child.
   */
  private static boolean isClassDataArchive(String flag) {
    return flag.startsWith("-XX:ArchiveClassesAtExit=")
        || flag.startsWith("-XX:SharedArchiveFile=")
        || flag.startsWith("-Xlog:cds");
  }

  private static boolean sizesHeap(String flag) {
    return flag.startsWith("-Xmx")
        || flag.startsWith("-XX:MaxRAMPercentage=")
        || flag.startsWith("-XX:MaxHeapSize=");
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM (a clean stop), then the exit code; SIGKILL if it has not exited in time. */
  public int stop(long timeoutSeconds) throws InterruptedException {
    process.destroy();
    return waitFor(timeoutSeconds);
  }

  /** The exit code, or -1 after a SIGKILL when the process did not exit in time. */
  /** Waits at most {@code millis} for the process to exit; whether it has. */
  public boolean awaitExit(long millis) throws InterruptedException {
    return process.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public int waitFor(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      kill();
      return -1;
    }
    return process.exitValue();
  }

  public int exitValue() {
    return process.exitValue();
  }

  public Path log() {
    return log;
  }

  /** The last lines of the log, to show with a failure. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
