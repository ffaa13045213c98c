package dev.messagelake.silver;

import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.PackedRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
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
   * Writes the split's two sides as parquet under {@code <table>/date=YYYY-MM-DD/} folders of one
   * directory (the UTC date of the timestamp; the date lives only in the folder name, as Spark's
   * partitionBy writes it), with one FileIO dynamic write for both tables, each bundle's rows
   * packed per folder first ({@link PackedRecords}), in {@code shards} files per folder (0: as many
   * as the runner chooses). {@code directory} is a location Beam's file systems open (a local path
   * or an {@code hdfs://} URI). Outputs the locations of the files FileIO wrote: only those get
   * committed (a retried bundle's files stay temp files).
   */
  public static class WriteDatePartitioned
      extends PTransform<PCollectionTuple, PCollection<String>> {
    private final String directory;
    private final String tableSubfolder;
    private final String filePrefix;
    private final int shards;

    public WriteDatePartitioned(String directory, String filePrefix, int shards) {
      this(directory, "", filePrefix, shards);
    }

    /**
     * Writing each table's dates into {@code <directory>/<table>/<tableSubfolder>/date=...}: the
     * tables' own data folders ({@code data}) when {@code directory} is silver's.
     */
    public WriteDatePartitioned(
        String directory, String tableSubfolder, String filePrefix, int shards) {
      this.directory = directory;
      this.tableSubfolder = tableSubfolder;
      this.filePrefix = filePrefix;
      this.shards = shards;
    }

    @Override
    public PCollection<String> expand(PCollectionTuple split) {
      // One write, not one per table: the Direct runner translates each transform again for
      // every bundle it runs (ParDoEvaluatorFactory, Beam #18708), a cost every batch pays.
      PCollectionList<KV<String, byte[]>> packs = PCollectionList.empty(split.getPipeline());
      for (Map.Entry<String, TupleTag<Row>> table : TABLES.entrySet()) {
        packs =
            packs.and(
                split
                    .get(table.getValue())
                    .apply(
                        "Pack" + table.getKey(),
                        ParDo.of(
                            new PackedRecords.PackRowsFn(
                                LakeSchemas.SILVER_AVRO,
                                new DateFolderOf(
                                    tableSubfolder.isEmpty()
                                        ? table.getKey()
                                        : table.getKey() + "/" + tableSubfolder))))
                    .setCoder(PackedRecords.coder()));
      }
      return packs
          .apply("BothTables", Flatten.pCollections())
          .apply(
              "WriteParquetByDate",
              FileIO.<String, KV<String, byte[]>>writeDynamic()
                  .by(KV::getKey)
                  .withDestinationCoder(StringUtf8Coder.of())
                  .via(
                      Contextful.fn(KV::getValue),
                      new PackedRecords.ParquetSink(LakeSchemas.SILVER_AVRO))
                  // temp files in a hidden .temp-beam-* folder of the directory: never
                  // published, deleted with it
                  .to(directory)
                  .withNaming(DateFileNaming.forBatch(filePrefix))
                  .withNumShards(shards)
                  // a bundle holds a date or two per table: no writer limit to spill past
                  .withNoSpilling())
          .getPerDestinationOutputFilenames()
          .apply("WrittenFiles", Values.create());
    }
  }

  /** The tables a batch writes, by the folder each has in the batch's directory. */
  static final Map<String, TupleTag<Row>> TABLES =
      Map.of(SilverCheckpoint.MESSAGES, VALID, SilverCheckpoint.CORRUPTED, CORRUPTED);

  /** A silver row's folder, {@code <table>/date=YYYY-MM-DD} (its UTC date): its destination. */
  static class DateFolderOf implements SerializableFunction<Row, String> {
    private final String table;
    // Rows come in time order: the folder's name is made once per day, not once per row.
    private transient long lastDay = Long.MIN_VALUE;
    private transient String lastFolder;

    DateFolderOf(String table) {
      this.table = table;
    }

    @Override
    public String apply(Row row) {
      long day = LakeSchemas.epochDay(LakeSchemas.timestamp(row));
      if (lastFolder == null || day != lastDay) {
        lastFolder = table + "/date=" + LakeSchemas.utcDate(day);
        lastDay = day;
      }
      return lastFolder;
    }
  }

  /**
   * {@code <folder>/<prefix>-<uuid>.parquet}. Not FileIO's shard-of-shards numbering: with the
   * runner choosing the sharding, FileIO's windowed write finalizes each bundle of results on its
   * own (WriteFiles.GatherResults), each numbering its files from 0, and on the Spark runner the
   * second {@code -00000-of-00001} replaced the first: rows lost without an error.
   */
  static class DateFileNaming implements FileIO.Write.FileNaming {
    private final String folder;
    private final String filePrefix;

    DateFileNaming(String folder, String filePrefix) {
      this.folder = folder;
      this.filePrefix = filePrefix;
    }

    /** The naming of each folder's files of a batch whose names start with {@code filePrefix}. */
    static SerializableFunction<String, FileIO.Write.FileNaming> forBatch(String filePrefix) {
      return folder -> new DateFileNaming(folder, filePrefix);
    }

    @Override
    public String getFilename(
        BoundedWindow window,
        PaneInfo pane,
        int numShards,
        int shardIndex,
        Compression compression) {
      return String.format("%s/%s-%s.parquet", folder, filePrefix, UUID.randomUUID());
    }
  }
}
