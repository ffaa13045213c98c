package dev.messagelake.bronze;

import static dev.messagelake.bronze.BronzeLakeAssertions.assertValuesZeroToNOnce;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.broker.KafkaBroker;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher (rate source -> Kafka) and bronze's Kafka source against a real broker started by
 * ./run.sh kafka, both killed mid-run and restarted: bronze ends with every published value exactly
 * once, whatever the topic holds twice.
 */
class KafkaIngestEndToEndTest {
  private static final Duration STARTUP = Duration.ofSeconds(90);
  @TempDir static Path brokerDir;
  private static KafkaBroker broker;

  @TempDir Path lakeRoot;
  @TempDir Path logs;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private String[] kafka(String topic, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--kafkaBootstrapServers=" + broker.bootstrapServers(),
                "--kafkaTopic=" + topic,
                "--triggerSeconds=1",
                "--targetParallelism=2"));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  @Test
  void bronzeHoldsEveryPublishedValueOnceAcrossKillsOfPublisherAndIngest() throws Exception {
    String topic = "ingest-e2e";
    LakeLayout lake = new LakeLayout(lakeRoot);
    Path published = lakeRoot.resolve("_publisher").resolve(topic).resolve("commits");

    JobProcess publisher =
        JobProcess.start(
            BronzeProducer.class,
            lakeRoot,
            logs.resolve("publisher-1.log"),
            kafka(topic, "--sink=kafka", "--rowsPerSecond=100"));
    JobProcess ingest =
        JobProcess.start(
            BronzeProducer.class,
            lakeRoot,
            logs.resolve("ingest-1.log"),
            kafka(topic, "--source=kafka"));
    publisher.await(() -> nextValue(published) >= 300, STARTUP);
    publisher.sigkill(); // mid-run: a batch may be sent again by the next publisher
    ingest.await(() -> committedValues(lake) > 0, STARTUP);
    ingest.sigkill();

    JobProcess publisher2 =
        JobProcess.start(
            BronzeProducer.class,
            lakeRoot,
            logs.resolve("publisher-2.log"),
            kafka(topic, "--sink=kafka", "--rowsPerSecond=100", "--durationSeconds=8"));
    JobProcess ingest2 =
        JobProcess.start(
            BronzeProducer.class,
            lakeRoot,
            logs.resolve("ingest-2.log"),
            kafka(topic, "--source=kafka"));
    assertEquals(0, publisher2.waitFor(STARTUP), publisher2.output());
    // Each logs as the job run.sh calls it (publish, bronze), lake paths relative to the lake.
    assertThat(publisher2.output(), containsString("publish stopped: published "));
    assertTrue(
        publisher2
            .output()
            .lines()
            .anyMatch(
                line ->
                    line.matches(
                        "\\d\\d:\\d\\d:\\d\\d publish: 100 rows/s into topic " + topic + " at .*")),
        publisher2.output());
    long sent = nextValue(published);
    ingest2.await(() -> committedValues(lake) >= sent, STARTUP);
    ingest2.sigterm();
    assertEquals(0, ingest2.waitFor(STARTUP), ingest2.output()); // a clean stop
    assertThat(ingest2.output(), containsString("now holds values 0.." + (sent - 1)));
    assertTrue(
        ingest2
            .output()
            .lines()
            .anyMatch(
                line ->
                    line.matches(
                        "\\d\\d:\\d\\d:\\d\\d bronze: ingesting topic "
                            + topic
                            + " at .* into bronze/messages/data every .*")),
        ingest2.output());
    assertThat(ingest2.output(), not(containsString(lakeRoot.toAbsolutePath().toString())));

    assertEquals(sent, assertValuesZeroToNOnce(lake));
    // A value sent again after the kill is the very same event: same JSON, byte for byte.
    java.util.Map<Long, java.util.Set<String>> copies = new java.util.HashMap<>();
    broker
        .readAll(topic)
        .forEach(
            record ->
                copies
                    .computeIfAbsent(record.key(), k -> new java.util.HashSet<>())
                    .add(record.value()));
    copies.forEach(
        (value, events) -> assertEquals(1, events.size(), "value " + value + ": " + events));
    assertEquals(sent, copies.size());
    long records = broker.readAll(topic).size();
    assertThat(records, greaterThanOrEqualTo(sent));
    assertThat(sent, greaterThan(700L));
    System.out.printf(
        "kafka ingest: %d values published (%d records in the topic), bronze 0..%d once%n",
        sent, records, sent - 1);
  }

  /** The publisher's last commit: every value below it was sent. */
  private static long nextValue(Path commits) {
    return new BatchLog(LakeStorage.local(), commits)
        .latest()
        .map(e -> e.getLong("nextValue"))
        .orElse(0L);
  }

  /** Values committed in bronze's data/, from the file names. */
  private static long committedValues(LakeLayout lake) {
    try (var files = Files.list(lake.bronzeData())) {
      return files
          .map(f -> BronzeCheckpoint.valuesInName(f.getFileName().toString()))
          .filter(java.util.Objects::nonNull)
          .mapToLong(range -> range[1] + 1)
          .max()
          .orElse(0);
    } catch (Exception e) {
      return 0;
    }
  }
}
