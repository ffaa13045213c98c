package dev.messagelake.bronze;

import static dev.messagelake.bronze.BronzeLakeAssertions.assertValuesZeroToNOnce;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.messagelake.audit.DuckDb;
import dev.messagelake.audit.LakeAudit;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real producer on a temp lake and reads the lake back with DuckDB. */
class BronzeProducerEndToEndTest {
  @TempDir Path lakeRoot;

  private LakeLayout lake() {
    return new LakeLayout(lakeRoot);
  }

  private void produce(String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--lake=" + lakeRoot,
                "--rowsPerSecond=20",
                "--enforceImmutability=false",
                "--enforceEncodability=false"));
    args.addAll(List.of(extra));
    BronzeProducer.run(JobLauncher.parse(args, BronzeProducer.Options.class));
  }

  @Test
  void writesTheContractSchemaAndEveryValueOnce() throws Exception {
    long before = System.currentTimeMillis();
    produce("--durationSeconds=3");
    long after = System.currentTimeMillis();

    long rows = assertValuesZeroToNOnce(lake());
    // 20 rows/s for 3 s, the window open at the stop drained.
    assertThat(rows, greaterThanOrEqualTo(40L));
    assertEquals(List.of(), LakeAudit.visibleNow(lake()));
    assertFalse(Files.exists(lake().bronzeCheckpoint().resolve("staging")), "staging left behind");
    assertEquals(
        rows,
        new BatchLog(LakeStorage.local(), lake().bronzeCheckpoint().resolve("commits"))
            .latest()
            .orElseThrow()
            .getLong("nextValue"));

    try (DuckDb duckDb = new DuckDb()) {
      String bronze = DuckDb.parquetUnder(lake().bronzeData());
      assertEquals(
          List.of(
              List.of("timestamp", "TIMESTAMP WITH TIME ZONE"),
              List.of("value", "BIGINT"),
              List.of("event_type", "VARCHAR"),
              List.of("message_id", "VARCHAR"),
              List.of("channel", "VARCHAR"),
              List.of("country_id", "INTEGER"),
              List.of("user_id", "INTEGER")),
          duckDb.rows(
              "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + bronze + ")"));
      // Timestamps are UTC-adjusted millis, as the contract says (parquet-level check).
      Path anyFile = Files.list(lake().bronzeData()).findFirst().orElseThrow();
      assertEquals(
          List.of(List.of("INT64", "TIMESTAMP_MILLIS", true)),
          duckDb.rows(
              "SELECT type, converted_type, logical_type LIKE '%isAdjustedToUTC=1%'"
                  + " FROM parquet_schema('"
                  + anyFile
                  + "') WHERE name = 'timestamp'"));
      assertEquals(
          0L,
          duckDb.count(
              "SELECT count(*) FROM "
                  + bronze
                  + " WHERE event_type NOT IN "
                  + "('OPEN','RECEIVED','SENT','CREATED','CLICKED','','NONE')"
                  + " OR channel NOT IN ('CHAT','EMAIL','SMS','PUSH','OTHER')"
                  + " OR country_id NOT BETWEEN 2000 AND 2015 OR user_id NOT BETWEEN 1000 AND 1050"
                  + " OR message_id IS NULL"));
      assertThat(
          duckDb.count("SELECT count(DISTINCT message_id) FROM " + bronze), greaterThan(10L));
      assertThat(duckDb.count("SELECT count(DISTINCT event_type) FROM " + bronze), greaterThan(3L));
      // Event time follows the sequence and lies within the run.
      List<List<Object>> times =
          duckDb.rows("SELECT min(timestamp), max(timestamp) FROM " + bronze);
      assertThat(epochMillis(times.get(0).get(0)), greaterThanOrEqualTo(before));
      assertThat(after + 2000, greaterThanOrEqualTo(epochMillis(times.get(0).get(1))));
      assertEquals(
          0L,
          duckDb.count(
              "SELECT count(*) FROM (SELECT timestamp < lag(timestamp) OVER (ORDER BY value) AS"
                  + " back FROM "
                  + bronze
                  + ") WHERE back"));
    }
  }

  @Test
  void aSecondRunContinuesTheSequenceAndResetStartsOver() throws Exception {
    produce("--durationSeconds=2");
    long first = assertValuesZeroToNOnce(lake());
    produce("--durationSeconds=2");
    long both = assertValuesZeroToNOnce(lake());
    assertThat(both, greaterThan(first));
    assertEquals(List.of(), LakeAudit.visibleNow(lake()));

    Files.writeString(lakeRoot.resolve("keep.txt"), "not bronze");
    long resetAt = System.currentTimeMillis();
    produce("--durationSeconds=1", "--reset");
    assertValuesZeroToNOnce(lake());
    try (DuckDb duckDb = new DuckDb()) {
      assertEquals(
          0L,
          duckDb.count(
              "SELECT count(*) FROM "
                  + DuckDb.parquetUnder(lake().bronzeData())
                  + " WHERE epoch_ms(timestamp) < "
                  + resetAt));
    }
    assertEquals("not bronze", Files.readString(lakeRoot.resolve("keep.txt")));
  }

  private static long epochMillis(Object timestamp) {
    if (timestamp instanceof java.time.OffsetDateTime) {
      return ((java.time.OffsetDateTime) timestamp).toInstant().toEpochMilli();
    }
    return ((Timestamp) timestamp).getTime();
  }
}
