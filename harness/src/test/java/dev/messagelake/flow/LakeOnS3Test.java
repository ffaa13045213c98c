package dev.messagelake.flow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.audit.SparkReads;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.gold.GoldAssertions;
import dev.messagelake.maintenance.SilverCompaction;
import dev.messagelake.maintenance.SilverVacuum;
import dev.messagelake.silver.SilverAssertions;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.S3Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole lake on a real S3 API server (the project's own s3proxy), run as a user runs it: the
 * lake flow, then compaction and vacuum, each in its own JVM with {@code --lake=s3a://lake/lake}
 * and the server's generated client settings in {@code HADOOP_CONF_DIR}. Spark reads the silver
 * tables from S3 through their Delta logs; DuckDB audits the objects where the server keeps them.
 */
class LakeOnS3Test {
  private static final String LAKE = "s3a://lake/lake";
  @TempDir static Path work;
  private static S3Server s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start(work);
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  private JobProcess job(Class<?> main, String name, String... args) throws Exception {
    return JobProcess.startUnder(
        List.of("env", "HADOOP_CONF_DIR=" + s3.conf()), main, LAKE, work.resolve(name), args);
  }

  @Test
  void theWholeFlowOnS3ReconcilesAndSparkReadsTheTablesThroughTheirLogs() throws Exception {
    JobProcess flow =
        job(
            LakeFlow.class,
            "lake.log",
            "--durationSeconds=20",
            "--rowsPerSecond=20",
            "--silverTriggerSeconds=2");
    assertEquals(0, flow.waitFor(Duration.ofMinutes(6)), flow.output());
    assertThat(flow.output(), containsString("OK: bronze reconciles with silver, row for row"));

    SparkReads.useS3(s3.hadoopConfiguration());
    long bronze = SparkReads.rows(LAKE + "/bronze/messages/data");
    assertThat(bronze, greaterThan(100L));
    String messages = LAKE + "/silver/messages/data";
    String corrupted = LAKE + "/silver/messages_corrupted/data";
    long valid = SparkReads.deltaRows(messages);
    assertEquals(bronze, valid + SparkReads.deltaRows(corrupted), "format(delta) on S3");

    JobProcess compact = job(SilverCompaction.class, "compact.log");
    assertEquals(0, compact.waitFor(Duration.ofMinutes(3)), compact.output());
    JobProcess vacuum = job(SilverVacuum.class, "vacuum.log", "--retainHours=0");
    assertEquals(0, vacuum.waitFor(Duration.ofMinutes(3)), vacuum.output());
    assertEquals(valid, SparkReads.deltaRows(messages), "after compaction and vacuum");

    // The objects as the server stores them: a folder per key, audited as a local lake.
    LakeLayout objects = new LakeLayout(s3.objects("lake"));
    assertEquals(bronze, SilverAssertions.assertSilverMatchesBronze(objects));
    GoldAssertions.assertReportsMatchDuckDb(objects);
    assertEquals(
        1,
        LakeStorage.local().parquetFilesUnder(objects.silverMessagesData()).stream()
            .map(Path::getParent)
            .distinct()
            .count(),
        "one date");
    assertEquals(1, LakeStorage.local().parquetFilesUnder(objects.silverMessagesData()).size());
  }
}
