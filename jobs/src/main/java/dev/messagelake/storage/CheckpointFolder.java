package dev.messagelake.storage;

import dev.messagelake.cli.UserError;
import java.nio.file.Path;
import java.util.List;

/**
 * A job's checkpoint folder: its lock, its logs, {@code staging/} (files written, awaiting their
 * commit) and {@code tmp/} (files being written), and the reset that starts the job over.
 */
public final class CheckpointFolder {
  private final LakeStorage storage;
  private final Path folder;
  private final String lockName;
  private final String job;

  public CheckpointFolder(LakeStorage storage, Path folder, String lockName, String job) {
    this.storage = storage;
    this.folder = folder;
    this.lockName = lockName;
    this.job = job;
  }

  public LakeStorage storage() {
    return storage;
  }

  public Path folder() {
    return folder;
  }

  /** One job of this kind per lake: a second one is refused. */
  public JobLock lock() {
    return storage.lock(folder.resolve(lockName), job);
  }

  /**
   * Deletes the checkpoint (all but the lock, whose holder calls this: a new file would be a new,
   * unlocked lock) and {@code data}, the folders the job writes.
   */
  public void reset(List<Path> data) {
    data.forEach(storage::delete);
    for (Path entry : storage.list(folder)) {
      if (!entry.getFileName().toString().equals(lockName)) {
        storage.delete(entry);
      }
    }
  }

  public BatchLog log(String name) {
    return new BatchLog(storage, folder.resolve(name));
  }

  public Path staging() {
    return folder.resolve("staging");
  }

  public Path temp() {
    return folder.resolve("tmp");
  }

  /** Refuses a checkpoint an earlier version wrote ({@code names} are its files), with one line. */
  public void refuseEarlierFormat(String... names) {
    for (String name : names) {
      if (storage.exists(folder.resolve(name))) {
        throw new UserError(
            folder.resolve(name)
                + " is a checkpoint of an earlier version of message-lake"
                + " (before format v"
                + BatchLog.VERSION
                + "); run with --reset to start "
                + job
                + " over");
      }
    }
  }

  /**
   * Publishes every file staged under {@code staged} to where {@code target} says, one atomic
   * rename each; a file already moved is no longer staged, so this resumes after a crash.
   */
  public void publish(Path staged, java.util.function.UnaryOperator<Path> target) {
    for (Path file : storage.parquetFilesUnder(staged)) {
      Path to = target.apply(file);
      storage.createDirectories(to.getParent());
      storage.rename(file, to);
    }
  }
}
