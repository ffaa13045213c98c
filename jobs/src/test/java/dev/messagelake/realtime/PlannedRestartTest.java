package dev.messagelake.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.events.EventSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a planned restart of the realtime job counts from: the oldest window it may update. */
class PlannedRestartTest {
  @TempDir Path work;

  private RealtimeJob.Options options() {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--source=kafka",
                "--jdbcUrl=jdbc:sqlite:" + work.resolve("realtime.db"),
                "--windowSeconds=10",
                "--maxDelaySeconds=2",
                "--allowedLatenessSeconds=60",
                "--earlyFiringSeconds=2"));
    RealtimeJob.Options options = JobLauncher.parse(args, RealtimeJob.Options.class);
    MessageCountsTable.create(options);
    return options;
  }

  @Test
  void fromTheWindowOfTheNewestEventLessWhatTheWatermarkAndLatenessStillAllow() throws Exception {
    RealtimeJob.Options options = options();
    long newest = 1_765_000_123_456L;
    countAnEventAt(options, newest);
    countAnEventAt(options, newest - 500_000); // an older window: not the newest
    // 2 s of delay, 60 s of lateness, 2 s to the last firing, two 10 s windows: 84 s back,
    // rounded down to a window's start
    long back = newest - 84_000;
    assertEquals(
        new Instant(back - Math.floorMod(back, 10_000L)), RealtimeJob.openWindowsStart(options));
  }

  @Test
  void noRestartBeforeAnythingIsCountedOrWhenTheTableCannotBeRead() {
    assertNull(RealtimeJob.openWindowsStart(options()), "an empty table");
    RealtimeJob.Options unreadable = options();
    unreadable.setJdbcUrl("jdbc:sqlite:" + work.resolve("missing").resolve("none.db"));
    assertNull(RealtimeJob.openWindowsStart(unreadable), "an unreadable database");
  }

  @Test
  void neverForTheRateSourceWhichWouldStartItsWindowsAgainFromNow() throws Exception {
    RealtimeJob.Options options = options();
    countAnEventAt(options, 1_765_000_123_456L);
    options.setSource(EventSource.rate);
    assertNull(RealtimeJob.openWindowsStart(options));
  }

  private static void countAnEventAt(RealtimeJob.Options options, long eventMillis)
      throws Exception {
    try (Connection connection = MessageCountsTable.connect(options);
        PreparedStatement upsert = connection.prepareStatement(MessageCountsTable.UPSERT)) {
      Object[] row = {
        eventMillis - eventMillis % 10_000, "quality", "valid", 1L, 1L, eventMillis, 0L
      };
      for (int i = 0; i < row.length; i++) {
        upsert.setObject(i + 1, row[i]);
      }
      upsert.executeUpdate();
    }
  }
}
