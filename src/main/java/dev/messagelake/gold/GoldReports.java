package dev.messagelake.gold;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.lake.LakeFiles;
import dev.messagelake.lake.LakeLayout;
import dev.messagelake.lake.LakeOptions;
import dev.messagelake.lake.LakeSchemas;
import dev.messagelake.lake.ParquetFooters;
import dev.messagelake.lake.RowsToDriver;
import dev.messagelake.silver.SilverTransforms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./run.sh gold}: the business reports of silver's valid messages, after deduplication.
 *
 * <pre>
 *   silver files -> ReadMessageFiles -> ToGoldInput -> Deduplicate (Beam SQL)
 *   deduplicated rows -> DailyChannelEvents / UserChannelActivity (Beam SQL pivots) -> CSV
 * </pre>
 *
 * Two pipelines: the pivot columns are the event types and channels the deduplicated data
 * holds, so the pivot queries are written once the first pipeline has found them.
 */
public class GoldReports {
  private static final Logger LOG = LoggerFactory.getLogger(GoldReports.class);
  private static final int SHOWN_ROWS = 20;

  /** The gold job's options; {@code pipelines/gold} holds the defaults run.sh passes. */
  public interface Options extends LakeOptions {}

  public static void main(String[] args) {
    System.exit(JobLauncher.run("gold", args, Options.class, GoldReports::run));
  }

  public static void run(Options options) throws Exception {
    LakeLayout layout = new LakeLayout(Path.of(options.getLake()));
    List<Path> silverFiles = LakeFiles.parquetFilesUnder(layout.silverMessagesData());
    if (silverFiles.isEmpty()) {
      throw new UserError(
          "no silver messages in " + layout.silverMessagesData()
              + ": run ./run.sh silver (or ./run.sh lake) first");
    }
    long started = System.currentTimeMillis();
    long silverRows = silverFiles.stream().mapToLong(ParquetFooters::rowCount).sum();
    Path work = Files.createTempDirectory("gold");
    try {
      List<Row> deduplicated = deduplicate(options, silverFiles, work);
      LOG.info("gold: {} silver rows, {} after deduplication ({} ms)",
          silverRows, deduplicated.size(), System.currentTimeMillis() - started);
      List<String> eventTypes = distinct(deduplicated, "event_type");
      List<String> channels = distinct(deduplicated, "channel");

      Pipeline pipeline = Pipeline.create(options);
      PCollection<Row> rows =
          pipeline.apply("Deduplicated", Create.of(deduplicated).withRowSchema(Deduplicate.INPUT));
      RowsToDriver daily = new RowsToDriver(work, "daily_channel_events");
      RowsToDriver users = new RowsToDriver(work, "user_channel_activity");
      rows.apply("DailyChannelEvents", SqlTransform.query(PivotReports.dailyChannelEvents(eventTypes)))
          .apply("DailyToDriver", daily);
      rows.apply("UserChannelActivity", SqlTransform.query(PivotReports.userChannelActivity(channels)))
          .apply("UsersToDriver", users);
      pipeline.run().waitUntilFinish();

      ReportTable dailyReport =
          table(header("date", "channel", eventTypes), daily.read(),
              Comparator.comparing((List<String> r) -> r.get(0)).thenComparing(r -> r.get(1)));
      ReportTable userReport =
          table(header("user_id", "iterations", channels), users.read(),
              Comparator.comparing((List<String> r) -> -Long.parseLong(r.get(1)))
                  .thenComparing(r -> r.get(0) == null ? Long.MAX_VALUE : Long.parseLong(r.get(0))));
      publish(dailyReport, layout.goldDailyChannelEvents(), "daily_channel_events");
      publish(userReport, layout.goldUserChannelActivity(), "user_channel_activity");
      System.out.printf("gold: %d silver rows, %d deduplicated, reports in %.1f s%n",
          silverRows, deduplicated.size(), (System.currentTimeMillis() - started) / 1000.0);
    } finally {
      LakeFiles.deleteRecursively(work);
    }
  }

  /** First pipeline: silver's valid messages, deduplicated. */
  private static List<Row> deduplicate(Options options, List<Path> silverFiles, Path work) {
    Pipeline pipeline = Pipeline.create(options);
    RowsToDriver kept = new RowsToDriver(work, "deduplicated");
    pipeline
        .apply("SilverFiles", Create.of(silverFiles.stream().map(Path::toString).collect(Collectors.toList())))
        .apply("ReadSilver", new SilverTransforms.ReadMessageFiles())
        .apply("ToGoldInput", MapElements.into(TypeDescriptors.rows()).via(new ToGoldInput()))
        .setRowSchema(Deduplicate.INPUT)
        .apply("Deduplicate", new Deduplicate())
        .apply("ToDriver", kept);
    pipeline.run().waitUntilFinish();
    return kept.read();
  }

  /**
   * The columns of a silver row that gold uses. The date is the UTC date of the timestamp (the
   * date of silver's partition); a missing message id or channel becomes "" so that the SQL
   * joins keep the row.
   */
  static class ToGoldInput implements SerializableFunction<Row, Row> {
    @Override
    public Row apply(Row silver) {
      return Row.withSchema(Deduplicate.INPUT)
          .addValues(
              Objects.toString(silver.getString(LakeSchemas.MESSAGE_ID), ""),
              silver.getString(LakeSchemas.EVENT_TYPE),
              Objects.toString(silver.getString(LakeSchemas.CHANNEL), ""),
              silver.getInt32(LakeSchemas.USER_ID),
              silver.getDateTime(LakeSchemas.TIMESTAMP).getMillis(),
              silver.getInt64(LakeSchemas.VALUE),
              LakeSchemas.utcDate(silver.getDateTime(LakeSchemas.TIMESTAMP)))
          .build();
    }
  }

  private static List<String> distinct(List<Row> rows, String field) {
    return new ArrayList<>(rows.stream().map(r -> r.getString(field)).collect(Collectors.toCollection(TreeSet::new)));
  }

  private static List<String> header(String first, String second, List<String> pivot) {
    List<String> header = new ArrayList<>(List.of(first, second));
    header.addAll(pivot);
    return header;
  }

  private static ReportTable table(List<String> header, List<Row> rows, Comparator<List<String>> order) {
    List<List<String>> cells = new ArrayList<>();
    for (Row row : rows) {
      List<String> line = new ArrayList<>();
      for (Object value : row.getValues()) {
        line.add(value == null ? null : value.toString());
      }
      cells.add(line);
    }
    cells.sort(order);
    return new ReportTable(header, cells);
  }

  private static void publish(ReportTable report, Path folder, String name) {
    report.writeCsv(folder, name);
    System.out.printf("%s (%d rows):%n%s", folder, report.rows.size(), report.toAlignedTable(SHOWN_ROWS));
  }
}
