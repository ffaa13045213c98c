package dev.messagelake.audit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** An independent reader of the lake for tests: DuckDB over the parquet files, as a user would. */
public final class DuckDb implements AutoCloseable {
  private final Connection connection;

  public DuckDb() {
    try {
      connection = DriverManager.getConnection("jdbc:duckdb:");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code read_parquet('<dir>/**}{@code /*.parquet')}: every visible parquet file under dir. */
  public static String parquetUnder(Path dir) {
    return "read_parquet('" + dir.toAbsolutePath() + "/**/*.parquet')";
  }

  /**
   * {@code read_parquet('<table>/date=*}{@code /*.parquet')}: a silver table's data files, without
   * the checkpoints of its Delta log, which {@code **} would also match.
   */
  public static String silverTable(Path table) {
    return "read_parquet('" + table.toAbsolutePath() + "/date=*/*.parquet')";
  }

  public List<List<Object>> rows(String sql) {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      List<List<Object>> rows = new ArrayList<>();
      while (result.next()) {
        List<Object> row = new ArrayList<>(columns);
        for (int c = 1; c <= columns; c++) {
          row.add(result.getObject(c));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public void execute(String sql) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public List<Long> longs(String sql) {
    List<Long> values = new ArrayList<>();
    for (List<Object> row : rows(sql)) {
      values.add(((Number) row.get(0)).longValue());
    }
    return values;
  }

  public long count(String sql) {
    return longs(sql).get(0);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
