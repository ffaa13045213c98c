package dev.messagelake.bronze;

import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.CheckpointFolder;
import dev.messagelake.storage.JobLock;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.LogEntry;
import dev.messagelake.storage.ParquetFooters;
import dev.messagelake.storage.ParquetFooters.LongColumnRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's commit: staged files are published into {@code data/} strictly in value order,
 * each named after its values ({@code values-<first>-<last>.parquet}), so {@code data/} only ever
 * grows by the next contiguous range; {@code checkpoint/commits/<n>} then records the next value. A
 * kill leaves at most staged files: complete ones are published at the next start, the rest dropped
 * and generated again, never a gap or a duplicate.
 */
public final class BronzeCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(BronzeCheckpoint.class);
  private static final Pattern DATA_FILE = Pattern.compile("values-(\\d{19})-(\\d{19})\\.parquet");
  private static final String KAFKA_OFFSET = "kafka.offset.";

  /** Commits kept: the newest says it all; a few more help reading what happened. */
  private static final int RETAINED_COMMITS = 100;

  private final LakeLayout layout;
  private final LakeStorage storage;
  private final CheckpointFolder folder;
  private final BatchLog commits;
  private final Map<Path, LongColumnRange> stagedRanges = new HashMap<>();
  // Kafka source: "<topic>/<partition>" -> the offset up to which every record is in data/.
  private final Map<String, Long> kafkaOffsets = new TreeMap<>();
  private long nextValue;
  private JobLock lock = JobLock.NONE; // what every commit requires still held
  private long committedFiles;
  private long lastCommit; // the number of the newest entry of the commit log

  private BronzeCheckpoint(LakeLayout layout) {
    this.layout = layout;
    this.storage = layout.storage();
    this.folder = folder(layout);
    this.commits = folder.log("commits");
  }

  static CheckpointFolder folder(LakeLayout layout) {
    return new CheckpointFolder(
        layout.storage(), layout.bronzeCheckpoint(), "producer.lock", "bronze producer");
  }

  /** Takes the lake's producer lock: a second producer on the same lake is refused. */
  public static JobLock lock(LakeLayout layout) {
    return folder(layout).lock();
  }

  /** Deletes bronze data and checkpoint (and nothing else): the producer starts again at 0. */
  public static void reset(LakeLayout layout) {
    folder(layout).reset(List.of(layout.bronzeData()));
    LOG.info(
        "bronze: reset: deleted {} and {}",
        layout.display(layout.bronzeData()),
        layout.display(layout.bronzeCheckpoint()));
  }

  /**
   * Opens the checkpoint of a lake, repairing what a crash may have left: staged files that
   * continue the sequence are published, the others and any temporary file are removed.
   */
  public static BronzeCheckpoint recover(LakeLayout layout) {
    BronzeCheckpoint checkpoint = new BronzeCheckpoint(layout);
    LakeStorage storage = layout.storage();
    storage.createDirectories(layout.bronzeData());
    storage.createDirectories(layout.bronzeCheckpoint());
    checkpoint.folder.refuseEarlierFormat("committed.properties");
    long[] committed = committedInData(layout);
    long dataNext = committed[0];
    Optional<LogEntry> latest = checkpoint.commits.latest();
    long recorded = latest.map(entry -> entry.getLong("nextValue")).orElse(-1L);
    if (recorded > dataNext) {
      throw new UserError(
          "bronze checkpoint says values 0.."
              + (recorded - 1)
              + " were committed but "
              + layout.bronzeData()
              + " holds only "
              + (dataNext == 0 ? "none" : "0.." + (dataNext - 1))
              + " (files removed by hand?); run with --reset to start over");
    }
    checkpoint.nextValue = dataNext;
    checkpoint.commits.retainLast(RETAINED_COMMITS);
    checkpoint.lastCommit = checkpoint.commits.latestId().orElse(0);
    checkpoint.committedFiles = committed[1];
    latest.ifPresent(
        entry ->
            entry
                .withPrefix(KAFKA_OFFSET)
                .forEach(
                    (partition, offset) ->
                        checkpoint.kafkaOffsets.put(partition, Long.parseLong(offset))));
    if (recorded >= 0 && recorded < dataNext) {
      LOG.info(
          "bronze: checkpoint rolled forward from value {} to {} (stopped after a commit)",
          recorded,
          dataNext);
    }
    storage.delete(checkpoint.temp());
    int published = checkpoint.commitStaged();
    if (published > 0) {
      LOG.info("bronze: published {} file(s) a previous run had staged", published);
    }
    checkpoint.discardStaging();
    if (recorded != checkpoint.nextValue) {
      checkpoint.record();
    }
    return checkpoint;
  }

  /** Where the pipeline writes finished files, awaiting their commit. */
  public Path staging() {
    return folder.staging();
  }

  /** Where the pipeline writes files while they are being written. */
  public Path temp() {
    return folder.temp();
  }

  /** A checkpoint folder as the pipeline's IOs open it (a local path or an hdfs:// URI). */
  public String location(Path folder) {
    return storage.location(folder);
  }

  /** Every value below this one is committed in {@code data/}, once. */
  public long nextValue() {
    return nextValue;
  }

  public long committedFiles() {
    return committedFiles;
  }

  /**
   * Makes every commit first check that this job still holds {@code lock} (a lease may be lost).
   */
  public void guardedBy(JobLock lock) {
    this.lock = lock;
  }

  /**
   * Publishes the staged files that continue the committed sequence, in value order, and records
   * the new position. Returns how many were published.
   */
  public int commitStaged() {
    lock.requireHeld();
    int published = 0;
    for (Path file : stagedInValueOrder()) {
      LongColumnRange range = stagedRanges.get(file);
      if (range.max < nextValue) {
        // A replayed window (runners may write a window twice): same values, same content.
        LOG.warn(
            "bronze: dropping {}: values {}..{} are already committed",
            layout.display(file),
            range.min,
            range.max);
        dropStaged(file);
      } else if (range.min != nextValue) {
        break; // an earlier window is still being written
      } else if (!range.isContiguous()) {
        throw new IllegalStateException(
            file
                + " holds "
                + range.rows
                + " rows for values "
                + range.min
                + ".."
                + range.max
                + ": not one contiguous range; refusing to commit it");
      } else {
        publish(file, range);
        published++;
      }
    }
    if (published > 0) {
      record();
    }
    return published;
  }

  /**
   * The Kafka source's commit: publishes, in value order, the staged runs that continue the
   * sequence, drops the rest, and records {@code endOffsets} (topic/partition -> offset) only if
   * every staged run was published. Otherwise the offsets stay and the next batch reads those
   * records again: the values a hole held back come then, values already in data/ are skipped.
   * Returns whether the offsets advanced.
   */
  public boolean commitIngested(Map<String, Long> endOffsets) {
    lock.requireHeld();
    boolean all = true;
    for (Path file : stagedInValueOrder()) {
      LongColumnRange range = stagedRanges.get(file);
      if (range.max < nextValue) {
        dropStaged(file); // a retried task's copy of a run just published
      } else if (range.min == nextValue && range.isContiguous()) {
        publish(file, range);
      } else {
        dropStaged(file); // behind a hole: read again with the next batch
        all = false;
      }
    }
    if (all) {
      kafkaOffsets.putAll(endOffsets);
    }
    record();
    return all;
  }

  /** The Kafka source's position: topic/partition -> offset of the first record not in data/. */
  public Map<String, Long> kafkaOffsets() {
    return Map.copyOf(kafkaOffsets);
  }

  private void publish(Path staged, LongColumnRange range) {
    storage.rename(staged, layout.bronzeData().resolve(fileName(range.min, range.max)));
    stagedRanges.remove(staged);
    nextValue = range.max + 1;
    committedFiles++;
  }

  private void dropStaged(Path file) {
    storage.delete(file);
    stagedRanges.remove(file);
  }

  /** The files staged and not yet published. */
  public List<Path> stagedFiles() {
    return storage.listFiles(staging()).stream()
        .filter(f -> !LakeStorage.isHidden(f))
        .collect(Collectors.toList());
  }

  /** The staged files, by their first value (each footer read once, then remembered). */
  private List<Path> stagedInValueOrder() {
    List<Path> staged = new ArrayList<>();
    for (Path file : storage.listFiles(staging())) {
      if (!LakeStorage.isHidden(file)) {
        stagedRanges.computeIfAbsent(
            file, f -> ParquetFooters.longColumnRange(storage, f, LakeSchemas.VALUE));
        staged.add(file);
      }
    }
    staged.sort(Comparator.comparingLong(f -> stagedRanges.get(f).min));
    return staged;
  }

  /** Drops what is staged but not committed: those values will be generated again. */
  public void discardStaging() {
    storage.delete(staging());
    storage.delete(temp());
    stagedRanges.clear();
  }

  /** {first, last} value of a data file, from its name; null for a name of another kind. */
  public static long[] valuesInName(String name) {
    Matcher matcher = DATA_FILE.matcher(name);
    return matcher.matches()
        ? new long[] {Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))}
        : null;
  }

  /** The name of the bronze file holding values first..last. */
  public static String fileName(long first, long last) {
    return String.format("values-%019d-%019d.parquet", first, last);
  }

  private void record() {
    LogEntry.Builder entry =
        LogEntry.builder().put("nextValue", nextValue).put("files", committedFiles);
    kafkaOffsets.forEach((partition, offset) -> entry.put(KAFKA_OFFSET + partition, offset));
    commits.add(++lastCommit, entry.build());
    commits.remove(lastCommit - RETAINED_COMMITS); // the one that falls out: no listing per commit
  }

  /** {next value, file count} of the committed files in data/, checking they tile 0..N-1. */
  private static long[] committedInData(LakeLayout layout) {
    Path data = layout.bronzeData();
    long next = 0;
    long files = 0;
    for (Path file : layout.storage().listFiles(data)) {
      if (LakeStorage.isHidden(file)) {
        continue;
      }
      long[] values = valuesInName(file.getFileName().toString());
      if (values == null) {
        LOG.warn(
            "bronze: ignoring {}: not a file of this producer (values-<first>-<last>.parquet)",
            layout.display(file));
        continue;
      }
      if (values[0] != next) {
        throw new UserError(
            data
                + " does not hold one contiguous sequence: "
                + (values[0] > next
                    ? "values " + next + ".." + (values[0] - 1) + " are missing"
                    : file.getFileName() + " repeats values from " + values[0])
                + " (edited by hand?); run with --reset to start over");
      }
      next = values[1] + 1;
      files++;
    }
    return new long[] {next, files};
  }
}
