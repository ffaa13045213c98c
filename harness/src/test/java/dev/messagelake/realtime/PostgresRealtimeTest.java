package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.messagelake.broker.EventJson;
import dev.messagelake.broker.KafkaBroker;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.flow.ListeningSockets;
import dev.messagelake.storage.FreePorts;
import dev.messagelake.storage.LakeStorage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
    port = FreePorts.one();
    script("reset");
    script("start");
  }

  @AfterEach
  void stopServer() throws Exception {
    script("stop");
    script("reset");
    LakeStorage.local().delete(serverDir);
  }

  /** The options that point a job at the test's server. */
  private String[] databaseArgs() {
    return new String[] {
      "--jdbcUrl=jdbc:postgresql://127.0.0.1:" + port + "/messagelake",
      "--jdbcUser=messagelake",
      "--jdbcPasswordFile=" + serverDir.resolve("password")
    };
  }

  @Test
  void theRealtimeJobUpsertsIntoPostgresAndTheDashboardReadsIt() throws Exception {
    String[] database = databaseArgs();
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

  @Test
  void aStoppedServerIsWaitedForAndNoWindowIsCountedTwiceOrLost() throws Exception {
    String[] database = databaseArgs();
    DatabaseOptions options = PipelineOptionsFactory.fromArgs(database).as(DatabaseOptions.class);
    Duration startup = Duration.ofSeconds(120);
    try (KafkaBroker broker = KafkaBroker.start(logs.resolve("broker"))) {
      String[] kafka = {
        "--kafkaBootstrapServers=" + broker.bootstrapServers(), "--kafkaTopic=pg-outage"
      };
      JobProcess publisher =
          JobProcess.start(
              BronzeProducer.class,
              logs.resolve("lake"),
              logs.resolve("publisher.log"),
              concat(
                  kafka,
                  "--sink=kafka",
                  "--rowsPerSecond=50",
                  "--triggerSeconds=1",
                  "--durationSeconds=60"));
      JobProcess realtime =
          JobProcess.startWithoutLake(
              RealtimeJob.class,
              logs.resolve("realtime.log"),
              concat(
                  concat(database, kafka),
                  "--source=kafka",
                  "--windowSeconds=10",
                  "--earlyFiringSeconds=1",
                  "--allowedLatenessSeconds=600",
                  "--blockOnRun=false"));
      Dashboard.Options dashboardOptions =
          PipelineOptionsFactory.fromArgs(concat(database, "--port=0", "--windowSeconds=10"))
              .as(Dashboard.Options.class);
      try (Dashboard dashboard = Dashboard.start(dashboardOptions)) {
        URI summary = URI.create("http://127.0.0.1:" + dashboard.port() + "/api/summary");
        realtime.await(
            () ->
                RealtimeEndToEndTest.counts(options).values().stream().mapToLong(v -> v).sum()
                    > 100,
            startup);
        assertThePasswordStaysSecret(port);

        script("stop");
        realtime.await(() -> realtime.linesContaining("lost the database") > 0, startup);
        HttpResponse<String> unavailable = get(summary);
        assertEquals(503, unavailable.statusCode());
        assertThat(unavailable.body(), containsString("database unavailable"));
        script("start");
        realtime.await(() -> realtime.linesContaining("is back after") > 0, startup);
        assertEquals(200, get(summary).statusCode());
        assertEquals(1, realtime.linesContaining("lost the database"), realtime.output());
        assertTrue(realtime.linesContaining("\tat ") == 0, realtime.output());
      }

      assertEquals(0, publisher.waitFor(startup), publisher.output());
      Map<String, Long> expected =
          RealtimeEndToEndTest.recount(
              broker.readAll("pg-outage").stream()
                  .map(record -> EventJson.fromJson(record.value()))
                  .toList());
      realtime.await(() -> expected.equals(RealtimeEndToEndTest.counts(options)), startup);
      realtime.sigterm();
      assertEquals(0, realtime.waitFor(startup), realtime.output());
      assertEquals(expected, RealtimeEndToEndTest.counts(options));
      System.out.printf(
          "postgres outage: %d count rows equal the recount of the topic%n", expected.size());
    }
    String password = Files.readString(serverDir.resolve("password")).strip();
    try (java.util.stream.Stream<Path> files = Files.walk(logs)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        // bytes, not UTF-8: Kafka's data segments are .log files too
        String text = new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1);
        assertFalse(text.contains(password), "the password is in " + log);
      }
    }
  }

  /**
   * The server listens on 127.0.0.1 only; its password file is its owner's alone (mode 600), and no
   * process shows the password in its arguments.
   */
  private void assertThePasswordStaysSecret(int serverPort) throws Exception {
    for (ListeningSockets.Socket socket : ListeningSockets.all()) {
      if (socket.port() == serverPort) {
        assertTrue(socket.loopbackOnly(), "PostgreSQL listens beyond 127.0.0.1: " + socket);
      }
    }
    Path passwordFile = serverDir.resolve("password");
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)));
    String password = Files.readString(passwordFile).strip();
    assertThat(password.length(), greaterThan(15));
    Process ps = new ProcessBuilder("ps", "-eww", "-o", "args=").start();
    String arguments = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, ps.waitFor());
    assertThat(arguments, containsString("--jdbcPasswordFile=")); // the realtime job is listed
    assertFalse(arguments.contains(password), "the password is in a process's arguments");
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
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
}
