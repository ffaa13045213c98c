package dev.messagelake.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every job's {@code --help}, as run.sh asks for it (the defaults of {@code pipelines/<job>}, then
 * {@code --help}): it shows the value a run really uses, the runner options a user sets, what the
 * job reads and writes, and none of Beam's internals.
 */
class HelpTest {
  private static final Path PIPELINES = Path.of("pipelines");

  static Stream<String> jobs() throws IOException {
    try (Stream<Path> files = Files.list(PIPELINES)) {
      return files
          .map(file -> file.getFileName().toString())
          .sorted()
          .collect(Collectors.toList())
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("jobs")
  void helpShowsTheValuesARunUses(String job) throws Exception {
    List<String> lines = Files.readAllLines(PIPELINES.resolve(job));
    String main =
        lines.stream()
            .filter(l -> l.startsWith("main="))
            .findFirst()
            .orElseThrow()
            .substring("main=".length());
    @SuppressWarnings("unchecked")
    Class<? extends PipelineOptions> optionsClass =
        (Class<? extends PipelineOptions>) Class.forName(main + "$Options");
    List<String> given =
        lines.stream().filter(l -> l.startsWith("--")).collect(Collectors.toList());

    String help = help(job, optionsClass, given, "--help");
    assertThat(help, containsString("usage: ./run.sh " + job + " [--option=value ...]"));
    assertNotNull(
        optionsClass.getAnnotation(Description.class), job + ": what it reads and writes");
    for (String runnerOption :
        List.of(
            "--runner=",
            "--sparkMaster=",
            "--flinkMaster=",
            "--checkpointingInterval=",
            "--targetParallelism=")) {
      assertThat(help, containsString("\n  " + runnerOption));
    }
    for (String internal :
        List.of("--jobName", "--optionsId", "--stableUniqueNames", "--userAgent")) {
      assertThat(help, not(containsString(internal)));
    }
    for (String line : help.split("\n")) {
      assertThat(line, line.length(), lessThanOrEqualTo(100));
    }

    // The value shown for each of the job's options is the one the parsed options hold.
    PipelineOptions parsed = JobLauncher.parse(given, optionsClass);
    Map<String, Help.Option> own = Help.ownOptions(optionsClass);
    Map<String, String> values = Help.values(given);
    for (Help.Option option : own.values()) {
      if (option.value(values).isEmpty()) {
        continue; // a default computed at run time: its description says how
      }
      assertThat(help, containsString("\n  --" + option.name() + "="));
      assertEquals(
          String.valueOf(read(parsed, optionsClass, option.name())),
          option.value(values).get(),
          job + " --" + option.name() + ": the help shows another value than a run uses");
    }
    assertThat(help(job, optionsClass, given, "--help=all"), containsString("--jobName"));
  }

  private static Object read(PipelineOptions options, Class<?> optionsClass, String name)
      throws ReflectiveOperationException {
    String suffix = Character.toUpperCase(name.charAt(0)) + name.substring(1);
    for (Method method : optionsClass.getMethods()) {
      if (method.getParameterCount() == 0
          && (method.getName().equals("get" + suffix) || method.getName().equals("is" + suffix))) {
        return method.invoke(options);
      }
    }
    throw new AssertionError("no getter for " + name);
  }

  private static String help(
      String job, Class<? extends PipelineOptions> optionsClass, List<String> given, String flag) {
    List<String> args = new ArrayList<>(given);
    args.add(flag);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        JobLauncher.run(
            job,
            args.toArray(new String[0]),
            optionsClass,
            options -> {
              throw new AssertionError("--help ran the job");
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    assertEquals(0, exit);
    return out.toString(StandardCharsets.UTF_8);
  }
}
