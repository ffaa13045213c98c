package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.audit.LakeAudit;
import dev.messagelake.broker.EventJson;
import dev.messagelake.broker.KafkaBroker;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker SIGKILLed under the three jobs that use it, publish, bronze --source=kafka and
 * realtime, all real processes: a short outage is said once by each, waited out without a busy
 * spin, and afterwards bronze holds 0..N-1 once and the realtime table equals a recount of the
 * topic; an outage longer than --kafkaOutageSeconds stops each job with exit code 1 and one line,
 * and their restarts continue with nothing lost.
 */
class BrokerOutageTest {
  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final int OUTAGE_LIMIT_SECONDS = 60;
  private static final Duration SETTLE = Duration.ofSeconds(10);
  private static final Duration OBSERVED_OUTAGE = Duration.ofSeconds(10);
  private static final String TOPIC = "outage";
  private static final String LOST = "lost the Kafka broker";
  private static final String BACK = "is back after";

  @TempDir Path work;
  private KafkaBroker broker;
  private int runs;

  @Test
  void theJobsWaitOutALostBrokerAndGiveUpInOneLineWhenItStaysAway() throws Exception {
    try (KafkaBroker started = KafkaBroker.start(work.resolve("broker"))) {
      broker = started;
      LakeLayout lake = new LakeLayout(work.resolve("lake"));
      String database = "jdbc:sqlite:" + work.resolve("realtime.db");
      Map<String, JobProcess> jobs = new LinkedHashMap<>();
      jobs.put("publish", publisher());
      jobs.put("bronze", ingest());
      jobs.put("realtime", realtime(database));
      jobs.get("realtime")
          .await(() -> RealtimeEndToEndTest.countedEvents(database) >= 100, STARTUP);
      jobs.get("bronze").await(() -> bronzeRows(lake) >= 100, STARTUP);

      // 1. a short outage: each job says it once, waits without spinning, and goes on
      broker.kill();
      for (JobProcess process : jobs.values()) {
        process.await(() -> process.linesContaining(LOST) == 1, STARTUP);
      }
      Thread.sleep(SETTLE.toMillis()); // a step cut short by the kill is still failing meanwhile
      Map<String, Duration> cpuBefore = new LinkedHashMap<>();
      jobs.forEach((job, process) -> cpuBefore.put(job, process.cpuTime()));
      Thread.sleep(OBSERVED_OUTAGE.toMillis()); // a measurement window, not a wait for a state
      jobs.forEach(
          (job, process) -> {
            double cpu = (process.cpuTime().toMillis() - cpuBefore.get(job).toMillis()) / 1000.0;
            double seconds = OBSERVED_OUTAGE.toMillis() / 1000.0;
            System.out.printf(
                "broker outage: %s used %.1f s of CPU in %.0f s without a broker%n",
                job, cpu, seconds);
            // a retry loop that spins would burn a core for the whole outage
            assertThat(job + ": CPU seconds without a broker", cpu, lessThan(seconds / 4));
          });
      broker.restart();
      for (JobProcess process : jobs.values()) {
        process.await(() -> process.linesContaining(BACK) == 1, STARTUP);
      }
      JobProcess publisher = jobs.get("publish");
      long valuesAfterOutage = published(publisher);
      publisher.await(() -> published(publisher) > valuesAfterOutage + 100, STARTUP);
      publisher.sigterm();
      assertEquals(0, publisher.waitFor(STARTUP), publisher.output());
      awaitEverythingCounted(jobs.get("bronze"), jobs.get("realtime"), lake, database);

      // 2. an outage longer than --kafkaOutageSeconds: exit code 1 and one line each
      jobs.put("publish", publisher());
      JobProcess second = jobs.get("publish");
      second.await(() -> published(second) > valuesAfterOutage + 200, STARTUP);
      broker.kill();
      for (Map.Entry<String, JobProcess> job : jobs.entrySet()) {
        JobProcess process = job.getValue();
        assertEquals(1, process.waitFor(STARTUP), process.output());
        String[] lines = process.output().strip().split("\n");
        assertThat(
            lines[lines.length - 1],
            containsString(job.getKey() + ": the Kafka broker at " + broker.bootstrapServers()));
        assertThat(lines[lines.length - 1], containsString("stopped with nothing lost"));
        assertEquals(0, process.linesContaining("\tat "), job.getKey() + " printed a stack trace");
      }

      // 3. the restarts continue: every value once in bronze, every event counted once
      broker.restart();
      JobProcess last = publisher("--durationSeconds=5");
      assertEquals(0, last.waitFor(STARTUP), last.output());
      awaitEverythingCounted(ingest(), realtime(database), lake, database);
    }
  }

  /** Bronze ends up with exactly the topic's values, the table with exactly its recount. */
  private void awaitEverythingCounted(
      JobProcess bronze, JobProcess realtime, LakeLayout lake, String database) throws Exception {
    List<Row> events =
        broker.readAll(TOPIC).stream()
            .map(record -> EventJson.fromJson(record.value()))
            .collect(Collectors.toList());
    long values = events.stream().mapToLong(e -> e.getInt64(LakeSchemas.VALUE)).distinct().count();
    bronze.await(() -> bronzeRows(lake) == values, STARTUP);
    Map<String, Long> expected = RealtimeEndToEndTest.recount(events);
    realtime.await(() -> expected.equals(RealtimeEndToEndTest.counts(database)), STARTUP);
    LakeAudit.BronzeValues bronzeValues = LakeAudit.bronzeValues(lake);
    assertEquals(0L, bronzeValues.duplicated, "duplicate values in bronze");
    assertEquals(0L, bronzeValues.lost, "values missing from bronze 0..N-1");
    assertThat(values, greaterThan(0L));
    System.out.printf(
        "broker outage: bronze holds 0..%d once; %d count rows equal the recount of %d records%n",
        values - 1, expected.size(), events.size());
  }

  private JobProcess publisher(String... more) throws Exception {
    List<String> args = kafka("--sink=kafka", "--rowsPerSecond=50", "--triggerSeconds=1");
    args.addAll(List.of(more));
    return JobProcess.start(
        BronzeProducer.class, work.resolve("lake"), log("publish"), args.toArray(new String[0]));
  }

  private JobProcess ingest() throws Exception {
    List<String> args = kafka("--source=kafka", "--triggerSeconds=1");
    return JobProcess.start(
        BronzeProducer.class, work.resolve("lake"), log("bronze"), args.toArray(new String[0]));
  }

  private JobProcess realtime(String database) throws Exception {
    List<String> args =
        kafka(
            "--source=kafka",
            "--jdbcUrl=" + database,
            "--windowSeconds=10",
            "--earlyFiringSeconds=1",
            "--allowedLatenessSeconds=600",
            "--blockOnRun=false");
    return JobProcess.startWithoutLake(
        RealtimeJob.class, log("realtime"), args.toArray(new String[0]));
  }

  private List<String> kafka(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafkaBootstrapServers=" + broker.bootstrapServers(),
                "--kafkaTopic=" + TOPIC,
                "--kafkaOutageSeconds=" + OUTAGE_LIMIT_SECONDS,
                "--targetParallelism=2"));
    args.addAll(List.of(more));
    return args;
  }

  private Path log(String job) {
    return work.resolve(job + "-" + ++runs + ".log");
  }

  /** The publisher's last value sent, from its progress lines (-1 before the first). */
  private static long published(JobProcess publisher) {
    try {
      return publisher
          .output()
          .lines()
          .filter(line -> line.contains("last value "))
          .mapToLong(line -> Long.parseLong(line.replaceAll(".*last value (\\d+).*", "$1")))
          .max()
          .orElse(-1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long bronzeRows(LakeLayout lake) {
    try {
      return LakeAudit.bronzeValues(lake).rows;
    } catch (RuntimeException noFilesYet) {
      return 0;
    }
  }
}
