package dev.messagelake.silver;

import dev.messagelake.lake.LakeSchemas;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * A bronze record, as parquet-avro reads it with the file's own schema, turned into a row of
 * {@link LakeSchemas#BRONZE_AS_READ}. Accepts what other engines write: timestamps as INT64
 * millis or micros (UTC-adjusted or local, read as UTC) or INT96 (Spark's default), and
 * integers of either width.
 */
public class BronzeRecordToRow implements SerializableFunction<GenericRecord, Row> {
  /** Parquet-avro hands INT96 over as 12 bytes when asked to (parquet.avro.readInt96AsFixed). */
  public static final String READ_INT96_AS_FIXED = "parquet.avro.readInt96AsFixed";

  private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;
  private static final long MILLIS_PER_DAY = 86_400_000L;

  @Override
  public Row apply(GenericRecord record) {
    // attachValues: each value is converted to its field's exact type here, no need to check again
    return Row.withSchema(LakeSchemas.BRONZE_AS_READ)
        .attachValues(
            timestamp(record),
            requiredLong(record, LakeSchemas.VALUE),
            string(record, LakeSchemas.EVENT_TYPE),
            string(record, LakeSchemas.MESSAGE_ID),
            string(record, LakeSchemas.CHANNEL),
            integer(record, LakeSchemas.COUNTRY_ID),
            integer(record, LakeSchemas.USER_ID));
  }

  static Instant timestamp(GenericRecord record) {
    Object raw = field(record, LakeSchemas.TIMESTAMP);
    if (raw == null) {
      throw new IllegalArgumentException("null timestamp");
    }
    if (raw instanceof GenericData.Fixed) {
      return fromInt96(((GenericData.Fixed) raw).bytes());
    }
    if (!(raw instanceof Long)) {
      throw new IllegalArgumentException("timestamp of unsupported type " + raw.getClass().getSimpleName());
    }
    long number = (Long) raw;
    LogicalType type = nonNull(record.getSchema().getField(LakeSchemas.TIMESTAMP).schema()).getLogicalType();
    String name = type == null ? "" : type.getName();
    switch (name) {
      case "timestamp-millis":
      case "local-timestamp-millis":
        return new Instant(number);
      case "timestamp-micros":
      case "local-timestamp-micros":
        return new Instant(Math.floorDiv(number, 1000L));
      case "timestamp-nanos":
      case "local-timestamp-nanos":
        return new Instant(Math.floorDiv(number, 1_000_000L));
      default:
        throw new IllegalArgumentException("timestamp is an INT64 without a timestamp type");
    }
  }

  /** INT96: nanoseconds of the day (8 bytes), then the Julian day (4 bytes), little-endian. */
  static Instant fromInt96(byte[] bytes) {
    if (bytes.length != 12) {
      throw new IllegalArgumentException("INT96 timestamp of " + bytes.length + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = buffer.getLong();
    long julianDay = buffer.getInt();
    return new Instant((julianDay - JULIAN_DAY_OF_EPOCH) * MILLIS_PER_DAY + nanosOfDay / 1_000_000L);
  }

  private static Object field(GenericRecord record, String name) {
    if (record.getSchema().getField(name) == null) {
      throw new IllegalArgumentException("no column " + name);
    }
    return record.get(name);
  }

  private static long requiredLong(GenericRecord record, String name) {
    Object raw = field(record, name);
    if (!(raw instanceof Number)) {
      throw new IllegalArgumentException(name + " is " + (raw == null ? "null" : "not a number"));
    }
    return ((Number) raw).longValue();
  }

  private static Integer integer(GenericRecord record, String name) {
    Object raw = field(record, name);
    return raw == null ? null : Math.toIntExact(((Number) raw).longValue());
  }

  private static String string(GenericRecord record, String name) {
    Object raw = field(record, name);
    return raw == null ? null : raw.toString();
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      for (Schema branch : schema.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return branch;
        }
      }
    }
    return schema;
  }
}
