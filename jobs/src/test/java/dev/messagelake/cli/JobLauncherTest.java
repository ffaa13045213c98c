package dev.messagelake.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.flow.LakeFlow;
import dev.messagelake.gold.GoldReports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.junit.jupiter.api.Test;

public class JobLauncherTest {
  @Test
  public void aJobOutOfMemoryIsToldInOneLineWithWhatToDo() {
    // As a runner reports a worker's OutOfMemoryError: wrapped.
    Failure failure =
        run("gold", new PipelineExecutionException(new OutOfMemoryError("Java heap space")));
    assertThat(failure.exit, is(JobLauncher.FAILED));
    assertThat(failure.said, containsString("gold: ran out of memory (a "));
    assertThat(failure.said, containsString("JAVA_OPTS=-Xmx"));
    assertThat(failure.said, containsString("--runner=SparkRunner"));
    assertThat(failure.said, not(containsString("\tat ")));
    assertThat(failure.said.strip().lines().count(), is(1L));
  }

  @Test
  public void anOutOfMemoryErrorThrownAsItIsIsToldTheSameWay() {
    Failure failure = run("silver", new OutOfMemoryError("Java heap space"));
    assertThat(failure.exit, is(JobLauncher.FAILED));
    assertThat(failure.said, containsString("silver: ran out of memory"));
  }

  @Test
  public void aMistypedOptionIsOneLineThatNamesTheRightOne() {
    Failure failure = parse(LakeFlow.Options.class, "--durationSecnds=5");
    assertThat(failure.exit, is(JobLauncher.USAGE));
    assertThat(
        failure.said,
        is("lake: unknown option --durationSecnds (did you mean --durationSeconds?)\n"));
  }

  @Test
  public void aLakeOnStorageThatIsNotSupportedIsRefusedBeforeAnythingIsWritten() {
    Failure failure = parse(LakeCheck.Options.class, "--lake=gs://bucket/lake");
    assertThat(failure.exit, is(JobLauncher.USAGE));
    assertThat(
        failure.said,
        containsString(
            "lake: --lake=gs://bucket/lake: the lake must be a local path, a file:// URI,"
                + " hdfs://namenode:port/path or s3a://bucket/path; gs:// storage is not"
                + " supported yet"));
    assertThat(failure.said.strip().lines().count(), is(1L));
    assertThat("a folder named after the scheme", Files.exists(Path.of("gs:")), is(false));

    Failure s3 = parse(LakeCheck.Options.class, "--lake=s3://bucket/lake");
    assertThat(s3.exit, is(JobLauncher.USAGE));
    assertThat(
        s3.said,
        is(
            "lake: --lake=s3://bucket/lake: a lake on S3 is reached through Hadoop's S3A: write"
                + " s3a://bucket/lake\n"));
    assertThat("a folder named after the scheme", Files.exists(Path.of("s3:")), is(false));
  }

  @Test
  public void aValueThatIsNoneOfAnEnumOptionsIsOneLineThatListsThem() {
    Failure failure = parse(BronzeProducer.Options.class, "--source=kafak");
    assertThat(failure.exit, is(JobLauncher.USAGE));
    assertThat(failure.said, is("lake: --source must be rate or kafka, got kafak\n"));
  }

  /** What a job that parses {@code args} and builds its lake layout exits with and says. */
  private static <T extends LakeOptions> Failure parse(Class<T> optionsClass, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        JobLauncher.run(
            "lake",
            args,
            optionsClass,
            LakeLayout::of,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Failure(exit, err.toString(StandardCharsets.UTF_8));
  }

  /** What a job that throws {@code thrown} exits with, and what it says on stderr. */
  private static Failure run(String jobName, Throwable thrown) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        JobLauncher.run(
            jobName,
            new String[] {},
            GoldReports.Options.class,
            options -> {
              if (thrown instanceof Error) {
                throw (Error) thrown;
              }
              throw (RuntimeException) thrown;
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Failure(exit, err.toString(StandardCharsets.UTF_8));
  }

  private record Failure(int exit, String said) {}
}
