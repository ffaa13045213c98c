package dev.messagelake.realtime;

import java.io.Serializable;
import java.util.TreeMap;

/**
 * A set of longs kept as disjoint ranges: the rate source's values are consecutive, so a window's
 * values take a few entries whatever the rate.
 */
final class ValueSet implements Serializable {
  private final TreeMap<Long, Long> ranges = new TreeMap<>(); // first -> last
  private long size;

  /** Adds {@code value}; false when it was already there. */
  boolean add(long value) {
    return addRange(value, value) > 0;
  }

  /** Adds every value of {@code other}. */
  void addAll(ValueSet other) {
    other.ranges.forEach(this::addRange);
  }

  long size() {
    return size;
  }

  /** Adds [first, last]; returns how many of its values were new. */
  private long addRange(long first, long last) {
    long newFirst = first;
    long newLast = last;
    long covered = 0;
    // Every range that overlaps or touches [first, last] joins it.
    Long key = ranges.floorKey(first);
    if (key == null || ranges.get(key) < first - 1) {
      key = ranges.ceilingKey(first);
    }
    while (key != null && key <= last + 1) {
      long end = ranges.remove(key);
      covered += Math.max(0, Math.min(end, last) - Math.max(key, first) + 1);
      newFirst = Math.min(newFirst, key);
      newLast = Math.max(newLast, end);
      key = ranges.ceilingKey(key);
    }
    ranges.put(newFirst, newLast);
    long added = last - first + 1 - covered;
    size += added;
    return added;
  }
}
