package dev.messagelake.maintenance;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.JobLock;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.table.DeltaTable;
import dev.messagelake.table.DeltaTable.NewFile;
import dev.messagelake.table.DeltaTable.TableFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction of the silver tables, as Delta's OPTIMIZE: a date's small files (silver writes one per
 * table and trigger, 17,280 a day at 1 row/s) rewritten into one file, replacing them in one table
 * commit ({@code dataChange=false}). Readers through the log see each row once at every version;
 * the old files stay until {@link SilverVacuum} removes them. Runs beside a running silver stream:
 * silver only adds files, which Delta Kernel's commit reconciles with this one.
 */
public class SilverCompaction {
  private static final Logger LOG = LoggerFactory.getLogger(SilverCompaction.class);

  @Description(
      "Reads: the silver tables under --lake, through their Delta logs.\n"
          + "Writes: one parquet file per table and date in place of that date's small files, as"
          + " one commit of each table (the old files stay until ./run.sh vacuum).")
  public interface Options extends LakeOptions {
    @Description("Date to compact, YYYY-MM-DD; empty: every date of the tables")
    @Default.String("")
    String getDate();

    void setDate(String value);

    @Description("Compact a date only when it holds at least this many files")
    @Default.Integer(2)
    int getMinFiles();

    void setMinFiles(int value);
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("compact", args, Options.class, SilverCompaction::run));
  }

  public static void run(Options options) throws Exception {
    String date = validDate(options.getDate());
    UserError.requireAtLeast("--minFiles", options.getMinFiles(), 2);
    LakeLayout layout = LakeLayout.of(options);
    try (JobLock lock = SilverVacuum.maintenanceLock(layout)) {
      int dates = 0;
      long files = 0;
      long rows = 0;
      int tables = 0;
      for (Path data : layout.silverTables()) {
        DeltaTable table = SilverTables.table(layout, data);
        if (table.latestVersion().isEmpty()) {
          LOG.info("compact: {} has no Delta table yet: nothing to compact", layout.display(data));
          continue;
        }
        tables++;
        Map<String, List<TableFile>> byDate = new TreeMap<>();
        for (TableFile file : table.files()) {
          if (date.isEmpty() || date.equals(file.date)) {
            byDate.computeIfAbsent(file.date, d -> new ArrayList<>()).add(file);
          }
        }
        for (Map.Entry<String, List<TableFile>> day : byDate.entrySet()) {
          if (day.getValue().size() < options.getMinFiles()) {
            continue;
          }
          lock.requireHeld();
          NewFile compacted = rewrite(layout, data, day.getKey(), day.getValue());
          long version = table.rewrite(day.getValue(), List.of(compacted));
          LOG.info(
              "compact: {} date={}: {} files -> 1 ({} rows), version {}",
              layout.display(data),
              day.getKey(),
              day.getValue().size(),
              compacted.rows,
              version);
          dates++;
          files += day.getValue().size();
          rows += compacted.rows;
        }
      }
      if (tables == 0) {
        throw new UserError(
            "no silver tables in "
                + layout.display(layout.silver())
                + ": run ./run.sh silver (or ./run.sh lake) first");
      }
      System.out.printf(
          "compact: %d table dates rewritten, %d files into %d, %d rows%n",
          dates, files, dates, rows);
    }
  }

  /**
   * Writes the rows of {@code files}, in order, into one new file of the date's folder: first in
   * the job's work folder, then moved in with one atomic rename, so no reader lists a partial file.
   */
  private static NewFile rewrite(
      LakeLayout layout, Path table, String date, List<TableFile> files) {
    LakeStorage storage = layout.storage();
    Configuration hadoop = storage.hadoopConfiguration();
    Path work = layout.work("compact");
    String name = SilverTables.COMPACTED_PREFIX + UUID.randomUUID() + ".parquet";
    Path written = work.resolve(name);
    storage.createDirectories(work);
    try {
      try (ParquetWriter<GenericRecord> writer =
          AvroParquetWriter.<GenericRecord>builder(
                  HadoopOutputFile.fromPath(hadoopPath(storage, written), hadoop))
              .withSchema(LakeSchemas.SILVER_AVRO)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withConf(hadoop)
              .build()) {
        for (TableFile file : files) {
          try (ParquetReader<GenericRecord> reader =
              AvroParquetReader.<GenericRecord>builder(
                      HadoopInputFile.fromPath(hadoopPath(storage, file.path), hadoop))
                  .withConf(hadoop)
                  .build()) {
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
              writer.write(row);
            }
          }
        }
      }
      Path target = table.resolve(DeltaTable.DATE + "=" + date).resolve(name);
      storage.rename(written, target);
      return SilverTables.newFile(storage, table, target, OptionalLong.empty());
    } catch (IOException e) {
      throw new UncheckedIOException("compact: cannot rewrite " + layout.display(table), e);
    } finally {
      storage.delete(work);
    }
  }

  private static org.apache.hadoop.fs.Path hadoopPath(LakeStorage storage, Path path) {
    return new org.apache.hadoop.fs.Path(storage.hadoopLocation(path));
  }

  private static String validDate(String date) {
    if (date.isEmpty()) {
      return date;
    }
    try {
      return LocalDate.parse(date).toString();
    } catch (DateTimeParseException e) {
      throw new UserError("--date=" + date + ": not a date (YYYY-MM-DD)");
    }
  }
}
