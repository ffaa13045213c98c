package dev.messagelake.events;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The rate source's options: rows per second, per window, and the fake fields' seed. */
public interface RateOptions extends PipelineOptions {
  @Description("Rows per second the rate source generates")
  @Default.Long(1)
  long getRowsPerSecond();

  void setRowsPerSecond(long value);

  @Description("Seconds per window: each window's rows become one micro-batch (one bronze file)")
  @Default.Integer(1)
  int getTriggerSeconds();

  void setTriggerSeconds(int value);

  @Description("Seed of the fake fields: the same seed and value always give the same record")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);
}
