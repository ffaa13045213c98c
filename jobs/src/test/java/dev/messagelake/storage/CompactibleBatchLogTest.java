package dev.messagelake.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log compacted every ten entries, and what a kill at each step of a compaction leaves. */
class CompactibleBatchLogTest {
  @TempDir Path folder;

  /** The rule of the test: every value of list {@code v}, in order. */
  private static LogEntry concat(LogEntry earlier, SortedMap<Long, LogEntry> entries) {
    List<String> values = new ArrayList<>(earlier.list("v"));
    entries.values().forEach(e -> values.addAll(e.list("v")));
    return LogEntry.builder().putList("v", values).build();
  }

  private CompactibleBatchLog log(long cleanupDelayMillis) {
    return new CompactibleBatchLog(
        new BatchLog(LakeStorage.local(), folder.resolve("log")),
        CompactibleBatchLogTest::concat,
        cleanupDelayMillis);
  }

  private static LogEntry entry(long id) {
    return LogEntry.builder().putList("v", List.of("a" + id, "b" + id)).build();
  }

  private static List<String> expected(long from, long to) {
    return LongStream.rangeClosed(from, to)
        .boxed()
        .flatMap(id -> List.of("a" + id, "b" + id).stream())
        .collect(Collectors.toList());
  }

  private long files() throws Exception {
    try (var files = Files.list(folder.resolve("log"))) {
      return files.count();
    }
  }

  @Test
  void manyEntriesKeepTheFolderBoundedAndTheSumWhole() throws Exception {
    CompactibleBatchLog log = log(0);
    for (long id = 1; id <= 95; id++) {
      log.add(id, entry(id));
      // Without compaction the folder would hold id files; with it, at most two intervals.
      assertThat(files(), lessThanOrEqualTo((long) 2 * CompactibleBatchLog.INTERVAL));
      assertEquals(expected(1, id), log.sum().list("v"));
    }
    assertEquals(
        LongStream.rangeClosed(80, 95).boxed().collect(Collectors.toList()), log.log().ids());
    assertEquals("v2", Files.readAllLines(folder.resolve("log/90")).get(0), "a compact entry");
    assertEquals("v1", Files.readAllLines(folder.resolve("log/91")).get(0), "a plain entry");
    assertEquals(List.of("a90", "b90"), log.log().require(90).list("v"), "its own fields");
    assertEquals(expected(1, 89), log.read().earlier.list("v"));
  }

  @Test
  void entriesWithinTheCleanupDelayStay() throws Exception {
    CompactibleBatchLog log = log(3_600_000L);
    for (long id = 1; id <= 50; id++) {
      log.add(id, entry(id));
    }
    assertEquals(50, files());
    assertEquals(expected(1, 50), log.sum().list("v"));
  }

  @Test
  void aNumberIsRecordedOnceCompactOrNot() {
    CompactibleBatchLog log = log(0);
    for (long id = 1; id <= 10; id++) {
      log.add(id, entry(id));
    }
    assertThrows(IllegalStateException.class, () -> log.add(10, entry(10)));
    assertThrows(IllegalStateException.class, () -> log.add(9, entry(9)));
  }

  @Test
  void aKillAtEachStepOfACompactionLeavesTheSumWhole() throws Exception {
    CompactibleBatchLog log = log(0);
    for (long id = 1; id <= 29; id++) {
      log.add(id, entry(id));
    }
    // Killed after writing compact entry 30, before deleting any earlier entry: all of 10..29
    // (and the compact entry 10) are still there; readers start at 30.
    BatchLog uncompacted = new BatchLog(LakeStorage.local(), folder.resolve("log"));
    LogEntry sum = log.sum();
    CompactibleBatchLog untilNow = log(3_600_000L); // a delay the entries are within: none deleted
    untilNow.add(30, entry(30));
    assertEquals(21, uncompacted.ids().size());
    assertEquals(expected(1, 30), untilNow.sum().list("v"));
    assertEquals(expected(1, 29), sum.list("v"));

    // Half deleted: some entries before the previous compact entry gone, others not.
    uncompacted.remove(12);
    uncompacted.remove(13);
    assertEquals(expected(1, 30), log.sum().list("v"));

    // The next compaction deletes what the kill left.
    for (long id = 31; id <= 40; id++) {
      log.add(id, entry(id));
    }
    assertEquals(
        LongStream.rangeClosed(30, 40).boxed().collect(Collectors.toList()), uncompacted.ids());
    assertEquals(expected(1, 40), log.sum().list("v"));
  }

  @Test
  void aForgottenCompactEntryLeavesThePreviousOneAndItsFollowers() throws Exception {
    CompactibleBatchLog log = log(0);
    for (long id = 1; id <= 30; id++) {
      log.add(id, entry(id));
    }
    // Entry 30, a plan whose batch never ran, is forgotten: 20..29 still sum to the same.
    log.log().remove(30);
    assertEquals(expected(1, 29), log.sum().list("v"));
    log.add(30, entry(30));
    assertEquals(expected(1, 30), log.sum().list("v"));
  }

  @Test
  void aLogOfPlainEntriesIsSummedWholeAndCompactedAtItsNextInterval() throws Exception {
    BatchLog plain = new BatchLog(LakeStorage.local(), folder.resolve("log"));
    for (long id = 1; id <= 23; id++) {
      plain.add(id, entry(id)); // as version 4 wrote it
    }
    CompactibleBatchLog log = log(0);
    assertEquals(expected(1, 23), log.sum().list("v"));
    for (long id = 24; id <= 40; id++) {
      log.add(id, entry(id));
    }
    assertEquals(expected(1, 40), log.sum().list("v"));
    assertEquals(LongStream.rangeClosed(30, 40).boxed().collect(Collectors.toList()), plain.ids());
  }

  @Test
  void aReaderOfPlainEntriesOnlyRefusesACompactEntry() throws Exception {
    Files.createDirectories(folder.resolve("log"));
    Files.writeString(folder.resolve("log/10"), "v3\nv.0=a\n");
    UserError refused = assertThrows(UserError.class, () -> log(0).sum());
    assertThat(refused.getMessage(), containsString("is in format v3"));
    assertTrue(refused.getMessage().contains("reads v1 and v2"), refused.getMessage());
  }
}
