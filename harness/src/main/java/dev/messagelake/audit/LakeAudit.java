package dev.messagelake.audit;

import dev.messagelake.bronze.BronzeCheckpoint;
import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.silver.SilverCheckpoint;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.LakeStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * An audit of a lake that trusts none of the lake's own code: DuckDB reads the parquet files as any
 * user would ({@code **}{@code /*.parquet} globs, hive partition discovery) and recomputes silver
 * from bronze and the gold reports from silver in its own SQL. Only the commit logs are taken from
 * the lake, to tell committed files from orphans.
 */
public final class LakeAudit {
  private LakeAudit() {}

  /** Bronze's values: exactly 0..N-1, each once, when {@code lost} and {@code duplicated} are 0. */
  public static final class BronzeValues {
    public final long rows;
    public final long lost;
    public final long duplicated;

    BronzeValues(long rows, long lost, long duplicated) {
      this.rows = rows;
      this.lost = lost;
      this.duplicated = duplicated;
    }
  }

  public static BronzeValues bronzeValues(LakeLayout lake) {
    try (DuckDb duckDb = new DuckDb()) {
      if (lake.storage().parquetFilesUnder(lake.bronzeData()).isEmpty()) {
        return new BronzeValues(0, 0, 0);
      }
      List<Object> row =
          duckDb
              .rows(
                  "SELECT count(*), count(DISTINCT value), coalesce(max(value) + 1, 0) FROM "
                      + DuckDb.parquetUnder(lake.bronzeData()))
              .get(0);
      long rows = ((Number) row.get(0)).longValue();
      long distinct = ((Number) row.get(1)).longValue();
      long expected = ((Number) row.get(2)).longValue(); // values 0..max should all be there
      return new BronzeValues(rows, expected - distinct, rows - distinct);
    }
  }

  /**
   * Silver against bronze, row for row: how many bronze rows silver misses, holds twice, holds
   * without a bronze row (extra), or holds with any difference (side of the split, UTC date
   * partition, country, any column). All zero when silver is exactly right.
   */
  public static Map<String, Long> silverAgainstBronze(LakeLayout lake) {
    String countries =
        Countries.bundled().entrySet().stream()
            .map(e -> "(" + e.getKey() + ", '" + e.getValue().replace("'", "''") + "')")
            .collect(Collectors.joining(", "));
    String sql =
        "WITH bronze AS (SELECT * FROM "
            + DuckDb.parquetUnder(lake.bronzeData())
            + "),"
            + " countries(country_id, country) AS (VALUES "
            + countries
            + "),"
            + " silver AS ("
            + "   SELECT *, false AS corrupted FROM "
            + hivePartitioned(lake.silverMessagesData())
            + "   UNION ALL SELECT *, true FROM "
            + hivePartitioned(lake.silverCorruptedData())
            + "), expected AS (SELECT b.*, c.country,   (b.event_type IS NULL OR b.event_type IN"
            + " ('', 'NONE')) AS corrupted,   CAST(timezone('UTC', b.timestamp) AS DATE) AS date  "
            + " FROM bronze b LEFT JOIN countries c USING (country_id)) SELECT count(*) FILTER"
            + " (WHERE e.value IS NULL) AS extra,   count(*) FILTER (WHERE s.value IS NULL) AS"
            + " missing,   count(*) FILTER (WHERE e.value IS NOT NULL AND s.value IS NOT NULL AND ("
            + "     e.timestamp <> s.timestamp OR e.event_type IS DISTINCT FROM s.event_type     OR"
            + " e.message_id IS DISTINCT FROM s.message_id OR e.channel IS DISTINCT FROM s.channel "
            + "    OR e.country_id IS DISTINCT FROM s.country_id OR e.user_id IS DISTINCT FROM"
            + " s.user_id     OR e.country IS DISTINCT FROM s.country OR e.corrupted <> s.corrupted"
            + "     OR e.date <> CAST(s.date AS DATE))) AS different,   (SELECT count(*) FROM"
            + " silver) - (SELECT count(DISTINCT value) FROM silver) AS duplicated FROM expected e"
            + " FULL OUTER JOIN silver s USING (value)";
    try (DuckDb duckDb = new DuckDb()) {
      duckDb.execute("SET TimeZone = 'UTC'");
      List<Object> row = duckDb.rows(sql).get(0);
      Map<String, Long> counts = new LinkedHashMap<>();
      String[] names = {"extra", "missing", "different", "duplicated"};
      for (int i = 0; i < names.length; i++) {
        counts.put(names[i], ((Number) row.get(i)).longValue());
      }
      return counts;
    }
  }

  /**
   * Files in the data folders that no commit published: temporary, partial or orphan files a reader
   * would see (hidden ones included: a glob may still pick them up).
   */
  public static List<Path> uncommittedFiles(LakeLayout lake) {
    List<Path> found = new ArrayList<>();
    for (Path file : lake.storage().filesUnder(lake.bronzeData())) {
      if (!lake.bronzeData().equals(file.getParent())
          || BronzeCheckpoint.valuesInName(file.getFileName().toString()) == null) {
        found.add(file);
      }
    }
    found.addAll(SilverCheckpoint.commitLog(lake).unlistedFiles(lake, true));
    return found;
  }

  /**
   * What a reader listing the data folders sees at this moment, while the jobs run: bronze one
   * contiguous run of committed files from value 0, and no silver file that is neither committed
   * nor part of a commit under way. Returns the problems seen (none when all is well).
   */
  public static List<String> visibleNow(LakeLayout lake) {
    List<String> problems = new ArrayList<>();
    long next = 0;
    for (Path file : lake.storage().listFiles(lake.bronzeData())) {
      long[] range = BronzeCheckpoint.valuesInName(file.getFileName().toString());
      if (range == null) {
        problems.add("bronze: unexpected file visible: " + file.getFileName());
      } else if (range[0] != next) {
        problems.add(
            "bronze: listing not contiguous at "
                + file.getFileName()
                + " (expected values from "
                + next
                + ")");
      } else {
        next = range[1] + 1;
      }
    }
    if (!lake.storage().renamesAtomically()) {
      return problems; // silver writes in place on S3: its commit is the Delta log, not a listing
    }
    // Listing first, then the commits under way, then the log: a file moved in after a batch
    // was staged is in its staged entry, or, once that is gone, in the commit written before.
    List<Path> silverFiles = new ArrayList<>();
    lake.silverTables()
        .forEach(
            table ->
                lake.storage().filesUnder(table).stream()
                    .filter(file -> !SilverTables.inLog(table, file))
                    .forEach(silverFiles::add));
    Set<Path> beingPublished = CheckpointFiles.silverFilesBeingPublished(lake);
    Map<Path, Long> committed = SilverCheckpoint.commitLog(lake).files;
    for (Path file : silverFiles) {
      if (!beingPublished.contains(file) && !committed.containsKey(file)) {
        problems.add("silver: uncommitted file visible: " + lake.root().relativize(file));
      }
    }
    return problems;
  }

  /**
   * Rows DuckDB's hive partition discovery reads from each silver table next to the rows the commit
   * log says were committed: {valid read, valid committed, corrupted read, corrupted committed}.
   */
  public static long[] silverRowsReadAndCommitted(LakeLayout lake) {
    SilverCheckpoint.CommitLog log = SilverCheckpoint.commitLog(lake);
    try (DuckDb duckDb = new DuckDb()) {
      return new long[] {
        rowsRead(duckDb, lake.silverMessagesData()), log.validRows,
        rowsRead(duckDb, lake.silverCorruptedData()), log.corruptedRows
      };
    }
  }

  /**
   * The two gold reports recomputed from silver by DuckDB (dedup with ROW_NUMBER over the key,
   * earliest timestamp then smallest value first), as the CSV text the gold job must write, by
   * report name.
   */
  public static Map<String, String> expectedGoldReports(LakeLayout lake) {
    List<List<Object>> rows;
    try (DuckDb duckDb = new DuckDb()) {
      duckDb.execute("SET TimeZone = 'UTC'");
      rows =
          duckDb.rows(
              "WITH silver AS (SELECT * FROM "
                  + hivePartitioned(lake.silverMessagesData())
                  + "), dedup AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY  "
                  + " message_id, event_type, channel ORDER BY timestamp, value) AS n FROM silver) "
                  + "  WHERE n = 1) SELECT CAST(date AS VARCHAR), channel, event_type, user_id FROM"
                  + " dedup");
    }
    TreeSet<String> types = new TreeSet<>();
    TreeSet<String> channels = new TreeSet<>();
    Map<String, Map<String, Integer>> daily = new TreeMap<>();
    Map<Integer, Map<String, Integer>> users = new TreeMap<>();
    for (List<Object> row : rows) {
      String dateChannel = row.get(0) + "," + row.get(1);
      types.add((String) row.get(2));
      channels.add((String) row.get(1));
      daily
          .computeIfAbsent(dateChannel, k -> new TreeMap<>())
          .merge((String) row.get(2), 1, Integer::sum);
      users
          .computeIfAbsent((Integer) row.get(3), k -> new TreeMap<>())
          .merge((String) row.get(1), 1, Integer::sum);
    }
    StringBuilder dailyCsv = new StringBuilder("date,channel," + String.join(",", types) + "\n");
    daily.forEach(
        (dateChannel, byType) -> {
          dailyCsv.append(dateChannel);
          types.forEach(
              t -> dailyCsv.append(',').append(byType.containsKey(t) ? byType.get(t) : ""));
          dailyCsv.append('\n');
        });
    List<Map.Entry<Integer, Map<String, Integer>>> byUser = new ArrayList<>(users.entrySet());
    byUser.sort(
        (a, b) -> {
          int total = Integer.compare(sum(b.getValue()), sum(a.getValue()));
          return total != 0 ? total : Integer.compare(a.getKey(), b.getKey());
        });
    StringBuilder usersCsv =
        new StringBuilder("user_id,iterations," + String.join(",", channels) + "\n");
    for (Map.Entry<Integer, Map<String, Integer>> user : byUser) {
      usersCsv.append(user.getKey()).append(',').append(sum(user.getValue()));
      channels.forEach(c -> usersCsv.append(',').append(user.getValue().getOrDefault(c, 0)));
      usersCsv.append('\n');
    }
    Map<String, String> reports = new LinkedHashMap<>();
    reports.put("daily_channel_events", dailyCsv.toString());
    reports.put("user_channel_activity", usersCsv.toString());
    return reports;
  }

  /** The report CSV the gold job wrote ({@code gold/<name>/<name>.csv}), or null if none. */
  public static String goldReport(LakeLayout lake, String name) {
    Path csv = lake.root().resolve("gold").resolve(name).resolve(name + ".csv");
    try {
      return Files.exists(csv) ? Files.readString(csv) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code read_parquet(..., hive_partitioning = true)} over a silver table's {@code date=} folders
   * ({@code **} would also match the checkpoints of its Delta log).
   */
  static String hivePartitioned(Path table) {
    return "read_parquet('"
        + table.toAbsolutePath()
        + "/date=*/*.parquet', hive_partitioning = true)";
  }

  private static long rowsRead(DuckDb duckDb, Path table) {
    return LakeStorage.local().parquetFilesUnder(table).isEmpty()
        ? 0
        : duckDb.count("SELECT count(*) FROM " + hivePartitioned(table));
  }

  private static int sum(Map<String, Integer> counts) {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }
}
