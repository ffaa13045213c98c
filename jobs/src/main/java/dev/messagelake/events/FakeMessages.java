package dev.messagelake.events;

import dev.messagelake.contract.LakeSchemas;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.datafaker.Faker;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * The fake fields of a bronze event, a pure function of (seed, value): a reprocessed lake is the
 * same lake, and the pool of message ids is the same across restarts. (The notebook drew one set of
 * values per micro-batch; here every record draws its own.)
 */
public final class FakeMessages implements Serializable {
  static final String[] EVENT_TYPES = {
    "OPEN", "RECEIVED", "SENT", "CREATED", "CLICKED", "", "NONE"
  };
  static final String[] CHANNELS = {"CHAT", "EMAIL", "SMS", "PUSH", "OTHER"};
  static final int MESSAGE_ID_POOL_SIZE = 50;
  static final int FIRST_COUNTRY_ID = 2000;
  static final int LAST_COUNTRY_ID = 2015;
  static final int FIRST_USER_ID = 1000;
  static final int LAST_USER_ID = 1050;

  private final long seed;

  // Datafaker is not serializable: built per instance after deserialization. Its random source
  // is ours, re-seeded for every record.
  private transient Random random;
  private transient Faker faker;
  private transient List<String> messageIds;

  public FakeMessages(long seed) {
    this.seed = seed;
  }

  /** The bronze row of sequence number {@code value}, generated at {@code timestamp}. */
  public Row message(long value, Instant timestamp) {
    if (faker == null) {
      random = new Random();
      faker = new Faker(random);
      messageIds = messageIdPool(seed);
    }
    random.setSeed(mix(seed, value));
    // attachValues: the values already have the schema's types, so skip the builder's
    // per-row verification (a tenth of the producer's CPU).
    return Row.withSchema(LakeSchemas.BRONZE)
        .attachValues(
            timestamp,
            value,
            faker.options().option(EVENT_TYPES),
            faker.options().nextElement(messageIds),
            faker.options().option(CHANNELS),
            faker.number().numberBetween(FIRST_COUNTRY_ID, LAST_COUNTRY_ID + 1),
            faker.number().numberBetween(FIRST_USER_ID, LAST_USER_ID + 1));
  }

  /** The 50 message ids of a seed. */
  static List<String> messageIdPool(long seed) {
    Faker poolFaker = new Faker(new Random(seed));
    List<String> ids = new ArrayList<>(MESSAGE_ID_POOL_SIZE);
    while (ids.size() < MESSAGE_ID_POOL_SIZE) {
      String id = poolFaker.internet().uuid();
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    return Collections.unmodifiableList(ids);
  }

  /**
   * SplitMix64's finalizer: neighbouring values get unrelated seeds (java.util.Random's first draws
   * from close seeds are correlated).
   */
  static long mix(long seed, long value) {
    long z = seed * 0x9E3779B97F4A7C15L + value;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
