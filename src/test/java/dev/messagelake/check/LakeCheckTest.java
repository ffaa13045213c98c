package dev.messagelake.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import dev.messagelake.silver.SilverJob;
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
