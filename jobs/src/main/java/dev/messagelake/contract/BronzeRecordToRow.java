package dev.messagelake.contract;

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
 * A bronze record, as parquet-avro reads it with the file's own schema, turned into a row of {@link
 * LakeSchemas#BRONZE_AS_READ}. Accepts what other engines write: timestamps as INT64 millis or
 * micros (UTC-adjusted or local, read as UTC) or INT96 (Spark's default), and integers of either
 * width.
 */
public class BronzeRecordToRow implements SerializableFunction<GenericRecord, Row> {
  /** Parquet-avro hands INT96 over as 12 bytes when asked to (parquet.avro.readInt96AsFixed). */
  public static final String READ_INT96_AS_FIXED = "parquet.avro.readInt96AsFixed";

  private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;
  private static final long MILLIS_PER_DAY = 86_400_000L;

  /** The columns of the last file schema seen: a file's records all share its schema object. */
  private transient Columns columns;

  @Override
  public Row apply(GenericRecord record) {
    Columns at = columnsOf(record.getSchema());
    // attachValues: each value is converted to its field's exact type here, no need to check again
    return Row.withSchema(LakeSchemas.BRONZE_AS_READ)
        .attachValues(
            at.instant(record.get(at.timestamp)),
            requiredLong(record.get(at.value), LakeSchemas.VALUE),
            string(record.get(at.eventType)),
            string(record.get(at.messageId)),
            string(record.get(at.channel)),
            integer(record.get(at.countryId)),
            integer(record.get(at.userId)));
  }

  private Columns columnsOf(Schema schema) {
    if (columns == null || columns.schema != schema) {
      columns = new Columns(schema);
    }
    return columns;
  }

  /**
   * Where a file schema holds each bronze column, and the unit of its timestamps: looked up once
   * per file rather than by name for every field of every record.
   */
  private static final class Columns {
    final Schema schema;
    final int timestamp;
    final int value;
    final int eventType;
    final int messageId;
    final int channel;
    final int countryId;
    final int userId;

    /**
     * Timestamp units per millisecond when the column is an INT64; 0 when it has no timestamp type.
     */
    final long perMilli;

    Columns(Schema schema) {
      this.schema = schema;
      timestamp = position(schema, LakeSchemas.TIMESTAMP);
      value = position(schema, LakeSchemas.VALUE);
      eventType = position(schema, LakeSchemas.EVENT_TYPE);
      messageId = position(schema, LakeSchemas.MESSAGE_ID);
      channel = position(schema, LakeSchemas.CHANNEL);
      countryId = position(schema, LakeSchemas.COUNTRY_ID);
      userId = position(schema, LakeSchemas.USER_ID);
      LogicalType type = nonNull(schema.getFields().get(timestamp).schema()).getLogicalType();
      perMilli = unitsPerMilli(type == null ? "" : type.getName());
    }

    Instant instant(Object raw) {
      if (raw == null) {
        throw new IllegalArgumentException("null timestamp");
      }
      if (raw instanceof GenericData.Fixed) {
        return fromInt96(((GenericData.Fixed) raw).bytes());
      }
      if (!(raw instanceof Long)) {
        throw new IllegalArgumentException(
            "timestamp of unsupported type " + raw.getClass().getSimpleName());
      }
      if (perMilli == 0) {
        throw new IllegalArgumentException("timestamp is an INT64 without a timestamp type");
      }
      return new Instant(Math.floorDiv((long) (Long) raw, perMilli));
    }
  }

  private static long unitsPerMilli(String logicalType) {
    switch (logicalType) {
      case "timestamp-millis":
      case "local-timestamp-millis":
        return 1L;
      case "timestamp-micros":
      case "local-timestamp-micros":
        return 1000L;
      case "timestamp-nanos":
      case "local-timestamp-nanos":
        return 1_000_000L;
      default:
        return 0L;
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
    return new Instant(
        (julianDay - JULIAN_DAY_OF_EPOCH) * MILLIS_PER_DAY + nanosOfDay / 1_000_000L);
  }

  private static int position(Schema schema, String name) {
    Schema.Field field = schema.getField(name);
    if (field == null) {
      throw new IllegalArgumentException("no column " + name);
    }
    return field.pos();
  }

  private static long requiredLong(Object raw, String name) {
    if (!(raw instanceof Number)) {
      throw new IllegalArgumentException(name + " is " + (raw == null ? "null" : "not a number"));
    }
    return ((Number) raw).longValue();
  }

  private static Integer integer(Object raw) {
    return raw == null ? null : Math.toIntExact(((Number) raw).longValue());
  }

  private static String string(Object raw) {
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
