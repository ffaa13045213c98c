package dev.messagelake.silver;

import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.MessageFiles;
import dev.messagelake.contract.ParquetFixtures;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The whole graph of a silver batch, on bronze files, read back from its two staging folders. */
public class SilverBatchTest {
  @Rule public final transient TestPipeline batchPipeline = TestPipeline.create();
  @Rule public final transient TestPipeline readPipeline = TestPipeline.create();
  @Rule public final transient TemporaryFolder folder = new TemporaryFolder();

  private static final Instant AT = Instant.parse("2026-11-25T23:59:59Z");

  private static Row bronze(long value, String eventType, Integer countryId, long millisAfter) {
    return Row.withSchema(LakeSchemas.BRONZE)
        .addValues(AT.plus(millisAfter), value, eventType, "m-" + value, "CHAT", countryId, 1001)
        .build();
  }

  private static Row silver(Row bronze, String country) {
    List<Object> values = new java.util.ArrayList<>(bronze.getValues());
    values.add(country);
    return Row.withSchema(LakeSchemas.SILVER).addValues(values).build();
  }

  @Test
  public void eachBronzeRowLandsOnceOnItsSideWithItsCountryByDate() throws Exception {
    Row open = bronze(0, "OPEN", 2000, 0);
    Row none = bronze(1, "NONE", 2001, 500);
    Row nextDay = bronze(2, "SENT", 9999, 1500); // after midnight, an unknown country
    Row noType = bronze(3, null, 1234, 2000); // no event type, an unknown country
    Path root = folder.getRoot().toPath();
    Map<Path, Long> files = new LinkedHashMap<>();
    files.put(root.resolve("bronze/values-0-1.parquet"), 2L);
    files.put(root.resolve("bronze/values-2-3.parquet"), 2L);
    ParquetFixtures.write(
        root.resolve("bronze/values-0-1.parquet"), LakeSchemas.BRONZE_AVRO, List.of(open, none));
    ParquetFixtures.write(
        root.resolve("bronze/values-2-3.parquet"),
        LakeSchemas.BRONZE_AVRO,
        List.of(nextDay, noType));
    Path valid = root.resolve("staging/messages");
    Path corrupted = root.resolve("staging/messages_corrupted");

    PCollection<String> written =
        SilverJob.applySilverBatch(
            batchPipeline,
            MessageFiles.readPartitions(LakeStorage.local(), files, 250_000),
            Countries.bundled(),
            root.resolve("staging").toString(),
            "part-0000000001");
    // One read partition: one file per side and date, each side across midnight.
    PAssert.thatSingleton(written.apply(Count.globally())).isEqualTo(4L);
    batchPipeline.run().waitUntilFinish();

    PAssert.that(read("Valid", valid))
        .containsInAnyOrder(silver(open, "Brazil"), silver(nextDay, null));
    PAssert.that(read("Corrupted", corrupted))
        .containsInAnyOrder(silver(none, "Portugal"), silver(noType, null));
    readPipeline.run().waitUntilFinish();
  }

  private PCollection<Row> read(String name, Path table) {
    return readPipeline
        .apply(
            "Read" + name,
            ParquetIO.read(LakeSchemas.SILVER_AVRO)
                .from(table.resolve("date=*/*.parquet").toString()))
        .apply(
            "ToRow" + name,
            MapElements.into(TypeDescriptors.rows())
                .via(
                    (GenericRecord record) ->
                        AvroUtils.toBeamRowStrict(record, LakeSchemas.SILVER)))
        .setRowSchema(LakeSchemas.SILVER);
  }
}
