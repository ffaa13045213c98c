package dev.messagelake.silver;

import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.ParquetFooters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bronze files silver cannot read (truncated, not parquet, or without the bronze columns) are moved
 * aside to {@code bronze/messages/quarantine}, with the reason beside them, so that one bad file
 * neither stops the stream nor is silently skipped: {@code ./run.sh check} reports them.
 */
public final class Quarantine {
  private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
  static final String REASON_SUFFIX = ".reason.txt";

  /** Column -> the parquet physical types silver can read for it. */
  private static final Map<String, List<PrimitiveTypeName>> READABLE =
      Map.of(
          LakeSchemas.TIMESTAMP, List.of(PrimitiveTypeName.INT64, PrimitiveTypeName.INT96),
          LakeSchemas.VALUE, List.of(PrimitiveTypeName.INT64, PrimitiveTypeName.INT32),
          LakeSchemas.EVENT_TYPE, List.of(PrimitiveTypeName.BINARY),
          LakeSchemas.MESSAGE_ID, List.of(PrimitiveTypeName.BINARY),
          LakeSchemas.CHANNEL, List.of(PrimitiveTypeName.BINARY),
          LakeSchemas.COUNTRY_ID, List.of(PrimitiveTypeName.INT32, PrimitiveTypeName.INT64),
          LakeSchemas.USER_ID, List.of(PrimitiveTypeName.INT32, PrimitiveTypeName.INT64));

  private final LakeLayout layout;

  public Quarantine(LakeLayout layout) {
    this.layout = layout;
  }

  /** The files (relative to bronze data) that silver can read; the others are moved aside. */
  public List<Path> screen(List<Path> bronzeFiles) {
    List<Path> readable = new ArrayList<>(bronzeFiles.size());
    for (Path file : bronzeFiles) {
      String problem = problem(layout.storage(), layout.bronzeData().resolve(file));
      if (problem == null) {
        readable.add(file);
      } else {
        moveAside(file, problem);
      }
    }
    return readable;
  }

  /** The quarantined files (the .reason.txt beside each left out). */
  public static List<Path> quarantined(LakeLayout layout) {
    return layout.storage().parquetFilesUnder(layout.bronzeQuarantine());
  }

  /** Why silver cannot read the file, or null when it can. */
  static String problem(LakeStorage storage, Path file) {
    MessageType schema;
    try {
      schema = ParquetFooters.schema(storage, file);
    } catch (IOException | RuntimeException e) {
      return "not a readable parquet file (truncated or another format): " + e.getMessage();
    }
    for (Map.Entry<String, List<PrimitiveTypeName>> column : READABLE.entrySet()) {
      if (!schema.containsField(column.getKey())) {
        return "no column " + column.getKey() + " (bronze columns: " + READABLE.keySet() + ")";
      }
      Type type = schema.getType(column.getKey());
      if (!type.isPrimitive()
          || !column.getValue().contains(((PrimitiveType) type).getPrimitiveTypeName())) {
        return "column " + column.getKey() + " is " + type + ", not one of " + column.getValue();
      }
    }
    return null;
  }

  private void moveAside(Path file, String problem) {
    Path target = layout.bronzeQuarantine().resolve(file.toString());
    // a file of that name quarantined before keeps its place: this one goes beside it
    String name = file.getFileName().toString().replaceFirst("\\.parquet$", "");
    for (int copy = 2; layout.storage().exists(target); copy++) {
      target = target.resolveSibling(name + "." + copy + ".parquet");
    }
    layout.storage().createDirectories(target.getParent());
    layout
        .storage()
        .writeAtomically(
            target.resolveSibling(target.getFileName() + REASON_SUFFIX), problem + "\n");
    layout.storage().rename(layout.bronzeData().resolve(file), target);
    LOG.error(
        "silver: quarantined bronze file {}: {} (moved to {})",
        file,
        problem,
        layout.display(target));
  }
}
