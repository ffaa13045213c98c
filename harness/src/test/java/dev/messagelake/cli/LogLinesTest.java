package dev.messagelake.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.contract.LakeLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What our jobs print: paths relative to the lake root, the job's name first. */
class LogLinesTest {
  @TempDir Path lakeRoot;
  @TempDir Path logs;

  @Test
  void displayShowsLakePathsRelativeToTheRoot() {
    LakeLayout lake = new LakeLayout(lakeRoot);
    assertEquals("silver/messages/data", lake.display(lake.silverMessagesData()));
    assertEquals(
        "bronze/messages/data/values-1.parquet",
        lake.display(lake.bronzeData().resolve("values-1.parquet")));
    assertEquals(
        "gold/daily_channel_events",
        lake.display(lake.root().resolve("gold/x/../daily_channel_events")));
    // The root itself and paths outside the lake stay whole: nothing to be relative to.
    assertEquals(lake.root().toString(), lake.display(lakeRoot));
    assertEquals(
        lakeRoot.resolveSibling("other").toAbsolutePath().toString(),
        lake.display(lakeRoot.resolveSibling("other")));
    // A root given relative to the working directory: paths given the same way.
    LakeLayout relative = new LakeLayout(Path.of("lake"));
    assertEquals(
        "bronze/messages/checkpoint", relative.display(Path.of("lake/bronze/messages/checkpoint")));
  }

  @Test
  void aJobLogsItsNameAndPathsInTheLake() throws Exception {
    JobProcess bronze =
        JobProcess.start(
            BronzeProducer.class, lakeRoot, logs.resolve("bronze.log"), "--durationSeconds=2");
    assertEquals(0, bronze.waitFor(Duration.ofSeconds(180)), bronze.output());

    String output = bronze.output();
    assertThat(output, not(containsString(lakeRoot.toAbsolutePath().toString())));
    List<String> started = output.lines().filter(line -> line.contains("rows/s into")).toList();
    assertEquals(1, started.size(), output);
    assertThat(
        started.get(0),
        matchesPattern(
            "\\d\\d:\\d\\d:\\d\\d bronze: 1 rows/s into bronze/messages/data, 1 s windows,"
                + " continuing at value 0"));
    assertThat(
        output,
        matchesPattern(
            "(?s).*\nbronze stopped: wrote \\d+ rows in \\d+ files this run \\([0-9.]+ rows/s\\);"
                + " bronze/messages/data now holds values 0\\.\\.\\d+ in \\d+ files\n.*"));
  }
}
