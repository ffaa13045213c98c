package dev.messagelake.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.messagelake.gold.GoldReports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A cluster that is not there is one line and exit 2, before any pipeline is built. */
class ClusterReachTest {
  @Test
  void anUnreachableFlinkJobManagerIsOneLine() throws Exception {
    int port = freePort();
    Outcome outcome = launch("--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + port);
    assertEquals(JobLauncher.USAGE, outcome.exit);
    assertThat(outcome.said.strip().lines().count(), is(1L));
    assertThat(
        outcome.said,
        containsString("gold: cannot reach the Flink JobManager at 127.0.0.1:" + port + ": "));
    assertThat(outcome.said, containsString("./run.sh flink start starts ours"));
    assertThat(outcome.ran, is(false));
  }

  @Test
  void anUnreachableSparkMasterIsOneLine() throws Exception {
    int port = freePort();
    Outcome outcome = launch("--runner=SparkRunner", "--sparkMaster=spark://127.0.0.1:" + port);
    assertEquals(JobLauncher.USAGE, outcome.exit);
    assertThat(outcome.said, containsString("gold: cannot reach the Spark master spark://"));
    assertThat(outcome.ran, is(false));
  }

  @Test
  void aListeningMasterAndTheEmbeddedOnesRun() throws Exception {
    try (ServerSocket master = new ServerSocket(0)) {
      Outcome remote =
          launch("--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + master.getLocalPort());
      assertEquals(JobLauncher.OK, remote.exit, remote.said);
      assertThat(remote.ran, is(true));
    }
    Outcome embedded = launch("--runner=FlinkRunner", "--flinkMaster=[local]");
    assertEquals(JobLauncher.OK, embedded.exit, embedded.said);
    Outcome local = launch("--runner=SparkRunner", "--sparkMaster=local[2]");
    assertEquals(JobLauncher.OK, local.exit, local.said);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort(); // closed again: nothing listens there now
    }
  }

  private static Outcome launch(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicBoolean ran = new AtomicBoolean();
    int exit =
        JobLauncher.run(
            "gold",
            args,
            GoldReports.Options.class,
            options -> ran.set(true),
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(exit, err.toString(StandardCharsets.UTF_8), ran.get());
  }

  private record Outcome(int exit, String said, boolean ran) {}
}
