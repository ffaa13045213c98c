package org.apache.beam.runners.local;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.ReleaseInfo;
import org.junit.Test;

/**
 * The project's copy of Beam's {@link StructuralKey} (its one empty key) is the one loaded, and a
 * streaming pipeline on the Direct runner no longer gains a watermark hold per bundle.
 */
public class DirectRunnerPatchTest {

  @Test
  public void theCopyIsTheOneLoadedAndBeamIsTheVersionItWasTakenFrom() {
    String location =
        StructuralKey.class.getProtectionDomain().getCodeSource().getLocation().toString();
    assertThat(
        "StructuralKey came from Beam's jar: the project's copy must lead the class path",
        location,
        not(containsString("beam-runners-direct-java")));
    assertThat(
        "Beam moved: compare its runners/local StructuralKey with this copy, or drop the copy if"
            + " its empty() now returns one key",
        ReleaseInfo.getReleaseInfo().getVersion(),
        equalTo("2.62.0"));
    assertThat(StructuralKey.empty(), sameInstance(StructuralKey.empty()));
  }

  /** Elements through the pipeline below; the Direct runner runs its DoFns in this JVM. */
  private static final AtomicLong SEEN = new AtomicLong();

  static class CountFn extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long value, OutputReceiver<Long> out) {
      SEEN.incrementAndGet();
      out.output(value);
    }
  }

  @Test
  public void aStreamingPipelineKeepsItsWatermarkHoldsBounded() throws Exception {
    DirectOptions options = PipelineOptionsFactory.create().as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setBlockOnRun(false);
    options.as(StreamingOptions.class).setStreaming(true);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply(GenerateSequence.from(0).withRate(200, org.joda.time.Duration.standardSeconds(1)))
        .apply("First", ParDo.of(new CountFn()))
        .apply("Second", ParDo.of(new CountFn()));
    SEEN.set(0);
    PipelineResult result = pipeline.run();
    try {
      awaitSeen(200);
      long before = keyedHolds();
      awaitSeen(2000);
      long after = keyedHolds();
      // Beam's own StructuralKey: a hold per bundle and transform, thousands over these 5 s.
      assertThat(
          "WatermarkManager$KeyedHold instances gained over 5 s of streaming",
          after - before,
          lessThan(100L));
    } finally {
      result.cancel();
    }
  }

  private static void awaitSeen(long elements) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (SEEN.get() < elements) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the pipeline saw " + SEEN.get() + " of " + elements);
      }
      Thread.sleep(50);
    }
  }

  /** Live instances of the Direct runner's KeyedHold (a class histogram collects garbage first). */
  private static long keyedHolds() throws Exception {
    String histogram =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    for (String line : histogram.split("\n")) {
      String[] columns = line.trim().split("\\s+");
      if (columns.length >= 4
          && columns[3].equals("org.apache.beam.runners.direct.WatermarkManager$KeyedHold")) {
        return Long.parseLong(columns[1]);
      }
    }
    return 0;
  }
}
