package dev.messagelake.contract;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;

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
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * Packs keep each record once, whole, in its own window and destination, however many packs a
 * window takes.
 */
public class PackedRecordsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Instant T0 = Instant.parse("2024-12-15T14:26:00Z");
  private static final FakeMessages FAKE = new FakeMessages(7);
  private static final RowToAvro TO_AVRO = new RowToAvro(LakeSchemas.BRONZE_AVRO);

  @Test
  public void everyRecordComesBackOnceInItsWindowAndDestinationAcrossSeveralPacks() {
    List<TimestampedValue<Row>> rows = new ArrayList<>();
    List<KV<String, GenericRecord>> firstWindow = new ArrayList<>();
    List<KV<String, GenericRecord>> secondWindow = new ArrayList<>();
    for (long value = 0; value < 300; value++) {
      Instant at = T0.plus(Duration.millis(value * 10)); // 100 per second: two windows + 100
      Row row = FAKE.message(value, at);
      rows.add(TimestampedValue.of(row, at));
      KV<String, GenericRecord> record = KV.of(parity(row), TO_AVRO.apply(row));
      if (value < 100) {
        firstWindow.add(record);
      } else if (value < 200) {
        secondWindow.add(record);
      }
    }

    PCollection<KV<String, byte[]>> packs =
        pipeline
            .apply(Create.timestamped(rows).withCoder(SchemaCoder.of(LakeSchemas.BRONZE)))
            .apply(Window.into(FixedWindows.of(Duration.standardSeconds(1))))
            // about 60 bytes a record: a pack holds a handful, each window needs many
            .apply(
                ParDo.of(
                    new PackedRecords.PackRowsFn(
                        LakeSchemas.BRONZE_AVRO, PackedRecordsTest::parity, 500)))
            .setCoder(PackedRecords.coder());
    PCollection<KV<String, GenericRecord>> unpacked =
        packs
            .apply(ParDo.of(new UnpackFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(LakeSchemas.BRONZE_AVRO)));

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

  @Test
  public void aPackSurvivesItsCoderInEitherContextAndBeforeOtherFields() throws Exception {
    byte[] pack = new byte[300_000]; // longer than one read of the stream
    new java.util.Random(7).nextBytes(pack);
    for (byte[] value : List.of(pack, new byte[0])) {
      CoderProperties.structuralValueDecodeEncodeEqual(PackedRecords.PackCoder.INSTANCE, value);
      CoderProperties.structuralValueDecodeEncodeEqual(
          KvCoder.of(PackedRecords.PackCoder.INSTANCE, StringUtf8Coder.of()), KV.of(value, "d"));
    }
    CoderProperties.coderSerializable(PackedRecords.coder());
  }

  /** The destination of the test's rows: even or odd values. */
  private static String parity(Row row) {
    return row.getInt64("value") % 2 == 0 ? "even" : "odd";
  }

  private static IntervalWindow window(int second) {
    Instant start = T0.plus(Duration.standardSeconds(second));
    return new IntervalWindow(start, start.plus(Duration.standardSeconds(1)));
  }

  static class UnpackFn extends DoFn<KV<String, byte[]>, KV<String, GenericRecord>> {
    @ProcessElement
    public void processElement(
        @Element KV<String, byte[]> pack, OutputReceiver<KV<String, GenericRecord>> out)
        throws IOException {
      GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(LakeSchemas.BRONZE_AVRO);
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(pack.getValue(), null);
      while (!decoder.isEnd()) {
        out.output(KV.of(pack.getKey(), reader.read(null, decoder)));
      }
    }
  }

  static class ValueFn extends DoFn<KV<String, GenericRecord>, Long> {
    @ProcessElement
    public void processElement(
        @Element KV<String, GenericRecord> record, OutputReceiver<Long> out) {
      out.output((Long) record.getValue().get("value"));
    }
  }
}
