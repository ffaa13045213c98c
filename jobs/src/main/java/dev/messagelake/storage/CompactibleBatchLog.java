package dev.messagelake.storage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@link BatchLog} compacted as Spark's {@code CompactibleFileStreamLog}: every {@link
 * #INTERVAL}th entry ({@code 10}, {@code 20}, ...) is a compact entry, written in format {@code
 * v2}, that carries besides its own fields, under {@code compact.}, what every earlier entry held,
 * as the writer's {@link Rule} sums them. A reader needs only the newest compact entry and those
 * after it; the entries before the compact entry preceding it are deleted once older than the
 * cleanup delay (Spark's {@code fileSinkLogCleanupDelay}), so a reader that listed the log a moment
 * ago still finds what it listed. Each step is safe to stop at: an entry is written whole, and
 * readers ignore whatever a crash left before the newest compact entry.
 *
 * <p>Unlike Spark's {@code <n>.compact}, a compact entry keeps the name {@code <n>}: a number is
 * still recorded once, by one atomic create, and a version 4 reader meets its {@code v2} line and
 * refuses the log instead of skipping it and missing the batches it sums.
 */
public final class CompactibleBatchLog {
  /** Entries between two compact entries, as Spark's {@code compactInterval} default. */
  public static final int INTERVAL = 10;

  /** The prefix of a compact entry's fields that sum the earlier entries. */
  static final String COMPACT = "compact.";

  /** A writer's compaction: what its entries sum to (Spark's {@code compactLogs}). */
  @FunctionalInterface
  public interface Rule {
    /**
     * The sum of {@code earlier} (the sum of the entries before {@code entries}, empty before the
     * first compaction) and {@code entries}, by number, ascending.
     */
    LogEntry compact(LogEntry earlier, SortedMap<Long, LogEntry> entries);
  }

  private final BatchLog log;
  private final Rule rule;
  private final long cleanupDelayMillis;

  public CompactibleBatchLog(BatchLog log, Rule rule, long cleanupDelayMillis) {
    this.log = log;
    this.rule = rule;
    this.cleanupDelayMillis = cleanupDelayMillis;
  }

  public BatchLog log() {
    return log;
  }

  public static boolean isCompactionId(long id) {
    return id > 0 && id % INTERVAL == 0;
  }

  /**
   * Records entry {@code id} (refused if the log holds that number); on a compaction number, with
   * the sum of every earlier entry, then deletes the entries no reader needs any more.
   */
  public void add(long id, LogEntry entry) {
    if (!isCompactionId(id)) {
      log.add(id, entry);
      return;
    }
    if (log.contains(id)) {
      throw new IllegalStateException(
          log.file(id) + " already exists: batch " + id + " was recorded by another writer");
    }
    Contents live = read();
    LogEntry sum = rule.compact(live.earlier, live.entries.headMap(id));
    LogEntry.Builder compact = LogEntry.builder().putAll(entry);
    sum.withPrefix("").forEach((name, value) -> compact.put(COMPACT + name, value));
    log.add(id, compact.build(), BatchLog.COMPACT_VERSION);
    deleteExpired(live.compactId);
  }

  /** The sum of every entry of the log, by the writer's rule. */
  public LogEntry sum() {
    Contents contents = read();
    return rule.compact(contents.earlier, contents.entries);
  }

  /** What a reader needs of the log, read at once. */
  public static final class Contents {
    /** The sum of every entry before the newest compact entry (empty before the first). */
    public LogEntry earlier = LogEntry.empty();

    /** The newest compact entry (its own fields only) and every later one, by number. */
    public final SortedMap<Long, LogEntry> entries = new TreeMap<>();

    /** The newest compact entry's number (empty before the first). */
    public OptionalLong compactId = OptionalLong.empty();
  }

  public Contents read() {
    Contents live = new Contents();
    List<Long> ids = log.ids();
    for (int i = ids.size() - 1; i >= 0; i--) {
      Optional<LogEntry> entry = log.get(ids.get(i));
      if (entry.isEmpty()) {
        continue; // forgotten (a planned batch that never ran) since the listing
      }
      live.entries.put(ids.get(i), entry.get().without(COMPACT));
      if (entry.get().format() == BatchLog.COMPACT_VERSION) {
        live.earlier = entry.get().under(COMPACT);
        live.compactId = OptionalLong.of(ids.get(i));
        break;
      }
    }
    return live;
  }

  /**
   * Deletes the entries before {@code previous}, the compact entry that precedes the one just
   * written (as Spark keeps the previous compaction batch and those after it): the new one may yet
   * be forgotten (a plan whose batch never ran), and {@code previous} and its followers still sum
   * the log.
   */
  private void deleteExpired(OptionalLong previous) {
    if (previous.isEmpty()) {
      return;
    }
    long expired = System.currentTimeMillis() - cleanupDelayMillis;
    for (long id : log.ids()) {
      if (id >= previous.getAsLong()) {
        break;
      }
      if (log.writtenMillis(id) <= expired) {
        log.remove(id);
      }
    }
  }
}
