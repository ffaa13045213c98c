package dev.messagelake.gold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.audit.LakeAudit;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The gold reports of a lake against DuckDB's own deduplication of the same silver files. */
public final class GoldAssertions {
  private GoldAssertions() {}

  /** Asserts both report CSVs equal DuckDB's recomputation; returns report 1's CSV. */
  public static String assertReportsMatchDuckDb(LakeLayout lake) throws Exception {
    Map<String, String> expected = LakeAudit.expectedGoldReports(lake);
    String dailyCsv = report(lake.goldDailyChannelEvents(), "daily_channel_events");
    assertEquals(expected.get("daily_channel_events"), dailyCsv);
    assertEquals(
        expected.get("user_channel_activity"),
        report(lake.goldUserChannelActivity(), "user_channel_activity"));
    return dailyCsv;
  }

  /** The report's CSV, checking it is the only file of its folder. */
  public static String report(Path folder, String name) throws Exception {
    assertEquals(List.of(folder.resolve(name + ".csv")), LakeStorage.local().listFiles(folder));
    return Files.readString(folder.resolve(name + ".csv"));
  }
}
