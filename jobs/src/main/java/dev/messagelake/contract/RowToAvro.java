package dev.messagelake.contract;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * A row of a lake table (flat: timestamps, numbers, strings) as the Avro record its parquet file
 * holds, field by field in order: Beam's AvroUtils without its per-row schema analysis.
 */
public final class RowToAvro implements SerializableFunction<Row, GenericRecord> {
  private final String avroSchema; // Avro schemas are not serializable in every Avro version
  private transient Schema schema;

  public RowToAvro(Schema avroSchema) {
    this.avroSchema = avroSchema.toString();
  }

  @Override
  public GenericRecord apply(Row row) {
    if (schema == null) {
      schema = new Schema.Parser().parse(avroSchema);
    }
    GenericData.Record record = new GenericData.Record(schema);
    for (int i = 0; i < row.getFieldCount(); i++) {
      Object value = row.getValue(i);
      // Timestamps are timestamp-millis longs in the lake's Avro schemas.
      record.put(
          i, value instanceof ReadableInstant ? ((ReadableInstant) value).getMillis() : value);
    }
    return record;
  }
}
