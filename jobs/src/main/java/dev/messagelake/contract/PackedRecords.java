package dev.messagelake.contract;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.WritableByteChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;

/**
 * A lake table's rows packed into byte arrays of Avro binary, many per element, keyed by the
 * destination their file goes to, and the parquet sink that unpacks them: what both writers hand to
 * FileIO. FileIO's write groups its elements by shard, and on the Direct runner every bundle of
 * that grouping copies the whole bag, element by element, through the element coder. Packed, that
 * copy is a few large array copies instead of decoding every record again.
 */
public final class PackedRecords {
  /** A pack is emitted once it holds this many bytes (some 100k records). */
  public static final int PACK_BYTES = 8 << 20;

  /** The one destination of a write that has a single one per window (bronze's file). */
  public static final String ONE_DESTINATION = "";

  private PackedRecords() {}

  /** The coder of {@code KV(destination, pack)}: what {@link PackRowsFn} outputs. */
  public static KvCoder<String, byte[]> coder() {
    return KvCoder.of(StringUtf8Coder.of(), PackCoder.INSTANCE);
  }

  /**
   * A pack's bytes, always length-prefixed. The Direct runner clones a grouping's whole bag at each
   * bundle (InMemoryBag.copy): ByteArrayCoder, last in its KV and so in the outer context, reads an
   * 8 MB pack back through a growing buffer (StreamUtils' fast path is lost behind CoderUtils'
   * UnownedInputStream); with its length first it is read once into its own array.
   */
  static final class PackCoder extends AtomicCoder<byte[]> {
    static final PackCoder INSTANCE = new PackCoder();

    @Override
    public void encode(byte[] pack, OutputStream out) throws IOException {
      VarInt.encode(pack.length, out);
      out.write(pack);
    }

    @Override
    public byte[] decode(InputStream in) throws IOException {
      byte[] pack = new byte[VarInt.decodeInt(in)];
      new DataInputStream(in).readFully(pack);
      return pack;
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    protected long getEncodedElementByteSize(byte[] pack) {
      return VarInt.getLength(pack.length) + (long) pack.length;
    }
  }

  /**
   * Packs each bundle's rows, per window and destination, into one or more byte arrays, emitted as
   * {@code KV(destination, pack)} in the rows' window.
   */
  public static class PackRowsFn extends DoFn<Row, KV<String, byte[]>> {
    private final RowToAvro toAvro;
    private final String avroSchema; // Avro schemas are not serializable in every Avro version
    private final SerializableFunction<Row, String> destination;
    private final int packBytes;
    private transient GenericDatumWriter<GenericRecord> writer;
    private transient Map<KV<BoundedWindow, String>, Pack> packs;
    // Rows come in runs of one window and destination: the pack of the row before, unhashed.
    private transient BoundedWindow lastWindow;
    private transient String lastDestination;
    private transient Pack lastPack;

    public PackRowsFn(Schema avroSchema, SerializableFunction<Row, String> destination) {
      this(avroSchema, destination, PACK_BYTES);
    }

    public PackRowsFn(
        Schema avroSchema, SerializableFunction<Row, String> destination, int packBytes) {
      this.toAvro = new RowToAvro(avroSchema);
      this.avroSchema = avroSchema.toString();
      this.destination = destination;
      this.packBytes = packBytes;
    }

    @Setup
    public void setup() {
      writer = new GenericDatumWriter<>(new Schema.Parser().parse(avroSchema));
    }

    @StartBundle
    public void startBundle() {
      packs = new HashMap<>();
      lastPack = null;
    }

    @ProcessElement
    public void processElement(
        @Element Row row, BoundedWindow window, OutputReceiver<KV<String, byte[]>> out)
        throws IOException {
      String to = destination.apply(row);
      if (lastPack == null || !window.equals(lastWindow) || !Objects.equals(to, lastDestination)) {
        lastPack = packs.computeIfAbsent(KV.of(window, to), key -> new Pack());
        lastWindow = window;
        lastDestination = to;
      }
      writer.write(toAvro.apply(row), lastPack.encoder);
      if (lastPack.size() >= packBytes) {
        out.outputWithTimestamp(KV.of(to, lastPack.bytes()), window.maxTimestamp());
        packs.remove(KV.of(window, to));
        lastPack = null;
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<KV<BoundedWindow, String>, Pack> pack : packs.entrySet()) {
        BoundedWindow window = pack.getKey().getKey();
        context.output(
            KV.of(pack.getKey().getValue(), pack.getValue().bytes()),
            window.maxTimestamp(),
            window);
      }
      packs = null;
      lastPack = null;
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
  public static class ParquetSink implements FileIO.Sink<byte[]> {
    private final String avroSchema;
    private final ParquetIO.Sink parquet;
    private transient GenericDatumReader<GenericRecord> reader;
    private transient BinaryDecoder decoder;

    public ParquetSink(Schema avroSchema) {
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
