package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.ParquetFixtures;
import dev.messagelake.silver.SilverCheckpoint.Batch;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.table.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states a kill can leave a silver batch in, built by hand, and what a restart makes of them.
 */
class SilverCheckpointTest {
  @TempDir Path root;

  private final List<Path> inputs =
      List.of(Path.of("values-a.parquet"), Path.of("values-b.parquet"));

  private LakeLayout lake() {
    return new LakeLayout(root);
  }

  @Test
  void aFileOfAFailedAttemptIsNeverPublished() throws Exception {
    SilverCheckpoint checkpoint = SilverCheckpoint.recover(lake());
    Batch batch = checkpoint.plan(inputs);
    Path date = checkpoint.staging(batch, SilverCheckpoint.MESSAGES).resolve("date=2024-12-15");
    Path written = date.resolve("part-0000000001-a.parquet");
    Path ofAFailedAttempt = date.resolve("part-0000000001-b.parquet");
    write(written, 3);
    write(ofAFailedAttempt, 3);

    checkpoint.markStaged(batch, List.of(written));
    SilverCheckpoint.Committed committed = checkpoint.commit(batch);

    assertEquals(3, committed.validRows);
    assertEquals(
        List.of(lake().silverMessagesData().resolve("date=2024-12-15/part-0000000001-a.parquet")),
        LakeStorage.local().parquetFilesUnder(lake().silverMessagesData()));
  }

  @Test
  void aBatchWhoseReportedFileIsMissingIsNotStaged() throws Exception {
    SilverCheckpoint checkpoint = SilverCheckpoint.recover(lake());
    Batch batch = checkpoint.plan(inputs);
    Path date = checkpoint.staging(batch, SilverCheckpoint.MESSAGES).resolve("date=2024-12-15");
    Path movedUnderAnotherName = date.resolve("part-0000000001-a.parquet");
    write(movedUnderAnotherName, 3);

    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> checkpoint.markStaged(batch, List.of(date.resolve("part-0000000001-b.parquet"))));

    assertThat(refused.getMessage(), containsString("is not in staging"));
    // Not staged: a restart forgets the batch and its inputs go to the next one.
    SilverCheckpoint.recover(lake());
    assertEquals(List.of(), LakeStorage.local().parquetFilesUnder(lake().silverMessagesData()));
    assertEquals(0, SilverCheckpoint.committedInputs(lake()).size());
  }

  @Test
  void aBatchKilledHalfwayThroughItsCommitIsFinishedOnce() throws Exception {
    SilverCheckpoint checkpoint = SilverCheckpoint.recover(lake());
    Batch batch = checkpoint.plan(inputs);
    Path valid =
        checkpoint
            .staging(batch, SilverCheckpoint.MESSAGES)
            .resolve("date=2024-12-15/part-0000000001-00000-of-00001.parquet");
    Path corrupted =
        checkpoint
            .staging(batch, SilverCheckpoint.CORRUPTED)
            .resolve("date=2024-12-15/part-0000000001-00000-of-00001.parquet");
    write(valid, 3);
    write(corrupted, 2);
    checkpoint.markStaged(batch, List.of(valid, corrupted));
    // The kill came after the first move: the valid file is published, the corrupted one not.
    Path published =
        lake()
            .silverMessagesData()
            .resolve("date=2024-12-15/part-0000000001-00000-of-00001.parquet");
    Files.createDirectories(published.getParent());
    Files.move(valid, published);

    SilverCheckpoint recovered = SilverCheckpoint.recover(lake());

    assertEquals(List.of(), recovered.uncommitted(inputs));
    assertEquals(
        List.of(published), LakeStorage.local().parquetFilesUnder(lake().silverMessagesData()));
    assertEquals(1, LakeStorage.local().parquetFilesUnder(lake().silverCorruptedData()).size());
    Path done = lake().silverCheckpoint().resolve("commits/1");
    assertEquals("v1", Files.readAllLines(done).get(0), "the entry's format version");
    assertTrue(Files.readString(done).contains("valid=3"));
    assertTrue(Files.readString(done).contains("corrupted=2"));
    assertFalse(Files.exists(lake().silverCheckpoint().resolve("staged/1")));
    assertFalse(Files.exists(lake().silverCheckpoint().resolve("staging/0000000001")));
  }

  @Test
  void aBatchKilledBeforeItsOutputWasCompleteIsForgottenAndItsFilesTakenAgain() throws Exception {
    SilverCheckpoint checkpoint = SilverCheckpoint.recover(lake());
    Batch batch = checkpoint.plan(inputs);
    write(
        checkpoint
            .staging(batch, SilverCheckpoint.MESSAGES)
            .resolve("date=2024-12-15/part-0000000001-00000-of-00001.parquet"),
        3);

    SilverCheckpoint recovered = SilverCheckpoint.recover(lake());

    assertEquals(inputs, recovered.uncommitted(inputs));
    assertEquals(List.of(), LakeStorage.local().parquetFilesUnder(lake().silverMessagesData()));
    assertFalse(Files.exists(lake().silverCheckpoint().resolve("plans/1")));
    assertFalse(Files.exists(lake().silverCheckpoint().resolve("staging/0000000001")));
    assertEquals(2, recovered.plan(inputs).id, "batch numbers are never reused");
  }

  @Test
  void aCheckpointOfAnEarlierFormatIsRefusedWithOneLineThatSaysReset() throws Exception {
    Files.createDirectories(lake().silverCheckpoint().resolve("batches"));
    Files.writeString(lake().silverCheckpoint().resolve("batches/0000000001.plan"), "a.parquet\n");
    UserError error = assertThrows(UserError.class, () -> SilverCheckpoint.recover(lake()));
    assertThat(error.getMessage(), containsString("earlier version of message-lake"));
    assertThat(error.getMessage(), containsString("--reset"));
  }

  /** No delay before compacted entries go, and no Delta log history beyond its checkpoint. */
  private static final SilverCheckpoint.Retention NONE = new SilverCheckpoint.Retention(0, 0);

  private static final SilverCheckpoint.Retention AN_HOUR =
      new SilverCheckpoint.Retention(3_600_000L, 3_600_000L);

  private static Path input(long id) {
    return Path.of(String.format("values-%05d.parquet", id));
  }

  /** Plans, runs and stages batch {@code id} (one input, one file of {@code id} rows). */
  private static Batch stage(SilverCheckpoint checkpoint, long id) throws Exception {
    Batch batch = checkpoint.plan(List.of(input(id)));
    assertEquals(id, batch.id);
    Path file =
        checkpoint
            .staging(batch, SilverCheckpoint.MESSAGES)
            .resolve("date=2024-12-15/" + batch.filePrefix() + "-x.parquet");
    write(file, (int) id);
    checkpoint.markStaged(batch, List.of(file));
    return batch;
  }

  private long files(String folder) throws Exception {
    try (var files = Files.list(root.resolve(folder))) {
      return files.count();
    }
  }

  /** What a restart must find after batches 1..last: every input taken once, every row there. */
  private void assertRecoveredThrough(long last) {
    SilverCheckpoint recovered = SilverCheckpoint.recover(lake(), NONE);
    List<Path> all = LongStream.rangeClosed(1, last + 1).mapToObj(i -> input(i)).toList();
    assertEquals(List.of(input(last + 1)), recovered.uncommitted(all));
    assertEquals(last, recovered.committedInputCount());
    assertEquals(Set.copyOf(all.subList(0, (int) last)), SilverCheckpoint.committedInputs(lake()));
    SilverCheckpoint.CommitLog log = SilverCheckpoint.commitLog(lake());
    assertEquals(last * (last + 1) / 2, log.validRows, "rows 1 + 2 + ... + last");
    assertEquals(last, log.files.size());
    assertEquals(
        log.files.keySet(),
        SilverTables.table(lake(), lake().silverMessagesData()).files().stream()
            .map(f -> f.path)
            .collect(Collectors.toSet()),
        "the Delta log's newest version holds what the checkpoint committed");
    log.files.forEach(
        (file, batch) ->
            assertEquals(batch, SilverTables.batchOf(file), file + " listed with its batch"));
  }

  @Test
  void fiftyFiveBatchesLeavePlansCommitsAndTheDeltaLogBounded() throws Exception {
    SilverCheckpoint checkpoint = SilverCheckpoint.recover(lake(), NONE);
    for (long id = 1; id <= 55; id++) {
      checkpoint.commit(stage(checkpoint, id));
      // Without compaction and cleanup each would hold a file (a JSON and its .crc) per batch.
      assertThat(files("silver/checkpoint/plans"), lessThanOrEqualTo(20L));
      assertThat(files("silver/checkpoint/commits"), lessThanOrEqualTo(20L));
      assertThat(files("silver/messages/data/_delta_log"), lessThanOrEqualTo(2 * 21L + 5));
    }
    assertRecoveredThrough(55);
    DeltaTable table = SilverTables.table(lake(), lake().silverMessagesData());
    assertEquals(OptionalLong.of(50), table.earliestVersion(), "its newest checkpoint");
    assertEquals(54, table.latestVersion().getAsLong());
    assertEquals(55, table.transactionVersion(SilverTables.APP_ID));
    assertEquals(55, table.filesEverAdded().size());
    assertThrows(RuntimeException.class, () -> table.files(49), "time travel past the log fails");
  }

  @Test
  void aKillAtEachStepOfACompactionLeavesARestartThatFindsEveryBatchOnce() throws Exception {
    SilverCheckpoint checkpoint = SilverCheckpoint.recover(lake(), NONE);
    for (long id = 1; id <= 29; id++) {
      checkpoint.commit(stage(checkpoint, id));
    }
    // Killed once compact plan 30 was written (plans before 20 deleted), before the batch ran.
    checkpoint.plan(List.of(input(30)));
    assertRecoveredThrough(29);
    assertFalse(Files.exists(root.resolve("silver/checkpoint/plans/30")), "forgotten");

    // Killed with batch 30 staged: the restart commits it, compact commit 30 and all.
    checkpoint = SilverCheckpoint.recover(lake(), AN_HOUR);
    stage(checkpoint, 30);
    assertRecoveredThrough(30);
    assertEquals("v2", Files.readAllLines(root.resolve("silver/checkpoint/commits/30")).get(0));

    // Killed after compact entries 40 were written, before any earlier entry was deleted (an hour
    // of delay leaves them all), then half of those deleted by hand as a kill mid-way would.
    checkpoint = SilverCheckpoint.recover(lake(), AN_HOUR);
    for (long id = 31; id <= 40; id++) {
      checkpoint.commit(stage(checkpoint, id));
    }
    assertEquals(21, files("silver/checkpoint/commits"), "20..40: none deleted yet");
    assertRecoveredThrough(40);
    for (String log : List.of("plans", "commits")) {
      for (long id = 20; id < 25; id++) {
        Files.delete(root.resolve("silver/checkpoint/" + log + "/" + id));
      }
    }
    assertRecoveredThrough(40);

    // The next compaction deletes what the kills left; a restart still finds every batch.
    checkpoint = SilverCheckpoint.recover(lake(), NONE);
    for (long id = 41; id <= 50; id++) {
      checkpoint.commit(stage(checkpoint, id));
    }
    assertEquals(11, files("silver/checkpoint/commits"), "40..50");
    assertRecoveredThrough(50);
  }

  private static void write(Path file, int rows) throws Exception {
    List<Row> silver = new java.util.ArrayList<>();
    for (int i = 0; i < rows; i++) {
      silver.add(
          Row.withSchema(LakeSchemas.SILVER)
              .addValues(
                  Instant.parse("2024-12-15T10:00:00Z"),
                  (long) i,
                  "OPEN",
                  "m",
                  "SMS",
                  2000,
                  1000,
                  "Brazil")
              .build());
    }
    ParquetFixtures.write(file, LakeSchemas.SILVER_AVRO, silver);
  }
}
