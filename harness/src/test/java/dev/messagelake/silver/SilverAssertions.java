package dev.messagelake.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.audit.LakeAudit;
import dev.messagelake.contract.LakeLayout;
import java.util.Map;

/** Silver against bronze, row for row, computed independently with DuckDB SQL. */
public final class SilverAssertions {
  private SilverAssertions() {}

  /**
   * Every bronze row is in exactly one silver table, once, on the right side of the split, in the
   * partition of its UTC date, with its country and its other columns unchanged. Returns the number
   * of rows.
   */
  public static long assertSilverMatchesBronze(LakeLayout lake) {
    assertEquals(
        Map.of("extra", 0L, "missing", 0L, "different", 0L, "duplicated", 0L),
        LakeAudit.silverAgainstBronze(lake));
    return LakeAudit.bronzeValues(lake).rows;
  }
}
