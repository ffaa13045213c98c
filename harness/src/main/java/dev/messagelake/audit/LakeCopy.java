package dev.messagelake.audit;

import dev.messagelake.contract.LakeLayout;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.table.DeltaTable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;

/**
 * A local copy of a lake on HDFS or S3, for the audits (DuckDB reads local files). On an object
 * store silver writes its files in place, so a table's folder also holds the files of attempts that
 * never committed (vacuum's to remove): the copy keeps only the files the newest version of each
 * table's Delta log lists, what a reader through the log reads.
 */
public final class LakeCopy {
  /** The copy, and the silver files left out as in no version of their table. */
  public final LakeLayout lake;

  public final long uncommittedLeftOut;

  private LakeCopy(LakeLayout lake, long uncommittedLeftOut) {
    this.lake = lake;
    this.uncommittedLeftOut = uncommittedLeftOut;
  }

  /** Copies the lake at {@code uri} (hdfs:// or s3a://) into {@code into}/lake. */
  public static LakeCopy of(String uri, LakeLayout remote, Path into) throws IOException {
    URI lake = URI.create(uri);
    try (FileSystem fs =
        FileSystem.newInstance(
            lake,
            LakeStorage.hadoopConfiguration(
                URI.create(lake.getScheme() + "://" + lake.getAuthority())))) {
      fs.copyToLocalFile(
          false,
          new org.apache.hadoop.fs.Path(lake),
          new org.apache.hadoop.fs.Path(into.resolve("lake").toUri()),
          true);
    }
    LakeLayout local = new LakeLayout(into.resolve("lake"));
    long leftOut = 0;
    if (!remote.storage().renamesAtomically()) {
      for (Path table : local.silverTables()) {
        if (!Files.exists(table)) {
          continue;
        }
        Set<Path> listed =
            DeltaTable.at(LakeStorage.local(), table).files().stream()
                .map(f -> f.path)
                .collect(Collectors.toSet());
        for (Path file : LakeStorage.local().visibleFilesUnder(table)) {
          if (!listed.contains(file) && !SilverTables.inLog(table, file)) {
            Files.delete(file);
            leftOut++;
          }
        }
      }
    }
    return new LakeCopy(local, leftOut);
  }
}
