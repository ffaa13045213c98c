package dev.messagelake.contract;

import dev.messagelake.storage.LakeStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.hdfs.HadoopFileSystemOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Reading the lake's parquet files (bronze or silver, whatever engine wrote them) as rows. */
public final class MessageFiles {
  private MessageFiles() {}

  /**
   * Parquet files of the lake to rows of the bronze columns, whatever engine wrote them; reads
   * bronze and silver files alike (silver's extra country column is left out). Each element is a
   * read partition, a group of files read in one go: as Spark's file source packs small files into
   * partitions, so that a micro-batch writes one file per partition and date, not one per input
   * file.
   */
  public static class ReadMessageFiles
      extends PTransform<PCollection<List<String>>, PCollection<Row>> {
    @Override
    public PCollection<Row> expand(PCollection<List<String>> partitions) {
      return partitions
          .apply("ReadParquet", ParDo.of(new ReadParquetFilesFn()))
          .setRowSchema(LakeSchemas.BRONZE_AS_READ);
    }
  }

  /**
   * Reads a partition's parquet files whole, one after the other, with parquet-avro. Not
   * ParquetIO's splittable reader: the Direct runner checkpoints it every 100 rows and copies the
   * rows gathered so far at every bundle (quadratic time); a micro-batch's files gain nothing from
   * splitting on any runner.
   */
  static class ReadParquetFilesFn extends DoFn<List<String>, Row> {
    private transient Reader reader;

    @StartBundle
    public void startBundle(StartBundleContext context) {
      if (reader == null) {
        reader = new Reader(context.getPipelineOptions());
      }
    }

    @ProcessElement
    public void processElement(@Element List<String> files, OutputReceiver<Row> out)
        throws IOException {
      reader.read(files, out::output);
    }
  }

  /**
   * Reads parquet files whole, one after the other, with parquet-avro, handing each row to a
   * consumer: for a DoFn that reads and reduces in one step (on the Direct runner each step's
   * output is held in memory whole until the next step takes it).
   */
  public static final class Reader {
    private final BronzeRecordToRow toRow = new BronzeRecordToRow();
    private final Configuration hadoop;

    /** A reader with the lake's Hadoop client configuration the job's options carry. */
    public Reader(PipelineOptions options) {
      hadoop = hadoopConfiguration(options);
      hadoop.setBoolean(BronzeRecordToRow.READ_INT96_AS_FIXED, true);
    }

    /** Each row of {@code files}, in order, as a {@link LakeSchemas#BRONZE_AS_READ} row. */
    public void read(List<String> files, Consumer<Row> rows) throws IOException {
      for (String file : files) {
        try (ParquetReader<GenericRecord> reader =
            AvroParquetReader.<GenericRecord>builder(
                    HadoopInputFile.fromPath(hadoopPath(file), hadoop))
                .withConf(hadoop)
                .build()) {
          for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
            rows.accept(toRow.apply(record));
          }
        }
      }
    }
  }

  /** The lake's Hadoop client configuration the job's options carry (a lake on HDFS), or none. */
  static Configuration hadoopConfiguration(PipelineOptions options) {
    List<Configuration> lake = options.as(HadoopFileSystemOptions.class).getHdfsConfiguration();
    return lake == null || lake.isEmpty() ? new Configuration() : new Configuration(lake.get(0));
  }

  /**
   * A location as Hadoop opens it: a local path as a file: URI, not against a default FS. Not
   * URI.create: a local path may hold characters a URI must escape (a space).
   */
  static org.apache.hadoop.fs.Path hadoopPath(String location) {
    return LakeLayout.SCHEME.matcher(location).find()
        ? new org.apache.hadoop.fs.Path(location)
        : new org.apache.hadoop.fs.Path(Path.of(location).toUri());
  }

  /**
   * Files (with their row counts, in order) in read partitions of at most {@code rowsPerPartition}
   * rows each (a larger file alone).
   */
  public static List<List<String>> readPartitions(
      LakeStorage storage, Map<Path, Long> fileRows, long rowsPerPartition) {
    List<List<String>> partitions = new ArrayList<>();
    List<String> partition = new ArrayList<>();
    long rows = 0;
    for (Map.Entry<Path, Long> file : fileRows.entrySet()) {
      if (!partition.isEmpty() && rows + file.getValue() > rowsPerPartition) {
        partitions.add(partition);
        partition = new ArrayList<>();
        rows = 0;
      }
      partition.add(storage.location(file.getKey()));
      rows += file.getValue();
    }
    if (!partition.isEmpty()) {
      partitions.add(partition);
    }
    return partitions;
  }

  /** Each file a partition of its own: for readers that write nothing per partition. */
  public static List<List<String>> onePerFile(LakeStorage storage, List<Path> files) {
    List<List<String>> partitions = new ArrayList<>();
    for (Path file : files) {
      partitions.add(List.of(storage.location(file)));
    }
    return partitions;
  }
}
