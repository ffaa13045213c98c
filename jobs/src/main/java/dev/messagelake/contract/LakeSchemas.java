package dev.messagelake.contract;

import java.time.LocalDate;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * The columns of the lake's tables, defined once (see docs/LAKE.md). Every job and test takes its
 * schema from here; the Avro form is what the parquet files carry.
 */
public final class LakeSchemas {
  private LakeSchemas() {}

  public static final String TIMESTAMP = "timestamp";
  public static final String VALUE = "value";
  public static final String EVENT_TYPE = "event_type";
  public static final String MESSAGE_ID = "message_id";
  public static final String CHANNEL = "channel";
  public static final String COUNTRY_ID = "country_id";
  public static final String USER_ID = "user_id";
  public static final String COUNTRY = "country";

  /** Bronze: the raw events, in the contract's column order. */
  public static final Schema BRONZE =
      Schema.builder()
          .addField(TIMESTAMP, FieldType.DATETIME)
          .addField(VALUE, FieldType.INT64)
          .addNullableField(EVENT_TYPE, FieldType.STRING)
          .addField(MESSAGE_ID, FieldType.STRING)
          .addField(CHANNEL, FieldType.STRING)
          .addField(COUNTRY_ID, FieldType.INT32)
          .addField(USER_ID, FieldType.INT32)
          .build();

  /**
   * Bronze as silver reads it: files written by other engines may hold a null country_id, and Spark
   * writes every column nullable.
   */
  public static final Schema BRONZE_AS_READ =
      Schema.builder()
          .addField(TIMESTAMP, FieldType.DATETIME)
          .addField(VALUE, FieldType.INT64)
          .addNullableField(EVENT_TYPE, FieldType.STRING)
          .addNullableField(MESSAGE_ID, FieldType.STRING)
          .addNullableField(CHANNEL, FieldType.STRING)
          .addNullableField(COUNTRY_ID, FieldType.INT32)
          .addNullableField(USER_ID, FieldType.INT32)
          .build();

  /** Silver: the bronze columns, then the country's name (null when the id is unknown). */
  public static final Schema SILVER =
      Schema.builder()
          .addFields(BRONZE_AS_READ.getFields())
          .addNullableField(COUNTRY, FieldType.STRING)
          .build();

  /** Avro form of {@link #BRONZE}: timestamp becomes {@code timestamp-millis} (UTC) in parquet. */
  public static final org.apache.avro.Schema BRONZE_AVRO =
      AvroUtils.toAvroSchema(BRONZE, "Message", "dev.messagelake.bronze");

  /** Avro form of {@link #SILVER}. */
  public static final org.apache.avro.Schema SILVER_AVRO =
      AvroUtils.toAvroSchema(SILVER, "Message", "dev.messagelake.silver");

  // Every lake table begins with bronze's columns, in order: positions for per-row code, where
  // a look-up by name, once per field and row, is a measurable share of the work.
  public static final int TIMESTAMP_INDEX = BRONZE.indexOf(TIMESTAMP);
  public static final int EVENT_TYPE_INDEX = BRONZE.indexOf(EVENT_TYPE);
  public static final int COUNTRY_ID_INDEX = BRONZE.indexOf(COUNTRY_ID);

  private static final long MILLIS_PER_DAY = 86_400_000L;

  /**
   * The timestamp of a lake row as the row holds it ({@code Row.getDateTime} builds a zoned
   * DateTime at every call: a tenth of gold's per-row work).
   */
  public static ReadableInstant timestamp(Row row) {
    return row.getValue(TIMESTAMP_INDEX);
  }

  /** The date of a silver row: the UTC calendar date of its timestamp, as YYYY-MM-DD. */
  public static String utcDate(ReadableInstant timestamp) {
    return utcDate(epochDay(timestamp));
  }

  /** Days since 1970-01-01 of a timestamp, UTC: not a time-zone-aware formatter, once per row. */
  public static long epochDay(ReadableInstant timestamp) {
    return Math.floorDiv(timestamp.getMillis(), MILLIS_PER_DAY);
  }

  /** A day since 1970-01-01 as YYYY-MM-DD. */
  public static String utcDate(long epochDay) {
    return LocalDate.ofEpochDay(epochDay).toString();
  }

  /** A row is corrupted when its event_type is null, empty or exactly NONE. */
  public static boolean isCorrupted(String eventType) {
    return eventType == null || eventType.isEmpty() || eventType.equals("NONE");
  }
}
