package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.bench.FlinkCluster;
import dev.messagelake.broker.EventJson;
import dev.messagelake.broker.KafkaBroker;
import dev.messagelake.chaos.JobProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The realtime job as the streaming pipeline it is, on a real Flink session cluster: unbounded
 * KafkaIO, event-time windows with early and late firings, Flink checkpoints every 2 s. The
 * TaskManager is SIGKILLed mid-stream and another started: the job resumes from its last
 * checkpoint, and the database still equals an independent recount of the topic.
 */
class RealtimeOnFlinkTest {
  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final Pattern RUNNING_JOB =
      Pattern.compile(
          "\\{\"jid\":\"([0-9a-f]+)\",\"name\":\"[^\"]*\",\"start-time\":[^}]*\"state\":\"RUNNING\"");

  @TempDir Path work;

  @Test
  void aTaskManagerKilledMidStreamResumesFromItsCheckpointAndTheCountsStayExact() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("broker"));
        FlinkCluster flink = FlinkCluster.start(work.resolve("flink"))) {
      String topic = "realtime-flink";
      String database = "jdbc:sqlite:" + work.resolve("realtime.db");
      List<String> realtimeArgs =
          RealtimeEndToEndTest.realtimeArgs(
              broker,
              topic,
              database,
              "--allowedLatenessSeconds=30",
              "--attachedMode=false",
              "--checkpointingInterval=2000");
      realtimeArgs.addAll(flink.runnerOptions());
      JobProcess realtime =
          JobProcess.startWithoutLake(
              RealtimeJob.class, work.resolve("realtime.log"), realtimeArgs.toArray(new String[0]));
      JobProcess publisher = RealtimeEndToEndTest.publish(work, broker, topic, 40);
      realtime.await(
          () ->
              RealtimeEndToEndTest.countedEvents(database) >= 200
                  && completedCheckpoints(flink) > 0,
          STARTUP);

      flink.killTaskManager(); // mid-stream: the job fails over, waiting for a slot
      flink.startMissing();
      assertEquals(0, publisher.waitFor(STARTUP), publisher.output());
      List<Row> events =
          broker.readAll(topic).stream()
              .map(record -> EventJson.fromJson(record.value()))
              .collect(Collectors.toList());
      Map<String, Long> expected = RealtimeEndToEndTest.recount(events);
      realtime.await(() -> expected.equals(RealtimeEndToEndTest.counts(database)), STARTUP);
      String checkpoints = flink.rest("/jobs/" + runningJob(flink) + "/checkpoints");
      realtime.sigterm();
      assertEquals(0, realtime.waitFor(STARTUP), realtime.output());

      assertThat(events.size(), greaterThan(1500));
      assertEquals(expected, RealtimeEndToEndTest.counts(database));
      // The job came back from a checkpoint, not from the topic's start.
      assertThat(checkpoints, containsString("\"restored\":{"));
      System.out.printf(
          "realtime on Flink: %d events, a TaskManager killed and replaced, counts equal the"
              + " recount; checkpoints: %s%n",
          events.size(), checkpoints.replaceAll(".*\"counts\":(\\{[^}]*\\}).*", "$1"));
    }
  }

  private static String runningJob(FlinkCluster flink) throws Exception {
    Matcher running = RUNNING_JOB.matcher(flink.rest("/jobs/overview"));
    if (!running.find()) {
      throw new AssertionError("no job is running on the cluster: " + flink.rest("/jobs/overview"));
    }
    return running.group(1);
  }

  private static long completedCheckpoints(FlinkCluster flink) {
    try {
      Matcher completed =
          Pattern.compile("\"completed\":(\\d+)")
              .matcher(flink.rest("/jobs/" + runningJob(flink) + "/checkpoints"));
      return completed.find() ? Long.parseLong(completed.group(1)) : 0;
    } catch (Exception | AssertionError e) {
      return 0; // not submitted yet
    }
  }
}
