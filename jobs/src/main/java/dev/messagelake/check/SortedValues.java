package dev.messagelake.check;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine.CombineFn;

/**
 * Gathers every value of a column into one sorted array (8 bytes a row), so a whole table can be
 * compared row for row with another. Grouping by value instead would make one key per row, which
 * the Direct runner handles very slowly.
 */
public class SortedValues extends CombineFn<Long, SortedValues.Values, long[]> {

  /** A growable array of longs. */
  public static final class Values {
    long[] items = new long[16];
    int size;

    void add(long value) {
      if (size == items.length) {
        items = Arrays.copyOf(items, items.length * 2);
      }
      items[size++] = value;
    }
  }

  @Override
  public Values createAccumulator() {
    return new Values();
  }

  @Override
  public Values addInput(Values values, Long value) {
    values.add(value);
    return values;
  }

  @Override
  public Values mergeAccumulators(Iterable<Values> accumulators) {
    Values merged = new Values();
    for (Values values : accumulators) {
      for (int i = 0; i < values.size; i++) {
        merged.add(values.items[i]);
      }
    }
    return merged;
  }

  @Override
  public long[] extractOutput(Values values) {
    long[] sorted = Arrays.copyOf(values.items, values.size);
    Arrays.sort(sorted);
    return sorted;
  }

  @Override
  public Coder<Values> getAccumulatorCoder(CoderRegistry registry, Coder<Long> inputCoder) {
    return new ValuesCoder();
  }

  @Override
  public Coder<long[]> getDefaultOutputCoder(CoderRegistry registry, Coder<Long> inputCoder) {
    return new LongArrayCoder();
  }

  static final class ValuesCoder extends AtomicCoder<Values> {
    @Override
    public void encode(Values values, OutputStream out) throws IOException {
      LongArrayCoder.write(Arrays.copyOf(values.items, values.size), out);
    }

    @Override
    public Values decode(InputStream in) throws IOException {
      Values values = new Values();
      values.items = LongArrayCoder.read(in);
      values.size = values.items.length;
      if (values.items.length == 0) {
        values.items = new long[16];
      }
      return values;
    }
  }

  /** A long[] as its length, then its items. */
  public static final class LongArrayCoder extends AtomicCoder<long[]> {
    @Override
    public void encode(long[] values, OutputStream out) throws IOException {
      write(values, out);
    }

    @Override
    public long[] decode(InputStream in) throws IOException {
      return read(in);
    }

    static void write(long[] values, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(values.length);
      for (long value : values) {
        data.writeLong(value);
      }
      data.flush();
    }

    static long[] read(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      long[] values = new long[data.readInt()];
      for (int i = 0; i < values.length; i++) {
        values[i] = data.readLong();
      }
      return values;
    }
  }
}
