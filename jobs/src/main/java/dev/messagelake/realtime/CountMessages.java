package dev.messagelake.realtime;

import dev.messagelake.silver.SilverTransforms;
import java.util.Map;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Message counts per event-time window, for the dashboard: by event_type, channel and country over
 * the valid events after gold's deduplication within the window, plus the raw valid and corrupted
 * counts. Each firing emits the window's full counts so far (accumulating panes): early every few
 * seconds, on time when the watermark passes the window's end, and late for events within the
 * allowed lateness; later ones are dropped. Written as upserts, a firing replaces the previous one,
 * so replays never double-count.
 *
 * <pre>
 *   events -> SplitAndAddCountry (silver's rule and countries) -> valid + corrupted
 *     -> CountPerWindow: FixedWindows + triggers -> Combine into WindowCounts
 *                        -> one row per (dimension, key)
 * </pre>
 */
public class CountMessages extends PTransform<PCollection<Row>, PCollection<Row>> {
  private final Duration windowSize;
  private final Duration earlyFiring;
  private final Duration allowedLateness;
  private final Map<Integer, String> countries;

  public CountMessages(
      Duration windowSize,
      Duration earlyFiring,
      Duration allowedLateness,
      Map<Integer, String> countries) {
    this.windowSize = windowSize;
    this.earlyFiring = earlyFiring;
    this.allowedLateness = allowedLateness;
    this.countries = countries;
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> events) {
    PCollectionTuple split =
        events.apply("SplitAndAddCountry", new SilverTransforms.SplitAndAddCountry(countries));
    return PCollectionList.of(split.get(SilverTransforms.VALID))
        .and(split.get(SilverTransforms.CORRUPTED))
        .apply("ValidAndCorrupted", Flatten.pCollections())
        .apply("CountPerWindow", new CountPerWindow(windowSize, earlyFiring, allowedLateness));
  }

  /** Silver rows (valid and corrupted) -> count rows, at every firing of their window. */
  public static class CountPerWindow extends PTransform<PCollection<Row>, PCollection<Row>> {
    private final Duration windowSize;
    private final Duration earlyFiring;
    private final Duration allowedLateness;

    public CountPerWindow(Duration windowSize, Duration earlyFiring, Duration allowedLateness) {
      this.windowSize = windowSize;
      this.earlyFiring = earlyFiring;
      this.allowedLateness = allowedLateness;
    }

    @Override
    public PCollection<Row> expand(PCollection<Row> silver) {
      return silver
          .apply(
              "PerWindowWithEarlyFirings",
              Window.<Row>into(FixedWindows.of(windowSize))
                  .triggering(
                      AfterWatermark.pastEndOfWindow()
                          .withEarlyFirings(
                              AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiring))
                          .withLateFirings(
                              AfterProcessingTime.pastFirstElementInPane()
                                  .plusDelayOf(earlyFiring)))
                  .withAllowedLateness(allowedLateness)
                  .accumulatingFiredPanes())
          .apply("CountWindow", Combine.globally(new CountWindowFn()).withoutDefaults())
          .apply("ToCountRows", ParDo.of(new ToCountRowsFn()))
          .setRowSchema(MessageCountsTable.SCHEMA);
    }
  }

  /** Folds a window's silver rows into its {@link WindowCounts}. */
  static class CountWindowFn extends Combine.CombineFn<Row, WindowCounts, WindowCounts> {
    @Override
    public WindowCounts createAccumulator() {
      return new WindowCounts();
    }

    @Override
    public WindowCounts addInput(WindowCounts counts, Row silver) {
      counts.add(silver);
      return counts;
    }

    @Override
    public WindowCounts mergeAccumulators(Iterable<WindowCounts> accumulators) {
      WindowCounts merged = new WindowCounts();
      accumulators.forEach(merged::merge);
      return merged;
    }

    @Override
    public WindowCounts extractOutput(WindowCounts counts) {
      return counts;
    }
  }

  /** One row per (dimension, key) of a firing, stamped with the window and the firing time. */
  static class ToCountRowsFn extends DoFn<WindowCounts, Row> {
    @ProcessElement
    public void processElement(
        @Element WindowCounts counts,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<Row> out) {
      long windowStart = ((IntervalWindow) window).start().getMillis();
      long firedAt = System.currentTimeMillis();
      counts
          .counts()
          .forEach(
              (dimension, byKey) ->
                  byKey.forEach(
                      (key, events) ->
                          out.output(
                              Row.withSchema(MessageCountsTable.SCHEMA)
                                  .addValues(
                                      windowStart,
                                      dimension,
                                      key,
                                      events,
                                      counts.events(),
                                      counts.lastEventMillis(),
                                      firedAt)
                                  .build())));
    }
  }
}
