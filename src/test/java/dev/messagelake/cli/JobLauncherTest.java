package dev.messagelake.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.messagelake.gold.GoldReports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.junit.Test;

public class JobLauncherTest {
  @Test
  public void aJobOutOfMemoryIsToldInOneLineWithWhatToDo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        JobLauncher.run(
            "gold",
            new String[] {"--lake=/nonexistent"},
            GoldReports.Options.class,
            options -> {
              // As a runner reports a worker's OutOfMemoryError: wrapped.
              throw new PipelineExecutionException(new OutOfMemoryError("Java heap space"));
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(exit, is(JobLauncher.FAILED));
    assertThat(said, containsString("gold: ran out of memory (a "));
    assertThat(said, containsString("JAVA_OPTS=-Xmx"));
    assertThat(said, containsString("--runner=SparkRunner"));
    assertThat(said, not(containsString("\tat ")));
    assertThat(said.strip().lines().count(), is(1L));
  }

  @Test
  public void anOutOfMemoryErrorThrownAsItIsIsToldTheSameWay() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        JobLauncher.run(
            "silver",
            new String[] {},
            GoldReports.Options.class,
            options -> {
              throw new OutOfMemoryError("Java heap space");
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit, is(JobLauncher.FAILED));
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("silver: ran out of memory"));
  }
}
