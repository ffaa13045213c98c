package dev.messagelake.lake;

import dev.messagelake.cli.UserError;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** File-system steps the lake's commits are made of: atomic replace and move, clean-up. */
public final class LakeFiles {
  private LakeFiles() {}

  /** Replaces {@code target} with {@code content} so a reader sees the old or the new, never half. */
  public static void writeAtomically(Path target, String content) {
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  /** Publishes a finished file under its final name in one step (a rename on one file system). */
  public static void moveAtomically(Path source, Path target) {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException("refusing to overwrite committed file " + target, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + source + " to " + target, e);
    }
  }

  public static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }

  /** Everything directly inside {@code dir} (nothing if it does not exist). */
  public static List<Path> listEntries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The regular files directly inside {@code dir} (none if it does not exist), sorted by name. */
  public static List<Path> listFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * Checks, before anything is written, that the lake root can hold the lake: a directory we may
   * write to, or a path whose nearest existing parent is one.
   */
  public static void requireWritableDirectory(Path root) {
    Path existing = root.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new UserError("lake path " + root + " has no existing parent directory");
    }
    if (!Files.isDirectory(existing)) {
      throw new UserError(
          existing.equals(root.toAbsolutePath().normalize())
              ? "lake path " + root + " is a file, not a directory"
              : "lake path " + root + " lies under " + existing + ", which is a file");
    }
    if (!Files.isWritable(existing)) {
      throw new UserError("lake path " + existing + " is not writable");
    }
  }

  /** A properties file (a checkpoint's), read whole before parsing: a rename replaces it whole. */
  public static Properties readProperties(Path file) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(Files.readString(file)));
    return properties;
  }

  /** A file's last modification time, epoch millis. */
  public static long modifiedMillis(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UserError("cannot create " + dir + ": " + e.getMessage());
    }
  }

  /** The visible parquet files anywhere under {@code dir} (none if it does not exist), sorted. */
  public static List<Path> parquetFilesUnder(Path dir) {
    return visibleFilesUnder(dir).stream()
        .filter(f -> f.getFileName().toString().endsWith(".parquet"))
        .collect(Collectors.toList());
  }

  /** The files anywhere under {@code dir} a reader sees (not hidden by Spark's rule), sorted. */
  public static List<Path> visibleFilesUnder(Path dir) {
    return filesUnder(dir).stream().filter(f -> !hiddenBelow(dir, f)).collect(Collectors.toList());
  }

  /** Every regular file anywhere under {@code dir}, hidden ones included, sorted. */
  public static List<Path> filesUnder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    for (int attempt = 1; ; attempt++) {
      try (Stream<Path> walk = Files.walk(dir)) {
        return walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
      } catch (IOException | UncheckedIOException e) {
        // A running job may delete a temporary folder while we walk it: look again.
        Throwable cause = e instanceof UncheckedIOException ? e.getCause() : e;
        if (!(cause instanceof NoSuchFileException) || attempt == 3) {
          throw new UncheckedIOException("cannot list " + dir, cause instanceof IOException
              ? (IOException) cause : new IOException(cause));
        }
        if (!Files.isDirectory(dir)) {
          return List.of();
        }
      }
    }
  }

  /** True when a path component below {@code root} is hidden ('.' or '_', Spark's rule). */
  public static boolean hiddenBelow(Path root, Path file) {
    for (Path part : root.relativize(file)) {
      if (LakeLayout.isHidden(part)) {
        return true;
      }
    }
    return false;
  }
}
