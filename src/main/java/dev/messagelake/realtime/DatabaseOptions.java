package dev.messagelake.realtime;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the realtime aggregates live: shared by the realtime job and the dashboard. */
public interface DatabaseOptions extends PipelineOptions {
  @Description("JDBC URL of the aggregates database: jdbc:sqlite:<file> (embedded, the default)"
      + " or jdbc:postgresql://127.0.0.1:5432/<db> (./run.sh postgres start prints its URL)")
  @Default.String("jdbc:sqlite:realtime.db")
  String getJdbcUrl();

  void setJdbcUrl(String value);

  @Description("Database user (PostgreSQL)")
  @Default.String("")
  String getJdbcUser();

  void setJdbcUser(String value);

  @Description("File holding the database password (never on the command line); the"
      + " MESSAGELAKE_DB_PASSWORD environment variable is read when no file is given")
  @Default.String("")
  String getJdbcPasswordFile();

  void setJdbcPasswordFile(String value);
}
