package dev.messagelake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how long an event takes, from its event time, to be visible through the dashboard's JSON
 * (what the page reads): polls {@code /api/summary} and notes when the newest event time it shows
 * moves on. The events between two consecutive newest times became visible together at the poll
 * that first showed the later one; their latencies, over the whole run, give the percentiles (an
 * upper bound by up to one poll interval). The page adds up to its refresh interval on screen,
 * reported on top.
 */
public class LatencyProbe {
  private static final Logger LOG = LoggerFactory.getLogger(LatencyProbe.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The probe's options. */
  @Description(
      "Reads: the dashboard's JSON at --dashboardUrl (realtime and dashboard running).\n"
          + "Writes: nothing; prints the event time -> visible latency, p50/p95, against"
          + " --goalSeconds.")
  public interface Options extends PipelineOptions {
    @Description("The dashboard to measure")
    @Default.String("http://127.0.0.1:8088")
    String getDashboardUrl();

    void setDashboardUrl(String value);

    @Description("Seconds to measure for")
    @Default.Integer(60)
    int getSeconds();

    void setSeconds(int value);

    @Description(
        "Seconds to wait, once events show, before measuring (start-up is not steady state)")
    @Default.Integer(30)
    int getWarmupSeconds();

    void setWarmupSeconds(int value);

    @Description("Fail (exit 1) when the p95 on the page, refresh included, is not under this")
    @Default.Double(10)
    double getGoalSeconds();

    void setGoalSeconds(double value);

    @Description("Milliseconds between polls")
    @Default.Integer(100)
    int getPollMillis();

    void setPollMillis(int value);
  }

  /** What a run measured, in seconds. */
  public record Result(
      int updates, long events, double p50, double p95, double max, int refreshSeconds) {
    @Override
    public String toString() {
      return String.format(
          "event time -> visible in the dashboard's JSON: p50 %.2f s, p95 %.2f s, max %.2f s"
              + " (%d updates, %d ms of event time); on the page, which refreshes every %d s,"
              + " p95 at most %.2f s",
          p50, p95, max, updates, events, refreshSeconds, p95 + refreshSeconds);
    }
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("latency", args, Options.class, LatencyProbe::report));
  }

  private static void report(Options options) throws Exception {
    Result result = measure(options);
    System.out.println(result);
    double onPage = result.p95() + result.refreshSeconds();
    if (onPage >= options.getGoalSeconds()) {
      throw new JobFailed(
          String.format(
              "p95 on the page %.2f s: not under the %.1f s goal",
              onPage, options.getGoalSeconds()));
    }
    System.out.printf(
        "goal met: p95 on the page %.2f s < %.1f s%n", onPage, options.getGoalSeconds());
  }

  public static Result measure(Options options) throws Exception {
    UserError.requireAtLeast("--seconds", options.getSeconds(), 1);
    UserError.requireAtLeast("--pollMillis", options.getPollMillis(), 10);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI summary =
        URI.create(options.getDashboardUrl().replaceAll("/+$", "") + "/api/summary?minutes=5");
    LOG.info(
        "latency: polling {} every {} ms for {} s",
        summary,
        options.getPollMillis(),
        options.getSeconds());
    int refreshSeconds = 1;
    // Started with the jobs, the probe waits for the dashboard to answer and events to show.
    long firstEvents = System.currentTimeMillis() + 120_000;
    while (newestEventOrZero(http, summary, firstEvents) == 0) {
      if (System.currentTimeMillis() > firstEvents) {
        throw new UserError("no event in 120 s at " + summary + ": is the realtime job running?");
      }
      Thread.sleep(options.getPollMillis());
    }
    if (options.getWarmupSeconds() > 0) {
      LOG.info(
          "latency: events are showing; measuring after a {} s warm-up",
          options.getWarmupSeconds());
      Thread.sleep(options.getWarmupSeconds() * 1000L);
    }
    List<long[]> updates = new ArrayList<>(); // {seen at, newest event time, previous newest}
    long previous = -1;
    long end = System.currentTimeMillis() + options.getSeconds() * 1000L;
    while (System.currentTimeMillis() < end) {
      JsonNode body = get(http, summary);
      long seenAt = System.currentTimeMillis();
      long newest = body.path("latestEventMs").asLong(0);
      refreshSeconds = body.path("refreshSeconds").asInt(refreshSeconds);
      if (newest > previous) {
        if (previous > 0) { // the first reading is only a starting point
          updates.add(new long[] {seenAt, newest, previous});
        }
        previous = newest;
      }
      Thread.sleep(options.getPollMillis());
    }
    if (updates.isEmpty()) {
      throw new UserError(
          "no new event appeared in "
              + options.getSeconds()
              + " s at "
              + summary
              + ": is the realtime job running?");
    }
    // Each millisecond of event time between two newest times is one sample of latency.
    List<Long> latencies = new ArrayList<>();
    for (long[] update : updates) {
      for (long eventTime = update[2] + 1; eventTime <= update[1]; eventTime++) {
        latencies.add(update[0] - eventTime);
      }
    }
    latencies.sort(null);
    return new Result(
        updates.size(),
        latencies.size(),
        percentile(latencies, 0.50) / 1000.0,
        percentile(latencies, 0.95) / 1000.0,
        latencies.get(latencies.size() - 1) / 1000.0,
        refreshSeconds);
  }

  /**
   * The newest event time the dashboard shows; 0 while it shows none or, until the deadline, does
   * not answer.
   */
  private static long newestEventOrZero(HttpClient http, URI summary, long deadline)
      throws IOException, InterruptedException {
    try {
      return get(http, summary).path("latestEventMs").asLong(0);
    } catch (UserError unreachable) {
      if (System.currentTimeMillis() > deadline) {
        throw unreachable;
      }
      return 0;
    }
  }

  private static long percentile(List<Long> sorted, double fraction) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(fraction * sorted.size()) - 1));
  }

  private static JsonNode get(HttpClient http, URI uri) throws IOException, InterruptedException {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new UserError(uri + " answered " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (java.net.ConnectException e) {
      throw new UserError(
          "cannot reach the dashboard at " + uri + "; start it with ./run.sh dashboard");
    }
  }
}
