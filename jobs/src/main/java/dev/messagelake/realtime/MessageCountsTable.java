package dev.messagelake.realtime;

import dev.messagelake.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;

/**
 * The realtime aggregates' table, defined once: its Beam schema, its DDL, the idempotent upsert the
 * job writes with, and connections for the dashboard. Plain SQL that SQLite and PostgreSQL both
 * take. Times are epoch milliseconds (UTC).
 *
 * <p>A row is the count of one (window, dimension, key) as of one firing. The upsert replaces a row
 * only with a firing that has seen at least as many of the window's events ({@code window_events}):
 * a replay or a late retry of an older firing never rolls a count back, and the same firing written
 * twice changes nothing.
 */
public final class MessageCountsTable {
  public static final String TABLE = "message_counts";
  public static final String WINDOW_START = "window_start";
  public static final String DIMENSION = "dimension";
  public static final String DIM_KEY = "dim_key";
  public static final String EVENTS = "events";
  public static final String WINDOW_EVENTS = "window_events";
  public static final String LAST_EVENT_MS = "last_event_ms";
  public static final String UPDATED_MS = "updated_ms";

  public static final Schema SCHEMA =
      Schema.builder()
          .addField(WINDOW_START, FieldType.INT64)
          .addField(DIMENSION, FieldType.STRING)
          .addField(DIM_KEY, FieldType.STRING)
          .addField(EVENTS, FieldType.INT64)
          .addField(WINDOW_EVENTS, FieldType.INT64)
          .addField(LAST_EVENT_MS, FieldType.INT64)
          .addField(UPDATED_MS, FieldType.INT64)
          .build();

  static final String CREATE =
      "CREATE TABLE IF NOT EXISTS "
          + TABLE
          + " ("
          + WINDOW_START
          + " BIGINT NOT NULL, "
          + DIMENSION
          + " VARCHAR(16) NOT NULL, "
          + DIM_KEY
          + " VARCHAR(64) NOT NULL, "
          + EVENTS
          + " BIGINT NOT NULL, "
          + WINDOW_EVENTS
          + " BIGINT NOT NULL, "
          + LAST_EVENT_MS
          + " BIGINT NOT NULL, "
          + UPDATED_MS
          + " BIGINT NOT NULL, "
          + "PRIMARY KEY ("
          + WINDOW_START
          + ", "
          + DIMENSION
          + ", "
          + DIM_KEY
          + "))";

  static final String UPSERT =
      "INSERT INTO "
          + TABLE
          + " ("
          + String.join(", ", SCHEMA.getFieldNames())
          + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT ("
          + WINDOW_START
          + ", "
          + DIMENSION
          + ", "
          + DIM_KEY
          + ") DO UPDATE SET "
          + EVENTS
          + " = excluded."
          + EVENTS
          + ", "
          + WINDOW_EVENTS
          + " = excluded."
          + WINDOW_EVENTS
          + ", "
          + LAST_EVENT_MS
          + " = excluded."
          + LAST_EVENT_MS
          + ", "
          + UPDATED_MS
          + " = excluded."
          + UPDATED_MS
          + " WHERE "
          + TABLE
          + "."
          + WINDOW_EVENTS
          + " <= excluded."
          + WINDOW_EVENTS;

  private MessageCountsTable() {}

  static void setParameters(Row row, PreparedStatement statement) throws SQLException {
    for (int i = 0; i < SCHEMA.getFieldCount(); i++) {
      statement.setObject(i + 1, row.getValue(i));
    }
  }

  /** Creates the table when missing (and puts SQLite in WAL mode: readers never block the job). */
  public static void create(DatabaseOptions options) {
    Database database = Database.of(options);
    Path file = database.sqliteFile();
    if (file != null && file.getParent() != null) {
      try {
        Files.createDirectories(file.getParent()); // SQLite creates the file, not its folder
      } catch (IOException e) {
        throw new UserError("cannot create the folder of " + database.url + ": " + e);
      }
    }
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      if (database.isSqlite()) {
        statement.execute("PRAGMA journal_mode=WAL");
      }
      statement.execute(CREATE);
    } catch (SQLException e) {
      throw new UserError(
          "cannot create table " + TABLE + " in " + database.url + ": " + e.getMessage());
    }
  }

  /** A connection for readers (the dashboard, tests). */
  /**
   * The valid and corrupted events the table counts, over all its windows: what the dashboard
   * shows. Read from the table, not from the runner's metrics, which the Flink runner reports for a
   * detached job only once it has ended.
   */
  public static long[] validAndCorrupted(DatabaseOptions options) {
    long[] counts = new long[2];
    try (Connection connection = connect(options);
        java.sql.Statement statement = connection.createStatement();
        java.sql.ResultSet rows =
            statement.executeQuery(
                "SELECT "
                    + DIM_KEY
                    + ", SUM("
                    + EVENTS
                    + ") FROM "
                    + TABLE
                    + " WHERE "
                    + DIMENSION
                    + " = '"
                    + WindowCounts.QUALITY
                    + "' GROUP BY "
                    + DIM_KEY)) {
      while (rows.next()) {
        counts[WindowCounts.VALID.equals(rows.getString(1)) ? 0 : 1] += rows.getLong(2);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + TABLE + ": " + e.getMessage(), e);
    }
    return counts;
  }

  public static Connection connect(DatabaseOptions options) throws SQLException {
    return Database.of(options).connect();
  }

  /** The database an options object names, its password read from a file or the environment. */
  static final class Database implements java.io.Serializable {
    final String url;
    final String driver;
    final String user;
    final String password;

    private Database(String url, String driver, String user, String password) {
      this.url = url;
      this.driver = driver;
      this.user = user;
      this.password = password;
    }

    static Database of(DatabaseOptions options) {
      String url = options.getJdbcUrl();
      String driver;
      if (url.startsWith("jdbc:sqlite:")) {
        driver = "org.sqlite.JDBC";
      } else if (url.startsWith("jdbc:postgresql:")) {
        driver = "org.postgresql.Driver";
      } else {
        throw new UserError(
            "--jdbcUrl must start with jdbc:sqlite: or jdbc:postgresql:, got " + url);
      }
      return new Database(url, driver, options.getJdbcUser(), password(options));
    }

    boolean isSqlite() {
      return driver.equals("org.sqlite.JDBC");
    }

    /** The file of a plain {@code jdbc:sqlite:<file>} URL; null for memory, URIs and servers. */
    Path sqliteFile() {
      if (!isSqlite()) {
        return null;
      }
      String name = url.substring("jdbc:sqlite:".length()).replaceFirst("\\?.*", "");
      if (name.isEmpty() || name.startsWith(":") || name.startsWith("file:")) {
        return null;
      }
      return Path.of(name);
    }

    Connection connect() throws SQLException {
      Properties properties = new Properties();
      if (!user.isEmpty()) {
        properties.setProperty("user", user);
        properties.setProperty("password", password);
      }
      if (isSqlite()) {
        properties.setProperty("busy_timeout", "30000");
      }
      try {
        Class.forName(driver);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("JDBC driver " + driver + " is not on the class path", e);
      }
      return DriverManager.getConnection(url, properties);
    }

    private static String password(DatabaseOptions options) {
      String file = options.getJdbcPasswordFile();
      if (!file.isEmpty()) {
        try {
          return Files.readString(Path.of(file)).strip();
        } catch (NoSuchFileException e) {
          throw new UserError("--jdbcPasswordFile " + file + " does not exist");
        } catch (IOException e) {
          throw new UserError("cannot read --jdbcPasswordFile " + file + ": " + e.getMessage());
        }
      }
      String fromEnvironment = System.getenv("MESSAGELAKE_DB_PASSWORD");
      return fromEnvironment == null ? "" : fromEnvironment;
    }
  }
}
