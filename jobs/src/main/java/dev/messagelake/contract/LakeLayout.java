package dev.messagelake.contract;

import dev.messagelake.cli.UserError;
import dev.messagelake.storage.LakeStorage;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where each table lives under a lake root (the layout of docs/LAKE.md), defined once. */
public final class LakeLayout {
  private final Path root;
  private final LakeStorage storage;

  public LakeLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.storage = LakeStorage.local();
  }

  /**
   * The lake that {@code --lake} names: a local path or a {@code file://} URI. Any other scheme
   * ({@code s3://}, {@code hdfs://}) is refused before anything is written, where java.nio would
   * have made a local folder named after the scheme.
   */
  public static LakeLayout of(LakeOptions options) {
    String lake = options.getLake();
    Matcher scheme = SCHEME.matcher(lake);
    if (!scheme.find()) {
      return new LakeLayout(Path.of(lake));
    }
    if (!scheme.group(1).equalsIgnoreCase("file")) {
      throw new UserError(
          "--lake="
              + lake
              + ": the lake must be on a local disk (a path or a"
              + " file:// URI); "
              + scheme.group(1)
              + ":// storage is not supported yet");
    }
    try {
      return new LakeLayout(Path.of(URI.create(lake)));
    } catch (IllegalArgumentException e) {
      throw new UserError("--lake=" + lake + ": not a usable file:// URI (" + e.getMessage() + ")");
    }
  }

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");

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

  public Path silverMessagesData() {
    return root.resolve("silver").resolve("messages").resolve("data");
  }

  public Path silverCorruptedData() {
    return root.resolve("silver").resolve("messages_corrupted").resolve("data");
  }

  /** Both silver tables' data folders: valid, then corrupted. */
  public List<Path> silverTables() {
    return List.of(silverMessagesData(), silverCorruptedData());
  }

  public Path silverCheckpoint() {
    return root.resolve("silver").resolve("checkpoint");
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
        : absolute.toString();
  }
}
