package dev.messagelake.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** The fast conversion makes the very records Beam's AvroUtils makes, nulls included. */
class RowToAvroTest {
  @Test
  void sameRecordsAsAvroUtils() {
    Instant at = Instant.parse("2026-11-25T23:59:59.123Z");
    Row bronze =
        Row.withSchema(LakeSchemas.BRONZE).addValues(at, 7L, null, "id", "SMS", 2003, 1040).build();
    Row silver =
        Row.withSchema(LakeSchemas.SILVER)
            .addValues(at, 8L, "OPEN", null, "CHAT", null, null, null)
            .build();

    RowToAvro bronzeToAvro = SerializableUtils.clone(new RowToAvro(LakeSchemas.BRONZE_AVRO));
    RowToAvro silverToAvro = SerializableUtils.clone(new RowToAvro(LakeSchemas.SILVER_AVRO));

    assertEquals(
        AvroUtils.toGenericRecord(bronze, LakeSchemas.BRONZE_AVRO), bronzeToAvro.apply(bronze));
    assertEquals(
        AvroUtils.toGenericRecord(silver, LakeSchemas.SILVER_AVRO), silverToAvro.apply(silver));
  }
}
