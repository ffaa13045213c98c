package dev.messagelake.storage;

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
final class FileJobLock implements JobLock {
  private final FileChannel channel;
  private final FileLock lock;

  private FileJobLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock in {@code lockFile}, or fails with a user error naming the holder. */
  static JobLock acquire(Path lockFile, String job) {
    try {
      FileChannel channel =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
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
          ByteBuffer.wrap(
              ("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
      return new FileJobLock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lockFile, e);
    }
  }

  /** Held until the process ends or closes it: nothing to check. */
  @Override
  public void requireHeld() {}

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
