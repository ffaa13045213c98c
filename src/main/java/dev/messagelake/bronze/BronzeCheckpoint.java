package dev.messagelake.bronze;

import dev.messagelake.cli.UserError;
import dev.messagelake.lake.JobLock;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import dev.messagelake.lake.LakeSchemas;
import dev.messagelake.lake.ParquetFooters;
import dev.messagelake.lake.ParquetFooters.LongColumnRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's progress, and the commit that keeps bronze exactly 0..N-1 at every moment.
 *
 * <p>The pipeline's windowed writes land in {@code checkpoint/staging}, invisible to readers. The
 * producer then publishes each staged file into {@code data/} with one atomic rename, strictly in
 * value order, naming it after the values it holds ({@code values-<first>-<last>.parquet}), and
 * records the next value in {@code checkpoint/committed.properties}. So {@code data/} only ever
 * grows by the next contiguous range: a kill at any moment leaves at most staged files (complete
 * ones are published at the next start, the rest dropped and generated again) and never a gap or
 * a duplicate. This is the commit Spark's file sink makes on its driver, done with renames.
 */
public final class BronzeCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(BronzeCheckpoint.class);
  private static final Pattern DATA_FILE = Pattern.compile("values-(\\d{19})-(\\d{19})\\.parquet");
  private static final String COMMITTED = "committed.properties";
  static final String LOCK = "producer.lock";
  private static final String KAFKA_OFFSET = "kafka.offset.";

  private final LakeLayout layout;
  private final Map<Path, LongColumnRange> stagedRanges = new HashMap<>();
  // Kafka source: "<topic>/<partition>" -> the offset up to which every record is in data/.
  private final Map<String, Long> kafkaOffsets = new TreeMap<>();
  private long nextValue;
  private long committedFiles;

  private BronzeCheckpoint(LakeLayout layout, long nextValue, long committedFiles) {
    this.layout = layout;
    this.nextValue = nextValue;
    this.committedFiles = committedFiles;
  }

  /** Takes the lake's producer lock: a second producer on the same lake is refused. */
  public static JobLock lock(LakeLayout layout) {
    return JobLock.acquire(layout.bronzeCheckpoint().resolve(LOCK), "bronze producer");
  }

  /**
   * Deletes bronze data and checkpoint (and nothing else) so the producer starts again at 0. The
   * caller holds the lock, whose file stays: a new file would be a new, unlocked lock.
   */
  public static void reset(LakeLayout layout) {
    LakeFiles.deleteRecursively(layout.bronzeData());
    JobLock.deleteAllButLock(layout.bronzeCheckpoint().resolve(LOCK));
    LOG.info("bronze: reset: deleted {} and {}", layout.display(layout.bronzeData()),
        layout.display(layout.bronzeCheckpoint()));
  }

  /**
   * Opens the checkpoint of a lake, repairing what a crash may have left: staged files that
   * continue the sequence are published, the others and any temporary file are removed.
   */
  public static BronzeCheckpoint recover(LakeLayout layout) {
    LakeFiles.createDirectories(layout.bronzeData());
    LakeFiles.createDirectories(layout.bronzeCheckpoint());
    long[] committed = committedInData(layout);
    long dataNext = committed[0];
    long recorded = readRecordedNextValue(layout);
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
    BronzeCheckpoint checkpoint = new BronzeCheckpoint(layout, dataNext, committed[1]);
    checkpoint.kafkaOffsets.putAll(readRecordedKafkaOffsets(layout));
    if (recorded >= 0 && recorded < dataNext) {
      LOG.info("bronze: checkpoint rolled forward from value {} to {} (stopped after a commit)",
          recorded, dataNext);
    }
    LakeFiles.deleteRecursively(checkpoint.temp());
    int published = checkpoint.commitStaged();
    if (published > 0) {
      LOG.info("bronze: published {} file(s) a previous run had staged", published);
    }
    checkpoint.discardStaging();
    checkpoint.record();
    return checkpoint;
  }

  /** Where a producer stopped at this moment would leave bronze (what a restart must do). */
  public enum Interruption {
    BETWEEN_WINDOWS("between windows"),
    WINDOW_BEING_WRITTEN("window being written"),
    WINDOW_STAGED("window staged, not yet published"),
    CHECKPOINT_BEHIND("window published, checkpoint not yet recorded");

    public final String description;

    Interruption(String description) {
      this.description = description;
    }
  }

  /** True while a finished window waits in staging for its publication. */
  public static boolean windowStaged(LakeLayout layout) {
    return LakeFiles.listFiles(new BronzeCheckpoint(layout, 0, 0).staging()).stream()
        .anyMatch(f -> !LakeLayout.isHidden(f));
  }

  /** The producer's state now, read from its files (the producer may be running). */
  public static Interruption interruption(LakeLayout layout) {
    if (windowStaged(layout)) {
      return Interruption.WINDOW_STAGED;
    }
    if (readRecordedNextValue(layout) < committedInData(layout)[0]) {
      return Interruption.CHECKPOINT_BEHIND;
    }
    return LakeFiles.filesUnder(new BronzeCheckpoint(layout, 0, 0).temp()).isEmpty()
        ? Interruption.BETWEEN_WINDOWS
        : Interruption.WINDOW_BEING_WRITTEN;
  }

  /** Where the pipeline writes finished files, awaiting their commit. */
  public Path staging() {
    return layout.bronzeCheckpoint().resolve("staging");
  }

  /** Where the pipeline writes files while they are being written. */
  public Path temp() {
    return layout.bronzeCheckpoint().resolve("tmp");
  }

  /** Every value below this one is committed in {@code data/}, once. */
  public long nextValue() {
    return nextValue;
  }

  public long committedFiles() {
    return committedFiles;
  }

  /**
   * Publishes the staged files that continue the committed sequence, in value order, and records
   * the new position. Returns how many were published.
   */
  public int commitStaged() {
    List<Path> staged = stagedInValueOrder();
    int published = 0;
    for (Path file : staged) {
      LongColumnRange range = stagedRanges.get(file);
      if (range.max < nextValue) {
        // A replayed window (runners may write a window twice): same values, same content.
        LOG.warn("bronze: dropping {}: values {}..{} are already committed", layout.display(file),
            range.min, range.max);
        delete(file);
      } else if (range.min != nextValue) {
        break; // an earlier window is still being written
      } else if (!range.isContiguous()) {
        throw new IllegalStateException(
            file + " holds " + range.rows + " rows for values " + range.min + ".." + range.max
                + ": not one contiguous range; refusing to commit it");
      } else {
        LakeFiles.moveAtomically(file, layout.bronzeData().resolve(dataFileName(range)));
        stagedRanges.remove(file);
        nextValue = range.max + 1;
        committedFiles++;
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
   * every staged run was published. Otherwise the offsets stay where they were and the next
   * batch reads those records again: the values a hole held back (a publisher still writing, or
   * one that will write them again after a restart) come then, and values already in data/ are
   * skipped, so nothing is lost or doubled whatever the broker replays. Returns whether the
   * offsets advanced.
   */
  public boolean commitIngested(Map<String, Long> endOffsets) {
    List<Path> staged = stagedInValueOrder();
    boolean all = true;
    for (Path file : staged) {
      LongColumnRange range = stagedRanges.remove(file);
      if (range.max < nextValue) {
        delete(file); // a retried task's copy of a run just published
      } else if (range.min == nextValue && range.isContiguous()) {
        LakeFiles.moveAtomically(file, layout.bronzeData().resolve(dataFileName(range)));
        nextValue = range.max + 1;
        committedFiles++;
      } else {
        delete(file); // behind a hole: read again with the next batch
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

  /** The staged files, by their first value (each footer read once, then remembered). */
  private List<Path> stagedInValueOrder() {
    List<Path> staged = new ArrayList<>();
    for (Path file : LakeFiles.listFiles(staging())) {
      if (!LakeLayout.isHidden(file)) {
        stagedRanges.computeIfAbsent(
            file, f -> ParquetFooters.longColumnRange(f, LakeSchemas.VALUE));
        staged.add(file);
      }
    }
    staged.sort(Comparator.comparingLong(f -> stagedRanges.get(f).min));
    return staged;
  }

  /** Drops what is staged but not committed: those values will be generated again. */
  public void discardStaging() {
    LakeFiles.deleteRecursively(staging());
    LakeFiles.deleteRecursively(temp());
    stagedRanges.clear();
  }

  /** {first, last} value of a data file, from its name; null for a name of another kind. */
  public static long[] valuesInName(String name) {
    Matcher matcher = DATA_FILE.matcher(name);
    return matcher.matches()
        ? new long[] {Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))}
        : null;
  }

  static String dataFileName(LongColumnRange range) {
    return fileName(range.min, range.max);
  }

  /** The name of the bronze file holding values first..last. */
  public static String fileName(long first, long last) {
    return String.format("values-%019d-%019d.parquet", first, last);
  }

  private void record() {
    StringBuilder offsets = new StringBuilder();
    kafkaOffsets.forEach(
        (partition, offset) ->
            offsets.append(KAFKA_OFFSET).append(partition).append('=').append(offset).append('\n'));
    LakeFiles.writeAtomically(
        layout.bronzeCheckpoint().resolve(COMMITTED),
        "# bronze producer: every value below nextValue is in data/, exactly once\n"
            + "nextValue=" + nextValue + "\n"
            + "files=" + committedFiles + "\n"
            + (offsets.length() == 0
                ? ""
                : "# Kafka source: every record below these offsets is in data/\n" + offsets));
  }

  private static Map<String, Long> readRecordedKafkaOffsets(LakeLayout layout) {
    Properties properties = readProperties(layout);
    Map<String, Long> offsets = new TreeMap<>();
    try {
      for (String name : properties.stringPropertyNames()) {
        if (name.startsWith(KAFKA_OFFSET)) {
          offsets.put(name.substring(KAFKA_OFFSET.length()),
              Long.parseLong(properties.getProperty(name).trim()));
        }
      }
    } catch (NumberFormatException e) {
      throw invalid(layout, e);
    }
    return offsets;
  }



  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  /** {next value, file count} of the committed files in data/, checking they tile 0..N-1. */
  private static long[] committedInData(LakeLayout layout) {
    Path data = layout.bronzeData();
    long next = 0;
    long files = 0;
    for (Path file : LakeFiles.listFiles(data)) {
      if (LakeLayout.isHidden(file)) {
        continue;
      }
      Matcher name = DATA_FILE.matcher(file.getFileName().toString());
      if (!name.matches()) {
        LOG.warn("bronze: ignoring {}: not a file of this producer (values-<first>-<last>.parquet)",
            layout.display(file));
        continue;
      }
      long first = Long.parseLong(name.group(1));
      long last = Long.parseLong(name.group(2));
      if (first != next) {
        throw new UserError(
            data + " does not hold one contiguous sequence: "
                + (first > next
                    ? "values " + next + ".." + (first - 1) + " are missing"
                    : file.getFileName() + " repeats values from " + first)
                + " (edited by hand?); run with --reset to start over");
      }
      next = last + 1;
      files++;
    }
    return new long[] {next, files};
  }

  /** The next value recorded in the checkpoint file, or -1 when there is none. */
  private static long readRecordedNextValue(LakeLayout layout) {
    Properties properties = readProperties(layout);
    if (properties.isEmpty()) {
      return -1;
    }
    try {
      return Long.parseLong(properties.getProperty("nextValue", "").trim());
    } catch (NumberFormatException e) {
      throw invalid(layout, e);
    }
  }

  /** The checkpoint file's properties; none when there is no file. */
  private static Properties readProperties(LakeLayout layout) {
    Path file = layout.bronzeCheckpoint().resolve(COMMITTED);
    try {
      return Files.exists(file) ? LakeFiles.readProperties(file) : new Properties();
    } catch (IOException | IllegalArgumentException e) {
      throw invalid(layout, e);
    }
  }

  private static UserError invalid(LakeLayout layout, Exception e) {
    return new UserError(layout.bronzeCheckpoint().resolve(COMMITTED)
        + " is not a valid checkpoint (" + e.getMessage() + "); run with --reset");
  }
}
