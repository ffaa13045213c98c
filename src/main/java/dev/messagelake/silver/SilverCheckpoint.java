package dev.messagelake.silver;

import dev.messagelake.cli.UserError;
import dev.messagelake.lake.JobLock;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import dev.messagelake.lake.ParquetFooters;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silver job's progress: which bronze files each micro-batch took, and the commit that makes
 * a batch's output visible once.
 *
 * <p>Like Spark's file source and sink: before a batch runs, its input files are recorded in
 * {@code batches/<n>.plan}; the batch writes into {@code staging/<n>/}, out of readers' sight,
 * and marks it complete; then each file is moved into its table with one atomic rename (names
 * carry the batch number, so a move repeated after a crash is recognised) and
 * {@code batches/<n>.done} commits the batch. A restart finishes a batch whose staging was
 * complete, and forgets one whose staging was not: its files are taken again by the next batch.
 */
public final class SilverCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(SilverCheckpoint.class);
  private static final Pattern BATCH_FILE = Pattern.compile("(\\d{10})\\.(plan|done)");
  private static final String LOCK = "silver.lock";
  private static final String STAGED_MARKER = "_STAGED";
  static final String MESSAGES = "messages";
  static final String CORRUPTED = "messages_corrupted";

  private final LakeLayout layout;
  private final Set<Path> committedInputs = new HashSet<>();
  private long lastBatch;

  private SilverCheckpoint(LakeLayout layout) {
    this.layout = layout;
  }

  /** A planned batch: its number and input files (relative to the bronze data folder). */
  public static final class Batch {
    public final long id;
    public final List<Path> inputs;

    Batch(long id, List<Path> inputs) {
      this.id = id;
      this.inputs = inputs;
    }

    /** Prefix of the batch's file names: part-<batch>. */
    public String filePrefix() {
      return String.format("part-%010d", id);
    }
  }

  /** What a committed batch wrote. */
  public static final class Committed {
    public final long validRows;
    public final long corruptedRows;
    public final int files;

    Committed(long validRows, long corruptedRows, int files) {
      this.validRows = validRows;
      this.corruptedRows = corruptedRows;
      this.files = files;
    }
  }

  public static JobLock lock(LakeLayout layout) {
    return JobLock.acquire(layout.silverCheckpoint().resolve(LOCK), "silver job");
  }

  /** Deletes the silver tables and checkpoint (the caller holds the lock, whose file stays). */
  public static void reset(LakeLayout layout) {
    LakeFiles.deleteRecursively(layout.silverMessagesData());
    LakeFiles.deleteRecursively(layout.silverCorruptedData());
    JobLock.deleteAllButLock(layout.silverCheckpoint().resolve(LOCK));
    LOG.info("reset: deleted the silver tables and checkpoint");
  }

  /** Opens the checkpoint, finishing or forgetting a batch a crash interrupted. */
  public static SilverCheckpoint recover(LakeLayout layout) {
    SilverCheckpoint checkpoint = new SilverCheckpoint(layout);
    LakeFiles.createDirectories(checkpoint.batches());
    LakeFiles.deleteRecursively(checkpoint.temp());
    Set<Long> planned = new HashSet<>();
    Set<Long> done = new HashSet<>();
    for (Path file : LakeFiles.listFiles(checkpoint.batches())) {
      Matcher name = BATCH_FILE.matcher(file.getFileName().toString());
      if (name.matches()) {
        (name.group(2).equals("plan") ? planned : done).add(Long.parseLong(name.group(1)));
      }
    }
    for (long id : planned) {
      checkpoint.lastBatch = Math.max(checkpoint.lastBatch, id);
      if (done.contains(id)) {
        checkpoint.committedInputs.addAll(checkpoint.readPlan(id).inputs);
      } else if (Files.exists(checkpoint.staging(id).resolve(STAGED_MARKER))) {
        LOG.info("batch {} was written but not committed: committing it now", id);
        checkpoint.commit(checkpoint.readPlan(id));
      } else {
        LOG.info("batch {} was interrupted before it was written: its files go to the next batch", id);
        LakeFiles.deleteRecursively(checkpoint.staging(id));
        deleteFile(checkpoint.planFile(id));
      }
    }
    for (Path leftover : LakeFiles.listEntries(checkpoint.stagingRoot())) {
      LakeFiles.deleteRecursively(leftover); // staging of batches that never got a plan
    }
    return checkpoint;
  }

  /** The visible parquet files of bronze not yet taken by a committed batch. */
  public List<Path> uncommitted(List<Path> bronzeFiles) {
    return bronzeFiles.stream().filter(f -> !committedInputs.contains(f)).collect(Collectors.toList());
  }

  public long committedInputCount() {
    return committedInputs.size();
  }

  /** Records the next batch's input files before it runs. */
  public Batch plan(List<Path> inputs) {
    Batch batch = new Batch(lastBatch + 1, List.copyOf(inputs));
    LakeFiles.writeAtomically(
        planFile(batch.id),
        inputs.stream().map(Path::toString).collect(Collectors.joining("\n", "", "\n")));
    lastBatch = batch.id;
    return batch;
  }

  /** Where a batch writes table {@code table} before its commit. */
  public Path staging(Batch batch, String table) {
    return staging(batch.id).resolve(table);
  }

  public Path temp() {
    return layout.silverCheckpoint().resolve("tmp");
  }

  /**
   * Marks the batch's staging complete, with its row counts: from now on a restart commits it
   * rather than redo it.
   */
  public void markStaged(Batch batch) {
    long valid = rowsIn(staging(batch, MESSAGES));
    long corrupted = rowsIn(staging(batch, CORRUPTED));
    int files = LakeFiles.parquetFilesUnder(staging(batch.id)).size();
    LakeFiles.createDirectories(staging(batch.id));
    LakeFiles.writeAtomically(
        staging(batch.id).resolve(STAGED_MARKER),
        "valid=" + valid + "\ncorrupted=" + corrupted + "\nfiles=" + files + "\n");
  }

  /** Publishes a staged batch into the silver tables and records it as done. */
  public Committed commit(Batch batch) {
    Properties staged = readProperties(staging(batch.id).resolve(STAGED_MARKER));
    publish(staging(batch, MESSAGES), layout.silverMessagesData());
    publish(staging(batch, CORRUPTED), layout.silverCorruptedData());
    LakeFiles.writeAtomically(
        doneFile(batch.id),
        "inputs=" + batch.inputs.size() + "\nvalid=" + staged.getProperty("valid")
            + "\ncorrupted=" + staged.getProperty("corrupted")
            + "\nfiles=" + staged.getProperty("files") + "\n");
    LakeFiles.deleteRecursively(staging(batch.id));
    committedInputs.addAll(batch.inputs);
    return new Committed(
        Long.parseLong(staged.getProperty("valid")),
        Long.parseLong(staged.getProperty("corrupted")),
        Integer.parseInt(staged.getProperty("files")));
  }

  /**
   * Moves each staged parquet file of a table to the same relative place in the table. Files a
   * crash had already moved are no longer staged: the move goes on from where it stopped.
   */
  private static void publish(Path stagedTable, Path table) {
    for (Path staged : LakeFiles.parquetFilesUnder(stagedTable)) {
      Path target = table.resolve(stagedTable.relativize(staged).toString());
      LakeFiles.createDirectories(target.getParent());
      LakeFiles.moveAtomically(staged, target);
    }
  }

  private static long rowsIn(Path dir) {
    long rows = 0;
    for (Path file : LakeFiles.parquetFilesUnder(dir)) {
      rows += ParquetFooters.rowCount(file);
    }
    return rows;
  }

  private Batch readPlan(long id) {
    try {
      List<Path> inputs =
          Files.readAllLines(planFile(id)).stream()
              .filter(line -> !line.isBlank())
              .map(Path::of)
              .collect(Collectors.toList());
      return new Batch(id, inputs);
    } catch (IOException e) {
      throw new UserError("cannot read silver checkpoint " + planFile(id) + ": " + e.getMessage());
    }
  }

  private static Properties readProperties(Path file) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(Files.readString(file)));
      return properties;
    } catch (IOException e) {
      throw new UserError("cannot read silver checkpoint " + file + ": " + e.getMessage());
    }
  }

  private Path batches() {
    return layout.silverCheckpoint().resolve("batches");
  }

  private Path planFile(long id) {
    return batches().resolve(String.format("%010d.plan", id));
  }

  private Path doneFile(long id) {
    return batches().resolve(String.format("%010d.done", id));
  }

  private Path stagingRoot() {
    return layout.silverCheckpoint().resolve("staging");
  }

  private Path staging(long id) {
    return stagingRoot().resolve(String.format("%010d", id));
  }

  private static void deleteFile(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }
}
