package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.BatchLog;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trigger: while bronze grows, silver starts a batch every --triggerSeconds, each taking the
 * files committed since the last one. The batching lives in the job's driver loop, not in a Beam
 * window (so TestStream has no hold on it): this test watches the real loop instead.
 */
class SilverTriggerTest {
  @TempDir Path lakeRoot;

  @Test
  void aBatchEveryTriggerIntervalWhileBronzeGrows() throws Exception {
    LakeLayout lake = new LakeLayout(lakeRoot);
    // Bronze files made by the producer, then fed into bronze two a second while silver runs
    // (the producer itself would compete for this machine's two cores).
    Path made = lakeRoot.resolveSibling(lakeRoot.getFileName() + "-made");
    assertEquals(
        0,
        JobLauncher.run(
            "bronze",
            new String[] {"--lake=" + made, "--rowsPerSecond=100", "--durationSeconds=3"},
            BronzeProducer.Options.class,
            BronzeProducer::run));
    List<Path> files = LakeStorage.local().listFiles(new LakeLayout(made).bronzeData());
    Files.createDirectories(lake.bronzeData());
    Thread feeder =
        new Thread(
            () -> {
              try {
                // Batching is about files, not their values: copies keep bronze growing.
                for (int i = 0; i < 32; i++) {
                  Path file = files.get(i % files.size());
                  Files.copy(
                      file, lake.bronzeData().resolve("copy-" + i + "-" + file.getFileName()));
                  Thread.sleep(500); // the pace at which bronze grows in this test
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    feeder.start();
    assertEquals(
        0,
        JobLauncher.run(
            "silver",
            new String[] {"--lake=" + lakeRoot, "--triggerSeconds=3", "--durationSeconds=14"},
            SilverJob.Options.class,
            SilverJob::run));
    feeder.join();

    List<Long> planned = new ArrayList<>();
    List<Integer> inputs = new ArrayList<>();
    BatchLog plans = new BatchLog(LakeStorage.local(), lake.silverCheckpoint().resolve("plans"));
    for (long id : plans.ids()) {
      planned.add(plans.writtenMillis(id));
      inputs.add(plans.require(id).list("input").size());
    }
    // 14 s at one batch per 3 s: about 5 batches.
    assertThat(planned.size(), greaterThanOrEqualTo(4));
    for (int i = 1; i < planned.size(); i++) {
      long gap = planned.get(i) - planned.get(i - 1);
      assertThat("batch " + (i + 1) + " started too early", gap, greaterThanOrEqualTo(2_900L));
      assertThat("batch " + (i + 1) + " started late", gap, lessThan(6_000L));
    }
    // Two bronze files a second: each batch after the first takes the ~6 that arrived meanwhile.
    for (int i = 1; i < inputs.size(); i++) {
      assertThat(inputs.get(i), greaterThanOrEqualTo(3));
    }
  }
}
