package dev.messagelake.broker;

import dev.messagelake.cli.UserError;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The few questions the jobs ask the broker itself, with answers a user can act on. */
public final class KafkaTopics implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 15;
  private final Admin admin;
  private final String bootstrapServers;

  private KafkaTopics(String bootstrapServers) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    this.admin = Admin.create(config);
    this.bootstrapServers = bootstrapServers;
  }

  public static KafkaTopics connect(KafkaOptions options) {
    return new KafkaTopics(options.getKafkaBootstrapServers());
  }

  /** Creates {@code topic} with one partition (so it keeps the events' order) when missing. */
  public void ensureTopic(String topic) {
    try {
      answer(admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all());
    } catch (UserError e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  /** The offset after the last record of each partition of {@code topic}, by partition. */
  public Map<Integer, Long> endOffsets(String topic) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    try {
      partitions(topic).forEach(partition -> request.put(partition, OffsetSpec.latest()));
    } catch (UserError e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Map.of(); // nothing published yet
      }
      throw e;
    }
    Map<Integer, Long> ends = new TreeMap<>();
    answer(admin.listOffsets(request).all())
        .forEach((partition, info) -> ends.put(partition.partition(), info.offset()));
    return ends;
  }

  /**
   * Sets consumer group {@code group}'s position on {@code topic} to the first record at or after
   * {@code time} in each partition (the partition's end when none is that recent), so a reader of
   * the group starts there. Returns the offsets, by partition.
   */
  public Map<Integer, Long> positionGroupAt(String group, String topic, long time) {
    Map<TopicPartition, OffsetSpec> atTime = new HashMap<>();
    Map<TopicPartition, OffsetSpec> atEnd = new HashMap<>();
    for (TopicPartition partition : partitions(topic)) {
      atTime.put(partition, OffsetSpec.forTimestamp(time));
      atEnd.put(partition, OffsetSpec.latest());
    }
    Map<TopicPartition, ListOffsetsResultInfo> found = answer(admin.listOffsets(atTime).all());
    Map<TopicPartition, ListOffsetsResultInfo> ends = answer(admin.listOffsets(atEnd).all());
    Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
    Map<Integer, Long> byPartition = new TreeMap<>();
    for (TopicPartition partition : atTime.keySet()) {
      long offset = found.get(partition).offset();
      long position = offset >= 0 ? offset : ends.get(partition).offset(); // -1: none that recent
      positions.put(partition, new OffsetAndMetadata(position));
      byPartition.put(partition.partition(), position);
    }
    answer(admin.alterConsumerGroupOffsets(group, positions).all());
    return byPartition;
  }

  /** Null when the broker answers within {@code timeout}; else why not, in a few words. */
  public String unreachable(java.time.Duration timeout) {
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .clusterId()
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      return null;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      return cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private List<TopicPartition> partitions(String topic) {
    TopicDescription description =
        answer(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    return description.partitions().stream()
        .map(p -> new TopicPartition(topic, p.partition()))
        .toList();
  }

  /** The broker's answer, or a user error saying it could not be had (the cause kept). */
  private <T> T answer(KafkaFuture<T> future) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private UserError unreachable(Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return new UserError(
        "cannot use Kafka at "
            + bootstrapServers
            + " ("
            + cause.getClass().getSimpleName()
            + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
            + "); start a broker with ./run.sh kafka start, or set --kafkaBootstrapServers",
        cause);
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(5));
  }
}
