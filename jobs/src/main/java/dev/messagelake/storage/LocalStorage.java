package dev.messagelake.storage;

import dev.messagelake.cli.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;

/** {@link LakeStorage} on the local file system. */
final class LocalStorage implements LakeStorage {
  static final LocalStorage INSTANCE = new LocalStorage();

  private LocalStorage() {}

  private static final Configuration HADOOP = new Configuration();

  @Override
  public Configuration hadoopConfiguration() {
    return HADOOP;
  }

  @Override
  public String hadoopLocation(Path path) {
    return path.toAbsolutePath().toUri().toString();
  }

  @Override
  public InputFile inputFile(Path file) {
    try {
      // a file: URI, never a bare path: a core-site.xml on the class path may name another default
      return HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), HADOOP);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  @Override
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  @Override
  public boolean isDirectory(Path path) {
    return Files.isDirectory(path);
  }

  @Override
  public List<Path> list(Path dir) {
    return list(dir, false);
  }

  @Override
  public List<Path> listFiles(Path dir) {
    return list(dir, true);
  }

  private static List<Path> list(Path dir, boolean filesOnly) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(p -> !filesOnly || Files.isRegularFile(p))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  @Override
  public List<Path> filesUnder(Path dir) {
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
          throw new UncheckedIOException(
              "cannot list " + dir,
              cause instanceof IOException ? (IOException) cause : new IOException(cause));
        }
        if (!Files.isDirectory(dir)) {
          return List.of();
        }
      }
    }
  }

  @Override
  public void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UserError("cannot create " + dir + ": " + e.getMessage());
    }
  }

  @Override
  public void rename(Path source, Path target) {
    // rename(2) replaces an existing target and Java has no RENAME_NOREPLACE: look first, which
    // holds because one job of a kind writes a lake (its lock).
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalStateException("refusing to overwrite committed file " + target);
    }
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException("refusing to overwrite committed file " + target, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + source + " to " + target, e);
    }
  }

  @Override
  public void writeAtomically(Path target, String content) {
    Path temp = temp(target);
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  @Override
  public boolean createAtomically(Path target, String content) {
    Path temp = temp(target);
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      // A hard link fails if the target exists: create-if-absent in one step, as HDFS's rename.
      Files.createLink(target, temp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // a leftover hidden temporary file: removed with its folder's next clean-up
      }
    }
  }

  private static Path temp(Path target) {
    return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  @Override
  public String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public void delete(Path path) {
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

  @Override
  public long modifiedMillis(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public JobLock lock(Path lockFile, String job) {
    createDirectories(lockFile.getParent());
    return FileJobLock.acquire(lockFile, job);
  }

  @Override
  public void requireWritableDirectory(Path root) {
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
}
