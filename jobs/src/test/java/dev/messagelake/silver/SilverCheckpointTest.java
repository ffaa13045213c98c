package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
