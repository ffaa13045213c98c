package dev.messagelake.audit;

import dev.messagelake.chaos.ChaosRun;
import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.storage.LakeStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.Description;

/**
 * The chaos harness's audit of a lake, on its own: for a lake after faults the harness did not
 * deliver itself (on a cluster, on HDFS). A lake on HDFS is first copied out by the Hadoop client,
 * and the copy audited: DuckDB reads only local files.
 */
public final class AuditLake {
  private AuditLake() {}

  /** The audit's options. */
  @Description(
      "Audits a lake as the chaos harness does: bronze 0..N-1 once, silver = bronze row for row,"
          + " no uncommitted file visible, gold = DuckDB's recomputation.\n"
          + "Exit code 0 when the audit passes, 1 when it does not.")
  public interface Options extends LakeOptions {}

  public static void main(String[] args) {
    System.exit(JobLauncher.run("audit", args, Options.class, AuditLake::run));
  }

  public static void run(Options options) throws Exception {
    LakeLayout lake = LakeLayout.of(options);
    Path copy = null;
    LakeLayout local = lake;
    if (lake.storage() != LakeStorage.local()) {
      copy = Files.createTempDirectory("audit");
      LakeCopy copied = LakeCopy.of(options.getLake(), lake, copy);
      local = copied.lake;
      if (copied.uncommittedLeftOut > 0) {
        System.out.printf(
            "audit: %d silver files of attempts that never committed, in no version (vacuum's),"
                + " left out%n",
            copied.uncommittedLeftOut);
      }
    }
    try {
      ChaosRun.Result result = new ChaosRun.Result(0, local.root());
      result.audit(local);
      System.out.printf(
          "audit: bronze %d rows: %d lost, %d duplicated%n",
          result.bronze.rows, result.bronze.lost, result.bronze.duplicated);
      System.out.printf(
          "audit: silver %d valid + %d corrupted rows; against bronze, row for row: %s%n",
          result.silverRows[0], result.silverRows[2], result.silver);
      System.out.printf(
          "audit: %d uncommitted files visible; gold equals DuckDB's recomputation: %s%n",
          result.uncommittedFiles.size(), result.goldEqualsRecomputation ? "yes" : "NO");
      if (!result.problems.isEmpty()) {
        throw new JobFailed("FAILED: " + String.join("; ", result.problems));
      }
      System.out.println("audit: OK");
    } finally {
      if (copy != null) {
        LakeStorage.local().delete(copy);
      }
    }
  }
}
