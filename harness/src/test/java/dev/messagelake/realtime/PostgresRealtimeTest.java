package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.storage.LakeStorage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The realtime job and the dashboard on a real PostgreSQL server started by ./run.sh postgres: the
 * same upserts as on SQLite, every window's counts consistent, the dashboard's JSON equal to the
 * table.
 */
class PostgresRealtimeTest {
  // The server runs as the postgres user, who cannot enter a root-only folder: neither a JUnit
  // temp dir nor a checkout inside one (a CI clone under mktemp -d), so a folder of its own.
  private Path serverDir;
  private int port;
  @TempDir Path logs;

  @BeforeEach
  void startServer() throws Exception {
    serverDir =
        Files.createTempDirectory(
            "messagelake-test-postgres",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    port = freePort();
    script("reset");
    script("start");
  }

  @AfterEach
  void stopServer() throws Exception {
    script("stop");
    script("reset");
    LakeStorage.local().delete(serverDir);
  }

  @Test
  void theRealtimeJobUpsertsIntoPostgresAndTheDashboardReadsIt() throws Exception {
    String[] database = {
      "--jdbcUrl=jdbc:postgresql://127.0.0.1:" + port + "/messagelake",
      "--jdbcUser=messagelake",
      "--jdbcPasswordFile=" + serverDir.resolve("password")
    };
    JobProcess realtime =
        JobProcess.startWithoutLake(
            RealtimeJob.class,
            logs.resolve("realtime.log"),
            concat(
                database,
                "--source=rate",
                "--rowsPerSecond=40",
                "--windowSeconds=5",
                "--earlyFiringSeconds=1",
                "--durationSeconds=20",
                "--blockOnRun=false"));
    assertEquals(0, realtime.waitFor(Duration.ofSeconds(120)), realtime.output());

    DatabaseOptions options = PipelineOptionsFactory.fromArgs(database).as(DatabaseOptions.class);
    Map<String, Long> byDimension = new TreeMap<>();
    long windows = 0;
    try (Connection connection = MessageCountsTable.connect(options);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT window_start, dimension, SUM(events), MAX(window_events) FROM"
                    + " message_counts GROUP BY window_start, dimension ORDER BY window_start,"
                    + " dimension")) {
      Map<Long, Map<String, Long>> perWindow = new TreeMap<>();
      Map<Long, Long> windowEvents = new TreeMap<>();
      while (rows.next()) {
        perWindow
            .computeIfAbsent(rows.getLong(1), w -> new TreeMap<>())
            .put(rows.getString(2), rows.getLong(3));
        windowEvents.put(rows.getLong(1), rows.getLong(4));
      }
      for (Map.Entry<Long, Map<String, Long>> window : perWindow.entrySet()) {
        Map<String, Long> sums = window.getValue();
        // Each deduplicated valid event has one type, one channel, one country.
        assertEquals(sums.get("event_type"), sums.get("channel"), "window " + window.getKey());
        assertEquals(sums.get("event_type"), sums.get("country"), "window " + window.getKey());
        assertEquals(
            windowEvents.get(window.getKey()), sums.get("quality"), "window " + window.getKey());
        sums.forEach((dimension, sum) -> byDimension.merge(dimension, sum, Long::sum));
        windows++;
      }
    }
    assertThat(windows, greaterThan(2L));
    assertThat(byDimension.get("quality"), greaterThan(400L));

    Dashboard.Options dashboardOptions =
        PipelineOptionsFactory.fromArgs(concat(database, "--port=0")).as(Dashboard.Options.class);
    try (Dashboard dashboard = Dashboard.start(dashboardOptions)) {
      JsonNode summary =
          new ObjectMapper()
              .readTree(
                  URI.create("http://127.0.0.1:" + dashboard.port() + "/api/summary?minutes=10")
                      .toURL());
      long valid = summary.path("totals").path("valid").asLong();
      long corrupted = summary.path("totals").path("corrupted").asLong();
      assertEquals((long) byDimension.get("quality"), valid + corrupted);
      long byType = 0;
      for (JsonNode series : summary.path("byEventType")) {
        for (JsonNode count : series) {
          byType += count.asLong();
        }
      }
      assertEquals((long) byDimension.get("event_type"), byType);
    }
  }

  private void script(String command) throws Exception {
    Files.createDirectories(logs);
    Path log = logs.resolve("postgres-" + command + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                "bash", Path.of("scripts/postgres.sh").toAbsolutePath().toString(), command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("PG_DIR", serverDir.toString());
    builder.environment().put("PG_PORT", String.valueOf(port));
    int exit = builder.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException(
          "./run.sh postgres " + command + " failed (" + exit + "): " + Files.readString(log));
    }
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
