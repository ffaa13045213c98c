package dev.messagelake.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * What the benchmark's peers share: their command line ({@code silver|gold --key=value...}, checked
 * before any engine starts) and their one {@code RESULT {...}} line.
 */
final class PeerArgs {
  private PeerArgs() {}

  /** The mode (under "mode") and options; IllegalArgumentException names a bad or missing one. */
  static Map<String, String> parse(
      String[] args,
      Set<String> silverKnown,
      Set<String> silverRequired,
      Set<String> goldKnown,
      Set<String> goldRequired) {
    if (args.length == 0 || !(args[0].equals("silver") || args[0].equals("gold"))) {
      throw new IllegalArgumentException("first argument must be silver or gold");
    }
    boolean silver = args[0].equals("silver");
    Set<String> known = silver ? silverKnown : goldKnown;
    Set<String> required = silver ? silverRequired : goldRequired;
    Map<String, String> options = new LinkedHashMap<>();
    options.put("mode", args[0]);
    for (int i = 1; i < args.length; i++) {
      int equals = args[i].indexOf('=');
      String key = args[i].startsWith("--") && equals > 2 ? args[i].substring(2, equals) : null;
      if (key == null || !known.contains(key) || equals == args[i].length() - 1) {
        throw new IllegalArgumentException("bad argument " + args[i]);
      }
      options.put(key, args[i].substring(equals + 1));
    }
    for (String key : required) {
      if (!options.containsKey(key)) {
        throw new IllegalArgumentException("missing --" + key);
      }
    }
    return options;
  }

  /** The parsed options, or the usage line with the reason on stderr and exit code 2. */
  static Map<String, String> parseOrExit(
      String[] args, Function<String[], Map<String, String>> parse, String usage) {
    try {
      return parse.apply(args);
    } catch (IllegalArgumentException e) {
      System.err.println(usage + "  (" + e.getMessage() + ")");
      System.exit(2);
      throw e; // not reached
    }
  }

  /** What a peer's gold run reports back to the benchmark. */
  static Map<String, Object> goldResult(long silverRows, long deduplicated, long startedNanos) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("silverRows", silverRows);
    result.put("deduplicated", deduplicated);
    result.put("seconds", secondsSince(startedNanos));
    return result;
  }

  static double secondsSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1e9;
  }

  /** A flat JSON object of numbers; seconds to the millisecond. */
  static String json(Map<String, Object> fields) {
    StringJoiner json = new StringJoiner(",", "{", "}");
    fields.forEach(
        (key, value) ->
            json.add(
                "\""
                    + key
                    + "\":"
                    + (value instanceof Double
                        ? String.format(Locale.ROOT, "%.3f", (Double) value)
                        : value.toString())));
    return json.toString();
  }
}
