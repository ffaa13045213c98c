package dev.messagelake.silver;

import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.ParquetFooters;
import dev.messagelake.table.DeltaTable;
import dev.messagelake.table.DeltaTable.NewFile;
import io.delta.kernel.types.StructType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silver tables ({@code messages}, {@code messages_corrupted}) as Delta Lake tables: each
 * silver batch is one commit of each table, carrying the transaction id ({@link #APP_ID}, batch
 * number), so a batch replayed after a crash is recognised and committed once. Readers (Spark,
 * {@code check}, {@code gold}) take a table's files from its log, never from a listing.
 */
public final class SilverTables {
  private static final Logger LOG = LoggerFactory.getLogger(SilverTables.class);

  /** The application id of silver's commits; the transaction version is the batch number. */
  public static final String APP_ID = "message-lake-silver";

  /** Both tables' schema: silver's columns, then the {@code date} partition. */
  public static final StructType SCHEMA = DeltaTable.schemaOf(LakeSchemas.SILVER);

  /**
   * Names of the files compaction writes ({@code part-compacted-<uuid>.parquet}): one no version
   * lists is the output of a compaction under way or interrupted, which vacuum removes.
   */
  public static final String COMPACTED_PREFIX = "part-compacted-";

  private SilverTables() {}

  /** The Delta table whose data folder is {@code table} (one of the layout's silver tables). */
  public static DeltaTable table(LakeLayout layout, Path table) {
    return DeltaTable.at(layout.storage(), table);
  }

  /**
   * Commits batch {@code batch}'s published files (lake paths, in either table) to both tables,
   * each table once: a table that already holds the batch is left as it is, which completes a
   * commit a crash cut between the two tables. {@code rows} holds the row counts of the files
   * already known (from staging the batch in this run); the others are read from their footers.
   * Each table's log keeps {@code logRetentionMillis} of history ({@link
   * DeltaTable#withLogRetention}).
   */
  static void commit(
      LakeLayout layout,
      long batch,
      List<Path> files,
      Map<Path, Long> rows,
      long logRetentionMillis) {
    for (Path data : layout.silverTables()) {
      DeltaTable table = table(layout, data).withLogRetention(logRetentionMillis);
      List<NewFile> added =
          files.stream()
              .filter(f -> f.startsWith(data))
              .map(f -> newFile(layout.storage(), data, f, known(rows, f)))
              .collect(Collectors.toList());
      OptionalLong version = table.append(SCHEMA, APP_ID, batch, added);
      if (version.isEmpty()) {
        LOG.info("silver batch {}: {} already holds it", batch, layout.display(data));
      }
    }
  }

  /**
   * Adds files another writer put into a table's {@code date=} folders (a lake built by another
   * tool: an import, a test's or a benchmark's fixture) to the table's log, as one commit.
   */
  public static void importFiles(LakeLayout layout, Path data, List<Path> files) {
    DeltaTable table = table(layout, data);
    String importer = "message-lake-import";
    table.append(
        SCHEMA,
        importer,
        table.transactionVersion(importer) + 1,
        files.stream()
            .map(f -> newFile(layout.storage(), data, f, OptionalLong.empty()))
            .collect(Collectors.toList()));
  }

  /**
   * Brings each table's log level with silver's checkpoint, whose {@code commits/} say which bronze
   * files are done: the files of committed batches a log does not hold yet (a lake silver wrote
   * before its tables had a log) are added in one commit, as the newest committed batch. A log
   * holding a batch the checkpoint has not committed (the checkpoint deleted or rolled back by
   * hand) is refused: silver would take that batch's bronze files again and write their rows twice.
   */
  static void catchUp(LakeLayout layout, long newestBatch, SilverCheckpoint.CommitLog committed) {
    for (Path data : layout.silverTables()) {
      DeltaTable table = table(layout, data);
      long inTable = table.transactionVersion(APP_ID);
      if (inTable > newestBatch) {
        throw new UserError(
            "silver was edited by hand: the Delta log of "
                + layout.root().relativize(data)
                + " holds batches up to "
                + inTable
                + ", silver/checkpoint only up to "
                + newestBatch
                + "; nothing was changed. Put the checkpoint back, or rebuild silver from bronze"
                + " with --reset");
      }
      if (inTable == newestBatch || newestBatch == 0) {
        continue; // level, or nothing committed yet: the first batch creates the table
      }
      List<Path> missing =
          committed.files.entrySet().stream()
              .filter(e -> e.getValue() > inTable && e.getKey().startsWith(data))
              .map(e -> e.getKey())
              .collect(Collectors.toList());
      LOG.info(
          "silver: the Delta log of {} holds batches up to {} of {}: adding {} files",
          layout.display(data),
          inTable,
          newestBatch,
          missing.size());
      table.append(
          SCHEMA,
          APP_ID,
          newestBatch,
          missing.stream()
              .map(f -> newFile(layout.storage(), data, f, OptionalLong.empty()))
              .collect(Collectors.toList()));
    }
  }

  /**
   * The files a reader of {@code table} reads: those of its log's newest version. A lake whose
   * silver has files but no log (written before the tables had one) is refused with a line saying
   * how to add it.
   */
  public static List<Path> readableFiles(LakeLayout layout, Path table) {
    if (!layout.storage().exists(table)) {
      return List.of(); // (first, through the storage's one-line errors)
    }
    DeltaTable delta = table(layout, table);
    if (delta.latestVersion().isEmpty()) {
      if (!layout.storage().parquetFilesUnder(table).isEmpty()) {
        throw new UserError(
            layout.display(table)
                + " has no Delta log yet (silver of an earlier version of message-lake wrote it):"
                + " run ./run.sh silver --catchUp once to add it");
      }
      return List.of();
    }
    return delta.files().stream().map(f -> f.path).collect(Collectors.toList());
  }

  /**
   * Where a table's folder and its log disagree: the newest version's files that are missing, and
   * the visible files no version ever listed (a compaction's under way aside, which vacuum
   * removes): what a hand edit leaves.
   */
  public static final class Drift {
    public final List<Path> missing;
    public final List<Path> unlisted;

    Drift(List<Path> missing, List<Path> unlisted) {
      this.missing = missing;
      this.unlisted = unlisted;
    }
  }

  public static Drift drift(LakeLayout layout, Path data) {
    LakeStorage storage = layout.storage();
    if (!storage.exists(data)) {
      return new Drift(List.of(), List.of()); // (first, through the storage's one-line errors)
    }
    DeltaTable table = table(layout, data);
    List<Path> missing =
        table.files().stream()
            .map(f -> f.path)
            .filter(f -> !storage.exists(f))
            .collect(Collectors.toList());
    Set<Path> everAdded = table.filesEverAdded();
    long newestBatch = table.transactionVersion(APP_ID);
    // A batch's file replaced (by compaction) before the versions the log still holds is listed
    // by none of them, yet was committed: vacuum's to delete.
    long earliest = table.earliestVersion().orElse(0);
    long forgottenBatches = earliest == 0 ? 0 : table.transactionVersion(APP_ID, earliest);
    List<Path> unlisted =
        storage.visibleFilesUnder(data).stream()
            .filter(f -> !everAdded.contains(f))
            .filter(f -> batchOf(f) < 0 || batchOf(f) > forgottenBatches)
            .filter(f -> !f.getFileName().toString().startsWith(COMPACTED_PREFIX))
            .filter(f -> storage.renamesAtomically() || batchOf(f) <= newestBatch)
            .collect(Collectors.toList());
    return new Drift(missing, unlisted);
  }

  /**
   * The batch that wrote a file, from its name ({@code part-<batch, 10 digits>-<uuid>.parquet}), or
   * -1. On an object store a batch writes in place: a file of a batch after the newest committed is
   * one of an attempt under way or failed, in no version, which vacuum removes.
   */
  static long batchOf(Path file) {
    Matcher name = BATCH_FILE.matcher(file.getFileName().toString());
    return name.matches() ? Long.parseLong(name.group(1)) : -1;
  }

  private static final Pattern BATCH_FILE = Pattern.compile("part-(\\d{10})-.*\\.parquet");

  /** The drift of both tables, a line per file (paths relative to the lake root). */
  public static List<String> driftReport(LakeLayout layout) {
    List<String> lines = new ArrayList<>();
    for (Path data : layout.silverTables()) {
      Drift drift = drift(layout, data);
      drift.missing.forEach(
          f -> lines.add(layout.root().relativize(f) + ": in the table's Delta log, but missing"));
      drift.unlisted.forEach(
          f ->
              lines.add(
                  layout.root().relativize(f)
                      + ": in no version of the table's Delta log, yet visible to hive-style"
                      + " readers"));
    }
    return lines;
  }

  /**
   * Refuses to go on when a table no longer holds what its log lists (a file deleted, added or
   * moved by hand): silver would stop matching bronze without a word.
   */
  static void requireTablesMatchLog(LakeLayout layout) {
    for (Path data : layout.silverTables()) {
      Drift drift = drift(layout, data);
      if (!drift.missing.isEmpty()) {
        throw new UserError(
            "silver was edited by hand: "
                + layout.root().relativize(drift.missing.get(0))
                + more(drift.missing)
                + ", in the newest version of its table's Delta log, is missing;"
                + " nothing was changed. Put it back, or rebuild silver from bronze with --reset");
      }
      if (!drift.unlisted.isEmpty()) {
        throw new UserError(
            "silver was edited by hand: "
                + layout.root().relativize(drift.unlisted.get(0))
                + more(drift.unlisted)
                + " is not a file silver committed; nothing was changed."
                + " Move it out of silver/, or rebuild silver from bronze with --reset");
      }
    }
  }

  /** True for a file of {@code table}'s Delta log (the table's commits, not its data). */
  public static boolean inLog(Path table, Path file) {
    return file.startsWith(table.resolve(DeltaTable.LOG_FOLDER));
  }

  /**
   * A file of {@code table}'s {@code date=} folders as a commit adds it: its date, size,
   * modification time and rows ({@code rows} when known, else from its footer).
   */
  public static NewFile newFile(LakeStorage storage, Path table, Path file, OptionalLong rows) {
    String folder = table.relativize(file).getName(0).toString();
    if (!folder.startsWith(DeltaTable.DATE + "=")) {
      throw new IllegalStateException(file + " is not in a date= folder of " + table);
    }
    long size;
    try {
      size = storage.inputFile(file).getLength();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return new NewFile(
        file,
        folder.substring(DeltaTable.DATE.length() + 1),
        size,
        storage.modifiedMillis(file),
        rows.isPresent() ? rows.getAsLong() : ParquetFooters.rowCount(storage, file));
  }

  private static OptionalLong known(Map<Path, Long> rows, Path file) {
    Long count = rows.get(file);
    return count == null ? OptionalLong.empty() : OptionalLong.of(count);
  }

  private static String more(List<Path> files) {
    return files.size() > 1 ? " (and " + (files.size() - 1) + " more)" : "";
  }
}
