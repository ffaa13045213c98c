package dev.messagelake.flow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.gold.GoldAssertions;
import dev.messagelake.gold.GoldReports;
import dev.messagelake.silver.SilverAssertions;
import dev.messagelake.silver.SilverJob;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same jobs, unchanged, on the Spark runner in-process ({@code local[2]}): the producer in
 * Spark's streaming mode, silver's micro-batches, the check and gold in batch mode.
 */
class SparkRunnerLakeTest {
  private static final String[] SPARK = {"--runner=SparkRunner", "--sparkMaster=local[2]"};

  @TempDir Path work;

  private static <T extends PipelineOptions> void run(
      String job,
      Class<T> kind,
      JobLauncher.Job<T> body,
      Path lake,
      String[] runner,
      String... args) {
    List<String> all = new ArrayList<>(List.of("--lake=" + lake));
    all.addAll(List.of(runner));
    all.addAll(List.of(args));
    assertEquals(0, JobLauncher.run(job, all.toArray(new String[0]), kind, body), job + " failed");
  }

  @Test
  void theWholeLakeOnLocalSpark() throws Exception {
    Path lake = work.resolve("lake");
    run(
        "lake",
        LakeFlow.Options.class,
        LakeFlow::run,
        lake,
        SPARK,
        "--durationSeconds=10",
        "--rowsPerSecond=20",
        "--silverTriggerSeconds=2");
    LakeLayout layout = new LakeLayout(lake);
    assertThat(SilverAssertions.assertSilverMatchesBronze(layout), greaterThan(100L));
    GoldAssertions.assertReportsMatchDuckDb(layout);
  }

  @Test
  void sameBronzeGivesTheSameSilverAndReportsOnDirectAndSpark() throws Exception {
    Path direct = work.resolve("direct");
    Path spark = work.resolve("spark");
    run(
        "bronze",
        BronzeProducer.Options.class,
        BronzeProducer::run,
        direct,
        new String[0],
        "--durationSeconds=2",
        "--rowsPerSecond=200");
    LakeLayout directLake = new LakeLayout(direct);
    LakeLayout sparkLake = new LakeLayout(spark);
    Files.createDirectories(sparkLake.bronzeData());
    for (Path file : LakeStorage.local().listFiles(directLake.bronzeData())) {
      Files.copy(file, sparkLake.bronzeData().resolve(file.getFileName()));
    }

    for (Object[] side : new Object[][] {{direct, new String[0]}, {spark, SPARK}}) {
      Path lake = (Path) side[0];
      String[] runner = (String[]) side[1];
      run("silver", SilverJob.Options.class, SilverJob::run, lake, runner, "--catchUp");
      run("check", LakeCheck.Options.class, LakeCheck::run, lake, runner);
      run("gold", GoldReports.Options.class, GoldReports::run, lake, runner);
    }

    assertEquals(
        SilverAssertions.assertSilverMatchesBronze(directLake),
        SilverAssertions.assertSilverMatchesBronze(sparkLake));
    assertEquals(
        GoldAssertions.report(directLake.goldDailyChannelEvents(), "daily_channel_events"),
        GoldAssertions.report(sparkLake.goldDailyChannelEvents(), "daily_channel_events"));
    assertEquals(
        GoldAssertions.report(directLake.goldUserChannelActivity(), "user_channel_activity"),
        GoldAssertions.report(sparkLake.goldUserChannelActivity(), "user_channel_activity"));
  }
}
