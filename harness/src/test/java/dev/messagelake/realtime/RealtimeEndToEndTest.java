package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.broker.EventJson;
import dev.messagelake.broker.KafkaBroker;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeSchemas;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker + publisher + realtime job + database, all real: the counts in the database equal a
 * recount of the topic's events done here independently, after the realtime job was killed and
 * restarted mid-stream (its replay must converge on the same counts, never add to them).
 */
class RealtimeEndToEndTest {
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final long WINDOW_MILLIS = 10_000;

  @TempDir Path work;

  @Test
  void countsInTheDatabaseEqualARecountOfTheTopicAfterAKillAndRestart() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("broker"))) {
      String topic = "realtime-e2e";
      String database = "jdbc:sqlite:" + work.resolve("realtime.db");
      List<String> realtimeArgs =
          realtimeArgs(
              broker,
              topic,
              database,
              "--allowedLatenessSeconds=30",
              "--blockOnRun=false",
              "--targetParallelism=2");
      JobProcess publisher = publish(work, broker, topic, 25);
      JobProcess realtime =
          JobProcess.startWithoutLake(
              RealtimeJob.class,
              work.resolve("realtime-1.log"),
              realtimeArgs.toArray(new String[0]));
      realtime.await(() -> countedEvents(database) >= 100, STARTUP);
      realtime.sigkill(); // mid-stream; the next run replays the topic
      JobProcess restarted =
          JobProcess.startWithoutLake(
              RealtimeJob.class,
              work.resolve("realtime-2.log"),
              realtimeArgs.toArray(new String[0]));
      assertEquals(0, publisher.waitFor(STARTUP), publisher.output());

      List<Row> events =
          broker.readAll(topic).stream()
              .map(record -> EventJson.fromJson(record.value()))
              .collect(Collectors.toList());
      Map<String, Long> expected = recount(events);
      restarted.await(() -> expected.equals(counts(database)), STARTUP);
      restarted.sigterm();
      restarted.waitFor(STARTUP);

      assertThat(events.size(), greaterThan(1000));
      assertEquals(expected, counts(database));
      System.out.printf(
          "realtime e2e: %d events in %d windows, %d count rows equal the recount%n",
          events.size(),
          expected.keySet().stream().map(k -> k.split("\\|")[0]).distinct().count(),
          expected.size());
    }
  }

  /** The publisher (bronze's producer, --sink=kafka) sending 50 events a second for a while. */
  static JobProcess publish(Path work, KafkaBroker broker, String topic, int seconds)
      throws Exception {
    return JobProcess.start(
        BronzeProducer.class,
        work.resolve("lake"),
        work.resolve("publisher.log"),
        "--kafkaBootstrapServers=" + broker.bootstrapServers(),
        "--kafkaTopic=" + topic,
        "--sink=kafka",
        "--rowsPerSecond=50",
        "--triggerSeconds=1",
        "--durationSeconds=" + seconds);
  }

  /** The realtime job on {@code topic} into {@code database}: the recount's windows, and more. */
  static List<String> realtimeArgs(
      KafkaBroker broker, String topic, String database, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafkaBootstrapServers=" + broker.bootstrapServers(),
                "--kafkaTopic=" + topic,
                "--source=kafka",
                "--jdbcUrl=" + database,
                "--windowSeconds=" + WINDOW_MILLIS / 1000,
                "--earlyFiringSeconds=1"));
    args.addAll(List.of(more));
    return args;
  }

  /**
   * The counts as the contract defines them, computed here without the pipeline's code: per window,
   * each value once; valid / corrupted by silver's rule; the valid events deduplicated by gold's
   * rule (earliest by timestamp, then value) and counted by type, channel and country.
   */
  static Map<String, Long> recount(List<Row> events) {
    Map<Integer, String> countries = Countries.bundled();
    Map<Long, Row> byValue = new TreeMap<>();
    events.forEach(event -> byValue.putIfAbsent(event.getInt64(LakeSchemas.VALUE), event));
    Map<String, Long> counts = new TreeMap<>();
    Map<Long, List<Row>> byWindow =
        byValue.values().stream()
            .collect(
                Collectors.groupingBy(
                    e ->
                        Math.floorDiv(
                                e.getDateTime(LakeSchemas.TIMESTAMP).getMillis(), WINDOW_MILLIS)
                            * WINDOW_MILLIS));
    byWindow.forEach(
        (window, rows) -> {
          long corrupted =
              rows.stream()
                  .filter(r -> LakeSchemas.isCorrupted(r.getString(LakeSchemas.EVENT_TYPE)))
                  .count();
          counts.put(window + "|quality|valid", rows.size() - corrupted);
          counts.put(window + "|quality|corrupted", corrupted);
          Map<String, Row> earliest = new TreeMap<>();
          rows.stream()
              .filter(r -> !LakeSchemas.isCorrupted(r.getString(LakeSchemas.EVENT_TYPE)))
              .sorted(
                  Comparator.comparing((Row r) -> r.getDateTime(LakeSchemas.TIMESTAMP).getMillis())
                      .thenComparing(r -> r.getInt64(LakeSchemas.VALUE)))
              .forEach(
                  r ->
                      earliest.putIfAbsent(
                          r.getString(LakeSchemas.MESSAGE_ID)
                              + "/"
                              + r.getString(LakeSchemas.EVENT_TYPE)
                              + "/"
                              + r.getString(LakeSchemas.CHANNEL),
                          r));
          for (Row kept : earliest.values()) {
            counts.merge(
                window + "|event_type|" + kept.getString(LakeSchemas.EVENT_TYPE), 1L, Long::sum);
            counts.merge(window + "|channel|" + kept.getString(LakeSchemas.CHANNEL), 1L, Long::sum);
            String country =
                Objects.requireNonNullElse(
                    countries.get(kept.getInt32(LakeSchemas.COUNTRY_ID)), "unknown");
            counts.merge(window + "|country|" + country, 1L, Long::sum);
          }
        });
    return counts;
  }

  /** The database's non-zero counts, keyed as {@link #recount} keys them; quality zeros kept. */
  static Map<String, Long> counts(String url) {
    return counts(options(url));
  }

  /** The same, for a database that needs a user and password. */
  static Map<String, Long> counts(DatabaseOptions database) {
    Map<String, Long> counts = new TreeMap<>();
    try (Connection connection = MessageCountsTable.connect(database);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT window_start, dimension, dim_key, events FROM message_counts")) {
      while (rows.next()) {
        if (rows.getLong(4) > 0 || rows.getString(2).equals("quality")) {
          counts.put(
              rows.getLong(1) + "|" + rows.getString(2) + "|" + rows.getString(3), rows.getLong(4));
        }
      }
    } catch (Exception e) {
      return Map.of(); // not created yet
    }
    return counts;
  }

  static long countedEvents(String url) {
    return counts(url).entrySet().stream()
        .filter(e -> e.getKey().contains("|quality|"))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  private static DatabaseOptions options(String url) {
    DatabaseOptions options = PipelineOptionsFactory.as(DatabaseOptions.class);
    options.setJdbcUrl(url);
    return options;
  }
}
