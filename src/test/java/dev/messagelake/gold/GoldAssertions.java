package dev.messagelake.gold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.lake.DuckDb;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The gold reports of a lake against DuckDB's own deduplication of the same silver files. */
public final class GoldAssertions {
  private GoldAssertions() {}

  /** Asserts both report CSVs equal DuckDB's recomputation; returns report 1's CSV. */
  public static String assertReportsMatchDuckDb(LakeLayout lake) throws Exception {
    List<List<Object>> counts;
    try (DuckDb duckDb = new DuckDb()) {
      duckDb.execute("SET TimeZone = 'UTC'");
      counts =
          duckDb.rows(
              "WITH silver AS (SELECT * FROM read_parquet('" + lake.silverMessagesData()
                  + "/**/*.parquet', hive_partitioning = true)),"
                  + " dedup AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY"
                  + "   message_id, event_type, channel ORDER BY timestamp, value) AS n FROM silver)"
                  + "   WHERE n = 1)"
                  + " SELECT CAST(date AS VARCHAR), channel, event_type, user_id FROM dedup");
    }
    // The expected CSVs, built from DuckDB's deduplicated rows.
    TreeSet<String> types = new TreeSet<>();
    TreeSet<String> channels = new TreeSet<>();
    Map<String, Map<String, Integer>> daily = new TreeMap<>();
    Map<Integer, Map<String, Integer>> users = new TreeMap<>();
    for (List<Object> row : counts) {
      String dateChannel = row.get(0) + "," + row.get(1);
      types.add((String) row.get(2));
      channels.add((String) row.get(1));
      daily.computeIfAbsent(dateChannel, k -> new TreeMap<>()).merge((String) row.get(2), 1, Integer::sum);
      users.computeIfAbsent((Integer) row.get(3), k -> new TreeMap<>()).merge((String) row.get(1), 1, Integer::sum);
    }
    StringBuilder expectedDaily = new StringBuilder("date,channel," + String.join(",", types) + "\n");
    daily.forEach((dateChannel, byType) -> {
      expectedDaily.append(dateChannel);
      types.forEach(t -> expectedDaily.append(',').append(byType.containsKey(t) ? byType.get(t) : ""));
      expectedDaily.append('\n');
    });
    List<Map.Entry<Integer, Map<String, Integer>>> byUser = new ArrayList<>(users.entrySet());
    byUser.sort((a, b) -> {
      int total = Integer.compare(sum(b.getValue()), sum(a.getValue()));
      return total != 0 ? total : Integer.compare(a.getKey(), b.getKey());
    });
    StringBuilder expectedUsers = new StringBuilder("user_id,iterations," + String.join(",", channels) + "\n");
    for (Map.Entry<Integer, Map<String, Integer>> user : byUser) {
      expectedUsers.append(user.getKey()).append(',').append(sum(user.getValue()));
      channels.forEach(c -> expectedUsers.append(',').append(user.getValue().getOrDefault(c, 0)));
      expectedUsers.append('\n');
    }
    String dailyCsv = report(lake.goldDailyChannelEvents(), "daily_channel_events");
    assertEquals(expectedDaily.toString(), dailyCsv);
    assertEquals(expectedUsers.toString(), report(lake.goldUserChannelActivity(), "user_channel_activity"));
    return dailyCsv;
  }

  /** The report's CSV, checking it is the only file of its folder. */
  public static String report(Path folder, String name) throws Exception {
    assertEquals(List.of(folder.resolve(name + ".csv")), LakeFiles.listFiles(folder));
    return Files.readString(folder.resolve(name + ".csv"));
  }

  private static int sum(Map<String, Integer> counts) {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }
}
