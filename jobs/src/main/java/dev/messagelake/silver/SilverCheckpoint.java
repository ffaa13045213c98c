package dev.messagelake.silver;

import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.CheckpointFolder;
import dev.messagelake.storage.CompactibleBatchLog;
import dev.messagelake.storage.JobLock;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.LogEntry;
import dev.messagelake.storage.ParquetFooters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silver's commit, as Spark's file source and sink keep theirs, in three logs: a batch's input
 * files are recorded in {@code plans/<n>} before it runs; it writes into {@code staging/<n>/}, out
 * of readers' sight, and {@code staged/<n>} lists what it wrote; each file is then moved into its
 * table with one atomic rename, and {@code commits/<n>} commits the batch. A restart commits a
 * staged batch, and forgets a planned one: its files go to the next batch. Plans and commits are
 * compacted every {@link CompactibleBatchLog#INTERVAL} batches, each by its own rule.
 */
public final class SilverCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(SilverCheckpoint.class);
  static final String MESSAGES = "messages";
  static final String CORRUPTED = "messages_corrupted";

  /** The logs of the three steps of a batch, in {@code silver/checkpoint/}. */
  public static final String PLANS = "plans";

  public static final String STAGED = "staged";
  public static final String COMMITS = "commits";

  /** Where the checkpoint of format version 1 of the lake (docs/LAKE.md) kept its batches. */
  private static final String EARLIER_FORMAT = "batches";

  private final LakeLayout layout;
  private final LakeStorage storage;
  private final CheckpointFolder folder;
  private final CompactibleBatchLog plans;
  private final BatchLog staged;
  private final CompactibleBatchLog commits;
  private final Retention retention;
  private final Set<Path> committedInputs = new HashSet<>();

  /**
   * On an object store, where a rename is a copy, a batch writes straight into the tables: its
   * files are in no version until its commit, and those of a failed attempt in none ever.
   */
  private final boolean inPlace;

  /** Rows of each file the batch staged in this run, for its commit (a footer read less each). */
  private final Map<Path, Long> stagedRows = new HashMap<>();

  private long lastBatch;
  private JobLock lock = JobLock.NONE; // what every commit requires still held

  private SilverCheckpoint(LakeLayout layout, Retention retention) {
    this.layout = layout;
    this.storage = layout.storage();
    this.folder = folder(layout);
    this.retention = retention;
    this.plans =
        new CompactibleBatchLog(
            folder.log(PLANS), SilverCheckpoint::sumPlans, retention.cleanupDelayMillis);
    this.staged = folder.log(STAGED);
    this.commits =
        new CompactibleBatchLog(
            folder.log(COMMITS), SilverCheckpoint::sumCommits, retention.cleanupDelayMillis);
    this.inPlace = !storage.renamesAtomically();
  }

  /**
   * A compact plan sums the inputs of the plans before it, which are all committed: a plan is
   * written only once the batch before it is committed or forgotten.
   */
  static LogEntry sumPlans(LogEntry earlier, SortedMap<Long, LogEntry> plans) {
    List<String> inputs = new ArrayList<>(earlier.list("input"));
    plans.values().forEach(plan -> inputs.addAll(plan.list("input")));
    return LogEntry.builder().putList("input", inputs).build();
  }

  /** A compact commit sums the rows and lists the files (with their batch) of those before it. */
  static LogEntry sumCommits(LogEntry earlier, SortedMap<Long, LogEntry> commits) {
    long inputs = earlier.find("inputs").map(Long::parseLong).orElse(0L);
    long valid = earlier.find("valid").map(Long::parseLong).orElse(0L);
    long corrupted = earlier.find("corrupted").map(Long::parseLong).orElse(0L);
    List<String> files = new ArrayList<>(earlier.list("file"));
    List<String> batches = new ArrayList<>(earlier.list("fileBatch"));
    for (Map.Entry<Long, LogEntry> commit : commits.entrySet()) {
      inputs += commit.getValue().getLong("inputs");
      valid += commit.getValue().getLong("valid");
      corrupted += commit.getValue().getLong("corrupted");
      for (String file : commit.getValue().list("file")) {
        files.add(file);
        batches.add(Long.toString(commit.getKey()));
      }
    }
    return LogEntry.builder()
        .put("inputs", inputs)
        .put("valid", valid)
        .put("corrupted", corrupted)
        .put("files", files.size())
        .putList("file", files)
        .putList("fileBatch", batches)
        .build();
  }

  /**
   * How long silver keeps what its logs no longer need: each table's Delta log history ({@code
   * delta.logRetentionDuration}), and checkpoint entries a newer compact entry sums.
   */
  public static final class Retention {
    /** The defaults of {@link SilverRetentionOptions}, for readers that delete nothing. */
    public static final Retention DEFAULT =
        of(PipelineOptionsFactory.as(SilverRetentionOptions.class));

    final long deltaLogMillis;
    final long cleanupDelayMillis;

    public Retention(long deltaLogMillis, long cleanupDelayMillis) {
      this.deltaLogMillis = deltaLogMillis;
      this.cleanupDelayMillis = cleanupDelayMillis;
    }

    public static Retention of(SilverRetentionOptions options) {
      return new Retention(
          Math.round(options.getLogRetentionHours() * 3_600_000L),
          options.getCheckpointCleanupDelaySeconds() * 1000L);
    }
  }

  private static CheckpointFolder folder(LakeLayout layout) {
    return new CheckpointFolder(
        layout.storage(), layout.silverCheckpoint(), "silver.lock", "silver job");
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
    return folder(layout).lock();
  }

  /** Deletes the silver tables and checkpoint (the caller holds the lock). */
  public static void reset(LakeLayout layout) {
    folder(layout).reset(layout.silverTables());
    LOG.info("silver: reset: deleted the silver tables and checkpoint");
  }

  /**
   * Opens the checkpoint, finishing or forgetting a batch a crash interrupted, and checks the
   * silver tables still hold exactly what it committed.
   */
  public static SilverCheckpoint recover(LakeLayout layout) {
    return recover(layout, Retention.DEFAULT);
  }

  public static SilverCheckpoint recover(LakeLayout layout, Retention retention) {
    SilverCheckpoint checkpoint = new SilverCheckpoint(layout, retention);
    checkpoint.folder.refuseEarlierFormat(EARLIER_FORMAT);
    checkpoint.storage.createDirectories(layout.silverCheckpoint());
    checkpoint.storage.delete(checkpoint.temp());
    long newestCommitted = checkpoint.commits.log().latestId().orElse(0);
    CompactibleBatchLog.Contents plans = checkpoint.plans.read();
    checkpoint.committedInputs.addAll(committedInputs(plans, newestCommitted));
    if (!plans.entries.isEmpty()) {
      checkpoint.lastBatch = plans.entries.lastKey();
    }
    // Batches commit in order: only the newest plan may not be committed.
    for (Map.Entry<Long, LogEntry> plan : plans.entries.tailMap(newestCommitted + 1).entrySet()) {
      long id = plan.getKey();
      if (checkpoint.staged.contains(id)) {
        LOG.info("silver: batch {} was written but not committed: committing it now", id);
        checkpoint.commit(new Batch(id, inputs(plan.getValue())));
      } else {
        LOG.info(
            "silver: batch {} was interrupted before it was written: its files go to the next"
                + " batch",
            id);
        checkpoint.storage.delete(checkpoint.staging(id));
        checkpoint.plans.log().remove(id); // in place, its files are in no version: vacuum's
      }
    }
    // What a commit leaves behind (a crash just after commits/<n>), and staging with no plan.
    for (Path leftover : checkpoint.storage.list(checkpoint.folder.staging())) {
      checkpoint.storage.delete(leftover);
    }
    for (long id : checkpoint.staged.ids()) {
      checkpoint.staged.remove(id);
    }
    SilverTables.catchUp(
        layout, checkpoint.commits.log().latestId().orElse(0), checkpoint.commitLog());
    SilverTables.requireTablesMatchLog(layout);
    return checkpoint;
  }

  /** The visible parquet files of bronze not yet taken by a committed batch. */
  public List<Path> uncommitted(List<Path> bronzeFiles) {
    return bronzeFiles.stream()
        .filter(f -> !committedInputs.contains(f))
        .collect(Collectors.toList());
  }

  public long committedInputCount() {
    return committedInputs.size();
  }

  /** Records the next batch's input files before it runs. */
  public Batch plan(List<Path> inputs) {
    Batch batch = new Batch(lastBatch + 1, List.copyOf(inputs));
    plans.add(batch.id, LogEntry.builder().putList("input", inputs).build());
    lastBatch = batch.id;
    return batch;
  }

  /** The folder a batch writes its tables' files into before its commit, a folder per table. */
  public Path staging(Batch batch) {
    return staging(batch.id);
  }

  /**
   * Where the batch's pipeline writes: its staging folder, or on an object store silver's folder,
   * each table's files then going to {@code <table>/}{@link #outputTableSubfolder}.
   */
  public Path output(Batch batch) {
    return inPlace ? layout.silver() : staging(batch.id);
  }

  /** The folder of a table's files under {@link #output}: its data folder in place, else none. */
  public String outputTableSubfolder() {
    return inPlace ? layout.silverMessagesData().getFileName().toString() : "";
  }

  /** Where a batch writes table {@code table} before its commit. */
  public Path staging(Batch batch, String table) {
    return staging(batch.id).resolve(table);
  }

  public Path temp() {
    return folder.temp();
  }

  /**
   * Makes every commit first check that this job still holds {@code lock} (a lease may be lost).
   */
  public void guardedBy(JobLock lock) {
    this.lock = lock;
  }

  /**
   * Records the batch as staged, with its row counts and the files it will publish: from now on a
   * restart commits it rather than redo it. {@code written} are the files the pipeline reported
   * written; any other file in staging (left by a failed attempt a runner retried) is deleted,
   * never published. A reported file that is not there (a finalization retried under new names
   * after moving some files) fails the batch, which then runs again: nothing is published.
   */
  public void markStaged(Batch batch, Collection<Path> written) {
    lock.requireHeld();
    Set<Path> kept = written.stream().map(Path::toAbsolutePath).collect(Collectors.toSet());
    List<Path> files = new ArrayList<>();
    List<Path> candidates =
        inPlace
            ? written.stream().filter(storage::exists).collect(Collectors.toList())
            : storage.parquetFilesUnder(staging(batch.id));
    for (Path file : candidates) {
      if (kept.remove(file.toAbsolutePath())) {
        files.add(file);
      } else {
        LOG.warn(
            "silver batch {}: deleting {}, a file of a failed attempt",
            batch.id,
            layout.display(file));
        storage.delete(file);
      }
    }
    if (!kept.isEmpty()) {
      throw new IllegalStateException(
          "silver batch "
              + batch.id
              + ": the pipeline reported "
              + layout.display(kept.iterator().next())
              + " written, but it is not in staging; the batch is not committed");
    }
    List<Path> published =
        files.stream().map(f -> published(batch.id, f)).collect(Collectors.toList());
    long valid = 0;
    long corrupted = 0;
    stagedRows.clear();
    for (int i = 0; i < files.size(); i++) {
      long rows = ParquetFooters.rowCount(storage, files.get(i));
      stagedRows.put(published.get(i), rows);
      if (published.get(i).startsWith(layout.silverMessagesData())) {
        valid += rows;
      } else {
        corrupted += rows;
      }
    }
    staged.add(
        batch.id,
        LogEntry.builder()
            .put("valid", valid)
            .put("corrupted", corrupted)
            .put("files", files.size())
            .putList(
                "file",
                published.stream().map(layout.root()::relativize).collect(Collectors.toList()))
            .build());
  }

  /** Publishes a staged batch into the silver tables and commits it, with its files. */
  public Committed commit(Batch batch) {
    lock.requireHeld();
    LogEntry written = staged.require(batch.id);
    folder.publish(staging(batch.id), file -> published(batch.id, file));
    SilverTables.commit(
        layout,
        batch.id,
        written.list("file").stream().map(layout.root()::resolve).collect(Collectors.toList()),
        stagedRows,
        retention.deltaLogMillis);
    stagedRows.clear();
    commits.add(
        batch.id, LogEntry.builder().put("inputs", batch.inputs.size()).putAll(written).build());
    storage.delete(staging(batch.id));
    staged.remove(batch.id);
    committedInputs.addAll(batch.inputs);
    return new Committed(
        written.getLong("valid"), written.getLong("corrupted"), (int) written.getLong("files"));
  }

  /**
   * What the committed batches published, read from the commit log: the files (and rows) readers of
   * the silver tables must see, no more, no less.
   */
  public static CommitLog commitLog(LakeLayout layout) {
    SilverCheckpoint checkpoint = new SilverCheckpoint(layout, Retention.DEFAULT);
    checkpoint.folder.refuseEarlierFormat(EARLIER_FORMAT);
    return checkpoint.commitLog();
  }

  private CommitLog commitLog() {
    CommitLog log = new CommitLog(storage);
    LogEntry all = commits.sum();
    List<String> files = all.list("file");
    List<String> batches = all.list("fileBatch");
    for (int i = 0; i < files.size(); i++) {
      log.files.put(layout.root().resolve(files.get(i)), Long.parseLong(batches.get(i)));
    }
    log.validRows = all.getLong("valid");
    log.corruptedRows = all.getLong("corrupted");
    return log;
  }

  /** What the commit log says the silver tables hold. */
  public static final class CommitLog {
    private final LakeStorage storage;

    /** Each committed file (absolute path), with the batch that published it. */
    public final Map<Path, Long> files = new TreeMap<>();

    public long validRows;
    public long corruptedRows;

    CommitLog(LakeStorage storage) {
      this.storage = storage;
    }

    /**
     * The files of both silver tables that no committed batch published: the visible ones, or all
     * of them, hidden names included.
     */
    public List<Path> unlistedFiles(LakeLayout layout, boolean hiddenToo) {
      List<Path> unexpected = new ArrayList<>();
      for (Path table : layout.silverTables()) {
        for (Path file : hiddenToo ? storage.filesUnder(table) : storage.visibleFilesUnder(table)) {
          if (!files.containsKey(file) && !SilverTables.inLog(table, file)) {
            unexpected.add(file);
          }
        }
      }
      return unexpected;
    }
  }

  /** Where a file staged for batch {@code id} is published: the same place in its table. */
  private Path published(long id, Path staged) {
    if (inPlace) {
      return staged;
    }
    Path relative = staging(id).relativize(staged);
    Path table =
        relative.getName(0).toString().equals(MESSAGES)
            ? layout.silverMessagesData()
            : layout.silverCorruptedData();
    return table.resolve(relative.subpath(1, relative.getNameCount()).toString());
  }

  /** The bronze files (relative to bronze's data folder) that committed batches took. */
  public static Set<Path> committedInputs(LakeLayout layout) {
    SilverCheckpoint checkpoint = new SilverCheckpoint(layout, Retention.DEFAULT);
    checkpoint.folder.refuseEarlierFormat(EARLIER_FORMAT);
    return committedInputs(checkpoint.plans.read(), checkpoint.commits.log().latestId().orElse(0));
  }

  /** The inputs of the plans up to the newest committed batch, those compacted included. */
  private static Set<Path> committedInputs(
      CompactibleBatchLog.Contents plans, long newestCommitted) {
    Set<Path> inputs = new HashSet<>(inputs(plans.earlier));
    plans
        .entries
        .headMap(newestCommitted + 1)
        .values()
        .forEach(plan -> inputs.addAll(inputs(plan)));
    return inputs;
  }

  /** The bronze files a plan (or a sum of plans) lists, relative to bronze's data folder. */
  private static List<Path> inputs(LogEntry plan) {
    return plan.list("input").stream().map(Path::of).collect(Collectors.toList());
  }

  private Path staging(long id) {
    return folder.staging().resolve(String.format("%010d", id));
  }
}
