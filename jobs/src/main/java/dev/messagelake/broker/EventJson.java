package dev.messagelake.broker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.messagelake.contract.LakeSchemas;
import java.time.format.DateTimeParseException;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * A message event as the broker carries it: one JSON object per Kafka record, with the bronze
 * columns under their lake names and the timestamp in ISO-8601 UTC, so any consumer of the topic
 * can read it. The record's key is the event's {@code value}, its timestamp the event time.
 */
public final class EventJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventJson() {}

  /** The JSON of a bronze row. */
  public static String toJson(Row row) {
    ObjectNode node = JSON.createObjectNode();
    node.put(LakeSchemas.TIMESTAMP, row.getDateTime(LakeSchemas.TIMESTAMP).toInstant().toString());
    node.put(LakeSchemas.VALUE, row.getInt64(LakeSchemas.VALUE));
    node.put(LakeSchemas.EVENT_TYPE, row.getString(LakeSchemas.EVENT_TYPE));
    node.put(LakeSchemas.MESSAGE_ID, row.getString(LakeSchemas.MESSAGE_ID));
    node.put(LakeSchemas.CHANNEL, row.getString(LakeSchemas.CHANNEL));
    node.put(LakeSchemas.COUNTRY_ID, row.getInt32(LakeSchemas.COUNTRY_ID));
    node.put(LakeSchemas.USER_ID, row.getInt32(LakeSchemas.USER_ID));
    return node.toString();
  }

  /**
   * The bronze row of an event's JSON; an {@link IllegalArgumentException} naming what is wrong
   * when the text is not such an event.
   */
  public static Row fromJson(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode eventType = node.get(LakeSchemas.EVENT_TYPE);
    return Row.withSchema(LakeSchemas.BRONZE)
        .addValues(
            timestamp(required(node, LakeSchemas.TIMESTAMP).asText()),
            requiredNumber(node, LakeSchemas.VALUE).asLong(),
            eventType == null || eventType.isNull() ? null : eventType.asText(),
            required(node, LakeSchemas.MESSAGE_ID).asText(),
            required(node, LakeSchemas.CHANNEL).asText(),
            requiredNumber(node, LakeSchemas.COUNTRY_ID).asInt(),
            requiredNumber(node, LakeSchemas.USER_ID).asInt())
        .build();
  }

  private static Instant timestamp(String text) {
    try {
      return new Instant(java.time.Instant.parse(text).toEpochMilli());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("timestamp is not ISO-8601: " + text);
    }
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("no " + field);
    }
    return value;
  }

  private static JsonNode requiredNumber(JsonNode node, String field) {
    JsonNode value = required(node, field);
    if (!value.isIntegralNumber()) {
      throw new IllegalArgumentException(field + " is not an integer: " + value);
    }
    return value;
  }
}
