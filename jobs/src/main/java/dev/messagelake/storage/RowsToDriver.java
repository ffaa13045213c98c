package dev.messagelake.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Brings a small result (a report, the paths of files written) back to the job's driver once the
 * pipeline has run: all rows are combined into one list, written as one Avro file, which {@link
 * #read()} loads. The file is in the lake (a folder the driver names), which every worker sees: not
 * on the driver's disk, which a cluster's workers do not.
 *
 * <p>Not a file sink (AvroIO), whose sharding and finalization cost the Spark runner several small
 * jobs per pipeline; the file is written under a temporary name and renamed, so a retried task
 * replaces it whole.
 */
public class RowsToDriver extends PTransform<PCollection<Row>, PDone> {
  private final String file;
  private transient Schema schema;

  /** Rows through the file {@code name}.avro in the lake's folder {@code directory}. */
  public RowsToDriver(LakeStorage storage, Path directory, String name) {
    this.file = storage.location(directory.resolve(name + ".avro"));
  }

  @Override
  public PDone expand(PCollection<Row> rows) {
    schema = rows.getSchema();
    org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema);
    rows.apply(
            "ToAvro",
            MapElements.into(TypeDescriptor.of(GenericRecord.class))
                .via(AvroUtils.getRowToGenericRecordFunction(avro)))
        .setCoder(AvroCoder.of(avro))
        .apply("AllInOneList", Combine.globally(new ToList<GenericRecord>()))
        .apply("WriteOneFile", ParDo.of(new WriteAvroFileFn(file, avro)));
    return PDone.in(rows.getPipeline());
  }

  /** Every input in one list (an empty input gives an empty list, so the file always exists). */
  static class ToList<T> extends Combine.CombineFn<T, List<T>, List<T>> {
    @Override
    public List<T> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<T> addInput(List<T> list, T input) {
      list.add(input);
      return list;
    }

    @Override
    public List<T> mergeAccumulators(Iterable<List<T>> lists) {
      List<T> merged = new ArrayList<>();
      lists.forEach(merged::addAll);
      return merged;
    }

    @Override
    public List<T> extractOutput(List<T> list) {
      return list;
    }

    @Override
    public Coder<List<T>> getAccumulatorCoder(CoderRegistry registry, Coder<T> inputCoder) {
      return ListCoder.of(inputCoder);
    }

    @Override
    public Coder<List<T>> getDefaultOutputCoder(CoderRegistry registry, Coder<T> inputCoder) {
      return ListCoder.of(inputCoder);
    }
  }

  /** Writes the one list of records as {@code file}: under a temporary name, then renamed. */
  static class WriteAvroFileFn extends DoFn<List<GenericRecord>, Void> {
    private final String file;
    private final String avroSchema; // Avro schemas are not serializable in every Avro version

    WriteAvroFileFn(String file, org.apache.avro.Schema avroSchema) {
      this.file = file;
      this.avroSchema = avroSchema.toString();
    }

    @ProcessElement
    public void processElement(@Element List<GenericRecord> records) throws IOException {
      org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser().parse(avroSchema);
      ResourceId target = FileSystems.matchNewResource(file, false);
      ResourceId temp =
          target
              .getCurrentDirectory()
              .resolve(
                  "." + target.getFilename() + "." + UUID.randomUUID() + ".tmp",
                  StandardResolveOptions.RESOLVE_FILE);
      try (DataFileWriter<GenericRecord> writer =
          new DataFileWriter<>(new GenericDatumWriter<>(avro))) {
        writer.create(avro, Channels.newOutputStream(FileSystems.create(temp, MimeTypes.BINARY)));
        for (GenericRecord record : records) {
          writer.append(record);
        }
      }
      // Beam's rename replaces an existing target (a retried task's) on every file system.
      FileSystems.rename(List.of(temp), List.of(target));
    }
  }

  /** One string per row: what {@link #strings} sends. */
  private static final Schema STRING = Schema.builder().addStringField("value").build();

  /** Brings strings (such as the paths of files written) back through {@code target}. */
  public static PTransform<PCollection<String>, PDone> strings(RowsToDriver target) {
    return new PTransform<PCollection<String>, PDone>() {
      @Override
      public PDone expand(PCollection<String> strings) {
        return strings
            .apply(
                "AsRows",
                MapElements.into(TypeDescriptors.rows())
                    .via(s -> Row.withSchema(STRING).addValue(s).build()))
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
    try (DataFileStream<GenericRecord> reader =
        new DataFileStream<>(
            Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(file, false))),
            new GenericDatumReader<>())) {
      for (GenericRecord record : reader) {
        rows.add(AvroUtils.toBeamRowStrict(record, schema));
      }
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw LakeStorage.writtenWhereTheDriverCannotSee(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return rows;
  }
}
