package dev.messagelake.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.spark.SparkCommonPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Checks, before a job builds its first pipeline, that the cluster its options name answers: the
 * runners themselves retry an unreachable master for a minute, then throw a page of causes.
 */
final class ClusterReach {
  private static final int TIMEOUT_MILLIS = 3000;

  private ClusterReach() {}

  /**
   * Fails with a {@link UserError} when the Flink JobManager or Spark master named is not there.
   */
  static void check(PipelineOptions options) {
    String runner = options.getRunner().getSimpleName();
    if (runner.equals("FlinkRunner")) {
      String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
      if (!master.startsWith("[")) { // [local], [auto], [collection]: nothing to reach
        probe("the Flink JobManager at " + master, address(master), "./run.sh flink start");
      }
    } else if (runner.equals("SparkRunner")) {
      String master = options.as(SparkCommonPipelineOptions.class).getSparkMaster();
      if (master.startsWith("spark://")) {
        String first = master.substring("spark://".length()).split(",")[0];
        probe("the Spark master " + master, address(first), "./run.sh cluster start");
      }
    }
  }

  private static InetSocketAddress address(String hostPort) {
    URI uri = URI.create("//" + hostPort.replaceFirst("^[a-z]+://", ""));
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw new UserError("a cluster address must be host:port, got " + hostPort);
    }
    return InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort());
  }

  private static void probe(String what, InetSocketAddress address, String startCommand) {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(address.getHostString(), address.getPort()), TIMEOUT_MILLIS);
    } catch (IOException e) {
      throw new UserError(
          "cannot reach "
              + what
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + " (is it running? "
              + startCommand
              + " starts ours)");
    }
  }
}
