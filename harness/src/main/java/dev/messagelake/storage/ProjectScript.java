package dev.messagelake.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One of the project's server scripts ({@code scripts/hdfs.sh}, {@code scripts/s3.sh}: what {@code
 * ./run.sh hdfs} and {@code ./run.sh s3} run), run for a test or the harness with settings of its
 * own in the environment (folders, ports).
 */
final class ProjectScript {
  private ProjectScript() {}

  /**
   * Runs {@code scripts/<name>.sh <command>}, its output in {@code
   * <directory>/<name>-<command>.log}; fails unless it exits 0 ({@code status} excepted).
   */
  static Result run(String name, String command, Path directory, Map<String, String> environment)
      throws Exception {
    Path log = directory.resolve(name + "-" + command + ".log");
    Files.createDirectories(directory);
    ProcessBuilder builder =
        new ProcessBuilder("bash", script(name).toString(), command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    int exit = builder.start().waitFor();
    Result result = new Result(exit, Files.readString(log));
    if (exit != 0 && !command.equals("status")) {
      throw new IllegalStateException(
          "./run.sh " + name + " " + command + " failed (" + exit + "): " + result.output);
    }
    return result;
  }

  /** What a run of the script printed, and its exit code. */
  public static final class Result {
    public final int exit;
    public final String output;

    Result(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }
  }

  /** scripts/<name>.sh: beside the pipelines run.sh names, or under this folder. */
  private static Path script(String name) {
    String pipelines = System.getProperty("messagelake.pipelines");
    Path project = pipelines == null ? Path.of("") : Path.of(pipelines).getParent();
    return project.resolve("scripts").resolve(name + ".sh").toAbsolutePath();
  }
}
