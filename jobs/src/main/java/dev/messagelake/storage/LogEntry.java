package dev.messagelake.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of a {@link BatchLog}: named fields, one {@code name=value} line each (a value holds no
 * line break; a name no {@code =}). Lists are {@code name.0}, {@code name.1}, ...
 */
public final class LogEntry {
  private final Map<String, String> fields;
  private final int
      format; // the version line it was read with (what it is written with: its log's)

  private LogEntry(Map<String, String> fields, int format) {
    this.fields = Collections.unmodifiableMap(fields);
    this.format = format;
  }

  /** An entry with no field. */
  public static LogEntry empty() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an entry; fields keep the order they were put in. */
  public static final class Builder {
    private final Map<String, String> fields = new LinkedHashMap<>();

    public Builder put(String name, Object value) {
      String text = String.valueOf(value);
      if (name.contains("=") || name.contains("\n") || text.contains("\n")) {
        throw new IllegalArgumentException("not a log field: " + name + "=" + text);
      }
      fields.put(name, text);
      return this;
    }

    public Builder putList(String name, List<?> values) {
      for (int i = 0; i < values.size(); i++) {
        put(name + "." + i, values.get(i));
      }
      return this;
    }

    public Builder putAll(LogEntry other) {
      fields.putAll(other.fields);
      return this;
    }

    public LogEntry build() {
      return new LogEntry(new LinkedHashMap<>(fields), BatchLog.VERSION);
    }
  }

  public Optional<String> find(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  public String get(String name) {
    String value = fields.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no field " + name);
    }
    return value;
  }

  public long getLong(String name) {
    try {
      return Long.parseLong(get(name));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("field " + name + " is not a number: " + get(name));
    }
  }

  public boolean has(String name) {
    return fields.containsKey(name);
  }

  /** The values of list {@code name}: {@code name.0}, {@code name.1}, ... up to the first gap. */
  public List<String> list(String name) {
    List<String> values = new ArrayList<>();
    for (int i = 0; fields.containsKey(name + "." + i); i++) {
      values.add(fields.get(name + "." + i));
    }
    return values;
  }

  /** The fields whose names start with {@code prefix}, the prefix removed. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> found = new LinkedHashMap<>();
    fields.forEach(
        (name, value) -> {
          if (name.startsWith(prefix)) {
            found.put(name.substring(prefix.length()), value);
          }
        });
    return found;
  }

  String encode() {
    StringBuilder text = new StringBuilder();
    fields.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
    return text.toString();
  }

  int format() {
    return format;
  }

  /** The fields whose names do not start with {@code prefix}. */
  LogEntry without(String prefix) {
    Map<String, String> kept = new LinkedHashMap<>();
    fields.forEach(
        (name, value) -> {
          if (!name.startsWith(prefix)) {
            kept.put(name, value);
          }
        });
    return new LogEntry(kept, format);
  }

  /** The fields whose names start with {@code prefix}, the prefix removed, as an entry. */
  LogEntry under(String prefix) {
    return new LogEntry(withPrefix(prefix), format);
  }

  static LogEntry decode(List<String> lines, int format) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      if (equals < 1) {
        throw new IllegalArgumentException("not a name=value line: " + line);
      }
      fields.put(line.substring(0, equals), line.substring(equals + 1));
    }
    return new LogEntry(fields, format);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LogEntry && ((LogEntry) other).fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return fields.toString();
  }
}
