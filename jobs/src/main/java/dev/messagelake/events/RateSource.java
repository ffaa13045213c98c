package dev.messagelake.events;

import dev.messagelake.contract.LakeSchemas;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The rate source, as Spark's: rows stamped with the moment the rate schedule makes them due, each
 * given its fake fields, a pure function of (seed, value).
 */
public final class RateSource {
  private RateSource() {}

  /**
   * One micro-batch of a run, as it can be generated again identically: the run's schedule (start,
   * rate), the seed, the run's first value and the batch's rows {@code [fromOffset, toOffset)} of
   * the run.
   */
  public record Batch(
      long startMillis,
      long rowsPerSecond,
      long seed,
      long firstValue,
      long fromOffset,
      long toOffset) {
    public long endValue() {
      return firstValue + toOffset;
    }

    public GenerateMessages generate() {
      return new GenerateMessages(
          new ScheduledTime(new Instant(startMillis), rowsPerSecond),
          seed,
          firstValue,
          fromOffset,
          toOffset);
    }
  }

  /** The run's rows {@code fromOffset..toOffset-1}, stamped and given their fake fields. */
  public static class GenerateMessages extends PTransform<PBegin, PCollection<Row>> {
    private final ScheduledTime schedule;
    private final long seed;
    private final long firstValue;
    private final long fromOffset;
    private final long toOffset;

    public GenerateMessages(
        ScheduledTime schedule, long seed, long firstValue, long fromOffset, long toOffset) {
      this.schedule = schedule;
      this.seed = seed;
      this.firstValue = firstValue;
      this.fromOffset = fromOffset;
      this.toOffset = toOffset;
    }

    @Override
    public PCollection<Row> expand(PBegin input) {
      // Stamped after the source: GenerateSequence with a timestamp function reads an unbounded
      // source up to a count, which the Direct runner emits in bundles of 10,000 rows, each one
      // more copy of FileIO's grouped bag downstream; the bounded source is read in a few.
      return input
          .apply("RateSource", GenerateSequence.from(fromOffset).to(toOffset))
          .apply("StampWithSchedule", WithTimestamps.of(schedule))
          .apply("EnrichWithFakeData", ParDo.of(new EnrichWithFakeDataFn(seed, firstValue)))
          .setRowSchema(LakeSchemas.BRONZE);
    }
  }

  /**
   * Event time of the n-th row of a run: when the rate source is due to emit it. Timestamps then
   * follow the sequence, so each window holds one contiguous range of values however the runner
   * splits the source.
   */
  public static class ScheduledTime implements SerializableFunction<Long, Instant> {
    private final long startMillis;
    private final long rowsPerSecond;

    public ScheduledTime(Instant start, long rowsPerSecond) {
      this.startMillis = start.getMillis();
      this.rowsPerSecond = rowsPerSecond;
    }

    @Override
    public Instant apply(Long offset) {
      return new Instant(startMillis + offset * 1000 / rowsPerSecond);
    }

    /** How many rows are scheduled before {@code time}. */
    public long rowsBefore(Instant time) {
      long elapsed = time.getMillis() - startMillis;
      return elapsed <= 0 ? 0 : Math.floorDiv(elapsed * rowsPerSecond + 999, 1000);
    }
  }

  /** Gives sequence number {@code firstValue + offset} its fake fields. */
  public static class EnrichWithFakeDataFn extends DoFn<Long, Row> {
    private final FakeMessages fakeMessages;
    private final long firstValue;

    public EnrichWithFakeDataFn(long seed, long firstValue) {
      this.fakeMessages = new FakeMessages(seed);
      this.firstValue = firstValue;
    }

    @ProcessElement
    public void processElement(
        @Element Long offset, @Timestamp Instant timestamp, OutputReceiver<Row> out) {
      out.output(fakeMessages.message(firstValue + offset, timestamp));
    }
  }

  /**
   * The rate source as an unbounded stream of bronze rows, each stamped with the moment it is
   * generated (as Spark's rate source stamps rows; a schedule fixed before the pipeline starts
   * would put every event seconds in the past).
   */
  public static class Unbounded extends PTransform<PBegin, PCollection<Row>> {
    private final long rowsPerSecond;
    private final long seed;

    public Unbounded(long rowsPerSecond, long seed) {
      this.rowsPerSecond = rowsPerSecond;
      this.seed = seed;
    }

    @Override
    public PCollection<Row> expand(PBegin begin) {
      return begin
          .apply(
              "RateSource",
              GenerateSequence.from(0)
                  .withRate(rowsPerSecond, Duration.standardSeconds(1))
                  .withTimestampFn(new GenerationTime()))
          .apply("EnrichWithFakeData", ParDo.of(new EnrichWithFakeDataFn(seed, 0)))
          .setRowSchema(LakeSchemas.BRONZE);
    }
  }

  /** The clock when the source emits an element. */
  static class GenerationTime implements SerializableFunction<Long, Instant> {
    @Override
    public Instant apply(Long value) {
      return Instant.now();
    }
  }
}
