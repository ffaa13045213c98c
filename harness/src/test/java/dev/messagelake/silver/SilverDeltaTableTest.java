package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.audit.SparkReads;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.table.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The silver tables as Delta Lake tables, read as a Delta user reads them: Spark's {@code
 * format("delta")} sees exactly the committed rows, each silver batch is one version of each table,
 * time travel returns an earlier version's rows, and a batch whose commit reached one table but not
 * the other is completed when silver restarts.
 */
class SilverDeltaTableTest {
  @TempDir Path dir;

  private Path lakeRoot;
  private LakeLayout lake;

  @BeforeEach
  void bronze() {
    lakeRoot = dir.resolve("lake");
    lake = new LakeLayout(lakeRoot);
    assertEquals(
        0,
        JobLauncher.run(
            "bronze",
            new String[] {"--lake=" + lakeRoot, "--durationSeconds=4", "--rowsPerSecond=50"},
            BronzeProducer.Options.class,
            BronzeProducer::run));
  }

  private void silverCatchUp(long maxRowsPerBatch) {
    assertEquals(
        0,
        JobLauncher.run(
            "silver",
            new String[] {
              "--lake=" + lakeRoot, "--catchUp", "--maxRowsPerBatch=" + maxRowsPerBatch
            },
            SilverJob.Options.class,
            SilverJob::run));
  }

  @Test
  void sparkReadsTheCommittedRowsThroughTheLogAndTravelsBackToABatch() {
    silverCatchUp(60); // about one bronze file (a second of rows) per batch: several versions
    long bronze = SparkReads.rows(lake, lake.bronzeData());
    long valid = SparkReads.deltaRows(lake, lake.silverMessagesData());
    long corrupted = SparkReads.deltaRows(lake, lake.silverCorruptedData());
    assertEquals(bronze, valid + corrupted, "format(delta) of both silver tables against bronze");
    assertEquals(SparkReads.rows(lake, lake.silverMessagesData()), valid, "hive-style reader");

    BatchLog commits =
        new BatchLog(LakeStorage.local(), lake.silverCheckpoint().resolve("commits"));
    List<Long> batches = commits.ids();
    assertThat(batches.size(), greaterThan(2));
    DeltaTable messages = SilverTables.table(lake, lake.silverMessagesData());
    assertEquals(batches.size() - 1, messages.latestVersion().getAsLong(), "a version per batch");
    assertEquals(batches.get(batches.size() - 1), messages.transactionVersion(SilverTables.APP_ID));

    // Version 0 is batch 1: its valid rows, the lowest values of all.
    List<Long> first = SparkReads.deltaValuesAt(lake, lake.silverMessagesData(), 0);
    assertEquals(commits.require(1).getLong("valid"), first.size());
    List<Long> all = SparkReads.deltaValuesAt(lake, lake.silverMessagesData(), batches.size() - 1);
    assertEquals(valid, all.size());
    Set<Long> later = new HashSet<>(all);
    first.forEach(later::remove);
    assertEquals(all.size() - first.size(), later.size(), "version 0's rows are all still there");
    assertThat(first.get(first.size() - 1), lessThan(later.stream().min(Long::compare).get()));
  }

  @Test
  void aBatchCommittedToOneTableOnlyIsCompletedOnRestart() throws Exception {
    silverCatchUp(1_000_000);
    long bronze = SparkReads.rows(lake, lake.bronzeData());
    // As if silver died between its two tables' commits: the corrupted table lacks the batch.
    Path corruptedLog = lake.silverCorruptedData().resolve(DeltaTable.LOG_FOLDER);
    Path newest = corruptedLog.resolve(String.format("%020d.json", 0));
    DeltaTable corrupted = SilverTables.table(lake, lake.silverCorruptedData());
    assertEquals(0, corrupted.latestVersion().getAsLong());
    Files.delete(newest);
    Files.deleteIfExists(corruptedLog.resolve("." + newest.getFileName() + ".crc"));
    assertEquals(0, SilverTables.table(lake, lake.silverCorruptedData()).files().size());

    silverCatchUp(1_000_000); // nothing new in bronze: it only completes the commit

    assertEquals(
        bronze,
        SparkReads.deltaRows(lake, lake.silverMessagesData())
            + SparkReads.deltaRows(lake, lake.silverCorruptedData()));
    assertEquals(1, corrupted.transactionVersion(SilverTables.APP_ID));
    SilverAssertions.assertSilverMatchesBronze(lake);
  }
}
