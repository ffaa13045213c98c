package dev.messagelake.bench;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.messagelake.contract.Countries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark peer of the benchmark: silver and gold written the way a Spark user writes them
 * directly, to compare the Beam pipelines against. {@code silver} is the notebook's Structured
 * Streaming query (parquet file source, {@code foreachBatch}, two partitioned appends); with {@code
 * --rowsPerSecond} the same application also runs the notebook's producer as a second query (rate
 * source, fake fields, a bronze parquet append per 1 s batch). {@code gold} is a batch Spark SQL
 * job (ROW_NUMBER dedup, two pivots) writing the two report CSVs.
 *
 * <p>Run by the benchmark harness as a child JVM; ends with one stdout line {@code RESULT {...}}
 * (flat JSON), exit 0. A bad argument prints one {@code usage:} line and exits 2.
 */
public final class SparkStreamingPeer {
  private static final String USAGE =
      "usage: SparkStreamingPeer silver --bronze=<dir> --silver=<dir> --checkpoint=<dir>"
          + " [--trigger=availableNow|<seconds>] [--durationSeconds=N] [--master=local[2]]"
          + " [--rowsPerSecond=N --produceSeconds=N --graceSeconds=N --bronzeCheckpoint=<dir>]"
          + " | gold --silver=<dir> --out=<dir> [--master=local[2]]";

  /** Bronze as a streaming file source must be told it (no schema inference on streams). */
  private static final StructType BRONZE =
      new StructType()
          .add("timestamp", DataTypes.TimestampType)
          .add("value", DataTypes.LongType)
          .add("event_type", DataTypes.StringType)
          .add("message_id", DataTypes.StringType)
          .add("channel", DataTypes.StringType)
          .add("country_id", DataTypes.IntegerType)
          .add("user_id", DataTypes.IntegerType);

  /** Silver's columns in contract order; {@code date} goes to the folder name only. */
  private static final String[] SILVER_COLUMNS =
      "timestamp,value,event_type,message_id,channel,country_id,user_id,country,date".split(",");

  private SparkStreamingPeer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = PeerArgs.parseOrExit(args, SparkStreamingPeer::parse, USAGE);
    long started = System.nanoTime();
    SparkSession spark = session(options.getOrDefault("master", "local[2]"));
    double startupSeconds = PeerArgs.secondsSince(started);
    Map<String, Object> result;
    try {
      result = options.get("mode").equals("silver") ? silver(spark, options) : gold(spark, options);
    } finally {
      spark.stop();
    }
    result.put("startupSeconds", startupSeconds);
    System.out.println("RESULT " + PeerArgs.json(result));
    System.exit(0); // a lingering non-daemon thread must not keep the harness waiting
  }

  private static SparkSession session(String master) {
    SparkSession spark =
        SparkSession.builder()
            .master(master)
            .appName("spark-peer")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC") // to_date(timestamp) is the UTC date
            .config("spark.sql.shuffle.partitions", "4") // 200 tiny tasks would dominate on 2 cores
            .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS") // as bronze
            // The bench reads every batch's commit time (SparkStreamingLog), and Spark deletes all
            // but the newest 100 commits: a 10-minute sustained step runs over 100 batches.
            .config("spark.sql.streaming.minBatchesToRetain", "100000")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  // ---------------------------------------------------------------- silver

  private static Map<String, Object> silver(SparkSession spark, Map<String, String> options)
      throws Exception {
    String silver = options.get("silver");
    String trigger = options.getOrDefault("trigger", "availableNow");
    boolean availableNow = trigger.equals("availableNow");
    long durationNanos =
        (long) (Double.parseDouble(options.getOrDefault("durationSeconds", "0")) * 1e9);

    // SIGTERM (and Ctrl-C) ask for a clean stop instead of killing the JVM, so a timed run
    // still reports what it wrote and exits 0.
    AtomicBoolean stopRequested = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stopRequested.set(true));
    }

    AtomicLong valid = new AtomicLong();
    AtomicLong corrupted = new AtomicLong();
    AtomicLong batches = new AtomicLong();
    long started = System.nanoTime();
    // The producer first, so silver's first listing of bronze already races fresh files.
    StreamingQuery producer = options.containsKey("rowsPerSecond") ? produce(spark, options) : null;
    StreamingQuery query =
        spark
            .readStream()
            .schema(BRONZE)
            .parquet(options.get("bronze")) // names starting with . or _ are skipped by Spark
            .writeStream()
            .option("checkpointLocation", options.get("checkpoint"))
            .trigger(
                availableNow
                    ? Trigger.AvailableNow()
                    : Trigger.ProcessingTime((long) (Double.parseDouble(trigger) * 1000)))
            .foreachBatch(
                (VoidFunction2<Dataset<Row>, Long>)
                    (batch, batchId) -> {
                      long[] written = writeSilverBatch(batch, silver);
                      valid.addAndGet(written[0]);
                      corrupted.addAndGet(written[1]);
                      batches.incrementAndGet();
                    })
            .start();

    long deadline = durationNanos > 0 ? started + durationNanos : Long.MAX_VALUE;
    if (producer != null) {
      // Silver runs on for a grace after the producer's last batch: time to commit its files.
      long produceEnd = started + (long) (number(options.get("produceSeconds")) * 1e9);
      while (!stopRequested.get() && System.nanoTime() < produceEnd) {
        query.awaitTermination(200);
      }
      stopBetweenBatches(producer);
      deadline = System.nanoTime() + (long) (number(options.get("graceSeconds")) * 1e9);
    }
    while (!stopRequested.get() && System.nanoTime() < deadline) {
      if (query.awaitTermination(200)) { // true when AvailableNow drained the backlog
        break;
      }
    }
    stopBetweenBatches(query);
    double seconds = PeerArgs.secondsSince(started);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("valid", valid.get());
    result.put("corrupted", corrupted.get());
    result.put("batches", batches.get());
    result.put("seconds", seconds);
    return result;
  }

  /** Stops between batches when it can: an interrupted batch may have written half its files. */
  private static void stopBetweenBatches(StreamingQuery query) throws Exception {
    for (int i = 0; i < 600 && query.isActive() && query.status().isTriggerActive(); i++) {
      Thread.sleep(50);
    }
    query.stop();
  }

  /**
   * The notebook's producer: a rate source, each row given fake fields (from its value, so a run is
   * repeatable), appended to bronze as parquet every second. One partition: one file per batch, as
   * ours writes one per 1 s window.
   */
  private static StreamingQuery produce(SparkSession spark, Map<String, String> options)
      throws Exception {
    String bronze = options.get("bronze");
    // The file source of silver, started next, refuses a folder that does not exist yet.
    Files.createDirectories(Path.of(bronze));
    Dataset<Row> messages =
        spark
            .readStream()
            .format("rate")
            .option("rowsPerSecond", options.get("rowsPerSecond"))
            .option("numPartitions", 1)
            .load()
            .selectExpr(
                "timestamp",
                "value",
                "element_at(array('OPEN', 'RECEIVED', 'SENT', 'CREATED', 'CLICKED', '', 'NONE'),"
                    + " CAST(pmod(hash(value, 1), 7) + 1 AS INT)) AS event_type",
                "concat('message-', pmod(hash(value, 2), 50)) AS message_id",
                "element_at(array('CHAT', 'EMAIL', 'SMS', 'PUSH', 'OTHER'),"
                    + " CAST(pmod(hash(value, 3), 5) + 1 AS INT)) AS channel",
                "CAST(2000 + pmod(hash(value, 4), 16) AS INT) AS country_id",
                "CAST(1000 + pmod(hash(value, 5), 51) AS INT) AS user_id");
    return messages
        .writeStream()
        .option("checkpointLocation", options.get("bronzeCheckpoint"))
        .trigger(Trigger.ProcessingTime(1000))
        .foreachBatch(
            (VoidFunction2<Dataset<Row>, Long>)
                (batch, batchId) -> batch.write().mode("append").parquet(bronze))
        .start();
  }

  /** One micro-batch into the two silver tables; returns {valid, corrupted} rows written. */
  private static long[] writeSilverBatch(Dataset<Row> batch, String silver) {
    // Built in the batch's own session; broadcast: 16 rows joined to every bronze row.
    Dataset<Row> countries = countries(batch.sparkSession());
    Dataset<Row> rows =
        batch
            .join(
                broadcast(countries), batch.col("country_id").equalTo(countries.col("id")), "left")
            .withColumn("date", to_date(col("timestamp")))
            .select(columns(SILVER_COLUMNS))
            .persist(); // read the batch's files once for both writes
    try {
      Column isCorrupted = col("event_type").isNull().or(col("event_type").isin("", "NONE"));
      Row counts = rows.agg(count(when(not(isCorrupted), 1)), count(when(isCorrupted, 1))).first();
      long valid = counts.getLong(0);
      long corrupted = counts.getLong(1);
      // Skipping an empty side saves a job that would write nothing.
      if (valid > 0) {
        append(rows.filter(not(isCorrupted)), silver + "/messages/data");
      }
      if (corrupted > 0) {
        append(rows.filter(isCorrupted), silver + "/messages_corrupted/data");
      }
      return new long[] {valid, corrupted};
    } finally {
      rows.unpersist();
    }
  }

  private static void append(Dataset<Row> rows, String table) {
    rows.write().mode("append").partitionBy("date").parquet(table);
  }

  private static Dataset<Row> countries(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    Countries.bundled().forEach((id, name) -> rows.add(RowFactory.create(id, name)));
    StructType schema =
        new StructType().add("id", DataTypes.IntegerType).add("country", DataTypes.StringType);
    return spark.createDataFrame(rows, schema);
  }

  // ---------------------------------------------------------------- gold

  private static Map<String, Object> gold(SparkSession spark, Map<String, String> options)
      throws IOException {
    long started = System.nanoTime();
    Dataset<Row> silver = spark.read().parquet(options.get("silver") + "/messages/data");
    long silverRows = silver.count();
    silver.createOrReplaceTempView("silver");
    // The date recomputed from the timestamp (UTC session) rather than trusted from the folder.
    Dataset<Row> dedup =
        spark
            .sql(
                "SELECT CAST(to_date(timestamp) AS STRING) AS date, event_type, channel, user_id"
                    + " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY message_id, event_type,"
                    + " channel ORDER BY timestamp, value) AS rn FROM silver)"
                    + " WHERE rn = 1")
            .cache(); // the three jobs below read it
    // One job for the count and the pivot values (passed sorted: their order is the header).
    Row summary =
        dedup
            .agg(
                count(lit(1)),
                sort_array(collect_set("event_type")),
                sort_array(collect_set("channel")))
            .first();
    long deduplicated = summary.getLong(0);
    List<String> eventTypes = summary.getList(1);
    List<String> channels = summary.getList(2);
    // (An empty silver has no pivot values, and Spark wants at least one.)
    List<Row> daily =
        deduplicated == 0
            ? List.of()
            : dedup
                .groupBy("date", "channel")
                .pivot("event_type", new ArrayList<>(eventTypes))
                .count()
                .orderBy("date", "channel")
                .collectAsList();
    // iterations is constant per user, so grouping by it too just carries it through the pivot.
    List<Row> users =
        deduplicated == 0
            ? List.of()
            : dedup
                .withColumn("iterations", count(lit(1)).over(Window.partitionBy("user_id")))
                .groupBy("user_id", "iterations")
                .pivot("channel", new ArrayList<>(channels))
                .count()
                .orderBy(col("iterations").desc(), col("user_id").asc())
                .collectAsList();
    dedup.unpersist();

    Path out = Path.of(options.get("out"));
    Files.createDirectories(out);
    writeCsv(
        out.resolve("daily_channel_events.csv"), header("date,channel", eventTypes), daily, "");
    writeCsv(
        out.resolve("user_channel_activity.csv"),
        header("user_id,iterations", channels),
        users,
        "0");

    return PeerArgs.goldResult(silverRows, deduplicated, started);
  }

  private static String header(String first, List<String> pivoted) {
    return pivoted.isEmpty() ? first : first + "," + String.join(",", pivoted);
  }

  /** The report's CSV; a pivot cell with no rows (null or 0) is written as {@code none}. */
  private static void writeCsv(Path file, String header, List<Row> rows, String none)
      throws IOException {
    StringBuilder csv = new StringBuilder(header).append('\n');
    for (Row row : rows) {
      for (int i = 0; i < row.size(); i++) {
        Object cell = row.get(i);
        boolean empty = cell == null || (i >= 2 && ((Number) cell).longValue() == 0);
        csv.append(i == 0 ? "" : ",").append(empty ? none : cell.toString());
      }
      csv.append('\n');
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- plumbing

  private static Column[] columns(String[] names) {
    Column[] columns = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      columns[i] = col(names[i]);
    }
    return columns;
  }

  /** {@code <mode> --key=value...}, checked here so a typo fails before Spark starts. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> options =
        PeerArgs.parse(
            args,
            Set.of(
                "bronze",
                "silver",
                "checkpoint",
                "trigger",
                "durationSeconds",
                "master",
                "rowsPerSecond",
                "produceSeconds",
                "graceSeconds",
                "bronzeCheckpoint"),
            Set.of("bronze", "silver", "checkpoint"),
            Set.of("silver", "out", "master"),
            Set.of("silver", "out"));
    String trigger = options.getOrDefault("trigger", "availableNow");
    if (!trigger.equals("availableNow") && !(number(trigger) > 0)) {
      throw new IllegalArgumentException("--trigger must be availableNow or seconds > 0");
    }
    if (options.containsKey("durationSeconds") && !(number(options.get("durationSeconds")) > 0)) {
      throw new IllegalArgumentException("--durationSeconds must be > 0");
    }
    if (options.containsKey("rowsPerSecond")) {
      for (String key : List.of("rowsPerSecond", "produceSeconds", "graceSeconds")) {
        if (!(number(options.getOrDefault(key, "")) > 0)) {
          throw new IllegalArgumentException("--" + key + " must be > 0 with --rowsPerSecond");
        }
      }
      if (!options.containsKey("bronzeCheckpoint")) {
        throw new IllegalArgumentException("missing --bronzeCheckpoint with --rowsPerSecond");
      }
    }
    return options;
  }

  /** The number, or NaN when the text is none (NaN fails every comparison). */
  private static double number(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
