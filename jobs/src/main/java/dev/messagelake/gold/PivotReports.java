package dev.messagelake.gold;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.values.Row;

/**
 * The two reports. Beam SQL counts the messages of every cell of a pivot table (one GROUP BY per
 * report, in the same pipeline as the deduplication); the few counts are then laid out as the pivot
 * table on the driver, one column per value present. (Beam SQL 2.62's PIVOT and aggregate FILTER
 * give wrong counts, and SQL pivot columns can only be written once the values are known: a second
 * pipeline.)
 */
final class PivotReports {
  private PivotReports() {}

  /** Report 1's cells: deduplicated messages per (date, channel, event type). */
  static final String DAILY_CHANNEL_EVENT_COUNTS =
      "SELECT event_date, channel, event_type, COUNT(*) AS messages"
          + " FROM PCOLLECTION GROUP BY event_date, channel, event_type";

  /** Report 2's cells: deduplicated messages per (user, channel). */
  static final String USER_CHANNEL_COUNTS =
      "SELECT user_id, channel, COUNT(*) AS messages FROM PCOLLECTION GROUP BY user_id, channel";

  /**
   * Report 1: a row per (date, channel), sorted so; a column per event type, ascending; each cell
   * the number of messages, empty (null) where there are none.
   */
  static ReportTable dailyChannelEvents(List<Row> counts) {
    List<String> eventTypes = distinct(counts, "event_type");
    Map<List<String>, Map<String, Long>> cells =
        new TreeMap<>(
            Comparator.comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1)));
    for (Row count : counts) {
      cells
          .computeIfAbsent(
              List.of(count.getString("event_date"), count.getString("channel")),
              k -> new TreeMap<>())
          .put(count.getString("event_type"), count.getInt64("messages"));
    }
    List<List<String>> rows = new ArrayList<>();
    cells.forEach(
        (dateAndChannel, byType) -> {
          List<String> row = new ArrayList<>(dateAndChannel);
          for (String type : eventTypes) {
            row.add(byType.containsKey(type) ? byType.get(type).toString() : null);
          }
          rows.add(row);
        });
    return new ReportTable(header("date", "channel", eventTypes), rows);
  }

  /**
   * Report 2: a row per user; iterations, the user's messages; a column per channel, ascending,
   * zero where there are none. Sorted by iterations descending, then user_id ascending.
   */
  static ReportTable userChannelActivity(List<Row> counts) {
    List<String> channels = distinct(counts, "channel");
    Map<Integer, Map<String, Long>> byUser =
        new TreeMap<>(Comparator.nullsLast(Comparator.naturalOrder()));
    for (Row count : counts) {
      byUser
          .computeIfAbsent(count.getInt32("user_id"), k -> new TreeMap<>())
          .merge(count.getString("channel"), count.getInt64("messages"), Long::sum);
    }
    List<List<String>> rows = new ArrayList<>();
    byUser.forEach(
        (user, byChannel) -> {
          List<String> row = new ArrayList<>();
          row.add(Objects.toString(user, null));
          row.add(Long.toString(byChannel.values().stream().mapToLong(Long::longValue).sum()));
          for (String channel : channels) {
            row.add(Long.toString(byChannel.getOrDefault(channel, 0L)));
          }
          rows.add(row);
        });
    // Stable sort: users of equal iterations stay in ascending user_id order.
    rows.sort(Comparator.comparing((List<String> row) -> -Long.parseLong(row.get(1))));
    return new ReportTable(header("user_id", "iterations", channels), rows);
  }

  /** The messages counted: every deduplicated row falls in exactly one cell of report 1. */
  static long messages(List<Row> counts) {
    return counts.stream().mapToLong(count -> count.getInt64("messages")).sum();
  }

  private static List<String> distinct(List<Row> counts, String field) {
    TreeSet<String> values = new TreeSet<>();
    for (Row count : counts) {
      values.add(count.getString(field));
    }
    return new ArrayList<>(values);
  }

  private static List<String> header(String first, String second, List<String> pivot) {
    List<String> header = new ArrayList<>(List.of(first, second));
    header.addAll(pivot);
    return header;
  }
}
