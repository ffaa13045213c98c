package dev.messagelake.lake;

import dev.messagelake.cli.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One job of a kind per lake: an OS file lock, which the kernel releases when the process dies
 * (even by kill -9), so a crashed job never leaves it stuck.
 */
public final class JobLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private JobLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock in {@code lockFile}, or fails with a user error naming the holder. */
  public static JobLock acquire(Path lockFile, String job) {
    LakeFiles.createDirectories(lockFile.getParent());
    try {
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        String holder = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
        channel.close();
        throw new UserError(
            "another " + job + " is already running on this lake (" + holder + "); stop it first");
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
      return new JobLock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lockFile, e);
    }
  }

  /**
   * Empties the folder of {@code lockFile} but for the lock file itself, which its holder calls
   * to reset a job's state: a new file would be a new, unlocked lock.
   */
  public static void deleteAllButLock(Path lockFile) {
    for (Path entry : LakeFiles.listEntries(lockFile.getParent())) {
      if (!entry.equals(lockFile)) {
        LakeFiles.deleteRecursively(entry);
      }
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
