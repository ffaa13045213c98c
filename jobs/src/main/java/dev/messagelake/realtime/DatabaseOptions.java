package dev.messagelake.realtime;

import dev.messagelake.contract.LakeOptions;
import java.nio.file.Path;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where the realtime aggregates live, and their windows: shared by the realtime job and the
 * dashboard. The embedded database sits under the lake root, in {@code _realtime/} (the {@code _}
 * hides it from readers of the lake's partitions).
 */
public interface DatabaseOptions extends LakeOptions {
  @Description(
      "JDBC URL of the aggregates database: jdbc:sqlite:<file> (embedded; the default"
          + " is jdbc:sqlite:<lake>/_realtime/realtime.db, under --lake) or"
          + " jdbc:postgresql://127.0.0.1:5432/<db> (./run.sh postgres start prints its URL)")
  @Default.InstanceFactory(EmbeddedUnderLake.class)
  String getJdbcUrl();

  void setJdbcUrl(String value);

  @Description("Database user (PostgreSQL)")
  @Default.String("")
  String getJdbcUser();

  void setJdbcUser(String value);

  @Description(
      "File holding the database password (never on the command line); the"
          + " MESSAGELAKE_DB_PASSWORD environment variable is read when no file is given")
  @Default.String("")
  String getJdbcPasswordFile();

  void setJdbcPasswordFile(String value);

  @Description(
      "Length of an event-time window, in seconds: the realtime job counts per window,"
          + " the dashboard marks the one still open (give both the same)")
  @Default.Integer(60)
  int getWindowSeconds();

  void setWindowSeconds(int value);

  /** The embedded database's file under the lake root: {@code <lake>/_realtime/realtime.db}. */
  static Path embeddedFile(String lake) {
    return Path.of(lake, "_realtime", "realtime.db");
  }

  /** The default --jdbcUrl: SQLite in the lake's {@code _realtime/} folder. */
  class EmbeddedUnderLake implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      return "jdbc:sqlite:" + embeddedFile(options.as(LakeOptions.class).getLake());
    }
  }
}
