package dev.messagelake.audit;

import dev.messagelake.contract.LakeLayout;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The lake read as a Spark user reads it: {@code spark.read.parquet(<table folder>)}, partitions
 * discovered from the folder names, hidden names skipped.
 */
public final class SparkReads {
  private SparkReads() {}

  private static SparkSession spark() {
    return SparkSession.builder()
        .master("local[1]")
        .appName("lake-read")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate();
  }

  /** The rows Spark reads from a table folder of the lake (local, or on HDFS). */
  public static long rows(LakeLayout lake, Path table) {
    return spark().read().parquet(lake.storage().location(table)).count();
  }

  /** The rows whose discovered {@code date} partition is not the UTC date of their timestamp. */
  public static long rowsInTheWrongDatePartition(LakeLayout lake, Path table) {
    Dataset<Row> rows = spark().read().parquet(lake.storage().location(table));
    return rows.where("date IS NULL OR date <> to_date(timestamp)").count();
  }
}
