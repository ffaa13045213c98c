package dev.messagelake.gold;

import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * The gold deduplication rule in Beam SQL: rows sharing (message_id, event_type, channel) are
 * duplicates; the earliest by time is kept, ties broken by the smaller sequence value.
 *
 * <p>Beam SQL 2.62 has no usable window function for this (ROW_NUMBER ordered by a timestamp
 * fails, by a BIGINT it is very slow), so the rule is GROUP BY with MIN, then joins. Every join
 * and grouping is keyed by the dedup key only, of which the data has few (at most 50 x 7 x 5 with
 * the generator's values): the Direct runner groups few keys fast and one key per row very
 * slowly. The conditions that pick the kept row sit inside MIN(CASE ...), not in a WHERE, so the
 * planner cannot turn them into join keys.
 */
public class Deduplicate extends PTransform<PCollection<Row>, PCollection<Row>> {

  /** What gold reads of a silver row; names avoid SQL's reserved words (value, date...). */
  public static final Schema INPUT =
      Schema.builder()
          .addStringField("message_id")
          .addStringField("event_type")
          .addStringField("channel")
          .addNullableField("user_id", FieldType.INT32)
          .addInt64Field("event_millis")
          .addInt64Field("seq")
          .addStringField("event_date")
          .build();

  static final String SQL =
      "WITH firsts AS ("
          + "  SELECT message_id, event_type, channel, MIN(event_millis) AS first_millis"
          + "  FROM PCOLLECTION GROUP BY message_id, event_type, channel),"
          + " kept AS ("
          + "  SELECT m.message_id, m.event_type, m.channel, f.first_millis,"
          + "    MIN(CASE WHEN m.event_millis = f.first_millis THEN m.seq END) AS kept_seq"
          + "  FROM PCOLLECTION m JOIN firsts f"
          + "    ON m.message_id = f.message_id AND m.event_type = f.event_type"
          + "    AND m.channel = f.channel"
          + "  GROUP BY m.message_id, m.event_type, m.channel, f.first_millis)"
          + " SELECT m.message_id, m.event_type, m.channel,"
          + "  MIN(CASE WHEN m.seq = k.kept_seq THEN m.user_id END) AS user_id,"
          + "  k.first_millis AS event_millis, k.kept_seq AS seq,"
          + "  MIN(CASE WHEN m.seq = k.kept_seq THEN m.event_date END) AS event_date"
          + " FROM PCOLLECTION m JOIN kept k"
          + "  ON m.message_id = k.message_id AND m.event_type = k.event_type"
          + "  AND m.channel = k.channel"
          + " GROUP BY m.message_id, m.event_type, m.channel, k.first_millis, k.kept_seq";

  @Override
  public PCollection<Row> expand(PCollection<Row> rows) {
    return rows.apply("FirstOccurrenceSql", SqlTransform.query(SQL));
  }
}
