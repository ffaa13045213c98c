package dev.messagelake.contract;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The option every job of the lake shares: where the lake is. */
public interface LakeOptions extends PipelineOptions {
  @Description("Root folder of the lake (bronze/, silver/, gold/ live under it)")
  @Default.String("lake")
  String getLake();

  void setLake(String value);
}
