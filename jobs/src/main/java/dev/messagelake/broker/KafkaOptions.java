package dev.messagelake.broker;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the platform's broker is: shared by the publisher, bronze and the realtime job. */
public interface KafkaOptions extends PipelineOptions {
  @Description("Kafka bootstrap servers (./run.sh kafka start serves 127.0.0.1:9092)")
  @Default.String("127.0.0.1:9092")
  String getKafkaBootstrapServers();

  void setKafkaBootstrapServers(String value);

  @Description("Kafka topic of the message events (created with one partition when missing)")
  @Default.String("messages")
  String getKafkaTopic();

  void setKafkaTopic(String value);

  @Description(
      "How long a running job waits for a Kafka broker that went away before it stops with exit"
          + " code 1 (nothing is lost: run it again to continue)")
  @Default.Integer(300)
  int getKafkaOutageSeconds();

  void setKafkaOutageSeconds(int value);
}
