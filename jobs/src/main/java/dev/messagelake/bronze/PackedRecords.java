package dev.messagelake.bronze;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * Avro records packed into byte arrays, many per element, and the parquet sink that unpacks them. A
 * windowed write with a fixed shard count groups its elements by shard: on the Direct runner every
 * bundle of that grouping copies the window's whole bag, element by element, through the element
 * coder. Packed, that copy is a few large array copies instead of decoding every record again.
 */
final class PackedRecords {
  /** A pack is emitted once it holds this many bytes (some 100k bronze records). */
  static final int PACK_BYTES = 8 << 20;

  private PackedRecords() {}

  /** Packs each window's records of a bundle into one or more byte arrays (Avro binary). */
  static class PackPerWindowFn extends DoFn<GenericRecord, byte[]> {
    private final String avroSchema; // Avro schemas are not serializable in every Avro version
    private final int packBytes;
    private transient GenericDatumWriter<GenericRecord> writer;
    private transient Map<BoundedWindow, Pack> packs;

    PackPerWindowFn(Schema avroSchema) {
      this(avroSchema, PACK_BYTES);
    }

    PackPerWindowFn(Schema avroSchema, int packBytes) {
      this.avroSchema = avroSchema.toString();
      this.packBytes = packBytes;
    }

    @Setup
    public void setup() {
      writer = new GenericDatumWriter<>(new Schema.Parser().parse(avroSchema));
    }

    @StartBundle
    public void startBundle() {
      packs = new HashMap<>();
    }

    @ProcessElement
    public void processElement(
        @Element GenericRecord record, BoundedWindow window, OutputReceiver<byte[]> out)
        throws IOException {
      Pack pack = packs.computeIfAbsent(window, w -> new Pack());
      writer.write(record, pack.encoder);
      if (pack.size() >= packBytes) {
        out.outputWithTimestamp(packs.remove(window).bytes(), window.maxTimestamp());
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<BoundedWindow, Pack> pack : packs.entrySet()) {
        BoundedWindow window = pack.getKey();
        context.output(pack.getValue().bytes(), window.maxTimestamp(), window);
      }
      packs = null;
    }
  }

  /** Bytes being filled with records. */
  private static class Pack {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 10);
    // Unbuffered: every record is in out as soon as it is written, so out's size is the pack's.
    final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);

    int size() {
      return out.size();
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /** Writes packed records as one parquet file, through Beam's own {@link ParquetIO#sink}. */
  static class ParquetSink implements FileIO.Sink<byte[]> {
    private final String avroSchema;
    private final ParquetIO.Sink parquet;
    private transient GenericDatumReader<GenericRecord> reader;
    private transient BinaryDecoder decoder;

    ParquetSink(Schema avroSchema) {
      this.avroSchema = avroSchema.toString();
      this.parquet = ParquetIO.sink(avroSchema);
    }

    @Override
    public void open(WritableByteChannel channel) throws IOException {
      reader = new GenericDatumReader<>(new Schema.Parser().parse(avroSchema));
      parquet.open(channel);
    }

    @Override
    public void write(byte[] pack) throws IOException {
      decoder = DecoderFactory.get().binaryDecoder(pack, decoder);
      while (!decoder.isEnd()) {
        parquet.write(reader.read(null, decoder));
      }
    }

    @Override
    public void flush() throws IOException {
      parquet.flush();
    }
  }
}
