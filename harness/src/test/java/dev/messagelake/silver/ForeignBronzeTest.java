package dev.messagelake.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.audit.DuckDb;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.NanoTime;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bronze written by other engines goes through silver and reconciles: DuckDB's micros with and
 * without time zone, millis, a null country_id, and Spark's INT96 timestamps.
 */
class ForeignBronzeTest {
  @TempDir Path lakeRoot;

  // 2024-12-31 23:59:59.500 UTC: a row whose date depends on reading the timestamp right.
  private static final long LATE_MILLIS = 1_735_689_599_500L;

  @Test
  void bronzeFromDuckDbAndSparkGoesThroughSilverAndReconciles() throws Exception {
    LakeLayout lake = new LakeLayout(lakeRoot);
    Path data = lake.bronzeData();
    Files.createDirectories(data.resolve("from-duckdb"));
    try (DuckDb duckDb = new DuckDb()) {
      String rows =
          "SELECT * FROM (VALUES (0, 'OPEN', 'm-1', 'CHAT', 2000, 1001),(1, 'NONE', 'm-2', 'SMS',"
              + " NULL, 1002),(2, 'CLICKED', 'm-3', 'EMAIL', 2015, 1003)) t(value, event_type,"
              + " message_id, channel, country_id, user_id)";
      String timestamp = "TIMESTAMP '2024-12-31 23:59:59.5' + to_seconds(value)";
      duckDb.execute("SET TimeZone = 'UTC'");
      copy(
          duckDb,
          "SELECT ("
              + timestamp
              + ")::TIMESTAMPTZ AS timestamp, value::BIGINT AS value, event_type, message_id,"
              + " channel, country_id::INTEGER AS country_id, user_id::INTEGER AS user_id FROM ("
              + rows
              + ")",
          data.resolve("from-duckdb/micros-utc.parquet"));
      copy(
          duckDb,
          "SELECT "
              + timestamp
              + " AS timestamp, (value + 3)::BIGINT AS value, event_type, message_id, channel,"
              + " country_id::INTEGER AS country_id, user_id::INTEGER AS user_id FROM ("
              + rows
              + ")",
          data.resolve("micros-local.parquet"));
      copy(
          duckDb,
          "SELECT ("
              + timestamp
              + ")::TIMESTAMP_MS AS timestamp, (value + 6)::BIGINT AS value, event_type,"
              + " message_id, channel, country_id::INTEGER AS country_id, user_id::INTEGER AS"
              + " user_id FROM ("
              + rows
              + ")",
          data.resolve("millis.parquet"));
    }
    writeInt96(data.resolve("spark-int96.parquet"), 9);

    assertEquals(0, silver("--catchUp"));
    assertEquals(0, check());

    try (DuckDb duckDb = new DuckDb()) {
      String silverTables =
          "(SELECT *, false AS corrupted FROM read_parquet('"
              + lake.silverMessagesData()
              + "/date=*/*.parquet', hive_partitioning = true)"
              + " UNION ALL SELECT *, true FROM read_parquet('"
              + lake.silverCorruptedData()
              + "/date=*/*.parquet', hive_partitioning = true))";
      List<List<Object>> rows =
          duckDb.rows(
              "SELECT value, epoch_ms(timestamp), CAST(date AS VARCHAR), corrupted, country,"
                  + " country_id FROM "
                  + silverTables
                  + " ORDER BY value");
      List<List<Object>> expected = new ArrayList<>();
      String[] countries = {"Brazil", null, "Argentina"};
      Integer[] ids = {2000, null, 2015};
      for (int value = 0; value < 12; value++) {
        int i = value % 3;
        long millis = LATE_MILLIS + i * 1000L;
        expected.add(
            java.util.Arrays.asList(
                (long) value,
                millis,
                i == 0 ? "2024-12-31" : "2025-01-01",
                i == 1,
                countries[i],
                ids[i]));
      }
      assertEquals(expected, rows);
    }
  }

  private static void copy(DuckDb duckDb, String select, Path file) {
    duckDb.execute("COPY (" + select + ") TO '" + file + "' (FORMAT parquet)");
  }

  /** What Spark writes by default: timestamps as INT96, every column optional. */
  private static void writeInt96(Path file, long firstValue) throws Exception {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message spark_schema { optional int96 timestamp; optional int64 value; optional binary"
                + " event_type (UTF8); optional binary message_id (UTF8); optional binary channel"
                + " (UTF8); optional int32 country_id; optional int32 user_id; }");
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    conf.setBoolean("fs.file.impl.disable.cache", true);
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    String[] types = {"OPEN", "NONE", "CLICKED"};
    String[] channels = {"CHAT", "SMS", "EMAIL"};
    Integer[] countries = {2000, null, 2015};
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(conf)
            .withType(schema)
            .build()) {
      for (int i = 0; i < 3; i++) {
        long millis = LATE_MILLIS + i * 1000L;
        long epochDay = Math.floorDiv(millis, 86_400_000L);
        long nanosOfDay = Math.floorMod(millis, 86_400_000L) * 1_000_000L;
        Group row = groups.newGroup();
        row.add("timestamp", new NanoTime((int) (epochDay + 2_440_588L), nanosOfDay));
        row.add("value", firstValue + i);
        row.add("event_type", types[i]);
        row.add("message_id", "m-" + (i + 1));
        row.add("channel", channels[i]);
        if (countries[i] != null) {
          row.add("country_id", countries[i]);
        }
        row.add("user_id", 1001 + i);
        writer.write(row);
      }
    }
  }

  private int silver(String... extra) {
    List<String> args = new ArrayList<>(List.of("--lake=" + lakeRoot));
    args.addAll(List.of(extra));
    return JobLauncher.run(
        "silver", args.toArray(new String[0]), SilverJob.Options.class, SilverJob::run);
  }

  private int check() {
    return JobLauncher.run(
        "check", new String[] {"--lake=" + lakeRoot}, LakeCheck.Options.class, LakeCheck::run);
  }
}
