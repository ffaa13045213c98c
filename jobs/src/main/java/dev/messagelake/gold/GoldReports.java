package dev.messagelake.gold;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.MessageFiles;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.ParquetFooters;
import dev.messagelake.storage.RowsToDriver;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * {@code ./run.sh gold}: the business reports of silver's valid messages, after deduplication, in
 * one pipeline:
 *
 * <pre>
 *   silver files -> Deduplicate: each bundle's files read, made ToGoldInput rows,
 *     and its earliest row per duplicate key kept -> the earliest of those (Beam SQL)
 *   deduplicated -> DailyChannelEventCounts / UserChannelCounts (Beam SQL) -> pivot tables, CSV
 * </pre>
 */
public class GoldReports {
  private static final int SHOWN_ROWS = 20;

  /** The gold job's options ({@code pipelines/gold} adds runner and JVM flags). */
  @Description(
      "Reads: silver/messages/data under --lake, through its Delta log.\n"
          + "Writes: gold/daily_channel_events/ (events per date and channel) and"
          + " gold/user_channel_activity/ (most active users per channel), one CSV each, and prints"
          + " both.")
  public interface Options extends LakeOptions {}

  public static void main(String[] args) {
    System.exit(JobLauncher.run("gold", args, Options.class, GoldReports::run));
  }

  public static void run(Options options) throws Exception {
    LakeLayout layout = LakeLayout.of(options);
    List<Path> silverFiles = SilverTables.readableFiles(layout, layout.silverMessagesData());
    if (silverFiles.isEmpty()) {
      throw new UserError(
          "no silver messages in "
              + layout.storage().location(layout.silverMessagesData())
              + ": run ./run.sh silver (or ./run.sh lake) first");
    }
    long started = System.currentTimeMillis();
    // Counted from the footers for the log, meanwhile: building the pipeline leaves a core idle.
    CompletableFuture<Long> silverRowCount =
        CompletableFuture.supplyAsync(
            () ->
                silverFiles.stream()
                    .mapToLong(f -> ParquetFooters.rowCount(layout.storage(), f))
                    .sum());
    Path work = layout.work("gold");
    try {
      RowsToDriver daily = new RowsToDriver(layout.storage(), work, "daily_channel_event_counts");
      RowsToDriver users = new RowsToDriver(layout.storage(), work, "user_channel_counts");
      Pipeline pipeline = Pipeline.create(options);
      PCollection<Row> deduplicated =
          pipeline
              .apply(
                  "SilverFiles",
                  Create.of(MessageFiles.onePerFile(layout.storage(), silverFiles))
                      .withCoder(ListCoder.of(StringUtf8Coder.of())))
              .apply("Deduplicate", Deduplicate.ofFiles(new ToGoldInput()));
      deduplicated
          .apply(
              "DailyChannelEventCounts",
              SqlTransform.query(PivotReports.DAILY_CHANNEL_EVENT_COUNTS))
          .apply("DailyToDriver", daily);
      deduplicated
          .apply("UserChannelCounts", SqlTransform.query(PivotReports.USER_CHANNEL_COUNTS))
          .apply("UsersToDriver", users);
      pipeline.run().waitUntilFinish();

      List<Row> dailyCounts = daily.read();
      long silverRows = silverRowCount.join();
      long kept = PivotReports.messages(dailyCounts);
      publish(
          PivotReports.dailyChannelEvents(dailyCounts),
          layout,
          layout.goldDailyChannelEvents(),
          "daily_channel_events");
      publish(
          PivotReports.userChannelActivity(users.read()),
          layout,
          layout.goldUserChannelActivity(),
          "user_channel_activity");
      System.out.printf(
          "gold: %d silver rows, %d deduplicated, reports in %.1f s%n",
          silverRows, kept, (System.currentTimeMillis() - started) / 1000.0);
    } finally {
      layout.storage().delete(work);
    }
  }

  /**
   * The columns of a silver row that gold uses. The date is the UTC date of the timestamp (the date
   * of silver's partition); a missing message id or channel becomes "" so that the SQL joins keep
   * the row.
   */
  static class ToGoldInput implements SerializableFunction<Row, Row> {
    @Override
    public Row apply(Row silver) {
      ReadableInstant timestamp = LakeSchemas.timestamp(silver);
      // attachValues: each value has its field's exact type, no need to check it again per row
      return Row.withSchema(Deduplicate.INPUT)
          .attachValues(
              Objects.toString(silver.getString(LakeSchemas.MESSAGE_ID), ""),
              silver.getString(LakeSchemas.EVENT_TYPE),
              Objects.toString(silver.getString(LakeSchemas.CHANNEL), ""),
              silver.getInt32(LakeSchemas.USER_ID),
              timestamp.getMillis(),
              silver.getInt64(LakeSchemas.VALUE),
              LakeSchemas.utcDate(timestamp));
    }
  }

  private static void publish(ReportTable report, LakeLayout layout, Path folder, String name) {
    report.writeCsv(layout.storage(), folder, name);
    System.out.printf(
        "%s (%d rows):%n%s",
        layout.display(folder), report.rows.size(), report.toAlignedTable(SHOWN_ROWS));
  }
}
