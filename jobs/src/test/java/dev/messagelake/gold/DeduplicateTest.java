package dev.messagelake.gold;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class DeduplicateTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static Row row(
      String messageId, String channel, String type, String time, long seq, int user) {
    long millis = Instant.parse("2024-12-03T" + time + "Z").getMillis();
    return Row.withSchema(Deduplicate.INPUT)
        .addValues(messageId, type, channel, user, millis, seq, "2024-12-03")
        .build();
  }

  @Test
  public void keepsTheFirstOccurrenceByTimeOfTheNotebooksExample() {
    Row late = row("123", "CHAT", "CREATED", "10:10:01", 1, 1001);
    Row first = row("123", "CHAT", "CREATED", "07:56:45", 2, 1002);
    Row middle = row("123", "CHAT", "CREATED", "08:13:33", 3, 1003);
    // Same message and channel, another event type: not a duplicate.
    Row otherType = row("123", "CHAT", "OPEN", "10:10:01", 4, 1004);

    PCollection<Row> kept =
        pipeline
            .apply(Create.of(late, first, middle, otherType).withRowSchema(Deduplicate.INPUT))
            .apply(new Deduplicate());

    PAssert.that(kept).containsInAnyOrder(first, otherType);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void tiedTimestampsKeepTheSmallerValue() {
    Row higher = row("m-1", "SMS", "SENT", "09:00:00", 42, 1010);
    Row lower = row("m-1", "SMS", "SENT", "09:00:00", 17, 1020);
    Row later = row("m-1", "SMS", "SENT", "09:00:01", 3, 1030);
    Row otherChannel = row("m-1", "PUSH", "SENT", "09:00:00", 42, 1040);

    PCollection<Row> kept =
        pipeline
            .apply(Create.of(higher, lower, later, otherChannel).withRowSchema(Deduplicate.INPUT))
            .apply(new Deduplicate());

    // The kept row is whole: its user and date come from the row with the smaller value.
    PAssert.that(kept).containsInAnyOrder(lower, otherChannel);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void keepsTheEarliestAcrossBundles() {
    // Two sources are two bundles: each bundle keeps its own earliest, the query the earliest of
    // those.
    Row firstOfA = row("m-2", "SMS", "SENT", "09:00:05", 7, 1);
    Row laterOfA = row("m-2", "SMS", "SENT", "09:00:09", 1, 2);
    Row firstOfAll = row("m-2", "SMS", "SENT", "09:00:02", 9, 3);
    Row tieOfAll = row("m-2", "SMS", "SENT", "09:00:02", 11, 4);

    PCollection<Row> a =
        pipeline.apply("A", Create.of(firstOfA, laterOfA).withRowSchema(Deduplicate.INPUT));
    PCollection<Row> b =
        pipeline.apply("B", Create.of(tieOfAll, firstOfAll).withRowSchema(Deduplicate.INPUT));
    PCollection<Row> kept =
        PCollectionList.of(a).and(b).apply(Flatten.pCollections()).apply(new Deduplicate());

    PAssert.that(kept).containsInAnyOrder(firstOfAll);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void occurrencesSortAsTimeThenValueAcrossTheEpoch() {
    long[] ordered = {
      -1_000_000_000_000_000_000L, -86_400_000L, -1, 0, 1, 9, 10, 1_733_216_205_000L
    };
    for (int i = 1; i < ordered.length; i++) {
      String before = Deduplicate.sortable(ordered[i - 1]);
      String after = Deduplicate.sortable(ordered[i]);
      assertEquals(19, after.length());
      assertTrue(before + " < " + after, before.compareTo(after) < 0);
    }
  }

  @Test
  public void keepsARowFromBefore1970() {
    Row before =
        Row.withSchema(Deduplicate.INPUT)
            .addValues("m", "OPEN", "SMS", 1, -1000L, 5L, "1969-12-31")
            .build();
    Row after =
        Row.withSchema(Deduplicate.INPUT)
            .addValues("m", "OPEN", "SMS", 2, 1000L, 4L, "1970-01-01")
            .build();

    PCollection<Row> kept =
        pipeline
            .apply(Create.of(after, before).withRowSchema(Deduplicate.INPUT))
            .apply(new Deduplicate());

    PAssert.that(kept).containsInAnyOrder(before);
    pipeline.run().waitUntilFinish();
  }
}
