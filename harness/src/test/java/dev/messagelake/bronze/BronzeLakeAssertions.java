package dev.messagelake.bronze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.audit.LakeAudit;
import dev.messagelake.contract.LakeLayout;

/** What a reader of bronze must see, checked with DuckDB over the files. */
final class BronzeLakeAssertions {
  private BronzeLakeAssertions() {}

  /** Asserts bronze holds exactly the values 0..N-1, each once, and returns N. */
  static long assertValuesZeroToNOnce(LakeLayout lake) {
    LakeAudit.BronzeValues values = LakeAudit.bronzeValues(lake);
    assertTrue(values.rows > 0, "bronze is empty");
    assertEquals(0L, values.duplicated, "duplicate values in bronze");
    assertEquals(0L, values.lost, "values missing from bronze 0..N-1");
    return values.rows;
  }
}
