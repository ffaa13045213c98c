package dev.messagelake.silver;

import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.RowToAvro;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/** The composites of a silver micro-batch: split and name countries, write by date. */
public final class SilverTransforms {
  private SilverTransforms() {}

  /** Valid events: event_type present and not NONE. */
  public static final TupleTag<Row> VALID = new TupleTag<Row>() {};

  /** Corrupted events: event_type null, empty or NONE. */
  public static final TupleTag<Row> CORRUPTED = new TupleTag<Row>() {};

  /**
   * Splits bronze rows into {@link #VALID} and {@link #CORRUPTED}, each with its country's name
   * from the countries table (a side input).
   */
  public static class SplitAndAddCountry extends PTransform<PCollection<Row>, PCollectionTuple> {
    private final Map<Integer, String> countries;

    public SplitAndAddCountry(Map<Integer, String> countries) {
      this.countries = countries;
    }

    @Override
    public PCollectionTuple expand(PCollection<Row> bronze) {
      PCollectionView<Map<Integer, String>> countryNames =
          bronze
              .getPipeline()
              .apply(
                  "Countries",
                  Create.of(countries)
                      .withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())))
              .apply("CountriesAsMap", View.asMap());
      PCollectionTuple split =
          bronze.apply(
              "SplitCorrupted",
              ParDo.of(new SplitCorruptedFn(countryNames))
                  .withSideInputs(countryNames)
                  .withOutputTags(VALID, TupleTagList.of(CORRUPTED)));
      split.get(VALID).setRowSchema(LakeSchemas.SILVER);
      split.get(CORRUPTED).setRowSchema(LakeSchemas.SILVER);
      return split;
    }
  }

  /** Routes a row to its side of the split and adds the country name (null when unknown). */
  public static class SplitCorruptedFn extends DoFn<Row, Row> {
    private final PCollectionView<Map<Integer, String>> countryNames;
    private final Counter valid = Metrics.counter(SplitCorruptedFn.class, "valid");
    private final Counter corrupted = Metrics.counter(SplitCorruptedFn.class, "corrupted");
    // Per bundle: the side input as last read, and the counts (a counter update per row costs
    // more than the split itself, and the Direct runner rebuilds a map view at every read).
    private transient BoundedWindow namesWindow;
    private transient Map<Integer, String> names;
    private transient long validInBundle;
    private transient long corruptedInBundle;

    SplitCorruptedFn(PCollectionView<Map<Integer, String>> countryNames) {
      this.countryNames = countryNames;
    }

    @StartBundle
    public void startBundle() {
      namesWindow = null;
      names = null;
      validInBundle = 0;
      corruptedInBundle = 0;
    }

    @ProcessElement
    public void processElement(ProcessContext context, BoundedWindow window) {
      if (!window.equals(namesWindow)) {
        names = context.sideInput(countryNames);
        namesWindow = window;
      }
      Row row = context.element();
      Integer countryId = row.getInt32(LakeSchemas.COUNTRY_ID_INDEX);
      String country = countryId == null ? null : names.get(countryId);
      List<Object> values = new ArrayList<>(LakeSchemas.SILVER.getFieldCount());
      values.addAll(row.getValues());
      values.add(country);
      // attachValues: the values are a checked row's plus a string, no need to check them again
      Row silver = Row.withSchema(LakeSchemas.SILVER).attachValues(values);
      if (LakeSchemas.isCorrupted(row.getString(LakeSchemas.EVENT_TYPE_INDEX))) {
        corruptedInBundle++;
        context.output(CORRUPTED, silver);
      } else {
        validInBundle++;
        context.output(silver);
      }
    }

    @FinishBundle
    public void finishBundle() {
      valid.inc(validInBundle);
      corrupted.inc(corruptedInBundle);
    }
  }

  /**
   * Writes silver rows as parquet under {@code date=YYYY-MM-DD/} folders (the UTC date of the
   * timestamp; the date lives only in the folder name, as Spark's partitionBy writes it): one file
   * per bundle and date, as a Spark task writes one per partition. Outputs the paths of the files
   * of the bundles that succeeded: only those get committed.
   *
   * <p>Not FileIO.write: on bounded input it groups every row by shard (the Direct runner forces a
   * sharded write even when the runner may choose), which costs a shuffle on Spark and, on the
   * Direct runner, keeps the whole batch in memory and copies it at every bundle.
   */
  public static class WriteDatePartitioned
      extends PTransform<PCollection<Row>, PCollection<String>> {
    private final Path directory;
    private final String filePrefix;

    public WriteDatePartitioned(Path directory, String filePrefix) {
      this.directory = directory;
      this.filePrefix = filePrefix;
    }

    @Override
    public PCollection<String> expand(PCollection<Row> rows) {
      return rows.apply(
          "WriteParquetByDate",
          ParDo.of(new WriteFilePerBundleFn(directory.toString(), filePrefix)));
    }
  }

  /** One open parquet file per date for the length of a bundle, with Beam's parquet sink. */
  static class WriteFilePerBundleFn extends DoFn<Row, String> {
    private final String directory;
    private final String filePrefix;
    private transient SerializableFunction<Row, GenericRecord> toAvro;
    private transient Map<Long, OpenFile> openFiles; // by day since 1970-01-01
    private transient OpenFile lastFile;
    private transient long lastDay;

    /** A parquet file being written, and where. */
    private record OpenFile(FileIO.Sink<GenericRecord> sink, String path) {}

    WriteFilePerBundleFn(String directory, String filePrefix) {
      this.directory = directory;
      this.filePrefix = filePrefix;
    }

    @Setup
    public void setup() {
      toAvro = new RowToAvro(LakeSchemas.SILVER_AVRO);
    }

    @StartBundle
    public void startBundle() {
      openFiles = new HashMap<>();
      lastFile = null;
    }

    @ProcessElement
    public void processElement(@Element Row row) throws IOException {
      long day = LakeSchemas.epochDay(LakeSchemas.timestamp(row));
      // Rows come in time order, so nearly always to the file of the row before.
      if (lastFile == null || day != lastDay) {
        lastFile = fileOf(day);
        lastDay = day;
      }
      lastFile.sink().write(toAvro.apply(row));
    }

    private OpenFile fileOf(long day) throws IOException {
      OpenFile file = openFiles.get(day);
      if (file == null) {
        String path =
            Path.of(
                    directory,
                    "date=" + LakeSchemas.utcDate(day),
                    filePrefix + "-" + UUID.randomUUID() + ".parquet")
                .toString();
        FileIO.Sink<GenericRecord> sink = ParquetIO.sink(LakeSchemas.SILVER_AVRO);
        sink.open(FileSystems.create(FileSystems.matchNewResource(path, false), MimeTypes.BINARY));
        file = new OpenFile(sink, path);
        openFiles.put(day, file);
      }
      return file;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) throws IOException {
      for (OpenFile file : openFiles.values()) {
        file.sink().flush(); // closes the parquet file
        context.output(file.path(), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }
  }
}
