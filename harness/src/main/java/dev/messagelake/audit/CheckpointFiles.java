package dev.messagelake.audit;

import dev.messagelake.bronze.BronzeCheckpoint;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.silver.SilverCheckpoint;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.LogEntry;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the harness sees of the jobs' checkpoints, read from their files as docs/LAKE.md lays them
 * out (the format is the contract), while the jobs run and may change them.
 */
public final class CheckpointFiles {
  private CheckpointFiles() {}

  /** True while a finished bronze window waits in staging for its publication. */
  public static boolean bronzeWindowStaged(LakeLayout lake) {
    return lake.storage().listFiles(lake.bronzeCheckpoint().resolve("staging")).stream()
        .anyMatch(f -> !LakeStorage.isHidden(f));
  }

  /** Where a producer stopped now would leave bronze (what a restart must do). */
  public static String bronzeInterruption(LakeLayout lake) {
    if (bronzeWindowStaged(lake)) {
      return "window staged, not yet published";
    }
    long recorded =
        read(() -> log(lake, lake.bronzeCheckpoint(), "commits").latest())
            .flatMap(e -> e)
            .map(e -> e.getLong("nextValue"))
            .orElse(0L);
    long inData = 0;
    for (Path file : lake.storage().listFiles(lake.bronzeData())) {
      long[] values = BronzeCheckpoint.valuesInName(file.getFileName().toString());
      if (values != null) {
        inData = Math.max(inData, values[1] + 1);
      }
    }
    if (recorded < inData) {
      return "window published, checkpoint not yet recorded";
    }
    return lake.storage().filesUnder(lake.bronzeCheckpoint().resolve("tmp")).isEmpty()
        ? "between windows"
        : "window being written";
  }

  /** The number of silver's last planned batch (0 before the first). */
  public static long silverLastPlanned(LakeLayout lake) {
    return silverLog(lake, SilverCheckpoint.PLANS).latestId().orElse(0);
  }

  /** The number of silver's last committed batch (0 before the first). */
  public static long silverLastCommitted(LakeLayout lake) {
    return silverLog(lake, SilverCheckpoint.COMMITS).latestId().orElse(0);
  }

  /** True while silver's batch {@code id} is staged and being published. */
  public static boolean silverStaged(LakeLayout lake, long id) {
    return silverLog(lake, SilverCheckpoint.STAGED).contains(id);
  }

  /** Where a silver job stopped now would leave its checkpoint. */
  public static String silverInterruption(LakeLayout lake) {
    long last = silverLastPlanned(lake);
    if (last == 0 || silverLog(lake, SilverCheckpoint.COMMITS).contains(last)) {
      return "between batches";
    }
    return silverStaged(lake, last)
        ? "batch staged, being committed"
        : "batch planned, being written";
  }

  /** The files staged batches are publishing now (absolute paths). */
  public static Set<Path> silverFilesBeingPublished(LakeLayout lake) {
    Set<Path> files = new HashSet<>();
    BatchLog staged = silverLog(lake, SilverCheckpoint.STAGED);
    for (long id : staged.ids()) {
      // committed and removed meanwhile: nothing being published
      read(() -> staged.get(id))
          .flatMap(e -> e)
          .ifPresent(entry -> entry.list("file").forEach(f -> files.add(lake.root().resolve(f))));
    }
    return files;
  }

  /**
   * When each bronze file (relative to bronze's data folder) was committed into silver: the time
   * its batch's commit was written, just after its rows became visible.
   */
  public static Map<Path, Long> silverCommitTimes(LakeLayout lake) {
    BatchLog plans = silverLog(lake, SilverCheckpoint.PLANS);
    BatchLog commits = silverLog(lake, SilverCheckpoint.COMMITS);
    Map<Path, Long> times = new TreeMap<>();
    for (long id : commits.ids()) {
      // A batch whose plan a compaction has summed and deleted: its time is gone with it.
      Optional<LogEntry> plan = read(() -> plans.get(id)).flatMap(e -> e);
      if (plan.isEmpty()) {
        continue;
      }
      long committed = commits.writtenMillis(id);
      for (String input : plan.get().list("input")) {
        times.put(Path.of(input), committed);
      }
    }
    return times;
  }

  private static BatchLog silverLog(LakeLayout lake, String name) {
    return log(lake, lake.silverCheckpoint(), name);
  }

  private static BatchLog log(LakeLayout lake, Path checkpoint, String name) {
    return new BatchLog(lake.storage(), checkpoint.resolve(name));
  }

  /** A read that a running job may race (the file deleted between listing and reading). */
  private static <T> Optional<T> read(java.util.function.Supplier<T> read) {
    try {
      return Optional.of(read.get());
    } catch (UncheckedIOException | IllegalStateException e) {
      return Optional.empty();
    }
  }
}
