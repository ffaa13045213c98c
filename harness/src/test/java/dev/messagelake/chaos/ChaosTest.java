package dev.messagelake.chaos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault harness as CI runs it: 20 SIGKILLs of the producer and silver at random moments and at
 * commits, on the Direct runner, then the independent audit. A new seed each run (printed), so
 * every CI run tries other moments; a failure names the seed that replays it.
 */
class ChaosTest {
  @TempDir Path temp;

  @Test
  void twentyKillsLoseAndDuplicateNothing() throws Exception {
    ChaosRun.Options options =
        PipelineOptionsFactory.fromArgs(
                "--kills=20",
                "--seconds=60",
                "--rowsPerSecond=50",
                "--lake=" + temp.resolve("lake"))
            .as(ChaosRun.Options.class);

    ChaosRun.Result result = ChaosRun.run(options, List.of()); // throws when the audit fails

    assertEquals(20, result.kills);
    assertTrue(
        result.statesLeft.containsKey("producer") && result.statesLeft.containsKey("silver"),
        "both jobs killed: " + result.statesLeft);
    assertTrue(result.bronze.rows > 500, "bronze grew under fire: " + result.bronze.rows);
    assertEquals(0, result.bronze.lost);
    assertEquals(0, result.bronze.duplicated);
    assertEquals(
        Map.of("extra", 0L, "missing", 0L, "different", 0L, "duplicated", 0L), result.silver);
    assertEquals(List.of(), result.uncommittedFiles);
    assertEquals(result.silverRows[1], result.silverRows[0]);
    assertEquals(result.silverRows[3], result.silverRows[2]);
    assertEquals(result.bronze.rows, result.silverRows[0] + result.silverRows[2]);
    assertEquals(List.of(), result.problems);
    // Spark's partition discovery, as a Spark user reads the lake, sees exactly the same rows.
    assertArrayEquals(
        new long[] {result.bronze.rows, result.silverRows[1], result.silverRows[3]},
        result.sparkRows);
    assertEquals(0, result.sparkRowsInTheWrongDatePartition);
  }
}
