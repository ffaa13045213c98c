package dev.messagelake.chaos;

import dev.messagelake.audit.SparkReads;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.silver.SilverCheckpoint;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.LogEntry;
import dev.messagelake.table.DeltaTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A reader of the silver tables through their Delta logs while the jobs are killed and restarted:
 * each version it sees must list exactly the files silver's batches up to the version's transaction
 * id published in that table, no more, no less, and Spark's {@code format("delta")} read of it (a
 * version a second at most) exactly their rows. Checked against silver's commit log once the run is
 * over.
 */
final class DeltaReader extends Thread {
  private final LakeLayout lake;
  private final Map<String, Seen> seen = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private volatile boolean running = true;
  private long looks;
  private long sparkReads;
  private long lastSparkRead = System.nanoTime();

  /** A version of a table as the reader saw it. */
  private static final class Seen {
    final Path table;
    final long version;
    final long batch;
    final Set<Path> files;
    long sparkRows = -1;

    Seen(Path table, long version, long batch, Set<Path> files) {
      this.table = table;
      this.version = version;
      this.batch = batch;
      this.files = files;
    }
  }

  DeltaReader(LakeLayout lake) {
    super("chaos-delta-reader");
    this.lake = lake;
  }

  @Override
  public void run() {
    while (running) {
      try {
        for (Path data : lake.silverTables()) {
          look(data);
        }
        looks++;
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        synchronized (failures) {
          failures.add("reading failed: " + e);
        }
      }
    }
  }

  private void look(Path data) {
    DeltaTable table = SilverTables.table(lake, data);
    OptionalLong newest = table.latestVersion();
    if (newest.isEmpty() || seen.containsKey(data + "@" + newest.getAsLong())) {
      return;
    }
    long version = newest.getAsLong();
    Seen at =
        new Seen(
            data,
            version,
            table.transactionVersion(SilverTables.APP_ID, version),
            table.files(version).stream().map(f -> f.path).collect(Collectors.toSet()));
    if (System.nanoTime() - lastSparkRead > 1_000_000_000L) { // a read a second at most
      at.sparkRows = SparkReads.deltaRowsAt(lake.storage().location(data), version);
      sparkReads++;
      lastSparkRead = System.nanoTime();
    }
    synchronized (seen) {
      seen.put(data + "@" + version, at);
    }
  }

  /** Stops reading. */
  void finish() throws InterruptedException {
    running = false;
    join();
  }

  /**
   * What was wrong with the versions seen (nothing when all is well), against silver's commit log
   * once complete: after silver has stopped and caught up, as a version may be seen between a
   * batch's Delta commits and its {@code commits/<n>} entry.
   */
  List<String> problems() {
    List<String> problems = new ArrayList<>(failures);
    BatchLog commits =
        new BatchLog(lake.storage(), lake.silverCheckpoint().resolve(SilverCheckpoint.COMMITS));
    Map<Long, LogEntry> batches = new LinkedHashMap<>();
    for (long id : commits.ids()) {
      batches.put(id, commits.require(id));
    }
    for (Seen version : seen.values()) {
      Set<Path> expected = new HashSet<>();
      long rows = 0;
      boolean valid = version.table.equals(lake.silverMessagesData());
      for (Map.Entry<Long, LogEntry> batch : batches.entrySet()) {
        if (batch.getKey() <= version.batch) {
          batch.getValue().list("file").stream()
              .map(lake.root()::resolve)
              .filter(f -> f.startsWith(version.table))
              .forEach(expected::add);
          rows += batch.getValue().getLong(valid ? "valid" : "corrupted");
        }
      }
      String name = lake.root().relativize(version.table) + " version " + version.version;
      if (!expected.equals(version.files)) {
        Set<Path> extra = new HashSet<>(version.files);
        extra.removeAll(expected);
        Set<Path> missing = new HashSet<>(expected);
        missing.removeAll(version.files);
        problems.add(
            name
                + " listed "
                + version.files.size()
                + " files, not the "
                + expected.size()
                + " of batches 1.."
                + version.batch
                + " (extra: "
                + names(extra)
                + "; missing: "
                + names(missing)
                + ")");
      }
      if (version.sparkRows >= 0 && version.sparkRows != rows) {
        problems.add(
            name
                + ": Spark read "
                + version.sparkRows
                + " rows, batches 1.."
                + version.batch
                + " committed "
                + rows);
      }
    }
    return problems;
  }

  private static String names(Set<Path> files) {
    return files.stream()
        .map(f -> f.getFileName().toString())
        .sorted()
        .limit(3)
        .collect(Collectors.joining(", "));
  }

  long looks() {
    return looks;
  }

  long versions() {
    return seen.size();
  }

  long sparkReads() {
    return sparkReads;
  }
}
