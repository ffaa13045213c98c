package dev.messagelake.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Bronze against silver, row for row by {@code value}: every bronze value must be in exactly one of
 * the two silver tables, once, and silver must hold nothing else.
 */
public final class Reconciliation {
  private static final int SHOWN = 10;

  /** How the report's last line starts when the lake reconciles. */
  public static final String OK = "OK:";

  /** How it starts when silver reconciles with what it took and bronze holds more. */
  public static final String BEHIND = "BEHIND:";

  /** How it starts when it does not reconcile. */
  public static final String MISMATCH = "MISMATCH:";

  public final long bronzeRows;
  public final long validRows;
  public final long corruptedRows;
  public final long missingCount;
  public final long extraCount;
  public final long silverDuplicateCount;
  public final long bronzeDuplicateCount;
  private final List<Long> missing;
  private final List<Long> extra;
  private final List<Long> silverDuplicates;
  private final List<Long> bronzeDuplicates;

  /** The values of the bronze files silver has not taken yet (sorted), and whether that is all. */
  private final long[] pending;

  private final boolean behind;

  private Reconciliation(long[] taken, long[] valid, long[] corrupted, long[] pending) {
    long[] bronze = merged(taken, pending);
    bronzeRows = bronze.length;
    validRows = valid.length;
    corruptedRows = corrupted.length;
    long[] silver = new long[valid.length + corrupted.length];
    System.arraycopy(valid, 0, silver, 0, valid.length);
    System.arraycopy(corrupted, 0, silver, valid.length, corrupted.length);
    Arrays.sort(silver);
    Diff bronzeDups = duplicates(bronze);
    Diff silverDups = duplicates(silver);
    Diff missingDiff = new Diff();
    Diff extraDiff = new Diff();
    int b = 0;
    int s = 0;
    while (b < bronze.length || s < silver.length) {
      if (s == silver.length || (b < bronze.length && bronze[b] < silver[s])) {
        missingDiff.add(bronze[b]);
        b = skip(bronze, b);
      } else if (b == bronze.length || silver[s] < bronze[b]) {
        extraDiff.add(silver[s]);
        s = skip(silver, s);
      } else {
        b = skip(bronze, b);
        s = skip(silver, s);
      }
    }
    missingCount = missingDiff.count;
    missing = missingDiff.shown;
    extraCount = extraDiff.count;
    extra = extraDiff.shown;
    silverDuplicateCount = silverDups.count;
    silverDuplicates = silverDups.shown;
    bronzeDuplicateCount = bronzeDups.count;
    bronzeDuplicates = bronzeDups.shown;
    this.pending = pending;
    behind =
        pending.length > 0
            && !matches()
            && bronzeDuplicateCount == 0
            && of(taken, valid, corrupted).matches();
  }

  /** Compares the sorted values of bronze and of the two silver tables. */
  public static Reconciliation of(long[] bronze, long[] valid, long[] corrupted) {
    return new Reconciliation(bronze, valid, corrupted, new long[0]);
  }

  /**
   * The same, bronze given as the values of the files silver's checkpoint took and of those it has
   * not taken yet (each sorted): when silver reconciles with the first, it is only behind, which a
   * catch-up ends.
   */
  public static Reconciliation of(long[] taken, long[] valid, long[] corrupted, long[] pending) {
    return new Reconciliation(taken, valid, corrupted, pending);
  }

  public boolean matches() {
    return missingCount == 0
        && extraCount == 0
        && silverDuplicateCount == 0
        && bronzeDuplicateCount == 0
        && bronzeRows == validRows + corruptedRows;
  }

  /** Whether silver reconciles with the bronze files it took, and bronze holds more. */
  public boolean behind() {
    return behind;
  }

  /** The two sorted arrays as one. */
  private static long[] merged(long[] first, long[] second) {
    if (second.length == 0) {
      return first;
    }
    long[] all = new long[first.length + second.length];
    int a = 0;
    int b = 0;
    for (int i = 0; i < all.length; i++) {
      all[i] =
          b == second.length || (a < first.length && first[a] <= second[b])
              ? first[a++]
              : second[b++];
    }
    return all;
  }

  /** The report printed by {@code ./run.sh check}. */
  public String report() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("bronze messages            %,12d%n", bronzeRows));
    out.append(String.format("silver messages            %,12d%n", validRows));
    out.append(String.format("silver messages_corrupted  %,12d%n", corruptedRows));
    out.append(String.format("silver total               %,12d%n", validRows + corruptedRows));
    if (behind) {
      out.append(
          String.format(
              "%s silver is behind bronze by %d rows (values %d..%d not yet"
                  + " processed): run ./run.sh silver --catchUp",
              BEHIND, pending.length, pending[0], pending[pending.length - 1]));
      return out.toString();
    }
    line(out, "bronze values missing from silver", missingCount, missing);
    line(out, "silver values not in bronze", extraCount, extra);
    line(out, "values more than once in silver", silverDuplicateCount, silverDuplicates);
    line(out, "values more than once in bronze", bronzeDuplicateCount, bronzeDuplicates);
    out.append(
        matches()
            ? OK + " bronze reconciles with silver, row for row"
            : MISMATCH + " bronze does not reconcile with silver");
    return out.toString();
  }

  private static void line(StringBuilder out, String what, long count, List<Long> shown) {
    if (count > 0) {
      out.append(
          String.format(
              "%s: %d (%s%s)%n",
              what,
              count,
              shown.stream().map(String::valueOf).collect(Collectors.joining(", ")),
              count > shown.size() ? ", ..." : ""));
    }
  }

  private static int skip(long[] sorted, int i) {
    long value = sorted[i];
    while (i < sorted.length && sorted[i] == value) {
      i++;
    }
    return i;
  }

  private static Diff duplicates(long[] sorted) {
    Diff diff = new Diff();
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1] && (i == 1 || sorted[i - 2] != sorted[i])) {
        diff.add(sorted[i]);
      }
    }
    return diff;
  }

  private static final class Diff {
    long count;
    final List<Long> shown = new ArrayList<>();

    void add(long value) {
      count++;
      if (shown.size() < SHOWN) {
        shown.add(value);
      }
    }
  }
}
