package dev.messagelake.broker;

import dev.messagelake.storage.KafkaServer;
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
 * The harness's {@link KafkaServer} for a test, with what a fault test does to it: read a topic
 * back, SIGKILL the broker, start it again on the same ports and data.
 */
public final class KafkaBroker implements AutoCloseable {
  private final KafkaServer server;

  private KafkaBroker(KafkaServer server) {
    this.server = server;
  }

  public static KafkaBroker start(Path directory) throws Exception {
    KafkaServer server = KafkaServer.onFreePorts(directory);
    server.start();
    return new KafkaBroker(server);
  }

  public String bootstrapServers() {
    return server.bootstrapServers();
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
  public long pid() {
    return server.pid().orElseThrow(() -> new IllegalStateException("the broker is not running"));
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
    server.start();
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
