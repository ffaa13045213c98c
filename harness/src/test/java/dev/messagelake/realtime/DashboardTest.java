package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard over HTTP, as a browser or the embedding platform talks to it. */
class DashboardTest {
  private static final String ORIGIN = "https://platform.example.com";
  private static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";

  @TempDir Path work;
  private final HttpClient http = HttpClient.newHttpClient();
  private Dashboard dashboard;

  @AfterEach
  void stop() {
    if (dashboard != null) {
      dashboard.close();
    }
  }

  private Dashboard start(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--lake=" + work.resolve("lake"), "--port=0"));
    all.addAll(List.of(args));
    dashboard = Dashboard.start(JobLauncher.parse(all, Dashboard.Options.class));
    return dashboard;
  }

  private HttpResponse<byte[]> request(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void theJsonMarksTheWindowStillOpen() throws Exception {
    start();
    JsonNode summary;
    long minute;
    do { // again if the minute turned between the writes and the read
      minute = System.currentTimeMillis() / 60_000 * 60_000;
      for (long window : new long[] {minute - 120_000, minute - 60_000, minute}) {
        writeQuality(window, 40, 2);
      }
      summary = new ObjectMapper().readTree(request("GET", "/api/summary").body());
    } while (summary.get("openWindowStart").asLong() != minute);

    assertEquals(60, summary.get("windowSeconds").asInt());
    JsonNode windows = summary.get("windows");
    JsonNode partial = summary.get("partial");
    assertEquals(windows.size(), partial.size(), summary.toString());
    int last = windows.size() - 1;
    assertEquals(minute, windows.get(last).asLong(), summary.toString());
    assertTrue(partial.get(last).asBoolean(), "the open minute: " + summary);
    for (int i = 0; i < last; i++) {
      assertEquals(false, partial.get(i).asBoolean(), "a closed minute: " + summary);
    }
  }

  /** A firing's quality rows for one window (the dashboard's windows come from them). */
  private void writeQuality(long window, long valid, long corrupted) throws Exception {
    long now = System.currentTimeMillis();
    Dashboard.Options options =
        JobLauncher.parse(List.of("--lake=" + work.resolve("lake")), Dashboard.Options.class);
    try (Connection connection = MessageCountsTable.connect(options);
        PreparedStatement upsert = connection.prepareStatement(MessageCountsTable.UPSERT)) {
      for (Object[] row : new Object[][] {{"valid", valid}, {"corrupted", corrupted}}) {
        Object[] values = {window, "quality", row[0], row[1], valid + corrupted, now - 1_000, now};
        for (int i = 0; i < values.length; i++) {
          upsert.setObject(i + 1, values[i]);
        }
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  @Test
  void pagesPollingAtOnceEachGetTheCounts() throws Exception {
    start();
    writeQuality(System.currentTimeMillis() / 60_000 * 60_000, 30, 3);
    // At once: most of them come while another's read is running, and take its JSON.
    List<CompletableFuture<HttpResponse<byte[]>>> polls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      polls.add(
          http.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + dashboard.port() + "/api/summary?minutes=5"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray()));
    }
    for (CompletableFuture<HttpResponse<byte[]>> poll : polls) {
      HttpResponse<byte[]> response = poll.get(60, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode());
      JsonNode summary = new ObjectMapper().readTree(response.body());
      assertEquals(30, summary.path("totals").path("valid").asLong(), summary.toString());
    }
  }

  @Test
  void malformedQueryParametersGetA400InOneLineAndNeverReachTheDatabase() throws Exception {
    start();
    writeQuality(System.currentTimeMillis() / 60_000 * 60_000, 3, 1);
    for (String query :
        List.of(
            "minutes=abc",
            "minutes=",
            "minutes=-5",
            "minutes=1.5",
            "minutes=99999999999999",
            "minutes",
            "minutes=5&minutes=x",
            "foo=bar",
            "minutes=5%27%3B%20DROP%20TABLE%20message_counts%3B--",
            "minutes=5;DROP%20TABLE%20message_counts",
            "minutes=%35",
            "%00=1",
            "&&")) {
      HttpResponse<byte[]> response = request("GET", "/api/summary?" + query);
      String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(400, response.statusCode(), query + ": " + body);
      assertEquals(1, body.strip().lines().count(), query + ": " + body);
      assertThat(query, body, matchesPattern("(?s)(unknown query parameter|minutes must be).*"));
    }
    // the table is still there, with its row: nothing of the queries reached SQL as text
    JsonNode summary = new ObjectMapper().readTree(request("GET", "/api/summary?minutes=5").body());
    assertEquals(3, summary.path("totals").path("valid").asLong(), summary.toString());
    assertEquals(
        5,
        new ObjectMapper()
            .readTree(request("GET", "/api/summary?minutes=5").body())
            .get("minutes")
            .asInt());
  }

  @Test
  void theJsonIsSameOriginOnlyByDefault() throws Exception {
    start();
    HttpResponse<byte[]> json = request("GET", "/api/summary", "Origin", ORIGIN);
    assertEquals(200, json.statusCode());
    assertEquals(Optional.empty(), json.headers().firstValue(ALLOW_ORIGIN));
    HttpResponse<byte[]> preflight =
        request(
            "OPTIONS", "/api/summary", "Origin", ORIGIN, "Access-Control-Request-Method", "GET");
    assertEquals(Optional.empty(), preflight.headers().firstValue(ALLOW_ORIGIN));
  }

  @Test
  void theAllowedOriginMayReadTheJsonAndOnlyTheJson() throws Exception {
    start("--allowedOrigin=" + ORIGIN);
    HttpResponse<byte[]> json = request("GET", "/api/summary?minutes=5", "Origin", ORIGIN);
    assertEquals(200, json.statusCode());
    assertEquals(Optional.of(ORIGIN), json.headers().firstValue(ALLOW_ORIGIN));

    HttpResponse<byte[]> preflight =
        request(
            "OPTIONS", "/api/summary", "Origin", ORIGIN, "Access-Control-Request-Method", "GET");
    assertEquals(204, preflight.statusCode());
    assertEquals(Optional.of(ORIGIN), preflight.headers().firstValue(ALLOW_ORIGIN));
    assertThat(
        preflight.headers().firstValue("Access-Control-Allow-Methods").orElse(""),
        containsString("GET"));

    for (String other : List.of("/", "/assets/echarts.min.js")) {
      HttpResponse<byte[]> response = request("GET", other, "Origin", ORIGIN);
      assertEquals(200, response.statusCode(), other);
      assertEquals(Optional.empty(), response.headers().firstValue(ALLOW_ORIGIN), other);
    }
  }

  @Test
  void anyOriginOnlyWhenSaidSo() throws Exception {
    start("--allowedOrigin=*");
    assertEquals(
        Optional.of("*"),
        request("GET", "/api/summary", "Origin", ORIGIN).headers().firstValue(ALLOW_ORIGIN));
  }

  @Test
  void anAllowedOriginThatIsNoOriginIsRefused() {
    UserError error =
        assertThrows(
            UserError.class, () -> start("--allowedOrigin=https://platform.example.com/embed"));
    assertThat(error.getMessage(), containsString("--allowedOrigin"));
  }

  @Test
  void headAnswersTheHeadersWithoutABodyAndLogsNothing() throws Exception {
    // The JDK's HTTP server logs its complaints through java.util.logging (System.Logger's).
    Logger serverLog = Logger.getLogger("com.sun.net.httpserver");
    List<String> logged = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
              synchronized (logged) {
                logged.add(record.getLevel() + " " + record.getMessage());
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    serverLog.addHandler(capture);
    try {
      start();
      for (String path : List.of("/", "/api/summary")) {
        HttpResponse<byte[]> head = request("HEAD", path);
        assertEquals(200, head.statusCode(), path);
        assertEquals(0, head.body().length, path);
        assertTrue(head.headers().firstValue("Content-Type").isPresent(), path);
      }
    } finally {
      serverLog.removeHandler(capture);
    }
    synchronized (logged) {
      assertEquals(List.of(), logged, "the HTTP server's log");
    }
    HttpResponse<byte[]> page = request("GET", "/");
    assertEquals(
        Optional.of(Integer.toString(page.body().length)),
        request("HEAD", "/").headers().firstValue("Content-Length"),
        "the GET's length");
    assertEquals(405, request("POST", "/api/summary").statusCode());
  }

  @Test
  void printsOneLineWhenItStops() throws Exception {
    Path lake = work.resolve("lake");
    Path log = work.resolve("dashboard.log");
    JobProcess job = JobProcess.start(Dashboard.class, lake, log, "--port=0");
    Pattern started = Pattern.compile("dashboard: http://127\\.0\\.0\\.1:(\\d+)/");
    job.await(() -> output(job).contains("Ctrl-C stops"), Duration.ofSeconds(90));
    Matcher port = started.matcher(output(job));
    assertTrue(port.find(), output(job));
    URI page = URI.create("http://127.0.0.1:" + port.group(1) + "/");
    assertEquals(
        200,
        http.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode());
    assertEquals(
        200,
        http.send(
                HttpRequest.newBuilder(page.resolve("/api/summary"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode());
    job.sigterm();
    job.waitFor(Duration.ofSeconds(60));

    String output = job.output();
    assertThat(
        output,
        matchesPattern(
            "(?s).*\\ndashboard stopped: served 2 requests in \\d+ s on "
                + Pattern.quote(page.toString())
                + "\\n.*"));
    assertThat(output, org.hamcrest.Matchers.not(containsString("HEAD request")));
    assertThat(Files.size(lake.resolve("_realtime").resolve("realtime.db")), greaterThan(0L));
  }

  private static String output(JobProcess job) {
    try {
      return job.output();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
