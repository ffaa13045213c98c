package dev.messagelake.broker;

import dev.messagelake.contract.LakeSchemas;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaSourceDescriptor;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message events on the broker, through Beam's {@link KafkaIO}: one record per event, key the
 * event's {@code value}, value its {@link EventJson}, record timestamp its event time.
 */
public final class KafkaEvents {
  private KafkaEvents() {}

  /** Publishes bronze rows to the topic (acks from all replicas, idempotent producer). */
  public static class Publish extends PTransform<PCollection<Row>, PDone> {
    private final String bootstrapServers;
    private final String topic;

    public Publish(KafkaOptions options) {
      this.bootstrapServers = options.getKafkaBootstrapServers();
      this.topic = options.getKafkaTopic();
    }

    @Override
    public PDone expand(PCollection<Row> events) {
      return events
          .apply(
              "ToRecord",
              MapElements.into(
                      TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.strings()))
                  .via(row -> KV.of(row.getInt64(LakeSchemas.VALUE), EventJson.toJson(row))))
          .setCoder(KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of()))
          .apply(
              "WriteToKafka",
              KafkaIO.<Long, String>write()
                  .withBootstrapServers(bootstrapServers)
                  .withTopic(topic)
                  .withKeySerializer(LongSerializer.class)
                  .withValueSerializer(StringSerializer.class)
                  .withInputTimestamp() // the record's timestamp is the event time
                  .withProducerConfigUpdates(
                      Map.of(
                          ProducerConfig.ACKS_CONFIG,
                          "all",
                          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                          true)));
    }
  }

  /**
   * The records at offsets {@code [from, to)} of each partition, as bronze rows: a bounded read
   * (KafkaIO's source descriptors with a stop offset), so a micro-batch reads exactly the range its
   * checkpoint names. A record that is not an event fails the batch, naming its offset.
   */
  public static class ReadOffsetRanges extends PTransform<PBegin, PCollection<Row>> {
    private final String bootstrapServers;
    private final List<KafkaSourceDescriptor> ranges;

    public ReadOffsetRanges(KafkaOptions options, List<OffsetRange> offsetRanges) {
      this.bootstrapServers = options.getKafkaBootstrapServers();
      this.ranges =
          offsetRanges.stream()
              .map(
                  range ->
                      KafkaSourceDescriptor.of(
                          new TopicPartition(options.getKafkaTopic(), range.partition),
                          range.from,
                          null,
                          range.to,
                          null,
                          List.of(bootstrapServers)))
              .toList();
    }

    @Override
    public PCollection<Row> expand(PBegin begin) {
      return begin
          .apply("OffsetRanges", Create.of(ranges))
          .apply(
              "ReadFromKafka",
              KafkaIO.<Long, String>readSourceDescriptors()
                  .withBootstrapServers(bootstrapServers)
                  .withKeyDeserializer(LongDeserializer.class)
                  .withValueDeserializer(StringDeserializer.class)
                  .withConsumerConfigUpdates(
                      Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")))
          .apply("ParseEvents", ParDo.of(new ParseRecordFn(true)))
          .setRowSchema(LakeSchemas.BRONZE);
    }
  }

  /** Partition {@code partition}, offsets {@code [from, to)}. */
  public record OffsetRange(int partition, long from, long to) implements java.io.Serializable {}

  /**
   * The topic as an unbounded stream of bronze rows stamped with their event time, read from the
   * position of consumer group {@code group} (see {@link KafkaTopics#positionGroupAt}); the
   * watermark trails the newest event time by {@code maxDelay} (and follows the clock when the
   * topic is idle). The group's offsets are only read, never committed by the stream.
   */
  public static class ReadStream extends PTransform<PBegin, PCollection<Row>> {
    private final String bootstrapServers;
    private final String topic;
    private final String group;
    private final Duration maxDelay;

    public ReadStream(KafkaOptions options, String group, Duration maxDelay) {
      this.bootstrapServers = options.getKafkaBootstrapServers();
      this.topic = options.getKafkaTopic();
      this.group = group;
      this.maxDelay = maxDelay;
    }

    @Override
    public PCollection<Row> expand(PBegin begin) {
      return begin
          .apply(
              "ReadFromKafka",
              KafkaIO.<Long, String>read()
                  .withBootstrapServers(bootstrapServers)
                  .withTopic(topic)
                  .withKeyDeserializer(LongDeserializer.class)
                  .withValueDeserializer(StringDeserializer.class)
                  .withConsumerConfigUpdates(
                      Map.of(
                          ConsumerConfig.GROUP_ID_CONFIG,
                          group,
                          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                          "earliest",
                          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                          false))
                  .withCreateTime(maxDelay))
          .apply("ParseEvents", ParDo.of(new ParseRecordFn(false)))
          .setRowSchema(LakeSchemas.BRONZE);
    }
  }

  /**
   * A record's JSON as a bronze row. A record that is not an event fails a bronze batch (bronze
   * must hold every value: a person has to look), while a stream logs and counts it and goes on (a
   * dashboard must not stop on one bad record it would meet again at every restart).
   */
  static class ParseRecordFn extends DoFn<KafkaRecord<Long, String>, Row> {
    private static final Logger LOG = LoggerFactory.getLogger(ParseRecordFn.class);
    private final Counter parsed = Metrics.counter(ParseRecordFn.class, "events");
    private final Counter skipped = Metrics.counter(ParseRecordFn.class, "not-events");
    private final boolean failOnBadRecord;

    ParseRecordFn(boolean failOnBadRecord) {
      this.failOnBadRecord = failOnBadRecord;
    }

    @ProcessElement
    public void processElement(@Element KafkaRecord<Long, String> record, OutputReceiver<Row> out) {
      Row event;
      try {
        event = EventJson.fromJson(record.getKV().getValue());
      } catch (IllegalArgumentException e) {
        String where =
            record.getTopic() + "-" + record.getPartition() + " offset " + record.getOffset();
        LOG.error(
            "{} is not a message event{}: {}",
            where,
            failOnBadRecord ? "" : " (skipped)",
            e.getMessage());
        if (failOnBadRecord) {
          throw new IllegalStateException(where + " is not a message event: " + e.getMessage(), e);
        }
        skipped.inc();
        return;
      }
      parsed.inc();
      out.output(event);
    }
  }
}
