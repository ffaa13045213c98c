package dev.messagelake.storage;

import dev.messagelake.cli.JobFailed;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.io.InputFile;

/**
 * Every file-system call the jobs make on a lake: listing, atomic publication, atomic replace,
 * deletion and the single-writer lock. The commit protocols rest on two promises of an
 * implementation: {@link #rename} is atomic and never overwrites, and {@link #writeAtomically}
 * shows a reader the old content or the new, never part of it.
 */
public interface LakeStorage {
  /** The local file system (java.nio; a rename within one file system is atomic). */
  static LakeStorage local() {
    return LocalStorage.INSTANCE;
  }

  /**
   * A Hadoop file system ({@code hdfs://namenode:port}) through Hadoop's FileSystem API, with the
   * client configuration {@code conf} (HDFS's rename is atomic).
   */
  static LakeStorage hadoop(URI fileSystem, Configuration conf) {
    return new HadoopStorage(fileSystem, conf);
  }

  /** The Hadoop client configuration for {@code fileSystem}: {@code HADOOP_CONF_DIR}'s files. */
  static Configuration hadoopConfiguration(URI fileSystem) {
    return HadoopStorage.clientConfiguration(fileSystem);
  }

  /** What Beam's IOs and parquet's readers open for {@code path}: a local path, or a URI. */
  default String location(Path path) {
    return path.toString();
  }

  /** The lake path of a {@link #location} (such as a file a Beam IO reports written). */
  default Path path(String location) {
    return Path.of(location);
  }

  /**
   * The Hadoop client configuration of this file system, for the libraries that open the lake
   * through Hadoop's API (Delta Kernel).
   */
  Configuration hadoopConfiguration();

  /** A lake path as a fully qualified Hadoop URI ({@code file:/...}, {@code hdfs://...}). */
  default String hadoopLocation(Path path) {
    return location(path);
  }

  /**
   * False on an object store (S3), where a rename is a copy and a listing is no commit: jobs there
   * write files straight to their final names, and a log entry commits them.
   */
  default boolean renamesAtomically() {
    return true;
  }

  /** A parquet file of the lake, for the driver's footer reads. */
  InputFile inputFile(Path file);

  boolean exists(Path path);

  boolean isDirectory(Path path);

  /** Everything directly inside {@code dir}, sorted by name (nothing if it does not exist). */
  List<Path> list(Path dir);

  /** The regular files directly inside {@code dir}, sorted by name. */
  List<Path> listFiles(Path dir);

  /** Every regular file anywhere under {@code dir}, hidden ones included, sorted. */
  List<Path> filesUnder(Path dir);

  void createDirectories(Path dir);

  /** Moves a finished file under its final name in one step; refuses to overwrite. */
  void rename(Path source, Path target);

  /** Replaces {@code target} with {@code content}: a reader sees the old or the new, never half. */
  void writeAtomically(Path target, String content);

  /** Creates {@code target} with {@code content}, atomically; false if it already exists. */
  boolean createAtomically(Path target, String content);

  String read(Path file);

  /** Deletes a file or a folder with everything in it; nothing if it does not exist. */
  void delete(Path path);

  long modifiedMillis(Path file);

  /** Takes the lock {@code lockFile} for {@code job}, or fails naming the holder. */
  JobLock lock(Path lockFile, String job);

  /**
   * Checks, before anything is written, that {@code root} can hold a lake: a folder we may write
   * to, or a path whose nearest existing parent is one.
   */
  void requireWritableDirectory(Path root);

  /** The files anywhere under {@code dir} a reader sees (none hidden below it), sorted. */
  default List<Path> visibleFilesUnder(Path dir) {
    return filesUnder(dir).stream().filter(f -> !hiddenBelow(dir, f)).collect(Collectors.toList());
  }

  /** The visible parquet files anywhere under {@code dir}, sorted. */
  default List<Path> parquetFilesUnder(Path dir) {
    return visibleFilesUnder(dir).stream()
        .filter(f -> f.getFileName().toString().endsWith(".parquet"))
        .collect(Collectors.toList());
  }

  /**
   * The failure of a job whose workers wrote {@code location} and whose driver does not find it: on
   * a cluster, a local lake's files are written on each worker's own disk.
   */
  static JobFailed writtenWhereTheDriverCannotSee(String location) {
    return new JobFailed(
        "the workers' output "
            + location
            + " is not where this driver reads it: on a cluster whose workers have disks of their"
            + " own, put the lake where all of them see it (--lake=hdfs://namenode:port/path)");
  }

  /** Spark/Hive convention: names starting with '.' or '_' are hidden from readers. */
  static boolean isHidden(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") || name.startsWith("_");
  }

  /** True when a path component below {@code root} is hidden. */
  static boolean hiddenBelow(Path root, Path file) {
    for (Path part : root.relativize(file)) {
      if (isHidden(part)) {
        return true;
      }
    }
    return false;
  }
}
