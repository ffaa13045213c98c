package dev.messagelake.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A bounded load loop: {@code clients} threads, each with an HTTP client of its own, GET the given
 * addresses in turn, back to back, until a deadline. Every response is timed; an error is a status
 * other than 200, or no response at all.
 */
final class LoadLoop {
  /** What a run measured: response times in milliseconds, over every response. */
  record Result(
      int clients,
      double seconds,
      long requests,
      long errors,
      String firstError,
      double p50,
      double p95,
      double p99,
      double max) {
    double requestsPerSecond() {
      return requests / seconds;
    }
  }

  private LoadLoop() {}

  static Result run(List<URI> addresses, int clients, int seconds) throws Exception {
    long started = System.nanoTime();
    long deadline = started + seconds * 1_000_000_000L;
    Counts counts = new Counts();
    ExecutorService threads = Executors.newFixedThreadPool(clients);
    try {
      List<Future<List<Long>>> each = new ArrayList<>();
      for (int client = 0; client < clients; client++) {
        int first = client; // the clients start on different addresses, then take them in turn
        each.add(threads.submit(() -> poll(addresses, first, deadline, counts)));
      }
      List<Long> nanos = new ArrayList<>();
      for (Future<List<Long>> client : each) {
        nanos.addAll(client.get());
      }
      return summary(
          clients,
          (System.nanoTime() - started) / 1e9,
          nanos,
          counts.notOk.get(),
          counts.unanswered.get(),
          counts.firstError.get());
    } finally {
      threads.shutdownNow();
    }
  }

  /** The clients' errors, shared. */
  private static final class Counts {
    final AtomicLong notOk = new AtomicLong();
    final AtomicLong unanswered = new AtomicLong();
    final AtomicReference<String> firstError = new AtomicReference<>("");
  }

  /** One client: its response times, in nanoseconds. */
  private static List<Long> poll(List<URI> addresses, int first, long deadline, Counts counts) {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // as a browser polls a plain-HTTP page
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    List<Long> nanos = new ArrayList<>();
    for (int i = first; System.nanoTime() < deadline; i++) {
      HttpRequest request =
          HttpRequest.newBuilder(addresses.get(i % addresses.size()))
              .timeout(Duration.ofSeconds(30))
              .build();
      long sent = System.nanoTime();
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        nanos.add(System.nanoTime() - sent);
        if (status != 200) {
          counts.notOk.incrementAndGet();
          counts.firstError.compareAndSet("", "status " + status + " from " + request.uri());
        }
      } catch (IOException e) {
        counts.unanswered.incrementAndGet();
        counts.firstError.compareAndSet("", e + " from " + request.uri());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return nanos;
  }

  /**
   * The figures of a run: {@code nanos} holds the time of every response (any status, any order);
   * {@code notOk} of those were not a 200, and {@code unanswered} more requests got no response.
   */
  static Result summary(
      int clients, double seconds, List<Long> nanos, long notOk, long unanswered, String error) {
    List<Long> sorted = new ArrayList<>(nanos);
    sorted.sort(null);
    int[] percents = {50, 95, 99, 100};
    double[] millis = new double[percents.length];
    for (int i = 0; i < percents.length; i++) {
      millis[i] = sorted.isEmpty() ? Double.NaN : percentile(sorted, percents[i]) / 1e6;
    }
    return new Result(
        clients,
        seconds,
        sorted.size() + unanswered,
        notOk + unanswered,
        error,
        millis[0],
        millis[1],
        millis[2],
        millis[3]);
  }

  /** The nearest-rank percentile of sorted values: the least with percent% at or below it. */
  static long percentile(List<Long> sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
