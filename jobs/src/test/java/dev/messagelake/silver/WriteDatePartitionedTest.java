package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.matchesPattern;

import dev.messagelake.contract.LakeSchemas;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A round trip, as Beam's IO tests: one pipeline writes both tables by date, a second reads each
 * folder.
 */
public class WriteDatePartitionedTest {
  @Rule public final transient TestPipeline writePipeline = TestPipeline.create();
  @Rule public final transient TestPipeline readPipeline = TestPipeline.create();
  @Rule public final transient TemporaryFolder folder = new TemporaryFolder();

  private static Row silver(String timestamp, long value, String eventType) {
    return Row.withSchema(LakeSchemas.SILVER)
        .addValues(
            Instant.parse(timestamp), value, eventType, "m-" + value, "SMS", 2000, 1001, "Brazil")
        .build();
  }

  private static Row silver(String timestamp, long value) {
    return silver(timestamp, value, "OPEN");
  }

  @Test
  public void rowsAcrossMidnightLandInTheirUtcDatesFolderAndReadBackExactly() {
    roundTrip(1); // a batch of one read partition: one file per date
  }

  @Test
  public void rowsLandTheSameWithTheRunnersSharding() {
    roundTrip(0); // a larger batch
  }

  private void roundTrip(int shards) {
    Path staging = folder.getRoot().toPath();
    Path table = staging.resolve("messages");
    List<Row> beforeMidnight =
        List.of(silver("2026-11-25T23:59:58.500Z", 1), silver("2026-11-25T23:59:59.999Z", 2));
    List<Row> afterMidnight =
        List.of(silver("2026-11-26T00:00:00Z", 3), silver("2026-11-26T00:00:01Z", 4));
    List<Row> all = new java.util.ArrayList<>(beforeMidnight);
    all.addAll(afterMidnight);
    Row corrupted = silver("2026-11-26T00:00:02Z", 5, "NONE");

    PCollection<String> written =
        PCollectionTuple.of(
                SilverTransforms.VALID,
                writePipeline.apply("Valid", Create.of(all).withRowSchema(LakeSchemas.SILVER)))
            .and(
                SilverTransforms.CORRUPTED,
                writePipeline.apply(
                    "Corrupted", Create.of(corrupted).withRowSchema(LakeSchemas.SILVER)))
            .apply(
                new SilverTransforms.WriteDatePartitioned(
                    staging.toString(), "part-0000000007", shards));
    PAssert.that(written)
        .satisfies(
            paths -> {
              for (String path : paths) {
                assertThat(
                    path,
                    matchesPattern(
                        ".*/messages(_corrupted)?/date=2026-11-2[56]/"
                            + "part-0000000007-[0-9a-f-]{36}\\.parquet"));
              }
              return null;
            });
    writePipeline.run().waitUntilFinish();

    PAssert.that(readDate(table, "2026-11-25")).containsInAnyOrder(beforeMidnight);
    PAssert.that(readDate(table, "2026-11-26")).containsInAnyOrder(afterMidnight);
    PAssert.that(readDate(staging.resolve("messages_corrupted"), "2026-11-26"))
        .containsInAnyOrder(corrupted);
    readPipeline.run().waitUntilFinish();
  }

  private PCollection<Row> readDate(Path table, String date) {
    return readPipeline
        .apply(
            "Read" + table.getFileName() + date,
            ParquetIO.read(LakeSchemas.SILVER_AVRO)
                .from(table.resolve("date=" + date).resolve("*.parquet").toString()))
        .apply(
            "ToRow" + table.getFileName() + date,
            MapElements.into(TypeDescriptors.rows())
                .via(
                    (GenericRecord record) ->
                        AvroUtils.toBeamRowStrict(record, LakeSchemas.SILVER)))
        .setRowSchema(LakeSchemas.SILVER);
  }
}
