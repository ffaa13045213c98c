package dev.messagelake.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.MessageType;

/** What a parquet file's footer says of an INT64 column, without reading the data pages. */
public final class ParquetFooters {
  private ParquetFooters() {}

  /** Row count and min/max of a column. */
  public static final class LongColumnRange {
    public final long rows;
    public final long min;
    public final long max;

    LongColumnRange(long rows, long min, long max) {
      this.rows = rows;
      this.min = min;
      this.max = max;
    }

    /** True when the file holds each value of [min, max] once (its values are distinct). */
    public boolean isContiguous() {
      return rows > 0 && max - min + 1 == rows;
    }
  }

  /** Opens a parquet file's footer (the data pages are read only if asked for). */
  private static ParquetFileReader open(LakeStorage storage, Path file) throws IOException {
    return ParquetFileReader.open(storage.inputFile(file));
  }

  /** The file's parquet schema; an IOException when it is not a readable parquet file. */
  public static MessageType schema(LakeStorage storage, Path file) throws IOException {
    try (ParquetFileReader reader = open(storage, file)) {
      return reader.getFooter().getFileMetaData().getSchema();
    }
  }

  public static LongColumnRange longColumnRange(LakeStorage storage, Path file, String column) {
    try (ParquetFileReader reader = open(storage, file)) {
      long rows = 0;
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        rows += block.getRowCount();
        for (ColumnChunkMetaData chunk : block.getColumns()) {
          if (chunk.getPath().toDotString().equals(column)) {
            Statistics<?> stats = chunk.getStatistics();
            if (stats == null || !stats.hasNonNullValue()) {
              throw new IllegalStateException(file + ": no statistics for column " + column);
            }
            min = Math.min(min, ((Number) stats.genericGetMin()).longValue());
            max = Math.max(max, ((Number) stats.genericGetMax()).longValue());
          }
        }
      }
      return new LongColumnRange(rows, min, max);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the parquet footer of " + file, e);
    }
  }

  /** The number of rows of a parquet file. */
  public static long rowCount(LakeStorage storage, Path file) {
    try (ParquetFileReader reader = open(storage, file)) {
      return reader.getRecordCount();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the parquet footer of " + file, e);
    }
  }
}
