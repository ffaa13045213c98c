package dev.messagelake.stream;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How long a streaming job runs. */
public interface DurationOptions extends PipelineOptions {
  @Description("Run this many seconds, then stop cleanly; 0 runs until Ctrl-C or SIGTERM")
  @Default.Integer(0)
  int getDurationSeconds();

  void setDurationSeconds(int value);
}
