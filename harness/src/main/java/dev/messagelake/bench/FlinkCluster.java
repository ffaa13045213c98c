package dev.messagelake.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Flink session cluster for the benchmark and the tests, one JobManager and one TaskManager
 * started and stopped with the project's own {@code ./run.sh flink} in a folder of its own and on
 * free ports.
 */
public final class FlinkCluster implements AutoCloseable {
  private final Path directory;
  private final int restPort;
  private final int rpcPort;

  private FlinkCluster(Path directory, int restPort, int rpcPort) {
    this.directory = directory;
    this.restPort = restPort;
    this.rpcPort = rpcPort;
  }

  public static FlinkCluster start(Path directory) throws Exception {
    int rest;
    int rpc;
    try (ServerSocket a = new ServerSocket(0);
        ServerSocket b = new ServerSocket(0)) {
      rest = a.getLocalPort();
      rpc = b.getLocalPort();
    }
    FlinkCluster cluster = new FlinkCluster(directory, rest, rpc);
    cluster.runScript("start");
    return cluster;
  }

  /** The runner options of a job sent here: the jobs' jar is in the cluster's class path. */
  public List<String> runnerOptions() {
    return List.of(
        "--runner=FlinkRunner",
        "--flinkMaster=127.0.0.1:" + restPort,
        "--filesToStage=" + directory.resolve("flink/lib/nothing-to-stage.jar"));
  }

  /** SIGKILLs the TaskManager and waits for it to be gone. */
  public void killTaskManager() throws IOException {
    long pid = Long.parseLong(Files.readString(directory.resolve("flink/taskmanager.pid")).trim());
    ProcessHandle.of(pid)
        .ifPresent(
            process -> {
              process.destroyForcibly();
              process.onExit().join();
            });
  }

  /** Starts what is not running (a TaskManager after {@link #killTaskManager}). */
  public void startMissing() throws IOException, InterruptedException {
    runScript("start");
  }

  /** A GET of the JobManager's REST API, e.g. {@code /jobs/overview}. */
  public String rest(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private void runScript(String command) throws IOException, InterruptedException {
    Path log = directory.resolve("flink-" + command + ".log");
    Files.createDirectories(directory);
    ProcessBuilder builder =
        new ProcessBuilder("bash", runScript().toString(), "flink", command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("FLINK_DIR", directory.resolve("flink").toString());
    builder.environment().put("FLINK_REST_PORT", String.valueOf(restPort));
    builder.environment().put("FLINK_RPC_PORT", String.valueOf(rpcPort));
    int exit = builder.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException(
          "./run.sh flink " + command + " failed (" + exit + "): " + Files.readString(log));
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    runScript("stop");
  }

  /** The project's run.sh, beside the pipelines folder it names (or in the working folder). */
  private static Path runScript() {
    String pipelines = System.getProperty("messagelake.pipelines");
    Path project = pipelines == null ? Path.of("") : Path.of(pipelines).getParent();
    return project.resolve("run.sh").toAbsolutePath();
  }
}
