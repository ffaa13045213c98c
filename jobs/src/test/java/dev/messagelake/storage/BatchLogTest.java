package dev.messagelake.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.messagelake.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLogTest {
  @TempDir Path folder;

  private BatchLog log() {
    return new BatchLog(LakeStorage.local(), folder.resolve("commits"));
  }

  @Test
  void anEntryIsReadBackAsWrittenWithItsFormatVersionFirst() throws Exception {
    LogEntry entry =
        LogEntry.builder()
            .put("nextValue", 10)
            .putList("file", List.of("silver/messages/data/date=2026-12-01/a.parquet", "b"))
            .build();
    log().add(7, entry);

    assertEquals(
        "v1\nnextValue=10\nfile.0=silver/messages/data/date=2026-12-01/a.parquet\nfile.1=b\n",
        Files.readString(folder.resolve("commits/7")));
    assertEquals(entry, log().get(7).orElseThrow());
    assertEquals(
        List.of("silver/messages/data/date=2026-12-01/a.parquet", "b"),
        log().latest().orElseThrow().list("file"));
  }

  @Test
  void aSecondEntryOfTheSameNumberIsRefusedAndTheFirstKept() {
    log().add(1, LogEntry.builder().put("nextValue", 5).build());
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> log().add(1, LogEntry.builder().put("nextValue", 6).build()));
    assertThat(refused.getMessage(), containsString("already exists"));
    assertEquals(5, log().require(1).getLong("nextValue"));
  }

  @Test
  void entriesAreNumberedNumericallyAndOldOnesCanBeDropped() {
    for (long id : List.of(9L, 10L, 2L)) {
      log().add(id, LogEntry.builder().put("id", id).build());
    }
    assertEquals(List.of(2L, 9L, 10L), log().ids());
    assertEquals(10, log().latest().orElseThrow().getLong("id"));

    log().retainLast(2);
    assertEquals(List.of(9L, 10L), log().ids());
    assertFalse(log().contains(2));
  }

  @Test
  void anEntryWithoutAVersionOrOfANewerOneIsRefusedInOneLine() throws Exception {
    Files.createDirectories(folder.resolve("commits"));
    Files.writeString(folder.resolve("commits/1"), "nextValue=5\n");
    Files.writeString(folder.resolve("commits/2"), "v3\nnextValue=5\n");

    UserError old = assertThrows(UserError.class, () -> log().get(1));
    assertThat(old.getMessage(), containsString("earlier version of message-lake"));
    assertThat(old.getMessage(), containsString("--reset"));
    UserError newer = assertThrows(UserError.class, () -> log().get(2));
    assertThat(newer.getMessage(), containsString("format v3"));
  }

  @Test
  void aValueWithALineBreakIsRefusedBeforeAnythingIsWritten() {
    assertThrows(
        IllegalArgumentException.class, () -> LogEntry.builder().put("file", "a\nnextValue=0"));
  }
}
