package dev.messagelake.silver;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How long silver keeps the history its logs no longer need (docs/LAKE.md, version 5). */
public interface SilverRetentionOptions extends PipelineOptions {
  @Description(
      "Hours of history each silver table's Delta log keeps (Delta's delta.logRetentionDuration,"
          + " which Delta Kernel 3.3 lets no writer set): time travel further back fails, as it"
          + " does for versions ./run.sh vacuum --retainHours has deleted files of; fractions"
          + " allowed (0.01 is 36 s)")
  @Default.Double(168)
  double getLogRetentionHours();

  void setLogRetentionHours(double value);

  @Description(
      "Seconds an entry of silver's checkpoint logs is kept once a newer compact entry sums it"
          + " (Spark's fileSinkLogCleanupDelay): a reader that listed the log still finds it")
  @Default.Integer(600)
  int getCheckpointCleanupDelaySeconds();

  void setCheckpointCleanupDelaySeconds(int value);
}
