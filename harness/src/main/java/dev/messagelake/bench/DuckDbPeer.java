package dev.messagelake.bench;

import dev.messagelake.contract.Countries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import org.duckdb.DuckDBDriver;

/**
 * The DuckDB peer of the benchmark: silver and gold written the way a DuckDB user writes them,
 * plain SQL over the parquet folders in an in-memory database. {@code silver} is one {@code COPY
 * ... PARTITION_BY (date)} per table; {@code gold} is a QUALIFY ROW_NUMBER dedup and two PIVOTs,
 * the report CSVs written from Java in the lake's exact format.
 *
 * <p>Run by the benchmark harness as a child JVM; ends with one stdout line {@code RESULT {...}}
 * (flat JSON), exit 0. A bad argument prints one {@code usage:} line and exits 2.
 */
public final class DuckDbPeer {
  private static final String USAGE =
      "usage: DuckDbPeer silver --bronze=<dir> --silver=<dir> [--threads=2]"
          + " | gold --silver=<dir> --out=<dir> [--threads=2]";

  private DuckDbPeer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = PeerArgs.parseOrExit(args, DuckDbPeer::parse, USAGE);
    long started = System.nanoTime();
    // The driver itself, not DriverManager: that would first load every JDBC driver on the
    // harness's Spark + Beam class path (2 s measured). Loading DuckDB's native library is its
    // "session start", reported apart as Spark's is.
    try (Connection db = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
        Statement sql = db.createStatement()) {
      double startupSeconds = PeerArgs.secondsSince(started);
      sql.execute("SET TimeZone = 'UTC'");
      sql.execute("SET threads = " + options.getOrDefault("threads", "2"));
      Map<String, Object> result =
          options.get("mode").equals("silver") ? silver(sql, options) : gold(sql, options);
      result.put("startupSeconds", startupSeconds);
      System.out.println("RESULT " + PeerArgs.json(result));
    }
  }

  // ---------------------------------------------------------------- silver

  private static Map<String, Object> silver(Statement sql, Map<String, String> options)
      throws SQLException, IOException {
    long started = System.nanoTime();
    Path silver = Path.of(options.get("silver"));
    // The glob skips names starting with . or _ (files being written, markers): DuckDB's own
    // glob would read them.
    String bronze = "read_parquet(" + literal(options.get("bronze") + "/[!._]*.parquet") + ")";
    // The timestamp arrives as TIMESTAMP WITH TIME ZONE; its UTC wall clock gives the date. It
    // is written back as INT64 micros, UTC-adjusted: the same instants as bronze's millis
    // (DuckDB 1.4 writes TIMESTAMP_MS only as a local, not UTC-adjusted, timestamp).
    String rows =
        "SELECT b.timestamp, b.value, b.event_type, b.message_id, b.channel, b.country_id,"
            + " b.user_id, c.country, CAST(b.timestamp AT TIME ZONE 'UTC' AS DATE) AS date"
            + " FROM "
            + bronze
            + " AS b LEFT JOIN "
            + countriesTable()
            + " ON b.country_id = c.country_id";
    String isCorrupted = "(event_type IS NULL OR event_type IN ('', 'NONE'))";
    // Two scans of bronze beat one into a temp table then two COPYs from it (measured at 200k
    // rows: 0.6-1.2 s against 1.0-1.7 s).
    long valid = copy(sql, rows + " WHERE NOT " + isCorrupted, silver.resolve("messages"));
    long corrupted =
        copy(sql, rows + " WHERE " + isCorrupted, silver.resolve("messages_corrupted"));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("valid", valid);
    result.put("corrupted", corrupted);
    result.put("seconds", PeerArgs.secondsSince(started));
    return result;
  }

  /** Appends the rows to {@code <table>/data/date=.../*.parquet}; returns the rows written. */
  private static long copy(Statement sql, String query, Path table)
      throws SQLException, IOException {
    Files.createDirectories(table); // COPY creates data/ and the date folders, not the parents
    // APPEND: new uniquely named files next to existing ones, as Spark's append mode does.
    return sql.executeLargeUpdate(
        "COPY ("
            + query
            + ") TO "
            + literal(table.resolve("data").toString())
            + " (FORMAT parquet, PARTITION_BY (date), APPEND)");
  }

  /** The countries as an inline VALUES table {@code c(country_id, country)}. */
  private static String countriesTable() {
    StringJoiner values = new StringJoiner(", ", "(VALUES ", ") AS c(country_id, country)");
    Countries.bundled().forEach((id, name) -> values.add("(" + id + ", " + literal(name) + ")"));
    return values.toString();
  }

  // ---------------------------------------------------------------- gold

  private static Map<String, Object> gold(Statement sql, Map<String, String> options)
      throws SQLException, IOException {
    long started = System.nanoTime();
    // date=*/ leaves out _temporary and other hidden folders a Spark writer may leave behind.
    String silver =
        "read_parquet("
            + literal(options.get("silver") + "/messages/data/date=*/[!._]*.parquet")
            + ", hive_partitioning = true)";
    long silverRows = single(sql, "SELECT count(*) FROM " + silver);
    // The date recomputed from the timestamp rather than trusted from the folder name.
    sql.execute(
        "CREATE TEMP TABLE dedup AS SELECT"
            + " strftime(timestamp AT TIME ZONE 'UTC', '%Y-%m-%d') AS day,"
            + " event_type, channel, user_id FROM "
            + silver
            + " QUALIFY row_number() OVER (PARTITION BY message_id, event_type, channel"
            + " ORDER BY timestamp, value) = 1");
    long deduplicated = single(sql, "SELECT count(*) FROM dedup");

    // Pivot values listed explicitly, sorted: the column order is the report's header.
    List<String> eventTypes = distinctSorted(sql, "event_type");
    List<String> channels = distinctSorted(sql, "channel");
    Path out = Path.of(options.get("out"));
    Files.createDirectories(out);
    writeCsv(
        sql,
        "PIVOT dedup ON event_type IN "
            + inList(eventTypes)
            + " USING count(*) GROUP BY day, channel ORDER BY day, channel",
        out.resolve("daily_channel_events.csv"),
        "date,channel",
        eventTypes,
        "");
    // iterations is constant per user, so grouping by it too just carries it through the pivot.
    writeCsv(
        sql,
        "PIVOT (SELECT *, count(*) OVER (PARTITION BY user_id) AS iterations FROM dedup)"
            + " ON channel IN "
            + inList(channels)
            + " USING count(*) GROUP BY user_id, iterations ORDER BY iterations DESC, user_id",
        out.resolve("user_channel_activity.csv"),
        "user_id,iterations",
        channels,
        "0");

    return PeerArgs.goldResult(silverRows, deduplicated, started);
  }

  private static List<String> distinctSorted(Statement sql, String column) throws SQLException {
    List<String> values = new ArrayList<>();
    try (ResultSet rows =
        sql.executeQuery("SELECT DISTINCT " + column + " FROM dedup ORDER BY 1")) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }

  private static String inList(List<String> values) {
    StringJoiner list = new StringJoiner(", ", "(", ")");
    values.forEach(value -> list.add(literal(value)));
    return list.toString();
  }

  /** The pivot's rows as the report's CSV; a cell of 0 (or null) is written as {@code none}. */
  private static void writeCsv(
      Statement sql, String pivot, Path file, String keys, List<String> pivoted, String none)
      throws SQLException, IOException {
    StringBuilder csv = new StringBuilder(keys);
    pivoted.forEach(column -> csv.append(',').append(column));
    csv.append('\n');
    // An empty silver has no pivot values (and IN () is not SQL): header only.
    if (!pivoted.isEmpty()) {
      try (ResultSet rows = sql.executeQuery(pivot)) {
        int columns = rows.getMetaData().getColumnCount();
        while (rows.next()) {
          for (int i = 1; i <= columns; i++) {
            String cell = rows.getString(i);
            boolean empty = cell == null || (i > 2 && rows.getLong(i) == 0);
            csv.append(i == 1 ? "" : ",").append(empty ? none : cell);
          }
          csv.append('\n');
        }
      }
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- plumbing

  /** A SQL string literal. */
  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static long single(Statement sql, String query) throws SQLException {
    try (ResultSet rows = sql.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** {@code <mode> --key=value...}, checked before anything runs. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> options =
        PeerArgs.parse(
            args,
            Set.of("bronze", "silver", "threads"),
            Set.of("bronze", "silver"),
            Set.of("silver", "out", "threads"),
            Set.of("silver", "out"));
    String threads = options.getOrDefault("threads", "2");
    if (!threads.matches("[1-9][0-9]{0,3}")) {
      throw new IllegalArgumentException("--threads must be a positive integer");
    }
    return options;
  }
}
