package dev.messagelake.bronze;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.RowToAvro;
import dev.messagelake.events.FakeMessages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/** Packs keep each record once, whole, in its own window, however many packs a window takes. */
public class PackedRecordsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Instant T0 = Instant.parse("2024-12-15T14:26:00Z");
  private static final FakeMessages FAKE = new FakeMessages(7);
  private static final RowToAvro TO_AVRO = new RowToAvro(LakeSchemas.BRONZE_AVRO);

  @Test
  public void everyRecordComesBackOnceInItsWindowAcrossSeveralPacks() {
    List<TimestampedValue<GenericRecord>> records = new ArrayList<>();
    List<GenericRecord> firstWindow = new ArrayList<>();
    List<GenericRecord> secondWindow = new ArrayList<>();
    for (long value = 0; value < 300; value++) {
      Instant at = T0.plus(Duration.millis(value * 10)); // 100 per second: two windows + 100
      GenericRecord record = TO_AVRO.apply(FAKE.message(value, at));
      records.add(TimestampedValue.of(record, at));
      if (value < 100) {
        firstWindow.add(record);
      } else if (value < 200) {
        secondWindow.add(record);
      }
    }

    PCollection<byte[]> packs =
        pipeline
            .apply(Create.timestamped(records).withCoder(AvroCoder.of(LakeSchemas.BRONZE_AVRO)))
            .apply(Window.into(FixedWindows.of(Duration.standardSeconds(1))))
            // about 60 bytes a record: a pack holds a handful, each window needs many
            .apply(ParDo.of(new PackedRecords.PackPerWindowFn(LakeSchemas.BRONZE_AVRO, 500)))
            .setCoder(ByteArrayCoder.of());
    PCollection<GenericRecord> unpacked =
        packs.apply(ParDo.of(new UnpackFn())).setCoder(AvroCoder.of(LakeSchemas.BRONZE_AVRO));

    PAssert.that(unpacked).inWindow(window(0)).containsInAnyOrder(firstWindow);
    PAssert.that(unpacked).inWindow(window(1)).containsInAnyOrder(secondWindow);
    PAssert.that(packs)
        .inWindow(window(0))
        .satisfies(
            windowPacks -> {
              assertThat(
                  StreamSupport.stream(windowPacks.spliterator(), false).count(), greaterThan(5L));
              return null;
            });
    PAssert.that(unpacked.apply("Values", ParDo.of(new ValueFn())))
        .containsInAnyOrder(LongStream.range(0, 300).boxed().toList());
    pipeline.run().waitUntilFinish();
  }

  private static IntervalWindow window(int second) {
    Instant start = T0.plus(Duration.standardSeconds(second));
    return new IntervalWindow(start, start.plus(Duration.standardSeconds(1)));
  }

  static class UnpackFn extends DoFn<byte[], GenericRecord> {
    @ProcessElement
    public void processElement(@Element byte[] pack, OutputReceiver<GenericRecord> out)
        throws IOException {
      GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(LakeSchemas.BRONZE_AVRO);
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(pack, null);
      while (!decoder.isEnd()) {
        out.output(reader.read(null, decoder));
      }
    }
  }

  static class ValueFn extends DoFn<GenericRecord, Long> {
    @ProcessElement
    public void processElement(@Element GenericRecord record, OutputReceiver<Long> out) {
      out.output((Long) record.get("value"));
    }
  }
}
