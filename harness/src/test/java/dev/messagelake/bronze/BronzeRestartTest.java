package dev.messagelake.bronze;

import static dev.messagelake.bronze.BronzeLakeAssertions.assertValuesZeroToNOnce;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.messagelake.chaos.JobProcess;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.LakeStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean stop: after SIGTERM bronze is exactly 0..N-1 and the next run continues from there. (kill
 * -9 at random moments, with a reader watching data/ throughout, is the chaos harness's part:
 * {@code dev.messagelake.chaos.ChaosTest}.)
 */
class BronzeRestartTest {
  private static final Duration STARTUP = Duration.ofSeconds(90);

  @TempDir Path lakeRoot;
  @TempDir Path logs;

  private LakeLayout lake() {
    return new LakeLayout(lakeRoot);
  }

  private int committedFiles() {
    return LakeStorage.local().listFiles(lake().bronzeData()).size();
  }

  @Test
  void sigtermStopsCleanlyAndTheNextRunContinues() throws Exception {
    JobProcess producer =
        JobProcess.start(
            BronzeProducer.class, lakeRoot, logs.resolve("run1.log"), "--rowsPerSecond=20");
    producer.await(() -> committedFiles() >= 3, STARTUP);

    // A second producer on the same lake is refused, and changes nothing.
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int second =
        JobLauncher.run(
            "bronze",
            new String[] {"--lake=" + lakeRoot, "--reset", "--durationSeconds=1"},
            BronzeProducer.Options.class,
            BronzeProducer::run,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, second);
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        containsString("another bronze producer is already running on this lake (pid "));
    assertThat(committedFiles(), greaterThanOrEqualTo(3));

    int filesAtSignal = committedFiles();
    producer.sigterm();
    int exit = producer.waitFor(Duration.ofSeconds(60));
    assertEquals(0, exit, producer.output()); // a clean stop, as at the end of --durationSeconds
    assertThat(producer.output(), containsString("bronze stopped: wrote"));
    assertThat(committedFiles(), greaterThanOrEqualTo(filesAtSignal));
    assertFalse(Files.exists(lake().bronzeCheckpoint().resolve("staging")), "staging left behind");
    long first = assertValuesZeroToNOnce(lake());

    JobProcess again =
        JobProcess.start(
            BronzeProducer.class,
            lakeRoot,
            logs.resolve("run2.log"),
            "--rowsPerSecond=20",
            "--durationSeconds=2");
    assertEquals(0, again.waitFor(STARTUP), again.output());
    assertThat(again.output(), containsString("continuing at value " + first));
    assertThat(assertValuesZeroToNOnce(lake()), greaterThanOrEqualTo(first + 20));
  }
}
