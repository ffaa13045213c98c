package dev.messagelake.contract;

import dev.messagelake.cli.UserError;
import dev.messagelake.storage.LakeStorage;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.hdfs.HadoopFileSystemOptions;
import org.apache.hadoop.conf.Configuration;

/** Where each table lives under a lake root (the layout of docs/LAKE.md), defined once. */
public final class LakeLayout {
  private final Path root;
  private final LakeStorage storage;

  public LakeLayout(Path root) {
    this(root, LakeStorage.local());
  }

  private LakeLayout(Path root, LakeStorage storage) {
    this.root = root.toAbsolutePath().normalize();
    this.storage = storage;
  }

  /**
   * The lake that {@code --lake} names: a local path, a {@code file://} URI, {@code
   * hdfs://namenode:port/path} or {@code s3a://bucket/path}. Any other scheme is refused before
   * anything is written, where java.nio would have made a local folder named after it. For a lake
   * on HDFS or S3 the options also get its Hadoop client configuration: Beam's IOs, on the driver
   * and on every worker, open the lake's files through it (Hadoop's S3A for s3a://, not Beam's own
   * S3 file system).
   */
  public static LakeLayout of(LakeOptions options) {
    String lake = options.getLake();
    Matcher scheme = SCHEME.matcher(lake);
    if (!scheme.find()) {
      return new LakeLayout(Path.of(lake));
    }
    URI uri;
    try {
      uri = URI.create(lake);
    } catch (IllegalArgumentException e) {
      throw new UserError("--lake=" + lake + ": not a usable URI (" + e.getMessage() + ")");
    }
    switch (scheme.group(1).toLowerCase(Locale.ROOT)) {
      case "file":
        try {
          return new LakeLayout(Path.of(uri));
        } catch (IllegalArgumentException e) {
          throw new UserError(
              "--lake=" + lake + ": not a usable file:// URI (" + e.getMessage() + ")");
        }
      case "hdfs":
      case "s3a":
        return onHadoop(options, uri);
      case "s3":
      case "s3n":
        throw new UserError(
            "--lake="
                + lake
                + ": a lake on S3 is reached through Hadoop's S3A: write s3a://"
                + lake.substring(scheme.end()));
      default:
        throw new UserError(
            "--lake="
                + lake
                + ": the lake must be a local path, a file:// URI, hdfs://namenode:port/path or"
                + " s3a://bucket/path; "
                + scheme.group(1)
                + ":// storage is not supported yet");
    }
  }

  private static LakeLayout onHadoop(LakeOptions options, URI lake) {
    if (lake.getAuthority() == null || lake.getPath() == null || lake.getPath().length() < 2) {
      throw new UserError(
          "--lake="
              + lake
              + (lake.getScheme().equalsIgnoreCase("s3a")
                  ? ": name the bucket and a folder, as in s3a://lake/lake"
                  : ": name the NameNode and a folder, as in hdfs://127.0.0.1:9000/lake"));
    }
    URI fileSystem = URI.create(lake.getScheme() + "://" + lake.getAuthority());
    Configuration conf = LakeStorage.hadoopConfiguration(fileSystem);
    options.as(HadoopFileSystemOptions.class).setHdfsConfiguration(List.of(conf));
    FileSystems.setDefaultPipelineOptions(options);
    return new LakeLayout(Path.of(lake.getPath()), LakeStorage.hadoop(fileSystem, conf));
  }

  /** A location that starts with a URI scheme ({@code hdfs://}, {@code file://}). */
  static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");

  public Path root() {
    return root;
  }

  /** The file system the lake lives on: every job's file-system calls go through it. */
  public LakeStorage storage() {
    return storage;
  }

  public Path bronzeMessages() {
    return root.resolve("bronze").resolve("messages");
  }

  public Path bronzeData() {
    return bronzeMessages().resolve("data");
  }

  public Path bronzeCheckpoint() {
    return bronzeMessages().resolve("checkpoint");
  }

  public Path bronzeQuarantine() {
    return bronzeMessages().resolve("quarantine");
  }

  /** The silver layer: both tables, silver's checkpoint, the maintenance lock. */
  public Path silver() {
    return root.resolve("silver");
  }

  public Path silverMessagesData() {
    return silver().resolve("messages").resolve("data");
  }

  public Path silverCorruptedData() {
    return silver().resolve("messages_corrupted").resolve("data");
  }

  /** Both silver tables' data folders: valid, then corrupted. */
  public List<Path> silverTables() {
    return List.of(silverMessagesData(), silverCorruptedData());
  }

  public Path silverCheckpoint() {
    return silver().resolve("checkpoint");
  }

  /** The lock of the silver tables' maintenance jobs (compact, vacuum): one at a time. */
  public Path silverMaintenanceLock() {
    return silver().resolve("maintenance.lock");
  }

  public Path goldDailyChannelEvents() {
    return root.resolve("gold").resolve("daily_channel_events");
  }

  public Path goldUserChannelActivity() {
    return root.resolve("gold").resolve("user_channel_activity");
  }

  /**
   * A path as our log lines show it: relative to the lake root, which the user gave (a full path
   * repeated on every line hid what changed); whole when it is the root or outside the lake.
   */
  public String display(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    return absolute.startsWith(root) && !absolute.equals(root)
        ? root.relativize(absolute).toString()
        : storage.location(absolute);
  }

  /**
   * A new folder for what a job's workers hand to its driver (a report, the files written): in the
   * lake, hidden, as every worker sees the lake and none need see the driver's disk.
   */
  public Path work(String job) {
    return root.resolve("_work").resolve(job + "-" + UUID.randomUUID());
  }
}
