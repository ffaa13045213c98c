package dev.messagelake.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.MessageFiles;
import dev.messagelake.contract.ParquetFixtures;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.ParquetFooters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A silver batch of many read partitions, one date, on the Spark runner: each partition writes its
 * own file of that date, and every one of them reaches staging. FileIO's shard-of-shards names
 * collided there (each bundle of results finalized on its own), and files replaced each other.
 */
class SilverBatchOnSparkTest {
  @TempDir Path root;

  @Test
  void everyPartitionsFileOfADateReachesStaging() throws Exception {
    Instant at = Instant.parse("2026-11-25T10:00:00Z");
    Map<Path, Long> files = new LinkedHashMap<>();
    for (int file = 0; file < 8; file++) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        long value = file * 3L + i;
        rows.add(
            Row.withSchema(LakeSchemas.BRONZE)
                .addValues(at.plus(value), value, "OPEN", "m-" + value, "SMS", 2000, 1001)
                .build());
      }
      Path path = root.resolve("bronze/values-" + file + ".parquet");
      ParquetFixtures.write(path, LakeSchemas.BRONZE_AVRO, rows);
      files.put(path, 3L);
    }
    Path valid = root.resolve("staging/messages");
    Pipeline pipeline =
        Pipeline.create(
            // eight task slots: the files of the date are finalized in several groups
            PipelineOptionsFactory.fromArgs("--runner=SparkRunner", "--sparkMaster=local[8]")
                .create());

    SilverJob.applySilverBatch(
        pipeline,
        MessageFiles.readPartitions(LakeStorage.local(), files, 3), // a partition per file
        Countries.bundled(),
        root.resolve("staging").toString(),
        "part-0000000001");
    pipeline.run().waitUntilFinish();

    List<Path> written = LakeStorage.local().parquetFilesUnder(valid);
    long rows = 0;
    for (Path file : written) {
      rows += ParquetFooters.rowCount(LakeStorage.local(), file);
    }
    assertEquals(24, rows, "rows in " + written);
  }
}
