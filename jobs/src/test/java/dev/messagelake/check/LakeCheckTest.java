package dev.messagelake.check;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.silver.SilverJob;
import dev.messagelake.storage.LakeStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check catches what a broken lake looks like: a duplicated file, a missing one. */
class LakeCheckTest {
  @TempDir Path lakeRoot;

  private LakeLayout lake() {
    return new LakeLayout(lakeRoot);
  }

  @Test
  void checkReportsMissingAndDuplicatedRows() throws Exception {
    assertEquals(
        0,
        JobLauncher.run(
            "bronze",
            new String[] {"--lake=" + lakeRoot, "--durationSeconds=2", "--rowsPerSecond=50"},
            BronzeProducer.Options.class,
            BronzeProducer::run));
    assertEquals(0, silverCatchUp());
    assertEquals(0, check());

    List<Path> validFiles = LakeStorage.local().parquetFilesUnder(lake().silverMessagesData());
    Path copy = validFiles.get(0).resolveSibling("part-copy.parquet");
    Files.copy(validFiles.get(0), copy);
    assertEquals(1, check());
    Files.delete(copy);
    Files.delete(LakeStorage.local().parquetFilesUnder(lake().silverCorruptedData()).get(0));
    assertEquals(1, check());
  }

  @Test
  void silverOnlyBehindBronzeIsToldApartFromAMismatch() throws Exception {
    assertEquals(0, bronze());
    assertEquals(0, silverCatchUp());
    long taken = LakeStorage.local().parquetFilesUnder(lake().bronzeData()).size();
    assertEquals(0, bronze()); // bronze grows; silver has not taken the new files yet
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = check();
    } finally {
      System.setOut(stdout);
    }
    assertEquals(LakeCheck.BEHIND, exit);
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(report, containsString("BEHIND: silver is behind bronze by "));
    assertThat(report, containsString(" not yet processed): run ./run.sh silver --catchUp"));
    assertThat(report, not(containsString("MISMATCH")));
    assertThat(
        LakeStorage.local().parquetFilesUnder(lake().bronzeData()).size(),
        greaterThan((int) taken));

    // Behind and a lost row: a mismatch, not "behind".
    Files.delete(LakeStorage.local().parquetFilesUnder(lake().silverMessagesData()).get(0));
    assertEquals(1, check());
  }

  private int bronze() {
    return JobLauncher.run(
        "bronze",
        new String[] {"--lake=" + lakeRoot, "--durationSeconds=2", "--rowsPerSecond=50"},
        BronzeProducer.Options.class,
        BronzeProducer::run);
  }

  private int silverCatchUp() {
    return JobLauncher.run(
        "silver",
        new String[] {"--lake=" + lakeRoot, "--catchUp"},
        SilverJob.Options.class,
        SilverJob::run);
  }

  private int check() {
    return JobLauncher.run(
        "check", new String[] {"--lake=" + lakeRoot}, LakeCheck.Options.class, LakeCheck::run);
  }
}
