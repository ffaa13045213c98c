package dev.messagelake.bench;

import dev.messagelake.bronze.BronzeCheckpoint;
import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.RowToAvro;
import dev.messagelake.events.FakeMessages;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.LakeStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.joda.time.Instant;

/**
 * Lakes of generated rows written straight as parquet, for benchmarks and tests: the producer's
 * rate would take minutes to hours for millions of rows. The rows are the producer's (same fake
 * fields of the same seed), the files are laid out as the producer and silver lay them out.
 */
public final class LakeFixtures {
  /** A UTC midnight inside the first 100 s, so that silver writes two date partitions. */
  static final Instant START = Instant.parse("2026-11-25T23:59:30Z");

  private LakeFixtures() {}

  /**
   * Bronze of values 0..rows-1, {@code rowsPerFile} per file named as the producer names them,
   * event times {@code 1000 / rowsPerFile} ms apart (one file per second of event time, as the
   * producer at that rate writes them).
   */
  public static void bronze(Path lakeRoot, long rows, int rowsPerFile) throws IOException {
    LakeLayout lake = new LakeLayout(lakeRoot);
    FakeMessages fake = new FakeMessages(7);
    double millisPerRow = 1000.0 / rowsPerFile;
    RowToAvro toAvro = new RowToAvro(LakeSchemas.BRONZE_AVRO);
    for (long first = 0; first < rows; first += rowsPerFile) {
      long last = Math.min(rows, first + rowsPerFile) - 1;
      Path file = lake.bronzeData().resolve(BronzeCheckpoint.fileName(first, last));
      try (ParquetWriter<GenericRecord> writer = writer(file, LakeSchemas.BRONZE_AVRO)) {
        for (long value = first; value <= last; value++) {
          Row row = fake.message(value, START.plus((long) (value * millisPerRow)));
          writer.write(toAvro.apply(row));
        }
      }
    }
  }

  /**
   * Silver messages of {@code rows} valid rows (the generator's, corrupted ones skipped), event
   * times {@code millisBetweenRows} apart from {@link #START}, in files of at most 250,000 rows
   * under their date partitions, as silver writes them.
   */
  public static void silver(Path lakeRoot, long rows, long millisBetweenRows) throws IOException {
    silver(lakeRoot, rows, millisBetweenRows, 250_000);
  }

  /** As {@link #silver(Path, long, long)}, in files of at most {@code rowsPerFile} rows. */
  public static void silver(Path lakeRoot, long rows, long millisBetweenRows, long rowsPerFile)
      throws IOException {
    LakeLayout lake = new LakeLayout(lakeRoot);
    FakeMessages fake = new FakeMessages(11);
    Map<Integer, String> countries = Countries.bundled();
    RowToAvro toAvro = new RowToAvro(LakeSchemas.SILVER_AVRO);
    String openDate = null;
    ParquetWriter<GenericRecord> writer = null;
    long inFile = 0;
    int files = 0;
    try {
      long written = 0;
      for (long value = 0; written < rows; value++) {
        Instant at = START.plus(value * millisBetweenRows);
        Row bronze = fake.message(value, at);
        if (LakeSchemas.isCorrupted(bronze.getString(LakeSchemas.EVENT_TYPE))) {
          continue;
        }
        List<Object> values = new ArrayList<>(bronze.getValues());
        values.add(countries.get(bronze.getInt32(LakeSchemas.COUNTRY_ID)));
        Row silver = Row.withSchema(LakeSchemas.SILVER).addValues(values).build();
        String date = LakeSchemas.utcDate(at);
        if (writer == null || !date.equals(openDate) || inFile == rowsPerFile) {
          if (writer != null) {
            writer.close();
          }
          writer =
              writer(
                  lake.silverMessagesData()
                      .resolve("date=" + date)
                      .resolve(String.format("part-fixture-%05d.parquet", files++)),
                  LakeSchemas.SILVER_AVRO);
          openDate = date;
          inFile = 0;
        }
        writer.write(toAvro.apply(silver));
        inFile++;
        written++;
      }
    } finally {
      if (writer != null) {
        writer.close();
      }
    }
    SilverTables.importFiles(
        lake,
        lake.silverMessagesData(),
        LakeStorage.local().parquetFilesUnder(lake.silverMessagesData()));
  }

  /** A SNAPPY parquet-avro writer (as Beam's sink writes) with no Hadoop .crc side files. */
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

  /** {@code LakeFixtures bronze|silver <lake> <rows>}: writes a fixture, for timing by hand. */
  public static void main(String[] args) throws Exception {
    long rows = Long.parseLong(args[2]);
    long started = System.currentTimeMillis();
    if (args[0].equals("bronze")) {
      bronze(Path.of(args[1]), rows, 10_000);
    } else {
      silver(Path.of(args[1]), rows, 250);
    }
    System.out.printf(
        "wrote %d %s rows in %.1f s%n",
        rows, args[0], (System.currentTimeMillis() - started) / 1000.0);
  }
}
