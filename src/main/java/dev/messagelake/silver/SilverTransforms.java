package dev.messagelake.silver;

import dev.messagelake.lake.LakeSchemas;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/** The composites of a silver micro-batch: read bronze files, split and name countries, write. */
public final class SilverTransforms {
  private SilverTransforms() {}

  /** Valid events: event_type present and not NONE. */
  public static final TupleTag<Row> VALID = new TupleTag<Row>() {};
  /** Corrupted events: event_type null, empty or NONE. */
  public static final TupleTag<Row> CORRUPTED = new TupleTag<Row>() {};

  /**
   * Parquet files of the lake (paths) to rows of the bronze columns, whatever engine wrote them;
   * reads bronze and silver files alike (silver's extra country column is left out).
   */
  public static class ReadMessageFiles extends PTransform<PCollection<String>, PCollection<Row>> {
    @Override
    public PCollection<Row> expand(PCollection<String> files) {
      return files
          .apply("MatchFiles", FileIO.matchAll())
          .apply("OpenFiles", FileIO.readMatches())
          .apply(
              "ParseParquet",
              ParquetIO.parseFilesGenericRecords(new BronzeRecordToRow())
                  .withCoder(RowCoder.of(LakeSchemas.BRONZE_AS_READ))
                  .withConfiguration(Map.of(BronzeRecordToRow.READ_INT96_AS_FIXED, "true")))
          .setRowSchema(LakeSchemas.BRONZE_AS_READ);
    }
  }

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
                  Create.of(countries).withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())))
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
  static class SplitCorruptedFn extends DoFn<Row, Row> {
    private final PCollectionView<Map<Integer, String>> countryNames;
    private final Counter valid = Metrics.counter(SplitCorruptedFn.class, "valid");
    private final Counter corrupted = Metrics.counter(SplitCorruptedFn.class, "corrupted");

    SplitCorruptedFn(PCollectionView<Map<Integer, String>> countryNames) {
      this.countryNames = countryNames;
    }

    @ProcessElement
    public void processElement(ProcessContext context) {
      Row row = context.element();
      Integer countryId = row.getInt32(LakeSchemas.COUNTRY_ID);
      String country = countryId == null ? null : context.sideInput(countryNames).get(countryId);
      Row silver =
          Row.withSchema(LakeSchemas.SILVER).addValues(row.getValues()).addValue(country).build();
      if (LakeSchemas.isCorrupted(row.getString(LakeSchemas.EVENT_TYPE))) {
        corrupted.inc();
        context.output(CORRUPTED, silver);
      } else {
        valid.inc();
        context.output(silver);
      }
    }
  }

  /**
   * Writes silver rows as parquet under {@code date=YYYY-MM-DD/} folders (the UTC date of the
   * timestamp; the date lives only in the folder name, as Spark's partitionBy writes it).
   */
  public static class WriteDatePartitioned
      extends PTransform<PCollection<Row>, WriteFilesResult<String>> {
    private final Path directory;
    private final Path tempDirectory;
    private final String filePrefix;

    public WriteDatePartitioned(Path directory, Path tempDirectory, String filePrefix) {
      this.directory = directory;
      this.tempDirectory = tempDirectory;
      this.filePrefix = filePrefix;
    }

    @Override
    public WriteFilesResult<String> expand(PCollection<Row> rows) {
      String prefix = filePrefix;
      return rows.apply(
          "WriteParquetByDate",
          FileIO.<String, Row>writeDynamic()
              .by(new UtcDate())
              .withDestinationCoder(StringUtf8Coder.of())
              .via(
                  Contextful.fn(AvroUtils.getRowToGenericRecordFunction(LakeSchemas.SILVER_AVRO)),
                  ParquetIO.sink(LakeSchemas.SILVER_AVRO))
              .to(directory.toString())
              .withTempDirectory(tempDirectory.toString())
              .withNaming(
                  date -> FileIO.Write.defaultNaming("date=" + date + "/" + prefix, ".parquet"))
              .withNumShards(1));
    }
  }

  /** The UTC calendar date of a row's timestamp, as {@code YYYY-MM-DD}. */
  static class UtcDate implements SerializableFunction<Row, String> {
    @Override
    public String apply(Row row) {
      return LakeSchemas.utcDate(row.getDateTime(LakeSchemas.TIMESTAMP));
    }
  }

}
