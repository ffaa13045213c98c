package dev.messagelake.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak as CI runs it: eight minutes of the lake with its realtime path and dashboard at 100
 * rows/s on a broker of its own. The hour-long run is {@code ./run.sh soak}, by hand.
 *
 * <p>Eight, not five: the lake's open files and threads step during its first four minutes (Kafka
 * clients connecting, a log's first expiry), and a step inside the second half of a five-minute run
 * reads as a trend.
 */
class SoakTest {
  @TempDir Path temp;

  @Test
  void eightMinutesOfTheLakeAreSampledAndLeaveItsOpenFilesFlat() throws Exception {
    Soak.Options options =
        PipelineOptionsFactory.fromArgs(
                "--minutes=8",
                "--rowsPerSecond=100",
                "--sampleSeconds=10",
                "--work=" + temp.resolve("soak"))
            .as(Soak.Options.class);

    Soak.Result result = Soak.run(options, List.of());

    assertEquals(0, result.exitCode, result.failure);
    assertTrue(result.samples.size() >= 40, "samples: " + result.samples.size());
    for (String series : result.samples.series()) {
      assertTrue(
          Arrays.stream(result.samples.column(series)).anyMatch(v -> !Double.isNaN(v)),
          series + " was never read");
      assertTrue(result.trends.containsKey(series), series + " has no verdict");
    }
    for (Path file : result.reportFiles) {
      assertTrue(Files.size(file) > 0, file + " written");
    }
    assertTrue(Files.readString(temp.resolve("soak/report/soak.html")).contains("<svg"));
    assertEquals(List.of(), result.leftBehind);
    for (long pid : new long[] {result.lakePid, result.brokerPid}) {
      assertTrue(pid > 0, "pid recorded");
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), pid + " gone");
    }
    // A leak in the lake's JVM (open files or threads climbing for good), or a checkpoint folder
    // that grows by an entry per batch forever: silver's logs are compacted and expired (the soak
    // keeps 60 s of history), each Delta log cleaned. The heap is reported, not required flat
    // here: eight minutes cannot tell a JVM's warm-up from a leak; the hour's soak can.
    List<String> flat =
        new ArrayList<>(List.of(Samples.of("lake", "fds"), Samples.of("lake", "threads")));
    for (String folder :
        List.of(
            "silver/checkpoint/plans",
            "silver/checkpoint/commits",
            "silver/messages/data/_delta_log",
            "silver/messages_corrupted/data/_delta_log")) {
      flat.add(Samples.files(folder));
    }
    for (String series : flat) {
      assertTrue(result.trends.containsKey(series), series + " sampled");
      Trend trend = result.trends.get(series);
      assertEquals(
          Trend.FLAT,
          trend.verdict,
          () ->
              series
                  + ": "
                  + trend.slopePerHour
                  + " per hour over a mean of "
                  + trend.mean
                  + " (see "
                  + result.reportFiles.get(0)
                  + ")");
    }
  }
}
