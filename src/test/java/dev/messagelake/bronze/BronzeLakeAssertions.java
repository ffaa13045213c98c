package dev.messagelake.bronze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.lake.DuckDb;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a reader of bronze must see, checked with DuckDB over the files. */
final class BronzeLakeAssertions {
  private static final Pattern DATA_FILE = Pattern.compile("values-(\\d{19})-(\\d{19})\\.parquet");

  private BronzeLakeAssertions() {}

  /** Asserts bronze holds exactly the values 0..N-1, each once, and returns N. */
  static long assertValuesZeroToNOnce(LakeLayout lake) {
    try (DuckDb duckDb = new DuckDb()) {
      List<List<Object>> stats =
          duckDb.rows(
              "SELECT count(*), count(DISTINCT value), min(value), max(value) FROM "
                  + DuckDb.parquetUnder(lake.bronzeData()));
      long rows = ((Number) stats.get(0).get(0)).longValue();
      assertTrue(rows > 0, "bronze is empty");
      assertEquals(rows, ((Number) stats.get(0).get(1)).longValue(), "duplicate values in bronze");
      assertEquals(0L, ((Number) stats.get(0).get(2)).longValue(), "bronze does not start at 0");
      assertEquals(rows - 1, ((Number) stats.get(0).get(3)).longValue(), "gap in bronze values");
      return rows;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What a reader listing data/ sees at one moment: only committed files, named after contiguous
   * ranges starting at 0. Returns an error description, or null when the listing is sound.
   */
  static String checkDataListing(Path data) {
    long next = 0;
    for (Path file : LakeFiles.listFiles(data)) {
      String name = file.getFileName().toString();
      Matcher matcher = DATA_FILE.matcher(name);
      if (!matcher.matches()) {
        return "unexpected file visible in data: " + name;
      }
      if (Long.parseLong(matcher.group(1)) != next) {
        return "listing not contiguous at " + name + " (expected values from " + next + ")";
      }
      next = Long.parseLong(matcher.group(2)) + 1;
    }
    return null;
  }
}
