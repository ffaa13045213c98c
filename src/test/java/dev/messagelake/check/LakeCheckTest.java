package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.lake.JobProcess;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Silver killed with kill -9 at random moments while bronze grows: still exactly once. */
class SilverFaultTest {
  private static final Duration STARTUP = Duration.ofSeconds(90);

  @TempDir Path lakeRoot;
  @TempDir Path logs;

  private LakeLayout lake() {
    return new LakeLayout(lakeRoot);
  }

  private long committedBatches() {
    return LakeFiles.listFiles(lake().silverCheckpoint().resolve("batches")).stream()
        .filter(f -> f.toString().endsWith(".done"))
        .count();
  }

  @Test
  void killMinus9DuringBatchesThenRestartIsExactlyOnce() throws Exception {
    long seed = System.nanoTime();
    System.out.println("SilverFaultTest kill seed: " + seed);
    Random random = new Random(seed);
    JobProcess producer =
        JobProcess.start(BronzeProducer.class, lakeRoot, logs.resolve("producer.log"),
            "--rowsPerSecond=200");
    try {
      for (int kill = 0; kill < 4; kill++) {
        long before = committedBatches();
        JobProcess silver =
            JobProcess.start(SilverJob.class, lakeRoot, logs.resolve("silver" + kill + ".log"),
                "--triggerSeconds=1");
        silver.await(() -> committedBatches() > before, STARTUP);
        Thread.sleep(random.nextInt(1500)); // lands anywhere in a batch: read, stage, publish
        silver.sigkill();
        silver.waitFor(Duration.ofSeconds(30));
      }
    } finally {
      producer.sigterm();
      producer.waitFor(STARTUP);
    }
    assertEquals(0, silverCatchUp());
    assertEquals(0, check(), "seed " + seed);
    assertThat(SilverAssertions.assertSilverMatchesBronze(lake()), greaterThan(0L));
  }

  @Test
  void checkReportsMissingAndDuplicatedRows() throws Exception {
    assertEquals(0, JobLauncher.run("bronze",
        new String[] {"--lake=" + lakeRoot, "--durationSeconds=2", "--rowsPerSecond=50"},
        BronzeProducer.Options.class, BronzeProducer::run));
    assertEquals(0, silverCatchUp());
    assertEquals(0, check());

    List<Path> validFiles = LakeFiles.parquetFilesUnder(lake().silverMessagesData());
    Path copy = validFiles.get(0).resolveSibling("part-copy.parquet");
    Files.copy(validFiles.get(0), copy);
    assertEquals(1, check());
    Files.delete(copy);
    Files.delete(LakeFiles.parquetFilesUnder(lake().silverCorruptedData()).get(0));
    assertEquals(1, check());
  }

  private int silverCatchUp() {
    return JobLauncher.run("silver", new String[] {"--lake=" + lakeRoot, "--catchUp"},
        SilverJob.Options.class, SilverJob::run);
  }

  private int check() {
    return JobLauncher.run("check", new String[] {"--lake=" + lakeRoot},
        LakeCheck.Options.class, LakeCheck::run);
  }
}
