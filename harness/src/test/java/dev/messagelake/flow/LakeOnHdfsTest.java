package dev.messagelake.flow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.messagelake.audit.SparkReads;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.gold.GoldAssertions;
import dev.messagelake.silver.SilverAssertions;
import dev.messagelake.storage.HdfsServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole lake on a real HDFS (the project's own NameNode and DataNode), run as a user runs it:
 * the lake flow in its own JVM with {@code --lake=hdfs://...} and the HDFS's client configuration
 * in {@code HADOOP_CONF_DIR}. What it leaves is read back as readers see it: Spark straight from
 * HDFS, DuckDB from a copy the Hadoop client takes.
 */
class LakeOnHdfsTest {
  @TempDir static Path work;
  private static HdfsServer hdfs;

  @BeforeAll
  static void startHdfs() throws Exception {
    hdfs = HdfsServer.start(work);
  }

  @AfterAll
  static void stopHdfs() throws Exception {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  @Test
  void theWholeFlowOnHdfsReconcilesAndSparkReadsTheCommittedRows() throws Exception {
    String lakeUri = hdfs.uri() + "/lake";
    JobProcess flow =
        JobProcess.startUnder(
            List.of("env", "HADOOP_CONF_DIR=" + hdfs.folder().resolve("conf")),
            LakeFlow.class,
            lakeUri,
            work.resolve("lake.log"),
            "--durationSeconds=15",
            "--rowsPerSecond=20",
            "--silverTriggerSeconds=2",
            "--targetParallelism=1");
    assertEquals(0, flow.waitFor(Duration.ofMinutes(4)), flow.output());
    assertThat(flow.output(), containsString("OK: bronze reconciles with silver, row for row"));
    assertFalse(Files.exists(Path.of("hdfs:")), "a local folder named after the scheme");

    LakeLayout lake = LakeLayout.of(lakeOptions(lakeUri));
    long bronze = SparkReads.rows(lake, lake.bronzeData());
    assertThat(bronze, greaterThan(100L));
    assertEquals(
        bronze,
        SparkReads.rows(lake, lake.silverMessagesData())
            + SparkReads.rows(lake, lake.silverCorruptedData()),
        "spark.read.parquet of both silver tables on HDFS against bronze");
    assertEquals(0, SparkReads.rowsInTheWrongDatePartition(lake, lake.silverMessagesData()));

    Path copy = work.resolve("copy");
    try (FileSystem client = hdfs.client()) {
      client.copyToLocalFile(
          false,
          new org.apache.hadoop.fs.Path("/lake"),
          new org.apache.hadoop.fs.Path(copy.toUri()),
          true);
    }
    LakeLayout local = new LakeLayout(copy);
    assertEquals(bronze, SilverAssertions.assertSilverMatchesBronze(local));
    GoldAssertions.assertReportsMatchDuckDb(local);
  }

  @Test
  void anUnreachableNameNodeIsOneLineAndExitTwo() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        JobLauncher.run(
            "check",
            new String[] {"--lake=hdfs://127.0.0.1:" + closedPort + "/lake"},
            LakeCheck.Options.class,
            LakeCheck::run,
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(exit, is(JobLauncher.USAGE));
    assertThat(
        said,
        containsString(
            "check: cannot reach the NameNode of hdfs://127.0.0.1:"
                + closedPort
                + ": Connection refused"));
    assertThat(said, said.strip().lines().count(), is(1L));
  }

  private static LakeOptions lakeOptions(String lake) {
    LakeOptions options = PipelineOptionsFactory.as(LakeOptions.class);
    options.setLake(lake);
    return options;
  }
}
