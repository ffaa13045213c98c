package dev.messagelake.events;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;

import dev.messagelake.contract.LakeSchemas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class EnrichWithFakeDataFnTest {
  private static final long SEED = 7;
  private static final int ROWS = 2_000;
  private static final Instant T0 = Instant.parse("2024-12-15T14:26:00Z");

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void everyFieldIsInItsDomainAndRecordsVary() {
    List<TimestampedValue<Long>> offsets = new ArrayList<>();
    for (long offset = 0; offset < ROWS; offset++) {
      offsets.add(TimestampedValue.of(offset, T0.plus(offset)));
    }
    long firstValue = 1_000;
    PCollection<Row> rows =
        pipeline
            .apply(Create.timestamped(offsets))
            .apply(ParDo.of(new RateSource.EnrichWithFakeDataFn(SEED, firstValue)))
            .setRowSchema(LakeSchemas.BRONZE);

    PAssert.that(rows)
        .satisfies(
            iterable -> {
              List<Row> all =
                  StreamSupport.stream(iterable.spliterator(), false).collect(Collectors.toList());
              assertEquals(ROWS, all.size());
              assertThat(
                  values(all, LakeSchemas.VALUE),
                  is(
                      LongStream.range(firstValue, firstValue + ROWS)
                          .boxed()
                          .collect(Collectors.toSet())));
              for (Row row : all) {
                // value = firstValue + offset, timestamp = the element's event time
                long offset = row.getInt64(LakeSchemas.VALUE) - firstValue;
                assertEquals(T0.plus(offset), row.getDateTime(LakeSchemas.TIMESTAMP).toInstant());
              }
              // Per-record variety: every value of each domain shows up over 2000 records
              // (the notebook's bug gave a whole batch one value).
              assertThat(
                  values(all, LakeSchemas.EVENT_TYPE),
                  is(new HashSet<>(Arrays.asList(FakeMessages.EVENT_TYPES))));
              assertThat(
                  values(all, LakeSchemas.CHANNEL),
                  is(new HashSet<>(Arrays.asList(FakeMessages.CHANNELS))));
              assertThat(
                  values(all, LakeSchemas.MESSAGE_ID),
                  is(new HashSet<>(FakeMessages.messageIdPool(SEED))));
              assertThat(values(all, LakeSchemas.COUNTRY_ID), is(range(2000, 2015)));
              assertThat(values(all, LakeSchemas.USER_ID), is(range(1000, 1050)));
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void aRecordIsAPureFunctionOfSeedAndValue() {
    FakeMessages first = new FakeMessages(SEED);
    FakeMessages second = new FakeMessages(SEED);
    List<Row> forward = new ArrayList<>();
    for (long value = 0; value < 500; value++) {
      forward.add(first.message(value, T0));
    }
    // Same records whatever the order they are generated in, by another instance.
    for (long value = 499; value >= 0; value--) {
      assertEquals(forward.get((int) value), second.message(value, T0));
    }
    FakeMessages otherSeed = new FakeMessages(SEED + 1);
    long differing =
        LongStream.range(0, 500)
            .filter(v -> !otherSeed.message(v, T0).equals(forward.get((int) v)))
            .count();
    assertThat(differing, greaterThanOrEqualTo(450L));
  }

  @Test
  public void theMessageIdPoolIsFiftyDistinctUuidsFixedBySeed() {
    List<String> pool = FakeMessages.messageIdPool(SEED);
    assertEquals(50, new HashSet<>(pool).size());
    assertEquals(pool, FakeMessages.messageIdPool(SEED));
    for (String id : pool) {
      assertEquals(id, java.util.UUID.fromString(id).toString());
    }
    assertThat(FakeMessages.messageIdPool(SEED + 1).get(0), not(in(pool)));
  }

  private static Set<Object> range(int first, int last) {
    return IntStream.rangeClosed(first, last).boxed().collect(Collectors.toSet());
  }

  private static Set<Object> values(List<Row> rows, String field) {
    return rows.stream().map(r -> (Object) r.getValue(field)).collect(Collectors.toSet());
  }
}
