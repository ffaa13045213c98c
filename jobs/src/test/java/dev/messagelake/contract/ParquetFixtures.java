package dev.messagelake.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

/** Parquet files written directly by tests, to build a lake in exactly the state wanted. */
public final class ParquetFixtures {
  private ParquetFixtures() {}

  /** A parquet-avro writer (no Hadoop .crc side files), its folder created. */
  public static ParquetWriter<GenericRecord> writer(Path file, org.apache.avro.Schema schema)
      throws IOException {
    Files.createDirectories(file.getParent());
    Configuration noChecksumFiles = new Configuration();
    noChecksumFiles.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    noChecksumFiles.setBoolean("fs.file.impl.disable.cache", true);
    return AvroParquetWriter.<GenericRecord>builder(
            HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), noChecksumFiles))
        .withSchema(schema)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .build();
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
