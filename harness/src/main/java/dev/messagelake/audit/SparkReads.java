package dev.messagelake.audit;

import dev.messagelake.contract.LakeLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The lake read as a Spark user reads it: {@code spark.read.parquet(<table folder>)}, partitions
 * discovered from the folder names, hidden names skipped; the silver tables also through their
 * Delta log ({@code spark.read.format("delta")}).
 */
public final class SparkReads {
  private SparkReads() {}

  private static SparkSession spark() {
    return SparkSession.builder()
        .master("local[1]")
        .appName("lake-read")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
  }

  /** The rows Spark reads from a table folder of the lake (local, or on HDFS). */
  public static long rows(LakeLayout lake, Path table) {
    return spark().read().parquet(lake.storage().location(table)).count();
  }

  /** The rows of a silver table's newest version, read through its Delta log. */
  public static long deltaRows(LakeLayout lake, Path table) {
    return delta(lake, table).count();
  }

  /** The same for the table at {@code location} (a URI, such as {@code s3a://...}). */
  public static long deltaRows(String location) {
    return spark().read().format("delta").load(location).count();
  }

  /** The rows of version {@code version} of the table at {@code location} (time travel). */
  public static long deltaRowsAt(String location, long version) {
    // A filter, so that Spark reads the files: a bare count is answered from the log's stats.
    return spark()
        .read()
        .format("delta")
        .option("versionAsOf", version)
        .load(location)
        .where("value >= 0")
        .count();
  }

  /** The rows of the parquet files under {@code location}, partitions discovered. */
  public static long rows(String location) {
    return spark().read().parquet(location).count();
  }

  /**
   * Gives Spark's Hadoop client the {@code fs.s3a.} settings of {@code conf} (an S3 server's
   * endpoint and credentials), as a user's {@code spark.hadoop.fs.s3a.*} settings do.
   */
  public static void useS3(Configuration conf) {
    Configuration spark = spark().sparkContext().hadoopConfiguration();
    for (Map.Entry<String, String> setting : conf) {
      if (setting.getKey().startsWith("fs.s3a.")) {
        spark.set(setting.getKey(), setting.getValue());
      }
    }
  }

  /**
   * The {@code value}s of version {@code version} of a silver table (Delta time travel), sorted.
   */
  public static List<Long> deltaValuesAt(LakeLayout lake, Path table, long version) {
    return spark()
        .read()
        .format("delta")
        .option("versionAsOf", version)
        .load(lake.storage().location(table))
        .select("value")
        .orderBy("value")
        .as(Encoders.LONG())
        .collectAsList();
  }

  /** A silver table read through its Delta log: {@code spark.read.format("delta").load(...)}. */
  public static Dataset<Row> delta(LakeLayout lake, Path table) {
    return spark().read().format("delta").load(lake.storage().location(table));
  }

  /** The rows whose discovered {@code date} partition is not the UTC date of their timestamp. */
  public static long rowsInTheWrongDatePartition(LakeLayout lake, Path table) {
    Dataset<Row> rows = spark().read().parquet(lake.storage().location(table));
    return rows.where("date IS NULL OR date <> to_date(timestamp)").count();
  }
}
