package dev.messagelake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;

/**
 * An independent copy of a job's options seen as another job's: a flow of several jobs passes its
 * runner settings (--runner, --sparkMaster, ...) to each without them sharing values.
 */
public final class OptionsCopy {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));

  private OptionsCopy() {}

  public static <T extends PipelineOptions> T as(PipelineOptions options, Class<T> kind) {
    try {
      return MAPPER.readValue(MAPPER.writeValueAsString(options), PipelineOptions.class).as(kind);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy pipeline options", e);
    }
  }
}
