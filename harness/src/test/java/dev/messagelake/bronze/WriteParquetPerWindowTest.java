package dev.messagelake.bronze;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.junit.Assert.assertEquals;

import dev.messagelake.audit.DuckDb;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.events.FakeMessages;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every window's rows arrive, each window as one file (apache/beam#19209 reported windowed writes
 * with one shard writing nothing on the Direct runner).
 */
public class WriteParquetPerWindowTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  private static final Instant T0 = Instant.parse("2024-12-15T14:26:00Z");
  private static final FakeMessages FAKE = new FakeMessages(3);

  @Test
  public void writesOneFilePerWindowWithAllItsRows() throws Exception {
    Path out = folder.newFolder("staging").toPath();
    Path temp = folder.newFolder("tmp").toPath();
    TestStream<Row> events =
        TestStream.create(RowCoder.of(LakeSchemas.BRONZE))
            .addElements(event(0, 0), event(1, 300), event(2, 999))
            .advanceWatermarkTo(T0.plus(Duration.millis(1000)))
            .addElements(event(3, 1500))
            // the window [2 s, 3 s) gets no row and must produce no file
            .advanceWatermarkTo(T0.plus(Duration.millis(3000)))
            .addElements(
                event(4, 3000), event(5, 3001), event(6, 3500), event(7, 3998), event(8, 3999))
            .advanceWatermarkToInfinity();

    pipeline
        .apply(events)
        .apply(
            new BronzeProducer.WriteParquetPerWindow(
                Duration.standardSeconds(1), out.toString(), temp.toString()));
    pipeline.run().waitUntilFinish();

    long t0 = T0.getMillis();
    List<String> names =
        LakeStorage.local().listFiles(out).stream()
            .map(p -> p.getFileName().toString())
            .collect(Collectors.toList());
    assertThat(
        names,
        contains(
            "window-" + t0 + "-" + (t0 + 1000) + "-pane-0-shard-0-of-1.parquet",
            "window-" + (t0 + 1000) + "-" + (t0 + 2000) + "-pane-0-shard-0-of-1.parquet",
            "window-" + (t0 + 3000) + "-" + (t0 + 4000) + "-pane-0-shard-0-of-1.parquet"));
    try (DuckDb duckDb = new DuckDb()) {
      assertEquals(List.of(0L, 1L, 2L), duckDb.longs(valuesOf(out.resolve(names.get(0)))));
      assertEquals(List.of(3L), duckDb.longs(valuesOf(out.resolve(names.get(1)))));
      assertEquals(List.of(4L, 5L, 6L, 7L, 8L), duckDb.longs(valuesOf(out.resolve(names.get(2)))));
    }
  }

  private static String valuesOf(Path file) {
    return "SELECT value FROM read_parquet('" + file + "') ORDER BY value";
  }

  private static TimestampedValue<Row> event(long value, long millis) {
    Instant at = T0.plus(Duration.millis(millis));
    return TimestampedValue.of(FAKE.message(value, at), at);
  }
}
