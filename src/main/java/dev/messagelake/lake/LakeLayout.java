package dev.messagelake.lake;

import java.nio.file.Path;
import java.util.List;

/** Where each table lives under a lake root (the layout of docs/LAKE.md), defined once. */
public final class LakeLayout {
  private final Path root;

  public LakeLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
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

  /** Spark/Hive convention: names starting with '.' or '_' are hidden from readers. */
  public static boolean isHidden(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") || name.startsWith("_");
  }
}
