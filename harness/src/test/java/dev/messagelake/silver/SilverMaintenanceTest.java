package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.audit.SparkReads;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.flow.LakeFlow;
import dev.messagelake.maintenance.SilverCompaction;
import dev.messagelake.maintenance.SilverVacuum;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.table.DeltaTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction and vacuum of the silver tables, under a running silver stream: readers through the
 * log never see a row twice nor lose one, the stream goes on committing, vacuum keeps what its
 * retention promises and then removes what no version needs.
 */
class SilverMaintenanceTest {
  @TempDir Path dir;

  private String[] lakeArgs(String... more) {
    String[] all = new String[more.length + 1];
    all[0] = "--lake=" + dir.resolve("lake");
    System.arraycopy(more, 0, all, 1, more.length);
    return all;
  }

  private int compact(String... args) {
    return JobLauncher.run(
        "compact", lakeArgs(args), SilverCompaction.Options.class, SilverCompaction::run);
  }

  private int vacuum(String... args) {
    return JobLauncher.run("vacuum", lakeArgs(args), SilverVacuum.Options.class, SilverVacuum::run);
  }

  @Test
  void compactionUnderARunningStreamThenVacuum() throws Exception {
    LakeLayout lake = new LakeLayout(dir.resolve("lake"));
    DeltaTable messages = SilverTables.table(lake, lake.silverMessagesData());
    // The lake flow: producer and silver together (a silver batch every second), then catch-up,
    // check and gold, whose exit code says the lake reconciled after all the compactions.
    CompletableFuture<Integer> flow =
        CompletableFuture.supplyAsync(
            () ->
                JobLauncher.run(
                    "lake",
                    lakeArgs(
                        "--durationSeconds=20", "--rowsPerSecond=20", "--silverTriggerSeconds=1"),
                    LakeFlow.Options.class,
                    LakeFlow::run));
    int compactions = 0;
    while (!flow.isDone()) {
      if (messages.files().size() >= 2) {
        long before = messages.latestVersion().getAsLong();
        List<Long> valuesBefore = SparkReads.deltaValuesAt(lake, lake.silverMessagesData(), before);
        assertEquals(0, compact());
        compactions++;
        long after = messages.latestVersion().getAsLong();
        List<Long> valuesAfter = SparkReads.deltaValuesAt(lake, lake.silverMessagesData(), after);
        assertEquals(
            valuesAfter.size(), new HashSet<>(valuesAfter).size(), "a row twice after compaction");
        assertTrue(valuesAfter.containsAll(valuesBefore), "a row lost by compaction");
        // The version before compaction still reads whole: its files stay until vacuum.
        assertEquals(
            valuesBefore, SparkReads.deltaValuesAt(lake, lake.silverMessagesData(), before));
      } else {
        Thread.sleep(200); // silver writes a file a second: poll for the next ones
      }
    }
    assertEquals(0, flow.get(5, TimeUnit.MINUTES), "the lake flow, with its check and gold");
    assertThat(compactions, greaterThan(1));

    assertEquals(0, compact()); // everything, once the stream has stopped
    long bronze = SparkReads.rows(lake, lake.bronzeData());
    long valid = SparkReads.deltaRows(lake, lake.silverMessagesData());
    assertEquals(
        bronze, valid + SparkReads.deltaRows(lake, lake.silverCorruptedData()), "through the log");
    assertEquals(1, messages.files().size(), "one file per date after compaction");
    assertEquals(0, check(), "check reads through the log");

    // Hive-style readers see the replaced files too until vacuum removes them.
    List<Path> visible = LakeStorage.local().parquetFilesUnder(lake.silverMessagesData());
    assertThat(visible.size(), greaterThan(1));
    assertEquals(0, vacuum()); // 7 days: every version stays readable, so every file stays
    assertEquals(visible, LakeStorage.local().parquetFilesUnder(lake.silverMessagesData()));
    assertEquals(0, vacuum("--retainHours=0"));
    assertEquals(
        List.of(messages.files().get(0).path),
        LakeStorage.local().parquetFilesUnder(lake.silverMessagesData()));
    assertEquals(valid, SparkReads.rows(lake, lake.silverMessagesData()), "hive-style again");
    visible.stream()
        .filter(f -> !f.equals(messages.files().get(0).path))
        .forEach(f -> assertFalse(Files.exists(f), f + " kept"));

    // Silver starts on the compacted, vacuumed tables and finds them as their logs say.
    assertEquals(
        0,
        JobLauncher.run("silver", lakeArgs("--catchUp"), SilverJob.Options.class, SilverJob::run));
    SilverAssertions.assertSilverMatchesBronze(lake);
  }

  @Test
  void badOptionsAreOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        JobLauncher.run(
            "compact",
            lakeArgs("--date=yesterday"),
            SilverCompaction.Options.class,
            SilverCompaction::run,
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(JobLauncher.USAGE, exit);
    assertThat(
        err.toString(StandardCharsets.UTF_8), containsString("--date=yesterday: not a date"));
    assertEquals(1, err.toString(StandardCharsets.UTF_8).strip().lines().count());
  }

  private int check() {
    return JobLauncher.run("check", lakeArgs(), LakeCheck.Options.class, LakeCheck::run);
  }
}
