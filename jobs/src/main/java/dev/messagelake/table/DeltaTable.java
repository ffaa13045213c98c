package dev.messagelake.table;

import static io.delta.kernel.internal.util.Utils.toCloseableIterator;

import dev.messagelake.storage.LakeStorage;
import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.internal.DeltaLogActionUtils.DeltaAction;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.TableImpl;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.RemoveFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.GenericRow;
import io.delta.kernel.internal.snapshot.MetadataCleanup;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatistics;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.schemas.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Delta Lake table of the lake, read and written through Delta Kernel: its log, {@code
 * _delta_log/} in the table's data folder, is the commit every engine reads. The table is
 * partitioned by {@code date} (a DATE, in {@code date=YYYY-MM-DD} folders as Spark writes them);
 * the data files are written by the jobs themselves and only registered here. A commit is one JSON
 * entry of the log, created atomically and never overwritten: a reader sees a version whole or not
 * at all.
 */
public final class DeltaTable {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaTable.class);

  /** The log folder inside the table's data folder (hidden from hive-style readers by the _). */
  public static final String LOG_FOLDER = "_delta_log";

  /** The partition column: the UTC date of the row, the folder {@code date=YYYY-MM-DD}. */
  public static final String DATE = "date";

  private static final String ENGINE_INFO = "message-lake";

  private final LakeStorage storage;
  private final Path root;
  private final Engine engine;
  private final Table table;
  private long logRetentionMillis = -1; // -1: Kernel's own cleanup only, by the table's properties

  private DeltaTable(LakeStorage storage, Path root) {
    this.storage = storage;
    this.root = root;
    this.engine = DefaultEngine.create(storage.hadoopConfiguration());
    this.table = Table.forPath(engine, storage.hadoopLocation(root));
  }

  /** The table whose data folder is {@code root} (it may not exist yet). */
  public static DeltaTable at(LakeStorage storage, Path root) {
    return new DeltaTable(storage, root);
  }

  /**
   * Keeps {@code millis} of the log's history, as Delta's {@code delta.logRetentionDuration}, which
   * Kernel 3.3 reads but lets no writer set: after each checkpoint, the log's files of versions
   * before the newest checkpoint older than that are deleted, so the log still rebuilds every
   * version it keeps (Delta's metadata cleanup). Kernel's own cleanup, by the property's default of
   * 30 days, still runs too.
   */
  public DeltaTable withLogRetention(long millis) {
    this.logRetentionMillis = millis;
    return this;
  }

  /** A data file of the table as the log lists it. */
  public static final class TableFile {
    /** The file, as a lake path. */
    public final Path path;

    /** The path as the log holds it (relative to the table), which a remove must repeat. */
    final String logPath;

    public final String date;
    public final long size;

    TableFile(Path path, String logPath, String date, long size) {
      this.path = path;
      this.logPath = logPath;
      this.date = date;
      this.size = size;
    }

    @Override
    public String toString() {
      return logPath;
    }
  }

  /** A data file written into the table's {@code date=} folder, to be added by a commit. */
  public static final class NewFile {
    public final Path path;
    public final String date;
    public final long size;
    public final long modifiedMillis;
    public final long rows;

    public NewFile(Path path, String date, long size, long modifiedMillis, long rows) {
      this.path = path;
      this.date = date;
      this.size = size;
      this.modifiedMillis = modifiedMillis;
      this.rows = rows;
    }
  }

  /**
   * The Delta schema of a table of {@code columns} partitioned by {@code date}: the columns as the
   * data files hold them, then the DATE partition column.
   */
  public static StructType schemaOf(Schema columns) {
    StructType schema = new StructType();
    for (Schema.Field field : columns.getFields()) {
      schema =
          schema.add(field.getName(), deltaType(field.getType()), field.getType().getNullable());
    }
    return schema.add(DATE, DateType.DATE, false);
  }

  private static DataType deltaType(Schema.FieldType type) {
    switch (type.getTypeName()) {
      case DATETIME:
        return TimestampType.TIMESTAMP;
      case INT64:
        return LongType.LONG;
      case INT32:
        return IntegerType.INTEGER;
      case STRING:
        return StringType.STRING;
      default:
        throw new IllegalArgumentException("no Delta type for " + type);
    }
  }

  /** The newest version, or empty when the table has no log yet. */
  public OptionalLong latestVersion() {
    Optional<Snapshot> snapshot = latest();
    return snapshot.isPresent()
        ? OptionalLong.of(snapshot.get().getVersion(engine))
        : OptionalLong.empty();
  }

  /** The newest transaction version {@code appId} committed, or -1 if none (or no table). */
  public long transactionVersion(String appId) {
    return latest()
        .flatMap(snapshot -> ((SnapshotImpl) snapshot).getLatestTransactionVersion(engine, appId))
        .orElse(-1L);
  }

  /** The newest transaction version {@code appId} had committed at {@code version}, or -1. */
  public long transactionVersion(String appId, long version) {
    return ((SnapshotImpl) table.getSnapshotAsOfVersion(engine, version))
        .getLatestTransactionVersion(engine, appId)
        .orElse(-1L);
  }

  /** The files of the newest version (none when there is no table yet). */
  public List<TableFile> files() {
    Optional<Snapshot> snapshot = latest();
    return snapshot.isPresent() ? files(snapshot.get()) : List.of();
  }

  /** The files of version {@code version}. */
  public List<TableFile> files(long version) {
    return files(table.getSnapshotAsOfVersion(engine, version));
  }

  /**
   * Adds {@code files} in one commit that carries the transaction id ({@code appId}, {@code
   * txnVersion}): a commit the table already holds (a batch replayed after a crash) is recognised
   * and not made twice. Creates the table, with {@code schema} and the {@code date} partition, on
   * its first commit. Returns the version committed, or empty when the table had this transaction.
   */
  public OptionalLong append(
      StructType schema, String appId, long txnVersion, List<NewFile> files) {
    boolean exists = latest().isPresent();
    TransactionBuilder builder =
        table
            .createTransactionBuilder(
                engine, ENGINE_INFO, exists ? Operation.WRITE : Operation.CREATE_TABLE)
            .withTransactionId(engine, appId, txnVersion);
    if (!exists) {
      builder = builder.withSchema(engine, schema).withPartitionColumns(engine, List.of(DATE));
    }
    try {
      Transaction txn = builder.build(engine);
      return OptionalLong.of(commit(txn, addActions(txn, files, true)));
    } catch (ConcurrentTransactionException alreadyCommitted) {
      return OptionalLong.empty();
    }
  }

  /**
   * Replaces {@code removed} with {@code added} in one commit that changes no data ({@code
   * dataChange=false}, as Delta's OPTIMIZE writes): readers of any version see each row once.
   * Returns the version committed. Kernel resolves a concurrent append (it only adds files); two
   * rewrites of the same files must not run at once, which the caller's lock prevents.
   */
  public long rewrite(List<TableFile> removed, List<NewFile> added) {
    Transaction txn =
        table.createTransactionBuilder(engine, ENGINE_INFO, Operation.MANUAL_UPDATE).build(engine);
    List<Row> actions = addActions(txn, added, false);
    long now = System.currentTimeMillis();
    for (TableFile file : removed) {
      Map<Integer, Object> remove = new HashMap<>();
      remove.put(RemoveFile.FULL_SCHEMA.indexOf("path"), file.logPath);
      remove.put(RemoveFile.FULL_SCHEMA.indexOf("deletionTimestamp"), now);
      remove.put(RemoveFile.FULL_SCHEMA.indexOf("dataChange"), false);
      remove.put(RemoveFile.FULL_SCHEMA.indexOf("extendedFileMetadata"), true);
      remove.put(
          RemoveFile.FULL_SCHEMA.indexOf("partitionValues"),
          VectorUtils.stringStringMapValue(Map.of(DATE, file.date)));
      remove.put(RemoveFile.FULL_SCHEMA.indexOf("size"), file.size);
      actions.add(
          SingleAction.createRemoveFileSingleAction(
              new GenericRow(RemoveFile.FULL_SCHEMA, remove)));
    }
    return commit(txn, actions);
  }

  /**
   * Every file some version from {@code fromVersion} to the newest lists: the files of {@code
   * fromVersion} and those the later commits added. What a reader of any of those versions (time
   * travel included) may open.
   */
  public Set<Path> filesSince(long fromVersion) {
    Set<Path> files = new HashSet<>();
    files(fromVersion).forEach(f -> files.add(f.path));
    long newest = latestVersion().orElse(fromVersion);
    if (newest > fromVersion) {
      files.addAll(added(fromVersion + 1, newest));
    }
    return files;
  }

  /**
   * Every file a version the log still holds ever listed (none when there is no table): all the
   * table ever listed until the log's cleanup deletes its first versions.
   */
  public Set<Path> filesEverAdded() {
    OptionalLong earliest = earliestVersion();
    return earliest.isPresent() ? filesSince(earliest.getAsLong()) : Set.of();
  }

  /**
   * The oldest version the log can still rebuild: 0, or after its cleanup the oldest checkpoint
   * whose commit it kept; empty when there is no table.
   */
  public OptionalLong earliestVersion() {
    Path log = root.resolve(LOG_FOLDER);
    if (!storage.exists(log)) {
      return OptionalLong.empty();
    }
    Set<String> names = new HashSet<>();
    storage.listFiles(log).forEach(f -> names.add(f.getFileName().toString()));
    return names.stream()
        .filter(n -> n.matches("\\d{20}\\.json"))
        .sorted()
        .filter(
            n ->
                n.startsWith("00000000000000000000.")
                    || names.contains(n.replace(".json", ".checkpoint.parquet")))
        .mapToLong(n -> Long.parseLong(n.substring(0, 20)))
        .findFirst();
  }

  /** The version a reader at {@code millis} saw (the newest committed then), or empty if none. */
  public OptionalLong versionAt(long millis) {
    if (latestVersion().isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(((TableImpl) table).getVersionBeforeOrAtTimestamp(engine, millis));
    } catch (RuntimeException beforeTheFirstVersion) {
      return OptionalLong.empty();
    }
  }

  private Set<Path> added(long from, long to) {
    Set<Path> files = new HashSet<>();
    URI tableRoot = URI.create(table.getPath(engine) + "/");
    try (CloseableIterator<ColumnarBatch> changes =
        ((TableImpl) table).getChanges(engine, from, to, Set.of(DeltaAction.ADD))) {
      while (changes.hasNext()) {
        ColumnarBatch batch = changes.next();
        ColumnVector adds = batch.getColumnVector(batch.getSchema().indexOf("add"));
        ColumnVector paths = adds.getChild(AddFile.FULL_SCHEMA.indexOf("path"));
        for (int i = 0; i < batch.getSize(); i++) {
          if (!adds.isNullAt(i)) {
            files.add(lakePath(tableRoot.resolve(paths.getString(i)).toString()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of " + root, e);
    }
    return files;
  }

  private List<TableFile> files(Snapshot snapshot) {
    List<TableFile> files = new ArrayList<>();
    Scan scan = snapshot.getScanBuilder(engine).build();
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          while (rows.hasNext()) {
            Row scanFile = rows.next();
            FileStatus status = InternalScanFileUtils.getAddFileStatus(scanFile);
            Row add = scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
            files.add(
                new TableFile(
                    lakePath(status.getPath()),
                    add.getString(add.getSchema().indexOf("path")),
                    InternalScanFileUtils.getPartitionValues(scanFile).get(DATE),
                    status.getSize()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of " + root, e);
    }
    files.sort((a, b) -> a.path.compareTo(b.path));
    return files;
  }

  private List<Row> addActions(Transaction txn, List<NewFile> files, boolean dataChange) {
    Row state = txn.getTransactionState(engine);
    URI tableRoot = new org.apache.hadoop.fs.Path(table.getPath(engine)).toUri();
    Map<String, List<NewFile>> byDate = new TreeMap<>();
    files.forEach(f -> byDate.computeIfAbsent(f.date, d -> new ArrayList<>()).add(f));
    List<Row> actions = new ArrayList<>();
    for (Map.Entry<String, List<NewFile>> date : byDate.entrySet()) {
      Map<String, Literal> partition = new LinkedHashMap<>();
      partition.put(DATE, Literal.ofDate((int) LocalDate.parse(date.getKey()).toEpochDay()));
      for (NewFile file : date.getValue()) {
        DataFileStatus status =
            new DataFileStatus(
                qualified(file.path),
                file.size,
                file.modifiedMillis,
                Optional.of(
                    new DataFileStatistics(
                        file.rows,
                        Collections.<Column, Literal>emptyMap(),
                        Collections.<Column, Literal>emptyMap(),
                        Collections.<Column, Long>emptyMap())));
        if (dataChange) {
          try (CloseableIterator<Row> add =
              Transaction.generateAppendActions(
                  engine,
                  state,
                  toCloseableIterator(List.of(status).iterator()),
                  Transaction.getWriteContext(engine, state, partition))) {
            add.forEachRemaining(actions::add);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        } else {
          actions.add(
              SingleAction.createAddFileSingleAction(
                  AddFile.convertDataFileStatus(tableRoot, status, partition, false)));
        }
      }
    }
    return actions;
  }

  private long commit(Transaction txn, List<Row> actions) {
    TransactionCommitResult result =
        txn.commit(
            engine, CloseableIterable.inMemoryIterable(toCloseableIterator(actions.iterator())));
    if (result.isReadyForCheckpoint()) {
      // Readers replay the log from the newest checkpoint: Delta's own writers make one every
      // 10 commits, which Kernel leaves to its caller.
      try {
        table.checkpoint(engine, result.getVersion());
        if (logRetentionMillis >= 0) {
          MetadataCleanup.cleanupExpiredLogs(
              engine,
              System::currentTimeMillis,
              new io.delta.kernel.internal.fs.Path(table.getPath(engine)),
              logRetentionMillis);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("{}: no checkpoint at version {}: {}", root, result.getVersion(), e.toString());
      }
    }
    return result.getVersion();
  }

  private Optional<Snapshot> latest() {
    try {
      return Optional.of(table.getLatestSnapshot(engine));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  private String qualified(Path file) {
    String tablePath = table.getPath(engine);
    Path relative = root.relativize(file);
    return tablePath + "/" + relative.toString().replace('\\', '/');
  }

  /** A file the log names (a URI, {@code file:/...} or {@code hdfs://...}) as a lake path. */
  static Path lakePath(String location) {
    URI uri = URI.create(location);
    return uri.getScheme() == null ? Path.of(location) : Path.of(uri.getPath());
  }
}
