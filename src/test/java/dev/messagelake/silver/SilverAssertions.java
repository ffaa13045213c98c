package dev.messagelake.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.lake.Countries;
import dev.messagelake.lake.DuckDb;
import dev.messagelake.lake.LakeLayout;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Silver against bronze, row for row, computed independently with DuckDB SQL. */
public final class SilverAssertions {
  private SilverAssertions() {}

  /**
   * Every bronze row is in exactly one silver table, once, on the right side of the split, in
   * the partition of its UTC date, with its country and its other columns unchanged. Returns the
   * number of rows.
   */
  public static long assertSilverMatchesBronze(LakeLayout lake) {
    String countries =
        Countries.bundled().entrySet().stream()
            .map(e -> "(" + e.getKey() + ", '" + e.getValue() + "')")
            .collect(Collectors.joining(", "));
    String sql =
        "WITH bronze AS (SELECT * FROM " + DuckDb.parquetUnder(lake.bronzeData()) + "),"
            + " countries(country_id, country) AS (VALUES " + countries + "),"
            + " silver AS ("
            + "   SELECT *, false AS corrupted FROM read_parquet('" + lake.silverMessagesData()
            + "/**/*.parquet', hive_partitioning = true)"
            + "   UNION ALL SELECT *, true FROM read_parquet('" + lake.silverCorruptedData()
            + "/**/*.parquet', hive_partitioning = true)),"
            + " expected AS (SELECT b.*, c.country,"
            + "   (b.event_type IS NULL OR b.event_type IN ('', 'NONE')) AS corrupted,"
            + "   CAST(timezone('UTC', b.timestamp) AS DATE) AS date"
            + "   FROM bronze b LEFT JOIN countries c USING (country_id))"
            + " SELECT count(*) FILTER (WHERE e.value IS NULL) AS extra,"
            + "   count(*) FILTER (WHERE s.value IS NULL) AS missing,"
            + "   count(*) FILTER (WHERE e.value IS NOT NULL AND s.value IS NOT NULL AND ("
            + "     e.timestamp <> s.timestamp OR e.event_type IS DISTINCT FROM s.event_type"
            + "     OR e.message_id IS DISTINCT FROM s.message_id OR e.channel IS DISTINCT FROM s.channel"
            + "     OR e.country_id IS DISTINCT FROM s.country_id OR e.user_id IS DISTINCT FROM s.user_id"
            + "     OR e.country IS DISTINCT FROM s.country OR e.corrupted <> s.corrupted"
            + "     OR e.date <> CAST(s.date AS DATE))) AS different,"
            + "   (SELECT count(*) FROM silver) - (SELECT count(DISTINCT value) FROM silver) AS duplicated,"
            + "   (SELECT count(*) FROM bronze) AS bronze_rows"
            + " FROM expected e FULL OUTER JOIN silver s USING (value)";
    try (DuckDb duckDb = new DuckDb()) {
      duckDb.execute("SET TimeZone = 'UTC'");
      List<Object> result = duckDb.rows(sql).get(0);
      Map<String, Long> counts =
          Map.of(
              "extra", ((Number) result.get(0)).longValue(),
              "missing", ((Number) result.get(1)).longValue(),
              "different", ((Number) result.get(2)).longValue(),
              "duplicated", ((Number) result.get(3)).longValue());
      assertEquals(Map.of("extra", 0L, "missing", 0L, "different", 0L, "duplicated", 0L), counts);
      return ((Number) result.get(4)).longValue();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
