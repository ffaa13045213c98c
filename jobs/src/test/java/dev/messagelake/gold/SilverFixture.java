package dev.messagelake.gold;

import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.ParquetFixtures;
import dev.messagelake.events.FakeMessages;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.hadoop.ParquetWriter;
import org.joda.time.Instant;

/**
 * A silver messages table of generated rows, written straight as parquet (the producer's rate would
 * take hours for a million rows): the generator's fake fields, valid rows only, a few days of
 * timestamps, date partitions as silver writes them.
 *
 * <p>{@code java -cp ... dev.messagelake.gold.SilverFixture <lake> <rows>} writes one for timing.
 */
public final class SilverFixture {
  private static final Instant START = Instant.parse("2024-12-01T00:00:00Z");

  private SilverFixture() {}

  /** Timestamps of a time function: value -> event time. */
  public interface EventTime {
    Instant of(long value);
  }

  /** Writes {@code rows} valid messages, {@code millisBetweenRows} apart, into silver. */
  public static void write(Path lakeRoot, long rows, long millisBetweenRows) throws Exception {
    write(lakeRoot, rows, value -> START.plus(value * millisBetweenRows));
  }

  /** Writes {@code rows} valid messages with the given event times into silver. */
  public static void write(Path lakeRoot, long rows, EventTime eventTime) throws Exception {
    LakeLayout lake = new LakeLayout(lakeRoot);
    FakeMessages fake = new FakeMessages(11);
    Map<String, ParquetWriter<GenericRecord>> writers = new TreeMap<>();
    try {
      long written = 0;
      for (long value = 0; written < rows; value++) {
        Instant at = eventTime.of(value);
        Row bronze = fake.message(value, at);
        if (LakeSchemas.isCorrupted(bronze.getString(LakeSchemas.EVENT_TYPE))) {
          continue;
        }
        List<Object> values = new ArrayList<>(bronze.getValues());
        values.add("Somewhere");
        Row silver = Row.withSchema(LakeSchemas.SILVER).addValues(values).build();
        String date = LakeSchemas.utcDate(at);
        ParquetWriter<GenericRecord> writer = writers.get(date);
        if (writer == null) {
          writer =
              ParquetFixtures.writer(
                  lake.silverMessagesData().resolve("date=" + date).resolve("part-fixture.parquet"),
                  LakeSchemas.SILVER_AVRO);
          writers.put(date, writer);
        }
        writer.write(AvroUtils.toGenericRecord(silver, LakeSchemas.SILVER_AVRO));
        written++;
      }
    } finally {
      for (ParquetWriter<GenericRecord> writer : writers.values()) {
        writer.close();
      }
    }
    SilverTables.importFiles(
        lake,
        lake.silverMessagesData(),
        LakeStorage.local().parquetFilesUnder(lake.silverMessagesData()));
  }

  public static void main(String[] args) throws Exception {
    long rows = Long.parseLong(args[1]);
    long started = System.currentTimeMillis();
    write(Path.of(args[0]), rows, 250);
    System.out.printf(
        "wrote %d silver rows in %.1f s%n", rows, (System.currentTimeMillis() - started) / 1000.0);
  }
}
