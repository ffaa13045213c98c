package dev.messagelake.realtime;

import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeSchemas;
import java.util.Map;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * Windows, early / on-time / late firings and the dedup of the realtime counts, on a TestStream of
 * silver rows (the split before them is silver's, tested in SplitAndAddCountryTest).
 */
public class CountMessagesTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final Duration MINUTE = Duration.standardMinutes(1);

  private static final Map<Integer, String> COUNTRIES = Countries.bundled();

  /** A silver row (as SplitAndAddCountry makes it) at T0 + {@code secondsAfterT0}. */
  private static TimestampedValue<Row> event(
      long value, String type, String messageId, int countryId, int secondsAfterT0) {
    Instant time = T0.plus(Duration.standardSeconds(secondsAfterT0));
    return TimestampedValue.of(
        Row.withSchema(LakeSchemas.SILVER)
            .addValues(
                time, value, type, messageId, "CHAT", countryId, 1000, COUNTRIES.get(countryId))
            .build(),
        time);
  }

  /**
   * Count rows as "TIMING window-minute dimension:key=events/window_events" (no firing time), in
   * the global window: PAssert's own per-pane views lose late panes that follow an on-time one.
   */
  private PCollection<String> countsOf(TestStream<Row> events) {
    return pipeline
        .apply(events)
        .apply(new CountMessages.CountPerWindow(MINUTE, Duration.standardSeconds(2), MINUTE))
        .apply(ParDo.of(new DescribeFiringFn()))
        .apply(Window.into(new GlobalWindows()));
  }

  static class DescribeFiringFn extends DoFn<Row, String> {
    @ProcessElement
    public void processElement(@Element Row row, PaneInfo pane, OutputReceiver<String> out) {
      long minute = (row.getInt64(MessageCountsTable.WINDOW_START) - T0.getMillis()) / 60_000;
      out.output(
          pane.getTiming()
              + " "
              + minute
              + " "
              + row.getString(MessageCountsTable.DIMENSION)
              + ":"
              + row.getString(MessageCountsTable.DIM_KEY)
              + "="
              + row.getInt64(MessageCountsTable.EVENTS)
              + "/"
              + row.getInt64(MessageCountsTable.WINDOW_EVENTS));
    }
  }

  @Test
  public void anEarlyFiringShowsTheOpenWindowAndTheOnTimeFiringHasItAll() {
    TestStream<Row> events =
        TestStream.create(RowCoder.of(LakeSchemas.SILVER))
            .advanceWatermarkTo(T0)
            .addElements(event(1, "OPEN", "m1", 2000, 5), event(2, "SENT", "m2", 2001, 10))
            .advanceProcessingTime(Duration.standardSeconds(3)) // past the 2 s early firing
            .addElements(event(3, "SENT", "m3", 2001, 50), event(4, "NONE", "m4", 2001, 55))
            .advanceWatermarkTo(T0.plus(Duration.standardSeconds(61)))
            .advanceWatermarkToInfinity();

    PCollection<String> counts = countsOf(events);

    PAssert.that(counts)
        .containsInAnyOrder(
            "EARLY 0 event_type:OPEN=1/2",
            "EARLY 0 event_type:SENT=1/2",
            "EARLY 0 channel:CHAT=2/2",
            "EARLY 0 country:Brazil=1/2",
            "EARLY 0 country:Portugal=1/2",
            "EARLY 0 quality:valid=2/2",
            "EARLY 0 quality:corrupted=0/2",
            // Accumulating: the on-time firing has the whole window; the corrupted event counts in
            // quality only.
            "ON_TIME 0 event_type:OPEN=1/4",
            "ON_TIME 0 event_type:SENT=2/4",
            "ON_TIME 0 channel:CHAT=3/4",
            "ON_TIME 0 country:Brazil=1/4",
            "ON_TIME 0 country:Portugal=2/4",
            "ON_TIME 0 quality:valid=3/4",
            "ON_TIME 0 quality:corrupted=1/4");
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void eachEventCountsInTheMinuteOfItsEventTimeNotOfItsArrival() {
    TestStream<Row> events =
        TestStream.create(RowCoder.of(LakeSchemas.SILVER))
            .advanceWatermarkTo(T0)
            // Arrives after a second-minute event, but belongs to the first minute.
            .addElements(event(2, "SENT", "m2", 2002, 70), event(1, "OPEN", "m1", 2000, 59))
            .advanceWatermarkToInfinity();

    PCollection<String> counts = countsOf(events);

    PAssert.that(counts)
        .containsInAnyOrder(
            "ON_TIME 0 event_type:OPEN=1/1",
            "ON_TIME 0 channel:CHAT=1/1",
            "ON_TIME 0 country:Brazil=1/1",
            "ON_TIME 0 quality:valid=1/1",
            "ON_TIME 0 quality:corrupted=0/1",
            "ON_TIME 1 event_type:SENT=1/1",
            "ON_TIME 1 channel:CHAT=1/1",
            "ON_TIME 1 country:Spain=1/1",
            "ON_TIME 1 quality:valid=1/1",
            "ON_TIME 1 quality:corrupted=0/1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void lateEventsWithinTheAllowedLatenessUpdateTheWindowAndLaterOnesAreDropped() {
    TestStream<Row> events =
        TestStream.create(RowCoder.of(LakeSchemas.SILVER))
            .advanceWatermarkTo(T0)
            .addElements(event(1, "OPEN", "m1", 2000, 5))
            .advanceWatermarkTo(T0.plus(Duration.standardSeconds(70))) // on time: Brazil
            // 10 s late, allowed (lateness 1 min): the same message, earlier, from Spain. Gold's
            // rule keeps the earliest occurrence, so Brazil's count moves to Spain.
            .addElements(event(2, "OPEN", "m1", 2002, 1))
            .advanceProcessingTime(Duration.standardSeconds(3))
            .advanceWatermarkTo(T0.plus(Duration.standardSeconds(200))) // window expired
            .addElements(event(3, "CLICKED", "m9", 2003, 30)) // too late: dropped
            .advanceWatermarkToInfinity();

    PCollection<String> counts = countsOf(events);

    PAssert.that(counts)
        .containsInAnyOrder(
            "ON_TIME 0 event_type:OPEN=1/1",
            "ON_TIME 0 channel:CHAT=1/1",
            "ON_TIME 0 country:Brazil=1/1",
            "ON_TIME 0 quality:valid=1/1",
            "ON_TIME 0 quality:corrupted=0/1",
            // The CLICKED event is nowhere: it came after the window had expired.
            "LATE 0 event_type:OPEN=1/2",
            "LATE 0 channel:CHAT=1/2",
            "LATE 0 country:Brazil=0/2",
            "LATE 0 country:Spain=1/2",
            "LATE 0 quality:valid=2/2",
            "LATE 0 quality:corrupted=0/2");
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void anEventSentTwiceCountsOnceAndDuplicatesByGoldsRuleCountOnce() {
    TestStream<Row> events =
        TestStream.create(RowCoder.of(LakeSchemas.SILVER))
            .advanceWatermarkTo(T0)
            .addElements(
                event(1, "OPEN", "m1", 2000, 5),
                event(1, "OPEN", "m1", 2000, 5), // the publisher sent value 1 again
                event(2, "OPEN", "m1", 2001, 9), // same message, type, channel: a duplicate
                event(3, "", "m5", 2001, 9)) // corrupted (empty type)
            .advanceWatermarkToInfinity();

    PAssert.that(countsOf(events))
        .containsInAnyOrder(
            "ON_TIME 0 event_type:OPEN=1/3",
            "ON_TIME 0 channel:CHAT=1/3",
            "ON_TIME 0 country:Brazil=1/3",
            "ON_TIME 0 quality:valid=2/3",
            "ON_TIME 0 quality:corrupted=1/3");
    pipeline.run().waitUntilFinish();
  }
}
