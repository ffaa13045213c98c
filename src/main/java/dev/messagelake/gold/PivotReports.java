package dev.messagelake.gold;

import java.util.List;

/**
 * The two reports as Beam SQL over the deduplicated rows. Pivot columns come from the data: one
 * {@code SUM(CASE ...)} per value present (Beam SQL 2.62's PIVOT and aggregate FILTER give wrong
 * counts; conditional sums are right).
 */
final class PivotReports {
  private PivotReports() {}

  /** Report 1: per (date, channel), the number of messages of each event type (null for none). */
  static String dailyChannelEvents(List<String> eventTypes) {
    StringBuilder sql = new StringBuilder("SELECT event_date, channel");
    for (int i = 0; i < eventTypes.size(); i++) {
      sql.append(",\n  NULLIF(SUM(CASE WHEN event_type = ")
          .append(literal(eventTypes.get(i)))
          .append(" THEN 1 ELSE 0 END), 0) AS c")
          .append(i);
    }
    return sql.append("\nFROM PCOLLECTION GROUP BY event_date, channel").toString();
  }

  /** Report 2: per user, the number of messages, and of each channel (zero for none). */
  static String userChannelActivity(List<String> channels) {
    StringBuilder sql = new StringBuilder("SELECT user_id, COUNT(*) AS iterations");
    for (int i = 0; i < channels.size(); i++) {
      sql.append(",\n  SUM(CASE WHEN channel = ")
          .append(literal(channels.get(i)))
          .append(" THEN 1 ELSE 0 END) AS c")
          .append(i);
    }
    return sql.append("\nFROM PCOLLECTION GROUP BY user_id").toString();
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
