package dev.messagelake.realtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.StopSignal;
import dev.messagelake.cli.UserError;
import dev.messagelake.stream.DurationOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: a page of charts over the last hour of realtime counts (Apache ECharts,
 * served from its webjar) and the JSON the page and the embedding platform read: {@code GET
 * /api/summary?minutes=60}. Serves 127.0.0.1 unless told otherwise.
 */
public class Dashboard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ECHARTS =
      "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  private static final int TOP_COUNTRIES = 10;

  /** The dashboard's options. */
  @Description(
      "Reads: the message_counts table of --jdbcUrl (the realtime job fills it).\n"
          + "Writes: nothing; serves the page on http://--bind:--port/ and its JSON on"
          + " /api/summary.")
  public interface Options extends DatabaseOptions, DurationOptions {
    @Description("Address to serve on (127.0.0.1: this machine only)")
    @Default.String("127.0.0.1")
    String getBind();

    void setBind(String value);

    @Description("Port to serve on (0 picks a free one)")
    @Default.Integer(8088)
    int getPort();

    void setPort(int value);

    @Description("Minutes of history the page shows")
    @Default.Integer(60)
    int getMinutes();

    void setMinutes(int value);

    @Description("Seconds between the page's refreshes")
    @Default.Integer(1)
    int getRefreshSeconds();

    void setRefreshSeconds(int value);

    @Description(
        "Origin whose pages may read the JSON (CORS), e.g. https://platform.example.com,"
            + " or * for any site. Empty, the default: same origin only (no CORS header), so that"
            + " other sites a browser visits cannot read the counts unless allowed here")
    @Default.String("")
    String getAllowedOrigin();

    void setAllowedOrigin(String value);
  }

  private static final String METHODS = "GET, HEAD, OPTIONS";

  private final Options options;
  private final HttpServer server;
  private final ExecutorService requests = Executors.newFixedThreadPool(4);
  private final AtomicLong served = new AtomicLong();
  private final AtomicBoolean databaseDown = new AtomicBoolean();
  private final ConcurrentMap<Integer, CompletableFuture<byte[]>> reading =
      new ConcurrentHashMap<>();
  private final long startedNanos = System.nanoTime();
  private final int port;
  private long stoppedNanos;

  private Dashboard(Options options, HttpServer server) {
    this.options = options;
    this.server = server;
    this.port = server.getAddress().getPort(); // kept: a stopped server has no address
  }

  /** Starts serving; {@link #port()} tells where. */
  public static Dashboard start(Options options) throws IOException {
    UserError.requireAtLeast("--minutes", options.getMinutes(), 1);
    UserError.requireAtLeast("--refreshSeconds", options.getRefreshSeconds(), 1);
    UserError.requireAtLeast("--windowSeconds", options.getWindowSeconds(), 1);
    String origin = options.getAllowedOrigin();
    if (!origin.isEmpty() && !origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
      throw new UserError(
          "--allowedOrigin must be empty, * or an origin such as"
              + " https://platform.example.com (scheme://host[:port], no path), got "
              + origin);
    }
    MessageCountsTable.create(options); // an empty dashboard until the job writes, not an error
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(options.getBind(), options.getPort()), 0);
    } catch (BindException e) {
      throw new UserError(
          "cannot serve on "
              + options.getBind()
              + ":"
              + options.getPort()
              + " ("
              + e.getMessage()
              + "); choose another --port");
    }
    Dashboard dashboard = new Dashboard(options, server);
    server.createContext("/", dashboard.handler(false, dashboard::page));
    server.createContext(
        "/assets/echarts.min.js",
        dashboard.handler(false, exchange -> resource(exchange, ECHARTS, "text/javascript")));
    server.createContext("/api/summary", dashboard.handler(true, dashboard::summary));
    server.setExecutor(dashboard.requests);
    server.start();
    return dashboard;
  }

  public int port() {
    return port;
  }

  /** The line printed when the dashboard stops, as the other jobs print theirs. */
  String stoppedLine() {
    long requests = served.get();
    long nanos = (stoppedNanos == 0 ? System.nanoTime() : stoppedNanos) - startedNanos;
    return String.format(
        "dashboard stopped: served %d request%s in %d s on http://%s:%d/",
        requests, requests == 1 ? "" : "s", nanos / 1_000_000_000L, options.getBind(), port);
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("dashboard", args, Options.class, Dashboard::serve));
  }

  private static void serve(Options options) throws Exception {
    StopSignal stop = StopSignal.onShutdown(5_000);
    try {
      Dashboard dashboard = start(options);
      try {
        System.out.printf(
            "dashboard: http://%s:%d/ (JSON: /api/summary?minutes=%d) over %s;" + " Ctrl-C stops%n",
            options.getBind(), dashboard.port(), options.getMinutes(), options.getJdbcUrl());
        stop.awaitRequest(
            options.getDurationSeconds() > 0
                ? options.getDurationSeconds() * 1000L
                : Long.MAX_VALUE);
      } finally {
        dashboard.close();
      }
      System.out.println(dashboard.stoppedLine());
    } finally {
      stop.done();
    }
  }

  /**
   * Every request: counted; GET and HEAD served, OPTIONS answered (a CORS preflight where {@code
   * cors}), anything else refused; CORS headers only where {@code cors} and allowed.
   */
  private HttpHandler handler(boolean cors, HttpHandler serve) {
    return exchange -> {
      served.incrementAndGet();
      try {
        String origin = options.getAllowedOrigin();
        if (cors && !origin.isEmpty()) {
          exchange.getResponseHeaders().set("Access-Control-Allow-Origin", origin);
        }
        switch (exchange.getRequestMethod()) {
          case "GET":
          case "HEAD":
            serve.handle(exchange);
            break;
          case "OPTIONS":
            exchange.getResponseHeaders().set("Allow", METHODS);
            if (cors && !origin.isEmpty()) {
              exchange.getResponseHeaders().set("Access-Control-Allow-Methods", METHODS);
              exchange.getResponseHeaders().set("Access-Control-Max-Age", "600");
            }
            exchange.sendResponseHeaders(204, -1);
            break;
          default:
            exchange.getResponseHeaders().set("Allow", METHODS);
            send(
                exchange,
                405,
                "text/plain",
                "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
        }
      } finally {
        exchange.close();
      }
    };
  }

  private void page(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestURI().getPath().equals("/")) {
      send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    resource(exchange, "/dashboard/index.html", "text/html; charset=utf-8");
  }

  private void summary(HttpExchange exchange) throws IOException {
    int minutes;
    try {
      minutes = minutesAsked(exchange.getRequestURI().getRawQuery(), options.getMinutes());
    } catch (IllegalArgumentException e) {
      send(exchange, 400, "text/plain", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    try {
      byte[] body = sharedSummary(minutes);
      if (databaseDown.compareAndSet(true, false)) {
        LOG.info("dashboard: {} is readable again", options.getJdbcUrl());
      }
      send(exchange, 200, "application/json", body);
    } catch (SQLException e) {
      if (databaseDown.compareAndSet(false, true)) { // once per outage, not once per request
        LOG.warn(
            "dashboard: cannot read {} ({}); the page says the database is unavailable until it"
                + " is back",
            options.getJdbcUrl(),
            e.getMessage());
      }
      send(
          exchange,
          503,
          "application/json",
          ("{\"error\":" + JSON.writeValueAsString("database unavailable: " + e.getMessage()) + "}")
              .getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The JSON of {@link #summary(int)}. A request that comes while the same minutes are being read
   * takes that read's JSON: pages polling at once share reads instead of each making its own.
   */
  private byte[] sharedSummary(int minutes) throws SQLException, IOException {
    CompletableFuture<byte[]> read = new CompletableFuture<>();
    CompletableFuture<byte[]> running = reading.putIfAbsent(minutes, read);
    if (running == null) {
      running = read;
      try {
        read.complete(JSON.writeValueAsBytes(summary(minutes)));
      } catch (Throwable e) { // the requests waiting for this read get its failure, never a hang
        read.completeExceptionally(e);
      } finally {
        reading.remove(minutes, read);
      }
    }
    try {
      return running.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException) {
        throw (SQLException) cause;
      }
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw e;
    }
  }

  /**
   * The {@code minutes} a query asks for ({@code fallback} when it names none), clamped to a day.
   *
   * @throws IllegalArgumentException in one line, for any other parameter or a value not a number
   */
  static int minutesAsked(String rawQuery, int fallback) {
    int minutes = fallback;
    if (rawQuery == null || rawQuery.isEmpty()) {
      return minutes;
    }
    for (String parameter : rawQuery.split("&", -1)) {
      int equals = parameter.indexOf('=');
      String name = equals < 0 ? parameter : parameter.substring(0, equals);
      if (!name.equals("minutes") || equals < 0) {
        throw new IllegalArgumentException(
            "unknown query parameter '" + printable(name) + "': only minutes=<whole number>");
      }
      String value = parameter.substring(equals + 1);
      if (!value.matches("[0-9]{1,9}")) {
        throw new IllegalArgumentException(
            "minutes must be a whole number, got '" + printable(value) + "'");
      }
      minutes = Math.max(1, Math.min(24 * 60, Integer.parseInt(value)));
    }
    return minutes;
  }

  /** At most 40 characters of a request's text, printable ASCII only, for an error message. */
  private static String printable(String text) {
    String kept = text.replaceAll("[^\\x20-\\x7e]", "?");
    return kept.length() > 40 ? kept.substring(0, 40) + "..." : kept;
  }

  /** The last {@code minutes} of counts, shaped for charts: one array per series, by window. */
  ObjectNode summary(int minutes) throws SQLException {
    long now = System.currentTimeMillis();
    long since = now - minutes * 60_000L;
    // dimension -> key -> window -> events
    Map<String, Map<String, Map<Long, Long>>> counts = new TreeMap<>();
    long latestEvent = 0;
    long latestUpdate = 0;
    try (Connection connection = MessageCountsTable.connect(options);
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT window_start, dimension, dim_key, events, last_event_ms, updated_ms FROM "
                    + MessageCountsTable.TABLE
                    + " WHERE window_start >= ?")) {
      statement.setLong(1, since);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          counts
              .computeIfAbsent(rows.getString(2), d -> new TreeMap<>())
              .computeIfAbsent(rows.getString(3), k -> new TreeMap<>())
              .put(rows.getLong(1), rows.getLong(4));
          latestEvent = Math.max(latestEvent, rows.getLong(5));
          latestUpdate = Math.max(latestUpdate, rows.getLong(6));
        }
      }
    }
    List<Long> windows =
        new ArrayList<>(
            counts.getOrDefault(WindowCounts.QUALITY, Map.of()).values().stream()
                .flatMap(byWindow -> byWindow.keySet().stream())
                .collect(Collectors.toCollection(TreeSet::new)));
    ObjectNode summary = JSON.createObjectNode();
    summary.put("generatedAtMs", now);
    summary.put("minutes", minutes);
    summary.put("refreshSeconds", options.getRefreshSeconds());
    summary.put("latestEventMs", latestEvent);
    summary.put("latestUpdateMs", latestUpdate);
    ArrayNode windowArray = summary.putArray("windows");
    windows.forEach(windowArray::add);
    // The window holding the present is still counting: marked, so it does not read as a drop.
    long windowMillis = options.getWindowSeconds() * 1000L;
    summary.put("windowSeconds", options.getWindowSeconds());
    summary.put("openWindowStart", Math.floorDiv(now, windowMillis) * windowMillis);
    ArrayNode partial = summary.putArray("partial");
    windows.forEach(window -> partial.add(window + windowMillis > now));
    summary.set("byEventType", series(counts.get(WindowCounts.EVENT_TYPE), windows));
    summary.set("byChannel", series(counts.get(WindowCounts.CHANNEL), windows));
    ArrayNode countries = summary.putArray("topCountries");
    counts.getOrDefault(WindowCounts.COUNTRY, Map.of()).entrySet().stream()
        .map(
            e ->
                Map.entry(
                    e.getKey(), e.getValue().values().stream().mapToLong(Long::longValue).sum()))
        .sorted(
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(TOP_COUNTRIES)
        .forEach(e -> countries.addObject().put("country", e.getKey()).put("events", e.getValue()));
    Map<String, Map<Long, Long>> quality = counts.getOrDefault(WindowCounts.QUALITY, Map.of());
    ArrayNode share = summary.putArray("corruptedShare");
    long validTotal = 0;
    long corruptedTotal = 0;
    for (long window : windows) {
      long valid = quality.getOrDefault(WindowCounts.VALID, Map.of()).getOrDefault(window, 0L);
      long corrupted =
          quality.getOrDefault(WindowCounts.CORRUPTED, Map.of()).getOrDefault(window, 0L);
      validTotal += valid;
      corruptedTotal += corrupted;
      if (valid + corrupted == 0) {
        share.addNull();
      } else {
        share.add((double) corrupted / (valid + corrupted));
      }
    }
    summary.putObject("totals").put("valid", validTotal).put("corrupted", corruptedTotal);
    return summary;
  }

  /** key -> counts aligned on {@code windows} (0 where a window has none). */
  private static ObjectNode series(Map<String, Map<Long, Long>> byKey, List<Long> windows) {
    ObjectNode series = JSON.createObjectNode();
    if (byKey != null) {
      byKey.forEach(
          (key, byWindow) -> {
            ArrayNode values = series.putArray(key);
            windows.forEach(window -> values.add(byWindow.getOrDefault(window, 0L)));
          });
    }
    return series;
  }

  private static void resource(HttpExchange exchange, String path, String contentType)
      throws IOException {
    try (InputStream in = Dashboard.class.getResourceAsStream(path)) {
      if (in == null) {
        send(
            exchange,
            404,
            "text/plain",
            ("missing " + path + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(exchange, 200, contentType, in.readAllBytes());
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    if (exchange.getRequestMethod().equals("HEAD")) {
      // The JDK's server takes -1 (no body) for a HEAD; Content-Length still tells the GET's.
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    requests.shutdownNow();
    if (stoppedNanos == 0) {
      stoppedNanos = System.nanoTime();
    }
  }
}
