package dev.messagelake.bronze;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.ParquetFixtures;
import dev.messagelake.events.FakeMessages;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery from the states a crash can leave, built by hand so each one is sure to be met. */
class BronzeCheckpointTest {
  @TempDir Path root;

  private LakeLayout lake() {
    return new LakeLayout(root);
  }

  @Test
  void rollsForwardWhenKilledBetweenPublishingAndRecording() throws Exception {
    writeValues(
        lake().bronzeData().resolve("values-0000000000000000000-0000000000000000004.parquet"),
        0,
        4);
    writeValues(
        lake().bronzeData().resolve("values-0000000000000000005-0000000000000000009.parquet"),
        5,
        9);
    writeCheckpoint("nextValue=5\nfiles=1\n");

    BronzeCheckpoint checkpoint = BronzeCheckpoint.recover(lake());
    assertEquals(10, checkpoint.nextValue());
    assertEquals(2, checkpoint.committedFiles());
    assertEquals(
        10,
        new BatchLog(LakeStorage.local(), lake().bronzeCheckpoint().resolve("commits"))
            .latest()
            .orElseThrow()
            .getLong("nextValue"));
  }

  @Test
  void publishesStagedFilesThatContinueTheSequenceAndDropsTheRest() throws Exception {
    writeValues(
        lake().bronzeData().resolve("values-0000000000000000000-0000000000000000004.parquet"),
        0,
        4);
    BronzeCheckpoint checkpoint = BronzeCheckpoint.recover(lake());
    writeValues(checkpoint.staging().resolve("window-b.parquet"), 5, 9); // continues: published
    writeValues(checkpoint.staging().resolve("window-a.parquet"), 0, 4); // a replay: dropped
    writeValues(checkpoint.staging().resolve("window-c.parquet"), 15, 19); // after a gap: dropped
    Files.createDirectories(checkpoint.temp().resolve(".temp-beam"));
    Files.writeString(checkpoint.temp().resolve(".temp-beam").resolve("half-written"), "x");

    checkpoint = BronzeCheckpoint.recover(lake());

    assertEquals(10, checkpoint.nextValue());
    assertEquals(
        List.of(
            "values-0000000000000000000-0000000000000000004.parquet",
            "values-0000000000000000005-0000000000000000009.parquet"),
        LakeStorage.local().listFiles(lake().bronzeData()).stream()
            .map(p -> p.getFileName().toString())
            .collect(Collectors.toList()));
    assertFalse(Files.exists(checkpoint.staging()));
    assertFalse(Files.exists(checkpoint.temp()));
  }

  @Test
  void refusesAStagedFileThatIsNotOneContiguousRange() throws Exception {
    BronzeCheckpoint checkpoint = BronzeCheckpoint.recover(lake());
    Path staged = checkpoint.staging().resolve("window-x.parquet");
    writeRecords(staged, List.of(0L, 1L, 3L));
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, checkpoint::commitStaged);
    assertThat(refused.getMessage(), containsString("not one contiguous range"));
    assertEquals(0, LakeStorage.local().listFiles(lake().bronzeData()).size());
  }

  @Test
  void aCheckpointAheadOfTheDataIsReported() throws Exception {
    writeValues(
        lake().bronzeData().resolve("values-0000000000000000000-0000000000000000004.parquet"),
        0,
        4);
    writeCheckpoint("nextValue=50\n");
    UserError error = assertThrows(UserError.class, () -> BronzeCheckpoint.recover(lake()));
    assertThat(error.getMessage(), containsString("checkpoint says values 0..49 were committed"));
  }

  @Test
  void aCheckpointOfAnEarlierFormatIsRefusedWithOneLineThatSaysReset() throws Exception {
    Files.createDirectories(lake().bronzeCheckpoint());
    Files.writeString(lake().bronzeCheckpoint().resolve("committed.properties"), "nextValue=5\n");
    UserError error = assertThrows(UserError.class, () -> BronzeCheckpoint.recover(lake()));
    assertThat(error.getMessage(), containsString("earlier version of message-lake"));
    assertThat(error.getMessage(), containsString("--reset"));
  }

  /** A commit as the producer records it: the log's entry 1. */
  private void writeCheckpoint(String content) throws Exception {
    Files.createDirectories(lake().bronzeCheckpoint().resolve("commits"));
    Files.writeString(lake().bronzeCheckpoint().resolve("commits").resolve("1"), "v1\n" + content);
  }

  private static void writeValues(Path file, long first, long last) throws Exception {
    List<Long> values = new java.util.ArrayList<>();
    for (long v = first; v <= last; v++) {
      values.add(v);
    }
    writeRecords(file, values);
  }

  private static void writeRecords(Path file, List<Long> values) throws Exception {
    FakeMessages fake = new FakeMessages(1);
    List<Row> rows = new java.util.ArrayList<>();
    for (long value : values) {
      rows.add(fake.message(value, Instant.now()));
    }
    ParquetFixtures.write(file, LakeSchemas.BRONZE_AVRO, rows);
  }
}
