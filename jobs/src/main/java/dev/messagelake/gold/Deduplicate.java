package dev.messagelake.gold;

import dev.messagelake.contract.MessageFiles;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * The gold deduplication rule in Beam SQL: rows sharing (message_id, event_type, channel) are
 * duplicates; the earliest by time is kept, ties broken by the smaller sequence value.
 *
 * <p>One GROUP BY, one pass: each row becomes an occurrence, a string that sorts as the rule orders
 * rows (time, then value, zero-padded) and carries what the reports need (date, user); MIN of it
 * per group is the kept row. Beam SQL 2.62 has no usable window function for this (ROW_NUMBER
 * ordered by a timestamp fails). The occurrence is built in Java, not in the query, so that the
 * Spark runner does not cache the projection's output (it caches every multi-output step).
 *
 * <p>Each bundle first keeps only its earliest row per key ({@link EarliestPerBundle}): the query's
 * MIN over those is the same MIN, over a few rows per key instead of every row. Spark lifts the
 * query's combine itself; the Java Direct runner does not, and held every row of a group in memory
 * until the group's MIN ran (GBs at 10M rows).
 */
public class Deduplicate extends PTransform<PCollection<Row>, PCollection<Row>> {

  /** What gold reads of a silver row; names avoid SQL's reserved words (value, date...). */
  public static final Schema INPUT =
      Schema.builder()
          .addStringField("message_id")
          .addStringField("event_type")
          .addStringField("channel")
          .addNullableField("user_id", FieldType.INT32)
          .addInt64Field("event_millis")
          .addInt64Field("seq")
          .addStringField("event_date")
          .build();

  /** A row as the query groups it: its duplicate key and its occurrence. */
  static final Schema OCCURRENCE =
      Schema.builder()
          .addStringField("message_id")
          .addStringField("event_type")
          .addStringField("channel")
          .addStringField("occurrence")
          .build();

  private static final long OFFSET = 1_000_000_000_000_000_000L; // 10^18
  private static final String ZEROS = "0000000000000000000";

  static final String SQL =
      "SELECT message_id, event_type, channel,"
          + "  CAST(NULLIF(SUBSTRING(kept FROM 49), '') AS INTEGER) AS user_id,"
          + "  CAST(SUBSTRING(kept FROM 1 FOR 19) AS BIGINT) - "
          + OFFSET
          + " AS event_millis,"
          + "  CAST(SUBSTRING(kept FROM 20 FOR 19) AS BIGINT) - "
          + OFFSET
          + " AS seq,"
          + "  SUBSTRING(kept FROM 39 FOR 10) AS event_date"
          + " FROM (SELECT message_id, event_type, channel, MIN(occurrence) AS kept"
          + "  FROM PCOLLECTION GROUP BY message_id, event_type, channel)";

  @Override
  public PCollection<Row> expand(PCollection<Row> rows) {
    return rows.apply("EarliestPerBundle", ParDo.of(new EarliestPerBundle()))
        .setRowSchema(OCCURRENCE)
        .apply("FirstOccurrenceSql", SqlTransform.query(SQL));
  }

  /**
   * The same rule over parquet files read where they are: each read partition's rows, made {@link
   * #INPUT} rows by {@code toInput}, go straight into the bundle's earliest rows (one DoFn: the
   * Direct runner holds a step's whole output in memory, and 10M rows read by one step before
   * another reduced them did not fit a 1.5 GB heap).
   */
  public static PTransform<PCollection<List<String>>, PCollection<Row>> ofFiles(
      SerializableFunction<Row, Row> toInput) {
    return new PTransform<>() {
      @Override
      public PCollection<Row> expand(PCollection<List<String>> files) {
        return files
            .apply("ReadEarliestPerBundle", ParDo.of(new ReadEarliestPerBundle(toInput)))
            .setRowSchema(OCCURRENCE)
            .apply("FirstOccurrenceSql", SqlTransform.query(SQL));
      }
    };
  }

  /**
   * A bundle's earliest {@link #INPUT} row of each duplicate key and window, by the rule's order,
   * as an {@link #OCCURRENCE}, emitted when the bundle ends. A bundle holds a row per key (the
   * generator's data has at most 50 x 7 x 5 keys), not a row per input row.
   */
  static class EarliestPerBundle extends DoFn<Row, Row> {
    private transient EarliestRows earliest;

    @StartBundle
    public void startBundle() {
      earliest = new EarliestRows();
    }

    @ProcessElement
    public void processElement(@Element Row row, BoundedWindow window) {
      earliest.add(row, window);
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      earliest.output(context);
      earliest = null;
    }
  }

  /** As {@link EarliestPerBundle}, over the rows of the parquet files it reads. */
  static class ReadEarliestPerBundle extends DoFn<List<String>, Row> {
    private final SerializableFunction<Row, Row> toInput;
    private transient MessageFiles.Reader reader;
    private transient EarliestRows earliest;

    ReadEarliestPerBundle(SerializableFunction<Row, Row> toInput) {
      this.toInput = toInput;
    }

    @StartBundle
    public void startBundle(StartBundleContext context) {
      if (reader == null) {
        reader = new MessageFiles.Reader(context.getPipelineOptions());
      }
      earliest = new EarliestRows();
    }

    @ProcessElement
    public void processElement(@Element List<String> files, BoundedWindow window)
        throws IOException {
      reader.read(files, row -> earliest.add(toInput.apply(row), window));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      earliest.output(context);
      earliest = null;
    }
  }

  /** The earliest {@link #INPUT} row of each duplicate key, per window. */
  private static class EarliestRows {
    private final Map<BoundedWindow, Map<List<String>, Row>> byWindow = new HashMap<>();

    void add(Row row, BoundedWindow window) {
      List<String> key =
          List.of(
              row.getString("message_id"), row.getString("event_type"), row.getString("channel"));
      byWindow.computeIfAbsent(window, w -> new HashMap<>()).merge(key, row, Deduplicate::earlier);
    }

    /** Each as an {@link #OCCURRENCE}, in its window. */
    void output(DoFn<?, Row>.FinishBundleContext context) {
      byWindow.forEach(
          (window, rows) ->
              rows.values()
                  .forEach(row -> context.output(occurrence(row), window.maxTimestamp(), window)));
    }
  }

  /** The row the rule keeps of two duplicates: the earlier by time, then the smaller value. */
  static Row earlier(Row a, Row b) {
    int byTime = Long.compare(a.getInt64("event_millis"), b.getInt64("event_millis"));
    if (byTime != 0) {
      return byTime < 0 ? a : b;
    }
    return a.getInt64("seq") <= b.getInt64("seq") ? a : b;
  }

  /** An {@link #INPUT} row as an {@link #OCCURRENCE}. */
  static Row occurrence(Row row) {
    Integer user = row.getInt32("user_id");
    String occurrence =
        sortable(row.getInt64("event_millis"))
            + sortable(row.getInt64("seq"))
            + row.getString("event_date")
            + (user == null ? "" : user.toString());
    // attachValues: the values have the schema's types already
    return Row.withSchema(OCCURRENCE)
        .attachValues(
            row.getString("message_id"),
            row.getString("event_type"),
            row.getString("channel"),
            occurrence);
  }

  /** 19 digits that sort as the numbers do, for any number from -10^18 to 8.2 * 10^18. */
  static String sortable(long number) {
    String digits = Long.toString(number + OFFSET);
    return ZEROS.substring(digits.length()) + digits;
  }
}
