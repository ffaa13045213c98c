package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.audit.DuckDb;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad file dropped in bronze is moved aside with its reason; silver goes on. */
class QuarantineTest {
  @TempDir Path lakeRoot;

  @Test
  void truncatedForeignAndWrongSchemaFilesAreQuarantinedAndSilverGoesOn() throws Exception {
    LakeLayout lake = new LakeLayout(lakeRoot);
    assertEquals(
        0,
        JobLauncher.run(
            "bronze",
            new String[] {"--lake=" + lakeRoot, "--durationSeconds=2", "--rowsPerSecond=50"},
            BronzeProducer.Options.class,
            BronzeProducer::run));
    Path good = LakeStorage.local().listFiles(lake.bronzeData()).get(0);
    byte[] bytes = Files.readAllBytes(good);
    Files.write(
        lake.bronzeData().resolve("truncated.parquet"), Arrays.copyOf(bytes, bytes.length / 2));
    Files.writeString(lake.bronzeData().resolve("notes.parquet"), "not parquet at all");
    try (DuckDb duckDb = new DuckDb()) {
      duckDb.execute(
          "COPY (SELECT 1 AS a, 'x' AS b) TO '"
              + lake.bronzeData().resolve("wrong.parquet")
              + "' (FORMAT parquet)");
    }

    catchUpSilver();

    List<String> quarantined =
        LakeStorage.local().listFiles(lake.bronzeQuarantine()).stream()
            .map(p -> p.getFileName().toString())
            .collect(Collectors.toList());
    assertEquals(
        List.of(
            "notes.parquet",
            "notes.parquet.reason.txt",
            "truncated.parquet",
            "truncated.parquet.reason.txt",
            "wrong.parquet",
            "wrong.parquet.reason.txt"),
        quarantined);
    assertThat(
        Files.readString(lake.bronzeQuarantine().resolve("wrong.parquet.reason.txt")),
        containsString("no column"));
    assertThat(
        Files.readString(lake.bronzeQuarantine().resolve("truncated.parquet.reason.txt")),
        containsString("not a readable parquet file"));
    assertEquals(3, Quarantine.quarantined(lake).size());
    // Every readable bronze row went through; the lake reconciles, quarantine set aside.
    assertThat(SilverAssertions.assertSilverMatchesBronze(lake), greaterThan(50L));
    assertEquals(
        0,
        JobLauncher.run(
            "check", new String[] {"--lake=" + lakeRoot}, LakeCheck.Options.class, LakeCheck::run));

    // A bad file of a name quarantined before goes beside the first, which stays as it was.
    Files.writeString(lake.bronzeData().resolve("notes.parquet"), "still not parquet");
    catchUpSilver();
    assertEquals(
        "not parquet at all", Files.readString(lake.bronzeQuarantine().resolve("notes.parquet")));
    assertEquals(
        "still not parquet", Files.readString(lake.bronzeQuarantine().resolve("notes.2.parquet")));
    assertThat(
        Files.readString(lake.bronzeQuarantine().resolve("notes.2.parquet.reason.txt")),
        containsString("not a readable parquet file"));
    assertEquals(4, Quarantine.quarantined(lake).size());
  }

  private void catchUpSilver() throws Exception {
    assertEquals(
        0,
        JobLauncher.run(
            "silver",
            new String[] {"--lake=" + lakeRoot, "--catchUp"},
            SilverJob.Options.class,
            SilverJob::run));
  }
}
