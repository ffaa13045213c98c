package dev.messagelake.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Brings a small result (a report, deduplicated rows) back to the job's driver once the pipeline
 * has run: the rows are written to one Avro file, which {@link #read()} loads. Works the same on
 * every runner whose workers share the driver's file system.
 */
public class RowsToDriver extends PTransform<PCollection<Row>, PDone> {
  private final Path file;
  private transient Schema schema;

  public RowsToDriver(Path directory, String name) {
    this.file = directory.resolve(name + ".avro");
  }

  @Override
  public PDone expand(PCollection<Row> rows) {
    schema = rows.getSchema();
    org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema);
    return rows.apply(
            "ToAvro",
            MapElements.into(TypeDescriptor.of(GenericRecord.class))
                .via(AvroUtils.getRowToGenericRecordFunction(avro)))
        .setCoder(AvroCoder.of(avro))
        .apply("WriteOneFile", AvroIO.writeGenericRecords(avro).to(file.toString()).withoutSharding());
  }

  /** One string per row: what {@link #strings} sends. */
  private static final Schema STRING = Schema.builder().addStringField("value").build();

  /** Brings strings (such as the paths of files written) back through {@code target}. */
  public static PTransform<PCollection<String>, PDone> strings(RowsToDriver target) {
    return new PTransform<PCollection<String>, PDone>() {
      @Override
      public PDone expand(PCollection<String> strings) {
        return strings
            .apply("AsRows", MapElements.into(TypeDescriptors.rows()).via(s -> Row.withSchema(STRING).addValue(s).build()))
            .setRowSchema(STRING)
            .apply("ToDriver", target);
      }
    };
  }

  /** The strings sent by {@link #strings}, after the pipeline has run. */
  public List<String> readStrings() {
    List<String> strings = new ArrayList<>();
    for (Row row : read()) {
      strings.add(row.getString(0));
    }
    return strings;
  }

  /** The rows, after the pipeline has run. */
  public List<Row> read() {
    List<Row> rows = new ArrayList<>();
    try (DataFileReader<GenericRecord> reader =
        new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
      for (GenericRecord record : reader) {
        rows.add(AvroUtils.toBeamRowStrict(record, schema));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return rows;
  }
}
