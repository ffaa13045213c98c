package dev.messagelake.bench;

import dev.messagelake.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The default options of each job, from {@code pipelines/<job>}: the benchmark runs the jobs as a
 * user's {@code ./run.sh <job>} runs them.
 */
final class PipelineDefaults {
  private final Path folder;

  private PipelineDefaults(Path folder) {
    this.folder = folder;
  }

  /** The pipelines folder run.sh names ({@code -Dmessagelake.pipelines}), else ./pipelines. */
  static PipelineDefaults fromRunScript() {
    return new PipelineDefaults(Path.of(System.getProperty("messagelake.pipelines", "pipelines")));
  }

  /** The {@code --option=value} lines of {@code pipelines/<job>}. */
  List<String> of(String job) {
    return lines(job).stream().filter(line -> line.startsWith("--")).collect(Collectors.toList());
  }

  /** The JVM flags of its {@code java=} line, as run.sh passes them (none: this JVM's). */
  List<String> jvmOptions(String job) {
    return lines(job).stream()
        .filter(line -> line.startsWith("java="))
        .flatMap(line -> List.of(line.substring("java=".length()).trim().split("\\s+")).stream())
        .collect(Collectors.toList());
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
