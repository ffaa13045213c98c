package dev.messagelake.lake;

import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;

/**
 * The columns of the lake's tables, defined once (see docs/LAKE.md). Every job and test takes
 * its schema from here; the Avro form is what the parquet files carry.
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

  /** Avro form of {@link #BRONZE}: timestamp becomes {@code timestamp-millis} (UTC) in parquet. */
  public static final org.apache.avro.Schema BRONZE_AVRO =
      AvroUtils.toAvroSchema(BRONZE, "Message", "dev.messagelake.bronze");
}
