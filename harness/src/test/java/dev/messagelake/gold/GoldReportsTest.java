package dev.messagelake.gold;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.messagelake.chaos.JobProcess;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.ParquetFixtures;
import dev.messagelake.silver.SilverTables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reports of a lake, against expectations computed independently. */
class GoldReportsTest {
  @TempDir Path lakeRoot;
  @TempDir Path logs;

  private LakeLayout lake() {
    return new LakeLayout(lakeRoot);
  }

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int gold() {
    return JobLauncher.run(
        "gold",
        new String[] {"--lake=" + lakeRoot, "--enforceImmutability=false"},
        GoldReports.Options.class,
        GoldReports::run,
        System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void handComputedReports() throws Exception {
    // message m1 CHAT CREATED three times (notebook example: the 07:56:45 one counts, on the
    // 3rd); m1 CHAT OPEN once; m2 SMS SENT twice at the same time (the smaller value counts:
    // user 7, on the 4th); m3 CHAT CLICKED once on the 4th.
    writeSilver(
        row("2024-12-03T10:10:01Z", 1, "CREATED", "m1", "CHAT", 5),
        row("2024-12-03T07:56:45Z", 2, "CREATED", "m1", "CHAT", 6),
        row("2024-12-03T08:13:33Z", 3, "CREATED", "m1", "CHAT", 7),
        row("2024-12-03T09:00:00Z", 4, "OPEN", "m1", "CHAT", 5),
        row("2024-12-04T12:00:00Z", 9, "SENT", "m2", "SMS", 8),
        row("2024-12-04T12:00:00Z", 8, "SENT", "m2", "SMS", 7),
        row("2024-12-04T13:00:00Z", 10, "CLICKED", "m3", "CHAT", 6));

    assertEquals(0, gold(), err.toString(StandardCharsets.UTF_8));

    assertEquals(
        "date,channel,CLICKED,CREATED,OPEN,SENT\n"
            + "2024-12-03,CHAT,,1,1,\n"
            + "2024-12-04,CHAT,1,,,\n"
            + "2024-12-04,SMS,,,,1\n",
        GoldAssertions.report(lake().goldDailyChannelEvents(), "daily_channel_events"));
    assertEquals(
        "user_id,iterations,CHAT,SMS\n" + "6,2,2,0\n" + "5,1,1,0\n" + "7,1,0,1\n",
        GoldAssertions.report(lake().goldUserChannelActivity(), "user_channel_activity"));
  }

  @Test
  void generatedReportsEqualDuckDbsRecomputation() throws Exception {
    // Many rows per dedup key, timestamps scrambled across midnight, second resolution so that
    // some first occurrences tie and the smaller value decides.
    Instant start = Instant.parse("2024-12-01T23:55:00Z");
    SilverFixture.write(
        lakeRoot,
        10_000,
        value -> start.plus(Math.floorMod(value * 2_654_435_761L, 1_800L) * 1000));

    assertEquals(0, gold(), err.toString(StandardCharsets.UTF_8));

    String daily = GoldAssertions.assertReportsMatchDuckDb(lake());
    assertThat(daily, containsString("2024-12-02"));
  }

  @Test
  void aRunPrintsItsSummaryOnce() throws Exception {
    SilverFixture.write(lakeRoot, 200, 1000);

    // A process of its own, as a user runs it: its log lines and its stdout, in one file.
    JobProcess gold = JobProcess.start(GoldReports.class, lakeRoot, logs.resolve("gold.log"));
    assertEquals(0, gold.waitFor(Duration.ofSeconds(180)), gold.output());

    List<String> summaries =
        gold.output().lines().filter(line -> line.contains("silver rows")).toList();
    assertEquals(1, summaries.size(), gold.output());
    assertThat(
        summaries.get(0),
        matchesPattern("gold: 200 silver rows, \\d+ deduplicated, reports in \\d+\\.\\d s"));
  }

  @Test
  void noSilverIsAClearErrorAndLeavesNoReport() {
    assertEquals(2, gold());
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("no silver messages in"));
    assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count());
    assertFalse(Files.exists(lake().goldDailyChannelEvents()));
    assertFalse(Files.exists(lake().goldUserChannelActivity()));
  }

  private static Row row(
      String time, long value, String type, String messageId, String channel, int user) {
    return Row.withSchema(LakeSchemas.SILVER)
        .addValues(Instant.parse(time), value, type, messageId, channel, 2000, user, "Brazil")
        .build();
  }

  private void writeSilver(Row... rows) throws Exception {
    Path file = lake().silverMessagesData().resolve("date=2024-12-03").resolve("part-hand.parquet");
    ParquetFixtures.write(file, LakeSchemas.SILVER_AVRO, List.of(rows));
    SilverTables.importFiles(lake(), lake().silverMessagesData(), List.of(file));
  }
}
