package dev.messagelake.bench;

import dev.messagelake.cli.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The default options of each job, from {@code pipelines/<job>}: the benchmark runs the jobs as a
 * user's {@code ./run.sh <job>} runs them.
 */
public final class PipelineDefaults {
  private final Path folder;

  private PipelineDefaults(Path folder) {
    this.folder = folder;
  }

  /** The pipelines folder run.sh names ({@code -Dmessagelake.pipelines}), else ./pipelines. */
  public static PipelineDefaults fromRunScript() {
    return new PipelineDefaults(Path.of(System.getProperty("messagelake.pipelines", "pipelines")));
  }

  /** The project's run.sh, beside the pipelines folder. */
  public Path runScript() {
    return folder.toAbsolutePath().getParent().resolve("run.sh");
  }

  /** The {@code --option=value} lines of {@code pipelines/<job>}. */
  public List<String> of(String job) {
    return lines(job).stream().filter(line -> line.startsWith("--")).collect(Collectors.toList());
  }

  /** The JVM flags of its {@code java=} line, as run.sh passes them (none: this JVM's). */
  public List<String> jvmOptions(String job) {
    return lines(job).stream()
        .filter(line -> line.startsWith("java="))
        .flatMap(line -> List.of(line.substring("java=".length()).trim().split("\\s+")).stream())
        .collect(Collectors.toList());
  }

  /**
   * The job's JVM flags for a run on {@code lake}, as run.sh chooses them: with its {@code
   * java-small-lake=} flags too when the lake, a local folder, holds less than its {@code
   * small-lake-mb=} megabytes of files.
   */
  List<String> jvmOptions(String job, String lake) {
    List<String> options = new ArrayList<>(jvmOptions(job));
    String smallMb = value(job, "small-lake-mb=");
    if (smallMb != null
        && !lake.contains("://")
        && bytesUnder(Path.of(lake)) < Long.parseLong(smallMb) * 1024 * 1024) {
      options.addAll(List.of(value(job, "java-small-lake=").split("\\s+")));
    }
    return options;
  }

  private String value(String job, String key) {
    return lines(job).stream()
        .filter(line -> line.startsWith(key))
        .map(line -> line.substring(key.length()).trim())
        .findFirst()
        .orElse(null);
  }

  /** The bytes of the files under {@code folder}, links followed (as {@code du -sbL}). */
  private static long bytesUnder(Path folder) {
    if (!Files.exists(folder)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
      return files.filter(Files::isRegularFile).mapToLong(PipelineDefaults::size).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> lines(String job) {
    Path file = folder.resolve(job);
    try {
      return Files.readAllLines(file).stream().map(String::trim).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UserError(
          "cannot read the defaults of job '"
              + job
              + "' from "
              + file.toAbsolutePath()
              + " (run the benchmark with ./run.sh bench)");
    }
  }
}
