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
 * <p>One GROUP BY, one pass: each row gets an occurrence key that sorts as the rule orders rows
 * (time, then sequence value, each offset by 10^18 into 19 fixed digits) and carries what the
 * reports need of the row (date, user); MIN of that key per duplicate group is the kept row.
 * Beam SQL 2.62 has no usable window function for this (ROW_NUMBER ordered by a timestamp fails,
 * by a BIGINT it is very slow), and the same rule as MIN plus joins read the input three times
 * and shuffled it five times.
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

  private static final String OFFSET = "1000000000000000000"; // 10^18: 19 digits from 0 to 8.2e18

  static final String SQL =
      "SELECT message_id, event_type, channel,"
          + "  CAST(NULLIF(SUBSTRING(kept FROM 49), '') AS INTEGER) AS user_id,"
          + "  CAST(SUBSTRING(kept FROM 1 FOR 19) AS BIGINT) - " + OFFSET + " AS event_millis,"
          + "  CAST(SUBSTRING(kept FROM 20 FOR 19) AS BIGINT) - " + OFFSET + " AS seq,"
          + "  SUBSTRING(kept FROM 39 FOR 10) AS event_date"
          + " FROM (SELECT message_id, event_type, channel, MIN("
          + "    CAST(event_millis + " + OFFSET + " AS VARCHAR)"
          + "    || CAST(seq + " + OFFSET + " AS VARCHAR)"
          + "    || event_date || COALESCE(CAST(user_id AS VARCHAR), '')) AS kept"
          + "  FROM PCOLLECTION GROUP BY message_id, event_type, channel)";

  @Override
  public PCollection<Row> expand(PCollection<Row> rows) {
    return rows.apply("FirstOccurrenceSql", SqlTransform.query(SQL));
  }
}
