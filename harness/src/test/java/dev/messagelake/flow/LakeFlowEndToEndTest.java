package dev.messagelake.flow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.chaos.JobProcess;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.gold.GoldAssertions;
import dev.messagelake.silver.SilverAssertions;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.LakeStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer and silver running at the same time, then stopped: the lake reconciles, and the gold
 * reports match an independent recomputation.
 */
class LakeFlowEndToEndTest {
  @TempDir Path lakeRoot;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @Test
  void producerAndSilverTogetherThenCatchUpAndCheck() throws Exception {
    int exit =
        JobLauncher.run(
            "lake",
            new String[] {
              "--lake=" + lakeRoot,
              // A cold JVM's first pipelines take seconds: room for batches after them.
              "--durationSeconds=20",
              "--rowsPerSecond=20",
              "--silverTriggerSeconds=2",
              "--enforceImmutability=false"
            },
            LakeFlow.Options.class,
            LakeFlow::run,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    assertEquals(0, exit, "the lake flow failed (its check exits 1 on a mismatch)");
    LakeLayout lake = new LakeLayout(lakeRoot);
    assertThat(SilverAssertions.assertSilverMatchesBronze(lake), greaterThan(100L));
    // ... and ended with gold reports equal to DuckDB's recomputation from the same silver.
    GoldAssertions.assertReportsMatchDuckDb(lake);
    // A batch committed besides the catch-up: silver worked while the producer did.
    assertThat(
        new BatchLog(LakeStorage.local(), lake.silverCheckpoint().resolve("commits")).ids().size(),
        greaterThanOrEqualTo(2));
  }

  /**
   * Ctrl-C on a running lake (a real SIGINT to the job's own JVM, started with the defaults of
   * pipelines/lake as run.sh starts it) ends as the end of --durationSeconds does: catch-up, check
   * OK, both reports, exit 0.
   */
  @Test
  void ctrlCEndsTheFlowAsItsDurationDoes(@TempDir Path work) throws Exception {
    List<String> args =
        Files.readAllLines(Path.of("pipelines", "lake")).stream()
            .filter(line -> line.startsWith("--"))
            .collect(Collectors.toCollection(ArrayList::new));
    args.addAll(List.of("--durationSeconds=0", "--rowsPerSecond=20", "--silverTriggerSeconds=2"));
    // Ctrl-C reaches a job whose SIGINT is at its default, as in a terminal. Tests started in the
    // background of a non-interactive shell inherit SIGINT ignored, which a JVM keeps (as POSIX
    // asks): env resets it, then execs the JVM.
    JobProcess flow =
        JobProcess.startUnder(
            List.of("env", "--default-signal=INT"),
            LakeFlow.class,
            lakeRoot,
            work.resolve("lake.log"),
            args.toArray(new String[0]));
    LakeLayout lake = new LakeLayout(lakeRoot);
    BatchLog commits =
        new BatchLog(LakeStorage.local(), lake.silverCheckpoint().resolve("commits"));
    // Silver has committed a batch while the producer goes on: both are mid-stream.
    flow.await(() -> commits.latestId().isPresent(), Duration.ofMinutes(2));
    flow.sigint();
    assertEquals(0, flow.waitFor(Duration.ofMinutes(3)), flow.output());
    String output = flow.output();
    assertThat(output, containsString("lake: stopping cleanly (Ctrl-C again to stop at once)"));
    assertThat(output, containsString("OK: bronze reconciles with silver, row for row"));
    assertThat(output, containsString("gold: "));
    assertThat(SilverAssertions.assertSilverMatchesBronze(lake), greaterThan(10L));
    GoldAssertions.assertReportsMatchDuckDb(lake);
  }
}
