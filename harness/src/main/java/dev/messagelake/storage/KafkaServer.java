package dev.messagelake.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The project's Kafka broker for the harness, started and stopped with its own script ({@code
 * ./run.sh kafka}) in a folder of the caller's and on free ports.
 */
public final class KafkaServer implements AutoCloseable {
  private final Path directory;
  private final int port;
  private final int controllerPort;
  private boolean stopped;

  private KafkaServer(Path directory, int port, int controllerPort) {
    this.directory = directory;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /**
   * A broker whose data, configuration, log and pid are to be in {@code <directory>/broker}, on two
   * free ports; not started yet, so that one who must stop it holds it before it starts.
   */
  public static KafkaServer onFreePorts(Path directory) throws IOException {
    List<Integer> ports = FreePorts.take(2);
    return new KafkaServer(directory, ports.get(0), ports.get(1));
  }

  /** Starts it ({@code ./run.sh kafka start} waits until it listens). */
  public void start() throws Exception {
    try {
      script("start");
    } catch (Exception e) {
      close(); // a broker that started but never listened is not left behind
      throw e;
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Path folder() {
    return directory.resolve("broker");
  }

  /** The broker's process, from the pid file the script writes. */
  public OptionalLong pid() {
    try {
      return OptionalLong.of(
          Long.parseLong(Files.readString(folder().resolve("broker.pid")).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Stops the broker (the script waits for it, SIGKILL after 30 s); once. */
  @Override
  public synchronized void close() throws Exception {
    if (!stopped) {
      stopped = true;
      script("stop");
    }
  }

  private void script(String command) throws Exception {
    ProjectScript.run(
        "kafka",
        command,
        directory,
        Map.of(
            "KAFKA_DIR", folder().toString(),
            "KAFKA_PORT", String.valueOf(port),
            "KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort)));
  }
}
