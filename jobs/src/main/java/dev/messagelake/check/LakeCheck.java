package dev.messagelake.check;

import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.contract.MessageFiles;
import dev.messagelake.contract.MessageFiles.ReadMessageFiles;
import dev.messagelake.silver.Quarantine;
import dev.messagelake.silver.SilverCheckpoint;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.storage.RowsToDriver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code ./run.sh check}: reconciles the lake, bronze against silver, row for row by value. Prints
 * the three counts and any difference, and tells a silver that is only behind (bronze files it has
 * not taken yet, which a catch-up takes) from one that lost or added rows.
 */
public class LakeCheck {
  /** Exit code when silver reconciles with what it took and bronze holds more. */
  public static final int BEHIND = 3;

  @Description(
      "Reads bronze/messages/data and silver/messages{,_corrupted}/data under --lake"
          + " (and silver's checkpoint); writes nothing.\n"
          + "Exit code 0: bronze reconciles with silver, row for row; 1: a mismatch (rows missing,"
          + " duplicated or not in bronze);\n"
          + "3: silver is only behind (run ./run.sh silver --catchUp); 2: a usage error.")
  public interface Options extends LakeOptions {}

  public static void main(String[] args) {
    System.exit(JobLauncher.run("check", args, Options.class, LakeCheck::run));
  }

  public static void run(Options options) throws Exception {
    LakeLayout layout = LakeLayout.of(options);
    // The tables are what their logs list; a file a hand put in or took out is a mismatch of
    // its own, which the reconciliation through the logs would not see.
    List<String> drift = SilverTables.driftReport(layout);
    if (!drift.isEmpty()) {
      drift.forEach(line -> System.out.println(Reconciliation.MISMATCH + " " + line));
      throw new JobFailed("silver's files do not match its Delta logs (see above)");
    }
    List<String> report = reconcile(options, layout);
    report.forEach(System.out::println);
    List<Path> quarantined = Quarantine.quarantined(layout);
    if (!quarantined.isEmpty()) {
      // Set aside by silver, so outside the reconciliation: listed, not counted as a mismatch.
      System.out.printf(
          "quarantined bronze files (unreadable, see the .reason.txt beside each): %d%n",
          quarantined.size());
      quarantined.forEach(f -> System.out.println("  " + f));
    }
    String verdict = report.get(report.size() - 1);
    if (verdict.startsWith(Reconciliation.BEHIND)) {
      throw new JobFailed("silver is behind bronze (see above)", BEHIND);
    }
    if (!verdict.startsWith(Reconciliation.OK)) {
      throw new JobFailed("the lake does not reconcile (see above)");
    }
  }

  /** Runs the reconciliation pipeline over the lake's three tables; returns its report. */
  public static List<String> reconcile(Options options, LakeLayout layout) throws Exception {
    Path work = layout.work("check");
    try {
      RowsToDriver report = new RowsToDriver(layout.storage(), work, "report");
      Pipeline pipeline = Pipeline.create(options);
      // Bronze in two parts, each file read once: the files silver took, and the rest.
      Set<Path> takenBySilver = SilverCheckpoint.committedInputs(layout);
      Map<Boolean, List<Path>> bronzeFiles =
          layout.storage().parquetFilesUnder(layout.bronzeData()).stream()
              .collect(
                  Collectors.partitioningBy(
                      file -> takenBySilver.contains(layout.bronzeData().relativize(file))));
      PCollectionView<long[]> taken =
          pipeline.apply(
              "TakenBronzeValues", new SortedValuesOf(layout.storage(), bronzeFiles.get(true)));
      PCollectionView<long[]> valid =
          pipeline.apply(
              "MessagesValues", SortedValuesOf.under(layout, layout.silverMessagesData()));
      PCollectionView<long[]> corrupted =
          pipeline.apply(
              "CorruptedValues", SortedValuesOf.under(layout, layout.silverCorruptedData()));
      PCollectionView<long[]> pending =
          pipeline.apply(
              "NotYetTakenBronzeValues",
              new SortedValuesOf(layout.storage(), bronzeFiles.get(false)));
      pipeline
          .apply("Once", Create.of(1))
          .apply(
              "Reconcile",
              ParDo.of(new ReconcileFn(taken, valid, corrupted, pending))
                  .withSideInputs(taken, valid, corrupted, pending))
          .apply("ReportToDriver", RowsToDriver.strings(report));
      pipeline.run().waitUntilFinish();
      return report.readStrings().stream().flatMap(String::lines).collect(Collectors.toList());
    } finally {
      layout.storage().delete(work);
    }
  }

  /** The sorted {@code value}s of parquet files, as one array. */
  static class SortedValuesOf extends PTransform<PBegin, PCollectionView<long[]>> {
    private final List<List<String>> files;

    SortedValuesOf(LakeStorage storage, List<Path> files) {
      this.files = MessageFiles.onePerFile(storage, files);
    }

    /** Of the files of a silver table's newest version, read from its Delta log. */
    static SortedValuesOf under(LakeLayout layout, Path table) {
      return new SortedValuesOf(layout.storage(), SilverTables.readableFiles(layout, table));
    }

    @Override
    public PCollectionView<long[]> expand(PBegin input) {
      return input
          .apply("Files", Create.of(files).withCoder(ListCoder.of(StringUtf8Coder.of())))
          .apply("Read", new ReadMessageFiles())
          .apply(
              "Value",
              MapElements.into(TypeDescriptors.longs()).via(row -> row.getInt64(LakeSchemas.VALUE)))
          .apply("Sorted", Combine.globally(new SortedValues()))
          .apply("AsSingleton", View.asSingleton());
    }
  }

  /** Compares the three arrays where they are (they can be large) and emits the report. */
  static class ReconcileFn extends DoFn<Integer, String> {
    private final PCollectionView<long[]> taken;
    private final PCollectionView<long[]> valid;
    private final PCollectionView<long[]> corrupted;
    private final PCollectionView<long[]> pending;

    ReconcileFn(
        PCollectionView<long[]> taken,
        PCollectionView<long[]> valid,
        PCollectionView<long[]> corrupted,
        PCollectionView<long[]> pending) {
      this.taken = taken;
      this.valid = valid;
      this.corrupted = corrupted;
      this.pending = pending;
    }

    @ProcessElement
    public void processElement(ProcessContext context) {
      context.output(
          Reconciliation.of(
                  context.sideInput(taken),
                  context.sideInput(valid),
                  context.sideInput(corrupted),
                  context.sideInput(pending))
              .report());
    }
  }
}
