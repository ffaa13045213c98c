package dev.messagelake.lake;

import dev.messagelake.bench.LakeFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.hadoop.ParquetWriter;

/** Parquet files written directly by tests, to build a lake in exactly the state wanted. */
public final class ParquetFixtures {
  private ParquetFixtures() {}

  /** A parquet-avro writer (no Hadoop .crc side files), its folder created. */
  public static ParquetWriter<GenericRecord> writer(Path file, org.apache.avro.Schema schema)
      throws IOException {
    return LakeFixtures.writer(file, schema);
  }

  /** Writes the rows (of the Beam schema matching {@code schema}) into one file. */
  public static void write(Path file, org.apache.avro.Schema schema, List<Row> rows)
      throws IOException {
    try (ParquetWriter<GenericRecord> writer = writer(file, schema)) {
      for (Row row : rows) {
        writer.write(AvroUtils.toGenericRecord(row, schema));
      }
    }
  }
}
