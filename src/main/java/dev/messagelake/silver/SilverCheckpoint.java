package dev.messagelake.silver;

import dev.messagelake.cli.UserError;
import dev.messagelake.lake.JobLock;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import dev.messagelake.lake.ParquetFooters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
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
    LOG.info("silver: reset: deleted the silver tables and checkpoint");
  }

  /**
   * Opens the checkpoint, finishing or forgetting a batch a crash interrupted, and checks the
   * silver tables still hold exactly what it committed.
   */
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
        LOG.info("silver: batch {} was written but not committed: committing it now", id);
        checkpoint.commit(checkpoint.readPlan(id));
      } else {
        LOG.info("silver: batch {} was interrupted before it was written: its files go to the next"
            + " batch", id);
        LakeFiles.deleteRecursively(checkpoint.staging(id));
        deleteFile(checkpoint.planFile(id));
      }
    }
    for (Path leftover : LakeFiles.listEntries(checkpoint.stagingRoot())) {
      LakeFiles.deleteRecursively(leftover); // staging of batches that never got a plan
    }
    requireTablesMatchLog(layout);
    return checkpoint;
  }

  /** Where a job stopped at this moment would leave its checkpoint (what a restart must do). */
  public enum Interruption {
    BETWEEN_BATCHES("between batches"),
    BATCH_RUNNING("batch planned, being written"),
    BATCH_STAGED("batch staged, being committed");

    public final String description;

    Interruption(String description) {
      this.description = description;
    }
  }

  /** The checkpoint's state now, read from its files (another process may be running). */
  public static Interruption interruption(LakeLayout layout) {
    SilverCheckpoint checkpoint = new SilverCheckpoint(layout);
    long last = lastPlannedBatch(layout);
    if (last == 0 || Files.exists(checkpoint.doneFile(last))) {
      return Interruption.BETWEEN_BATCHES;
    }
    return Files.exists(checkpoint.staging(last).resolve(STAGED_MARKER))
        ? Interruption.BATCH_STAGED
        : Interruption.BATCH_RUNNING;
  }

  /** The marker that says batch {@code id} is staged (it lists the files the batch publishes). */
  public static Path stagedMarker(LakeLayout layout, long id) {
    return new SilverCheckpoint(layout).staging(id).resolve(STAGED_MARKER);
  }

  /** The files that staged batches are publishing now (absolute paths), from their markers. */
  public static Set<Path> filesBeingPublished(LakeLayout layout) {
    Set<Path> files = new HashSet<>();
    for (Path staging : LakeFiles.listEntries(new SilverCheckpoint(layout).stagingRoot())) {
      try {
        Properties staged = LakeFiles.readProperties(staging.resolve(STAGED_MARKER));
        staged.stringPropertyNames().stream()
            .filter(key -> key.startsWith("file."))
            .forEach(key -> files.add(layout.root().resolve(staged.getProperty(key))));
      } catch (IOException e) {
        // not staged (no marker), or committed and cleaned up meanwhile: nothing being published
      }
    }
    return files;
  }

  /** The number of the last batch planned (0 before the first). */
  public static long lastPlannedBatch(LakeLayout layout) {
    return lastBatch(layout, "plan");
  }

  /** The number of the last batch committed (0 before the first). */
  public static long lastCommittedBatch(LakeLayout layout) {
    return lastBatch(layout, "done");
  }

  private static long lastBatch(LakeLayout layout, String kind) {
    long last = 0;
    for (Path file : LakeFiles.listFiles(new SilverCheckpoint(layout).batches())) {
      Matcher name = BATCH_FILE.matcher(file.getFileName().toString());
      if (name.matches() && name.group(2).equals(kind)) {
        last = Math.max(last, Long.parseLong(name.group(1)));
      }
    }
    return last;
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
   * Marks the batch's staging complete, with its row counts and the files it will publish: from
   * now on a restart commits it rather than redo it. {@code written} are the files the pipeline
   * reported written; any other file in staging (left by a failed attempt a runner retried) is
   * deleted, never published.
   */
  public void markStaged(Batch batch, Collection<Path> written) {
    Set<Path> kept = written.stream().map(Path::toAbsolutePath).collect(Collectors.toSet());
    for (Path file : LakeFiles.parquetFilesUnder(staging(batch.id))) {
      if (!kept.contains(file.toAbsolutePath())) {
        LOG.warn("silver batch {}: deleting {}, a file of a failed attempt", batch.id,
            layout.display(file));
        LakeFiles.deleteRecursively(file);
      }
    }
    long valid = rowsIn(staging(batch, MESSAGES));
    long corrupted = rowsIn(staging(batch, CORRUPTED));
    List<Path> files = LakeFiles.parquetFilesUnder(staging(batch.id));
    StringBuilder marker =
        new StringBuilder("valid=" + valid + "\ncorrupted=" + corrupted + "\nfiles=" + files.size() + "\n");
    for (int i = 0; i < files.size(); i++) {
      marker.append("file.").append(i).append('=')
          .append(layout.root().relativize(published(batch.id, files.get(i)))).append('\n');
    }
    LakeFiles.createDirectories(staging(batch.id));
    LakeFiles.writeAtomically(staging(batch.id).resolve(STAGED_MARKER), marker.toString());
  }

  /** Publishes a staged batch into the silver tables and records it as done, with its files. */
  public Committed commit(Batch batch) {
    Properties staged = readProperties(staging(batch.id).resolve(STAGED_MARKER));
    publish(batch.id);
    StringBuilder done = new StringBuilder("inputs=" + batch.inputs.size() + "\n");
    staged.stringPropertyNames().stream().sorted().forEach(
        key -> done.append(key).append('=').append(staged.getProperty(key)).append('\n'));
    LakeFiles.writeAtomically(doneFile(batch.id), done.toString());
    LakeFiles.deleteRecursively(staging(batch.id));
    committedInputs.addAll(batch.inputs);
    return new Committed(
        Long.parseLong(staged.getProperty("valid")),
        Long.parseLong(staged.getProperty("corrupted")),
        Integer.parseInt(staged.getProperty("files")));
  }

  /**
   * What the committed batches published, read from the commit log: the files (and rows) readers
   * of the silver tables must see, no more, no less.
   */
  public static CommitLog commitLog(LakeLayout layout) {
    CommitLog log = new CommitLog();
    SilverCheckpoint checkpoint = new SilverCheckpoint(layout);
    for (long batch : checkpoint.committedBatches()) {
      Properties done = readProperties(checkpoint.doneFile(batch));
      int files = Integer.parseInt(done.getProperty("files", "0").trim());
      if (files > 0 && done.getProperty("file.0") == null) {
        log.unlistedBatches.add(batch); // committed by a version that did not list its files
      }
      for (int i = 0; i < files && done.getProperty("file." + i) != null; i++) {
        log.files.put(layout.root().resolve(done.getProperty("file." + i)), batch);
      }
      log.validRows += Long.parseLong(done.getProperty("valid", "0").trim());
      log.corruptedRows += Long.parseLong(done.getProperty("corrupted", "0").trim());
    }
    return log;
  }

  /** What the commit log says the silver tables hold. */
  public static final class CommitLog {
    /** Each committed file (absolute path), with the batch that published it. */
    public final Map<Path, Long> files = new TreeMap<>();
    public final List<Long> unlistedBatches = new ArrayList<>();
    public long validRows;
    public long corruptedRows;

    /**
     * The files of both silver tables that no committed batch published: the visible ones, or
     * all of them, hidden names included.
     */
    public List<Path> unlistedFiles(LakeLayout layout, boolean hiddenToo) {
      List<Path> unexpected = new ArrayList<>();
      for (Path table : layout.silverTables()) {
        for (Path file : hiddenToo ? LakeFiles.filesUnder(table) : LakeFiles.visibleFilesUnder(table)) {
          if (!files.containsKey(file)) {
            unexpected.add(file);
          }
        }
      }
      return unexpected;
    }

    /** The committed files that are no longer there. */
    public List<Path> missingFiles() {
      return files.keySet().stream().filter(f -> !Files.exists(f)).collect(Collectors.toList());
    }
  }

  /**
   * Refuses to go on when the silver tables no longer hold exactly what the commit log lists (a
   * file deleted, added or moved by hand): silver would stop matching bronze without a word.
   */
  public static void requireTablesMatchLog(LakeLayout layout) {
    CommitLog log = commitLog(layout);
    if (!log.unlistedBatches.isEmpty()) {
      LOG.warn("silver: batches {} were committed without a file list: silver is not checked"
              + " against them", log.unlistedBatches);
      return;
    }
    List<Path> missing = log.missingFiles();
    if (!missing.isEmpty()) {
      throw new UserError(
          "silver was edited by hand: " + layout.root().relativize(missing.get(0)) + more(missing)
              + ", committed by batch " + log.files.get(missing.get(0)) + ", is missing;"
              + " nothing was changed. Put it back, or rebuild silver from bronze with --reset");
    }
    List<Path> unexpected = log.unlistedFiles(layout, false);
    if (!unexpected.isEmpty()) {
      throw new UserError(
          "silver was edited by hand: " + layout.root().relativize(unexpected.get(0))
              + more(unexpected) + " is not a file silver committed; nothing was changed."
              + " Move it out of silver/, or rebuild silver from bronze with --reset");
    }
  }

  private static String more(List<Path> files) {
    return files.size() > 1 ? " (and " + (files.size() - 1) + " more)" : "";
  }

  /** Where a file staged for batch {@code id} is published: the same place in its table. */
  private Path published(long id, Path staged) {
    Path relative = staging(id).relativize(staged);
    Path table =
        relative.getName(0).toString().equals(MESSAGES)
            ? layout.silverMessagesData()
            : layout.silverCorruptedData();
    return table.resolve(relative.subpath(1, relative.getNameCount()).toString());
  }

  /**
   * Moves each staged parquet file of the batch to its place in its table. Files a crash had
   * already moved are no longer staged: the move goes on from where it stopped.
   */
  private void publish(long id) {
    for (Path staged : LakeFiles.parquetFilesUnder(staging(id))) {
      Path target = published(id, staged);
      LakeFiles.createDirectories(target.getParent());
      LakeFiles.moveAtomically(staged, target);
    }
  }

  /** The bronze files (relative to bronze's data folder) that committed batches took. */
  public static Set<Path> committedInputs(LakeLayout layout) {
    SilverCheckpoint checkpoint = new SilverCheckpoint(layout);
    Set<Path> inputs = new HashSet<>();
    for (long batch : checkpoint.committedBatches()) {
      inputs.addAll(checkpoint.readPlan(batch).inputs);
    }
    return inputs;
  }

  /** The numbers of the batches with a done record, read from the folder (gaps allowed). */
  private List<Long> committedBatches() {
    List<Long> ids = new ArrayList<>();
    for (Path file : LakeFiles.listFiles(batches())) {
      Matcher name = BATCH_FILE.matcher(file.getFileName().toString());
      if (name.matches() && name.group(2).equals("done")) {
        ids.add(Long.parseLong(name.group(1)));
      }
    }
    return ids;
  }

  /**
   * When each bronze file (relative to bronze's data folder) was committed into silver: the time
   * its batch's done record was written, just after its rows became visible.
   */
  public static Map<Path, Long> commitTimes(LakeLayout layout) {
    SilverCheckpoint checkpoint = new SilverCheckpoint(layout);
    Map<Path, Long> times = new TreeMap<>();
    for (long id = 1; Files.exists(checkpoint.doneFile(id)); id++) {
      long committed = LakeFiles.modifiedMillis(checkpoint.doneFile(id));
      for (Path input : checkpoint.readPlan(id).inputs) {
        times.put(input, committed);
      }
    }
    return times;
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
    try {
      return LakeFiles.readProperties(file);
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
