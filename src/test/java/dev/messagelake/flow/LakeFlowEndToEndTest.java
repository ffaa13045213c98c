package dev.messagelake.flow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.silver.SilverAssertions;
import dev.messagelake.gold.GoldAssertions;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
              "--lake=" + lakeRoot, "--durationSeconds=10", "--rowsPerSecond=20",
              "--silverTriggerSeconds=2", "--enforceImmutability=false"
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
    // A batch besides the catch-up (a plan and a done each): silver worked while the producer did.
    assertThat(
        LakeFiles.listFiles(lake.silverCheckpoint().resolve("batches")).size(),
        greaterThanOrEqualTo(4));
  }
}
