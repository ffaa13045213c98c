package dev.messagelake.contract;

import dev.messagelake.events.FakeMessages;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** ReadMessageFiles: the rows of the lake's parquet files, whatever partitions they come in. */
public class MessageFilesTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final transient TemporaryFolder folder = new TemporaryFolder();

  private static final Instant AT = Instant.parse("2026-11-25T23:59:58Z");

  @Test
  public void readsEveryRowOfEveryFileOnceInTheBronzeColumns() throws Exception {
    FakeMessages fake = new FakeMessages(3);
    List<Row> expected = new ArrayList<>();
    Map<Path, Long> files = new java.util.LinkedHashMap<>();
    for (int file = 0; file < 3; file++) {
      List<Row> rows = new ArrayList<>();
      for (long value = file * 10L; value < file * 10L + 10; value++) {
        Row row = fake.message(value, AT.plus(value * 100));
        rows.add(row);
        expected.add(Row.withSchema(LakeSchemas.BRONZE_AS_READ).addValues(row.getValues()).build());
      }
      // a folder name a URI must escape: lake paths are paths, not URIs
      Path path =
          folder.getRoot().toPath().resolve("my lake").resolve("values-" + file + ".parquet");
      ParquetFixtures.write(path, LakeSchemas.BRONZE_AVRO, rows);
      files.put(path, (long) rows.size());
    }
    // Two partitions: the first two files read together, the third alone.
    List<List<String>> partitions = MessageFiles.readPartitions(LakeStorage.local(), files, 20);
    PCollection<Row> read =
        pipeline
            .apply(Create.of(partitions).withCoder(ListCoder.of(StringUtf8Coder.of())))
            .apply(new MessageFiles.ReadMessageFiles());

    PAssert.that(read).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void partitionsHoldWholeFilesUpToTheRowBudgetAndALargeFileAlone() {
    Map<Path, Long> files = new java.util.LinkedHashMap<>();
    files.put(Path.of("a"), 100L);
    files.put(Path.of("b"), 150L);
    files.put(Path.of("c"), 400L);
    files.put(Path.of("d"), 10L);
    org.junit.Assert.assertEquals(
        List.of(List.of("a", "b"), List.of("c"), List.of("d")),
        MessageFiles.readPartitions(LakeStorage.local(), files, 250));
    pipeline.enableAbandonedNodeEnforcement(false);
  }
}
