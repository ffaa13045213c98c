package dev.messagelake.bronze;

import static dev.messagelake.bronze.BronzeLakeAssertions.assertValuesZeroToNOnce;
import static dev.messagelake.bronze.BronzeLakeAssertions.checkDataListing;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.lake.JobProcess;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops and crashes: after SIGTERM, or kill -9 at random moments and a restart, bronze is still
 * exactly 0..N-1, and no reader of data/ ever sees a temporary, partial or out-of-order file.
 */
class BronzeRestartTest {
  private static final Duration STARTUP = Duration.ofSeconds(90);

  @TempDir Path lakeRoot;
  @TempDir Path logs;

  private LakeLayout lake() {
    return new LakeLayout(lakeRoot);
  }

  private int committedFiles() {
    return LakeFiles.listFiles(lake().bronzeData()).size();
  }

  @Test
  void sigtermStopsCleanlyAndTheNextRunContinues() throws Exception {
    JobProcess producer =
        JobProcess.start(BronzeProducer.class, lakeRoot, logs.resolve("run1.log"), "--rowsPerSecond=20");
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
    assertEquals(143, exit, producer.output()); // 128 + SIGTERM: the JVM ran its stop hook
    assertThat(producer.output(), containsString("bronze stopped: wrote"));
    assertThat(committedFiles(), greaterThanOrEqualTo(filesAtSignal));
    assertFalse(Files.exists(lake().bronzeCheckpoint().resolve("staging")), "staging left behind");
    long first = assertValuesZeroToNOnce(lake());

    JobProcess again =
        JobProcess.start(
            BronzeProducer.class,
            lakeRoot, logs.resolve("run2.log"), "--rowsPerSecond=20", "--durationSeconds=2");
    assertEquals(0, again.waitFor(STARTUP), again.output());
    assertThat(again.output(), containsString("continuing at value " + first));
    assertThat(assertValuesZeroToNOnce(lake()), greaterThanOrEqualTo(first + 20));
  }

  @Test
  void killMinus9AtRandomMomentsNeverLeavesAGapOrADuplicate() throws Exception {
    long seed = System.nanoTime();
    System.out.println("BronzeRestartTest kill seed: " + seed);
    Random random = new Random(seed);
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread reader =
        new Thread(
            () -> {
              while (watching.get()) {
                String problem = checkDataListing(lake().bronzeData());
                if (problem != null) {
                  violations.add(problem);
                }
              }
            });
    reader.start();
    try {
      for (int kill = 0; kill < 4; kill++) {
        int filesBefore = committedFiles();
        JobProcess producer =
            JobProcess.start(BronzeProducer.class, lakeRoot, logs.resolve("kill" + kill + ".log"), "--rowsPerSecond=50");
        int target = filesBefore + 1 + random.nextInt(3);
        producer.await(() -> committedFiles() >= target, STARTUP);
        Thread.sleep(random.nextInt(1000)); // the fault lands at a random point of a window
        producer.sigkill();
        producer.waitFor(Duration.ofSeconds(30));
      }
      int filesBeforeRecovery = committedFiles();
      JobProcess recovery =
          JobProcess.start(
            BronzeProducer.class,
              lakeRoot, logs.resolve("recovery.log"), "--rowsPerSecond=50", "--durationSeconds=2");
      assertEquals(0, recovery.waitFor(STARTUP), recovery.output());
      assertThat(committedFiles(), greaterThanOrEqualTo(filesBeforeRecovery + 1));
    } finally {
      watching.set(false);
      reader.join();
    }
    assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())), "seed " + seed);
    assertValuesZeroToNOnce(lake());
    assertFalse(Files.exists(lake().bronzeCheckpoint().resolve("staging")), "staging left behind");
  }
}
