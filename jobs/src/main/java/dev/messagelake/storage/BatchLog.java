package dev.messagelake.storage;

import dev.messagelake.cli.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A log of numbered batches in one folder, as Spark's {@code HDFSMetadataLog}: entry {@code n} is
 * the file {@code <folder>/<n>}, whose first line is the format version ({@code v1}), written whole
 * or not at all. {@link #add} refuses a number the log holds, so two writers (or a batch replayed
 * after a crash) can never both record batch {@code n}.
 */
public final class BatchLog {
  /** The format of a plain entry, which every version since the lake's version 2 reads. */
  public static final int VERSION = 1;

  /**
   * The format of a {@link CompactibleBatchLog}'s compact entry: a reader of format v1 only refuses
   * it, rather than read a log whose earlier entries may be gone.
   */
  public static final int COMPACT_VERSION = 2;

  private final LakeStorage storage;
  private final Path folder;

  public BatchLog(LakeStorage storage, Path folder) {
    this.storage = storage;
    this.folder = folder;
  }

  public Path folder() {
    return folder;
  }

  /** The numbers of the entries, ascending (gaps allowed). */
  public List<Long> ids() {
    List<Long> ids = new ArrayList<>();
    for (Path file : storage.listFiles(folder)) {
      String name = file.getFileName().toString();
      if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
        ids.add(Long.parseLong(name));
      }
    }
    ids.sort(null);
    return ids;
  }

  public OptionalLong latestId() {
    List<Long> ids = ids();
    return ids.isEmpty() ? OptionalLong.empty() : OptionalLong.of(ids.get(ids.size() - 1));
  }

  public Optional<LogEntry> latest() {
    OptionalLong id = latestId();
    return id.isPresent() ? get(id.getAsLong()) : Optional.empty();
  }

  public Optional<LogEntry> get(long id) {
    Path file = file(id);
    return storage.exists(file) ? Optional.of(read(file)) : Optional.empty();
  }

  /** Entry {@code id}, which the log must hold. */
  public LogEntry require(long id) {
    return get(id).orElseThrow(() -> new IllegalStateException(file(id) + " is missing"));
  }

  public boolean contains(long id) {
    return storage.exists(file(id));
  }

  /** Records entry {@code id}; fails if the log already holds one of that number. */
  public void add(long id, LogEntry entry) {
    add(id, entry, VERSION);
  }

  void add(long id, LogEntry entry, int version) {
    storage.createDirectories(folder);
    if (!storage.createAtomically(file(id), "v" + version + "\n" + entry.encode())) {
      throw new IllegalStateException(
          file(id) + " already exists: batch " + id + " was recorded by another writer");
    }
  }

  /** Forgets entry {@code id} (a planned batch that never ran, to be planned again). */
  public void remove(long id) {
    storage.delete(file(id));
  }

  /** Deletes all entries but the newest {@code count} (as Spark's minBatchesToRetain). */
  public void retainLast(int count) {
    List<Long> ids = ids();
    for (int i = 0; i < ids.size() - count; i++) {
      storage.delete(file(ids.get(i)));
    }
  }

  /** When entry {@code id} was written, epoch millis. */
  public long writtenMillis(long id) {
    return storage.modifiedMillis(file(id));
  }

  public Path file(long id) {
    return folder.resolve(Long.toString(id));
  }

  private LogEntry read(Path file) {
    List<String> lines = Arrays.asList(storage.read(file).split("\n", -1));
    String first = lines.isEmpty() ? "" : lines.get(0).trim();
    if (!first.matches("v\\d+")) {
      throw new UserError(
          file
              + " has no format version: written by an earlier version of message-lake;"
              + " run with --reset to start this job's part of the lake again");
    }
    int version = Integer.parseInt(first.substring(1));
    if (version != VERSION && version != COMPACT_VERSION) {
      throw new UserError(
          file
              + " is in format v"
              + version
              + ", this version of message-lake reads v"
              + VERSION
              + " and v"
              + COMPACT_VERSION
              + ": run the version that wrote it, or --reset");
    }
    try {
      return LogEntry.decode(lines.subList(1, lines.size()), version);
    } catch (IllegalArgumentException e) {
      throw new UserError(
          file + " is not a valid log entry (" + e.getMessage() + "); run with --reset");
    }
  }
}
