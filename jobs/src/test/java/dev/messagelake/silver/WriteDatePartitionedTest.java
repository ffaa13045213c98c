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
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A round trip, as Beam's IO tests: one pipeline writes by date, a second reads each folder. */
public class WriteDatePartitionedTest {
  @Rule public final transient TestPipeline writePipeline = TestPipeline.create();
  @Rule public final transient TestPipeline readPipeline = TestPipeline.create();
  @Rule public final transient TemporaryFolder folder = new TemporaryFolder();

  private static Row silver(String timestamp, long value) {
    return Row.withSchema(LakeSchemas.SILVER)
        .addValues(
            Instant.parse(timestamp), value, "OPEN", "m-" + value, "SMS", 2000, 1001, "Brazil")
        .build();
  }

  @Test
  public void rowsAcrossMidnightLandInTheirUtcDatesFolderAndReadBackExactly() {
    Path table = folder.getRoot().toPath().resolve("messages");
    List<Row> beforeMidnight =
        List.of(silver("2026-11-25T23:59:58.500Z", 1), silver("2026-11-25T23:59:59.999Z", 2));
    List<Row> afterMidnight =
        List.of(silver("2026-11-26T00:00:00Z", 3), silver("2026-11-26T00:00:01Z", 4));
    List<Row> all = new java.util.ArrayList<>(beforeMidnight);
    all.addAll(afterMidnight);

    PCollection<String> written =
        writePipeline
            .apply(Create.of(all).withRowSchema(LakeSchemas.SILVER))
            .apply(new SilverTransforms.WriteDatePartitioned(table, "part-0000000007"));
    PAssert.that(written)
        .satisfies(
            paths -> {
              for (String path : paths) {
                assertThat(
                    path,
                    matchesPattern(
                        ".*/messages/date=2026-11-2[56]/part-0000000007-[0-9a-f-]{36}\\.parquet"));
              }
              return null;
            });
    writePipeline.run().waitUntilFinish();

    PAssert.that(readDate(table, "2026-11-25")).containsInAnyOrder(beforeMidnight);
    PAssert.that(readDate(table, "2026-11-26")).containsInAnyOrder(afterMidnight);
    readPipeline.run().waitUntilFinish();
  }

  private PCollection<Row> readDate(Path table, String date) {
    return readPipeline
        .apply(
            "Read" + date,
            ParquetIO.read(LakeSchemas.SILVER_AVRO)
                .from(table.resolve("date=" + date).resolve("*.parquet").toString()))
        .apply(
            "ToRow" + date,
            MapElements.into(TypeDescriptors.rows())
                .via(
                    (GenericRecord record) ->
                        AvroUtils.toBeamRowStrict(record, LakeSchemas.SILVER)))
        .setRowSchema(LakeSchemas.SILVER);
  }
}
