package dev.messagelake.storage;

import dev.messagelake.cli.UserError;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.security.AccessControlException;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;

/**
 * {@link LakeStorage} on a Hadoop file system ({@code hdfs://namenode:port}): the lake's paths are
 * paths of that file system, and every call goes through Hadoop's FileSystem API, as Spark's own
 * file sink does. The commit protocols hold because HDFS's rename is atomic: {@link #rename} and
 * {@link #createAtomically} are a rename that fails if the target exists ({@code
 * Options.Rename.NONE}), {@link #writeAtomically} one that replaces it.
 */
final class HadoopStorage implements LakeStorage {
  private final URI fileSystem;
  private final FileSystem fs;
  private final FileContext context;

  /** S3 through S3A: an object appears whole when written, and a rename is a copy. */
  private final boolean objectStore;

  HadoopStorage(URI fileSystem, Configuration conf) {
    this.fileSystem = fileSystem;
    this.objectStore = "s3a".equalsIgnoreCase(fileSystem.getScheme());
    try {
      this.fs = FileSystem.get(fileSystem, conf);
      this.context = FileContext.getFileContext(fileSystem, conf);
    } catch (IOException e) {
      throw new UserError("cannot reach " + fileSystem + ": " + oneLine(e));
    }
  }

  /** The URI of a lake path on this file system: what Beam's IOs and parquet's readers open. */
  @Override
  public String location(Path path) {
    return fileSystem.resolve(path.toString()).toString();
  }

  @Override
  public Path path(String location) {
    URI uri = URI.create(location);
    if (!fileSystem.getScheme().equalsIgnoreCase(String.valueOf(uri.getScheme()))
        || !String.valueOf(fileSystem.getAuthority()).equals(String.valueOf(uri.getAuthority()))) {
      throw new IllegalArgumentException(location + " is not on the lake's " + fileSystem);
    }
    return Path.of(uri.getPath());
  }

  @Override
  public Configuration hadoopConfiguration() {
    return fs.getConf();
  }

  @Override
  public InputFile inputFile(Path file) {
    try {
      return HadoopInputFile.fromPath(hadoop(file), fs.getConf());
    } catch (IOException e) {
      throw failure("cannot open", file, e);
    }
  }

  /**
   * The client configuration of a lake on {@code fileSystem}: the files of {@code HADOOP_CONF_DIR},
   * as Spark and Hadoop's own tools read them, with the lake's file system as the default one (the
   * scheme Beam's HadoopFileSystemRegistrar registers is the default's).
   */
  static Configuration clientConfiguration(URI fileSystem) {
    Configuration conf = new Configuration();
    String confDir = System.getenv("HADOOP_CONF_DIR");
    if (confDir != null && !confDir.isEmpty()) {
      for (String file : List.of("core-site.xml", "hdfs-site.xml")) {
        Path site = Path.of(confDir, file);
        if (Files.isRegularFile(site)) {
          conf.addResource(new org.apache.hadoop.fs.Path(site.toUri()));
        }
      }
    }
    conf.set(FileSystem.FS_DEFAULT_NAME_KEY, fileSystem.toString());
    return conf;
  }

  private org.apache.hadoop.fs.Path hadoop(Path path) {
    return new org.apache.hadoop.fs.Path(fileSystem.resolve(path.toString()));
  }

  private static Path lake(org.apache.hadoop.fs.Path path) {
    return Path.of(path.toUri().getPath());
  }

  @Override
  public boolean exists(Path path) {
    try {
      return fs.exists(hadoop(path));
    } catch (IOException e) {
      throw failure("cannot read", path, e);
    }
  }

  @Override
  public boolean isDirectory(Path path) {
    try {
      return fs.getFileStatus(hadoop(path)).isDirectory();
    } catch (FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw failure("cannot read", path, e);
    }
  }

  @Override
  public List<Path> list(Path dir) {
    return list(dir, false);
  }

  @Override
  public List<Path> listFiles(Path dir) {
    return list(dir, true);
  }

  private List<Path> list(Path dir, boolean filesOnly) {
    try {
      List<Path> entries = new ArrayList<>();
      for (FileStatus status : fs.listStatus(hadoop(dir))) {
        if (!filesOnly || status.isFile()) {
          entries.add(lake(status.getPath()));
        }
      }
      Collections.sort(entries);
      return entries;
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw failure("cannot list", dir, e);
    }
  }

  @Override
  public List<Path> filesUnder(Path dir) {
    try {
      List<Path> files = new ArrayList<>();
      RemoteIterator<LocatedFileStatus> walk = fs.listFiles(hadoop(dir), true);
      while (walk.hasNext()) {
        files.add(lake(walk.next().getPath()));
      }
      Collections.sort(files);
      return files;
    } catch (FileNotFoundException e) {
      // the folder, or one below it a running job deleted while we walked: what is there now
      return exists(dir) ? filesUnder(dir) : List.of();
    } catch (IOException e) {
      throw failure("cannot list", dir, e);
    }
  }

  @Override
  public void createDirectories(Path dir) {
    try {
      fs.mkdirs(hadoop(dir));
    } catch (IOException e) {
      throw new UserError("cannot create " + location(dir) + ": " + oneLine(e));
    }
  }

  @Override
  public void rename(Path source, Path target) {
    try {
      context.rename(hadoop(source), hadoop(target), Options.Rename.NONE);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException("refusing to overwrite committed file " + target, e);
    } catch (IOException e) {
      throw failure("cannot move " + location(source) + " to", target, e);
    }
  }

  @Override
  public boolean renamesAtomically() {
    return !objectStore;
  }

  @Override
  public void writeAtomically(Path target, String content) {
    if (objectStore) {
      // One PUT: a reader sees the old object or the new one, never a part.
      try (FSDataOutputStream out = fs.create(hadoop(target), true)) {
        out.write(content.getBytes(StandardCharsets.UTF_8));
        return;
      } catch (IOException e) {
        throw failure("cannot write", target, e);
      }
    }
    Path temp = temp(target);
    try {
      write(temp, content);
      context.rename(hadoop(temp), hadoop(target), Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw failure("cannot write", target, e);
    }
  }

  @Override
  public boolean createAtomically(Path target, String content) {
    if (objectStore) {
      // S3A checks the key is free, then PUTs the whole object at close: no rename (a copy), and
      // no put-if-absent in S3A 3.3.4 either; the lease keeps each log to one writer.
      try {
        write(target, content);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (IOException e) {
        throw failure("cannot write", target, e);
      }
    }
    Path temp = temp(target);
    try {
      write(temp, content);
      context.rename(hadoop(temp), hadoop(target), Options.Rename.NONE);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw failure("cannot write", target, e);
    } finally {
      try {
        fs.delete(hadoop(temp), false);
      } catch (IOException e) {
        // a leftover hidden temporary file: removed with its folder's next clean-up
      }
    }
  }

  private void write(Path file, String content) throws IOException {
    try (FSDataOutputStream out = fs.create(hadoop(file), false)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static Path temp(Path target) {
    return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  @Override
  public String read(Path file) {
    try (var in = fs.open(hadoop(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw failure("cannot read", file, e);
    }
  }

  @Override
  public void delete(Path path) {
    try {
      fs.delete(hadoop(path), true);
    } catch (IOException e) {
      throw failure("cannot delete", path, e);
    }
  }

  @Override
  public long modifiedMillis(Path file) {
    try {
      return fs.getFileStatus(hadoop(file)).getModificationTime();
    } catch (IOException e) {
      throw failure("cannot read", file, e);
    }
  }

  @Override
  public JobLock lock(Path lockFile, String job) {
    return LeaseLock.acquire(this, lockFile, job); // no OS lock reaches a NameNode's files
  }

  @Override
  public void requireWritableDirectory(Path root) {
    Path existing = root;
    try {
      while (existing != null && !fs.exists(hadoop(existing))) {
        existing = existing.getParent();
      }
      if (existing == null) {
        throw new UserError("lake path " + location(root) + " has no existing parent directory");
      }
      FileStatus status = fs.getFileStatus(hadoop(existing));
      if (!status.isDirectory()) {
        throw new UserError(
            existing.equals(root)
                ? "lake path " + location(root) + " is a file, not a directory"
                : "lake path "
                    + location(root)
                    + " lies under "
                    + location(existing)
                    + ", which is a file");
      }
      fs.access(hadoop(existing), org.apache.hadoop.fs.permission.FsAction.WRITE);
    } catch (AccessControlException e) {
      throw new UserError("lake path " + location(existing) + " is not writable: " + oneLine(e));
    } catch (IOException e) {
      RuntimeException failure = failure("cannot reach", root, e);
      throw failure instanceof UserError
          ? failure
          : new UserError(failure.getMessage() + ": " + oneLine(e));
    }
  }

  private RuntimeException failure(String what, Path path, IOException e) {
    if (e instanceof AccessControlException) {
      return new UserError(what + " " + location(path) + ": permission denied");
    }
    Throwable unreachable = unreachable(e);
    if (unreachable != null) {
      return new UserError(
          "cannot reach the NameNode of "
              + fileSystem
              + ": "
              + unreachable.getMessage()
              + " (is it running? ./run.sh hdfs start starts ours)");
    }
    return new UncheckedIOException(what + " " + location(path), e);
  }

  /** What says the NameNode could not be reached at all (as against a failed call), or null. */
  private static Throwable unreachable(Throwable e) {
    Throwable cause = null; // the innermost: Hadoop wraps it in one of its own type, with advice
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException) {
        cause = t;
      }
    }
    return cause;
  }

  /** The first line of a Hadoop exception's message (its messages run on with advice and URLs). */
  static String oneLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
