package dev.messagelake.broker;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A real Kafka broker for a test, started and stopped with the project's own script ({@code
 * ./run.sh kafka}) in a folder of the test's and on free ports.
 */
public final class KafkaBroker implements AutoCloseable {
  private final Path directory;
  private final int port;
  private final int controllerPort;

  private KafkaBroker(Path directory, int port, int controllerPort) {
    this.directory = directory;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  public static KafkaBroker start(Path directory) throws Exception {
    KafkaBroker broker = new KafkaBroker(directory, freePort(), freePort());
    broker.script("start");
    return broker;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Every record of {@code topic} (one partition), in offset order, as (key, value). */
  public List<ConsumerRecord<Long, String>> readAll(String topic) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<ConsumerRecord<Long, String>> records = new ArrayList<>();
    try (KafkaConsumer<Long, String> consumer = new KafkaConsumer<>(config)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
      }
    }
    return records;
  }

  /** The broker's process id, from the pid file its script writes. */
  public long pid() throws IOException {
    return Long.parseLong(
        Files.readString(directory.resolve("broker").resolve("broker.pid")).strip());
  }

  /** SIGKILLs the broker (its data stays, as after a crash); {@link #restart} brings it back. */
  public void kill() throws Exception {
    ProcessHandle broker =
        ProcessHandle.of(pid())
            .orElseThrow(() -> new IllegalStateException("the broker is not running"));
    broker.destroyForcibly();
    broker.onExit().get();
  }

  /** Starts the broker again on the same ports and data. */
  public void restart() throws Exception {
    script("start");
  }

  @Override
  public void close() throws Exception {
    script("stop");
  }

  private void script(String command) throws Exception {
    Path log = directory.resolve("kafka-" + command + ".log");
    Files.createDirectories(directory);
    ProcessBuilder builder =
        new ProcessBuilder("bash", Path.of("scripts/kafka.sh").toAbsolutePath().toString(), command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("KAFKA_DIR", directory.resolve("broker").toString());
    builder.environment().put("KAFKA_PORT", String.valueOf(port));
    builder.environment().put("KAFKA_CONTROLLER_PORT", String.valueOf(controllerPort));
    int exit = builder.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException(
          "./run.sh kafka " + command + " failed (" + exit + "): " + Files.readString(log));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
