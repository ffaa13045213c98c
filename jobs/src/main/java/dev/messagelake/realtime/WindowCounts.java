package dev.messagelake.realtime;

import dev.messagelake.contract.LakeSchemas;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.values.Row;

/**
 * What a window has seen so far: each value once (a publisher that restarted may send an event
 * twice), the raw valid and corrupted counts, and for the valid events gold's deduplication: per
 * (message_id, event_type, channel) only the earliest occurrence, ties to the smaller value. Small
 * whatever the rate: the values are kept as ranges and the generator's data has at most 50 x 5 x 5
 * dedup keys.
 */
@DefaultCoder(SerializableCoder.class)
public final class WindowCounts implements Serializable {
  public static final String EVENT_TYPE = "event_type";
  public static final String CHANNEL = "channel";
  public static final String COUNTRY = "country";
  public static final String QUALITY = "quality";
  public static final String VALID = "valid";
  public static final String CORRUPTED = "corrupted";

  /** The dimension key of events whose country is unknown. */
  public static final String UNKNOWN_COUNTRY = "unknown";

  private final ValueSet validValues = new ValueSet();
  private final ValueSet corruptedValues = new ValueSet();
  private final Map<String, Occurrence> earliest = new HashMap<>();
  private final Map<String, TreeSet<String>> keysSeen = new HashMap<>();
  private long lastEventMillis = Long.MIN_VALUE;

  /** One kept occurrence of a dedup key. */
  record Occurrence(long millis, long value, String eventType, String channel, String country)
      implements Serializable {
    boolean before(Occurrence other) {
      return millis < other.millis || (millis == other.millis && value < other.value);
    }
  }

  /** Adds a silver row (valid or corrupted); a value already seen is ignored. */
  public void add(Row silver) {
    long value = silver.getInt64(LakeSchemas.VALUE);
    String eventType = silver.getString(LakeSchemas.EVENT_TYPE);
    boolean isCorrupted = LakeSchemas.isCorrupted(eventType);
    if (!(isCorrupted ? corruptedValues : validValues).add(value)) {
      return; // the same value is the same event
    }
    long millis = silver.getDateTime(LakeSchemas.TIMESTAMP).getMillis();
    lastEventMillis = Math.max(lastEventMillis, millis);
    if (isCorrupted) {
      return;
    }
    String channel = silver.getString(LakeSchemas.CHANNEL);
    String country =
        Objects.requireNonNullElse(silver.getString(LakeSchemas.COUNTRY), UNKNOWN_COUNTRY);
    keep(
        silver.getString(LakeSchemas.MESSAGE_ID) + '\u0000' + eventType + '\u0000' + channel,
        new Occurrence(millis, value, eventType, String.valueOf(channel), country));
  }

  /** Adds everything {@code other} has seen. */
  public void merge(WindowCounts other) {
    validValues.addAll(other.validValues);
    corruptedValues.addAll(other.corruptedValues);
    lastEventMillis = Math.max(lastEventMillis, other.lastEventMillis);
    other.earliest.forEach(this::keep);
  }

  /** dimension -> key -> events, keys once seen in the window kept at zero. */
  public Map<String, Map<String, Long>> counts() {
    Map<String, Map<String, Long>> counts = new TreeMap<>();
    keysSeen.forEach(
        (dimension, keys) -> {
          Map<String, Long> byKey = new TreeMap<>();
          keys.forEach(key -> byKey.put(key, 0L));
          counts.put(dimension, byKey);
        });
    for (Occurrence occurrence : earliest.values()) {
      counts.get(EVENT_TYPE).merge(occurrence.eventType(), 1L, Long::sum);
      counts.get(CHANNEL).merge(occurrence.channel(), 1L, Long::sum);
      counts.get(COUNTRY).merge(occurrence.country(), 1L, Long::sum);
    }
    Map<String, Long> quality = new TreeMap<>();
    quality.put(VALID, validValues.size());
    quality.put(CORRUPTED, corruptedValues.size());
    counts.put(QUALITY, quality);
    return counts;
  }

  /** Events (valid and corrupted, each value once) counted so far. */
  public long events() {
    return validValues.size() + corruptedValues.size();
  }

  public long lastEventMillis() {
    return lastEventMillis;
  }

  private void keep(String key, Occurrence occurrence) {
    Occurrence kept = earliest.get(key);
    if (kept != null && !occurrence.before(kept)) {
      return;
    }
    earliest.put(key, occurrence);
    // A key once counted stays, at zero if an earlier occurrence moves its count elsewhere.
    keysSeen.computeIfAbsent(EVENT_TYPE, d -> new TreeSet<>()).add(occurrence.eventType());
    keysSeen.computeIfAbsent(CHANNEL, d -> new TreeSet<>()).add(occurrence.channel());
    keysSeen.computeIfAbsent(COUNTRY, d -> new TreeSet<>()).add(occurrence.country());
  }
}
