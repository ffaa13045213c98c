package dev.messagelake.flow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.audit.LakeAudit;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same jobs, unchanged, on the Spark runner ({@code local[2]}) and the Flink runner ({@code
 * [local]}, an embedded mini cluster) in-process: each whole lake checked by the DuckDB audit, and
 * one bronze through Direct, Spark and Flink giving the same silver and byte-identical reports.
 */
class RunnersLakeTest {
  private static final String[] DIRECT = {};
  private static final String[] SPARK = {"--runner=SparkRunner", "--sparkMaster=local[2]"};
  private static final String[] FLINK = {"--runner=FlinkRunner", "--flinkMaster=[local]"};

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
    theWholeLakeOn(SPARK, "spark");
  }

  @Test
  void theWholeLakeOnLocalFlink() throws Exception {
    theWholeLakeOn(FLINK, "flink");
  }

  private void theWholeLakeOn(String[] runner, String name) throws Exception {
    Path lake = work.resolve(name);
    run(
        "lake",
        LakeFlow.Options.class,
        LakeFlow::run,
        lake,
        runner,
        "--durationSeconds=10",
        "--rowsPerSecond=20",
        "--silverTriggerSeconds=2");
    LakeLayout layout = new LakeLayout(lake);
    LakeAudit.BronzeValues bronze = LakeAudit.bronzeValues(layout);
    assertEquals(0, bronze.lost, name + ": bronze values lost");
    assertEquals(0, bronze.duplicated, name + ": bronze values duplicated");
    assertThat(SilverAssertions.assertSilverMatchesBronze(layout), greaterThan(100L));
    GoldAssertions.assertReportsMatchDuckDb(layout);
  }

  @Test
  void sameBronzeGivesTheSameSilverAndReportsOnDirectSparkAndFlink() throws Exception {
    Map<String, String[]> runners = new LinkedHashMap<>();
    runners.put("direct", DIRECT);
    runners.put("spark", SPARK);
    runners.put("flink", FLINK);
    LakeLayout source = new LakeLayout(work.resolve("direct"));
    run(
        "bronze",
        BronzeProducer.Options.class,
        BronzeProducer::run,
        source.root(),
        DIRECT,
        "--durationSeconds=2",
        "--rowsPerSecond=200");
    Map<String, LakeLayout> lakes = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> runner : runners.entrySet()) {
      LakeLayout lake = new LakeLayout(work.resolve(runner.getKey()));
      if (!runner.getKey().equals("direct")) {
        Files.createDirectories(lake.bronzeData());
        for (Path file : LakeStorage.local().listFiles(source.bronzeData())) {
          Files.copy(file, lake.bronzeData().resolve(file.getFileName()));
        }
      }
      Path root = lake.root();
      run("silver", SilverJob.Options.class, SilverJob::run, root, runner.getValue(), "--catchUp");
      run("check", LakeCheck.Options.class, LakeCheck::run, root, runner.getValue());
      run("gold", GoldReports.Options.class, GoldReports::run, root, runner.getValue());
      lakes.put(runner.getKey(), lake);
    }

    long silver = SilverAssertions.assertSilverMatchesBronze(source);
    String daily = GoldAssertions.report(source.goldDailyChannelEvents(), "daily_channel_events");
    String users = GoldAssertions.report(source.goldUserChannelActivity(), "user_channel_activity");
    for (Map.Entry<String, LakeLayout> lake : lakes.entrySet()) {
      String on = lake.getKey() + " against direct";
      assertEquals(silver, SilverAssertions.assertSilverMatchesBronze(lake.getValue()), on);
      assertEquals(
          daily,
          GoldAssertions.report(lake.getValue().goldDailyChannelEvents(), "daily_channel_events"),
          on);
      assertEquals(
          users,
          GoldAssertions.report(lake.getValue().goldUserChannelActivity(), "user_channel_activity"),
          on);
    }
  }
}
