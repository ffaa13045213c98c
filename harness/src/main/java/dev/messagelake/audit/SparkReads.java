package dev.messagelake.audit;

import dev.messagelake.contract.LakeLayout;
import java.nio.file.Path;
import java.util.List;
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
