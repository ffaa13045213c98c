package dev.messagelake.maintenance;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.cli.UserError;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.contract.LakeOptions;
import dev.messagelake.silver.SilverTables;
import dev.messagelake.storage.JobLock;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.table.DeltaTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vacuum of the silver tables, as Delta's VACUUM: deletes the data files no version a reader may
 * still open needs. A reader within the retention reads at most as far back as the version that was
 * the newest {@code --retainHours} ago; every file of that version, or added after it, stays. A
 * file no version ever listed (a compaction's or a commit's under way, or one a crash left) is
 * deleted only once older than the retention and an hour: its writer may be about to commit it.
 */
public class SilverVacuum {
  private static final Logger LOG = LoggerFactory.getLogger(SilverVacuum.class);

  /** How long a file no version lists is left to the writer that may be about to commit it. */
  static final long UNCOMMITTED_GRACE_MILLIS = 3_600_000L;

  @Description(
      "Reads: the silver tables under --lake, through their Delta logs.\n"
          + "Deletes: their data files that no version within --retainHours needs (time travel"
          + " further back than that no longer finds its files).")
  public interface Options extends LakeOptions {
    @Description(
        "Hours of versions readers may still read (time travel): files those versions need stay")
    @Default.Integer(168)
    int getRetainHours();

    void setRetainHours(int value);
  }

  public static void main(String[] args) {
    System.exit(JobLauncher.run("vacuum", args, Options.class, SilverVacuum::run));
  }

  /** One maintenance job (compact or vacuum) at a time on a lake. */
  static JobLock maintenanceLock(LakeLayout layout) {
    return layout
        .storage()
        .lock(layout.silverMaintenanceLock(), "silver maintenance job (compact or vacuum)");
  }

  public static void run(Options options) throws IOException {
    UserError.requireAtLeast("--retainHours", options.getRetainHours(), 0);
    LakeLayout layout = LakeLayout.of(options);
    LakeStorage storage = layout.storage();
    try (JobLock lock = maintenanceLock(layout)) {
      long now = System.currentTimeMillis();
      long retainedFrom = now - options.getRetainHours() * 3_600_000L;
      long deleted = 0;
      long bytes = 0;
      long kept = 0;
      for (Path data : layout.silverTables()) {
        DeltaTable table = SilverTables.table(layout, data);
        if (table.latestVersion().isEmpty()) {
          continue;
        }
        // The log's cleanup may have deleted versions within --retainHours: those stay unreadable.
        long earliest = table.earliestVersion().orElse(0);
        long oldestReadable = Math.max(earliest, table.versionAt(retainedFrom).orElse(earliest));
        Set<Path> needed = table.filesSince(oldestReadable);
        Set<Path> everListed = table.filesEverAdded();
        for (Path file : storage.visibleFilesUnder(data)) {
          if (needed.contains(file)) {
            kept++;
            continue;
          }
          long modified = storage.modifiedMillis(file);
          if (!everListed.contains(file)
              && modified > Math.min(retainedFrom, now - UNCOMMITTED_GRACE_MILLIS)) {
            kept++;
            continue;
          }
          lock.requireHeld();
          bytes += storage.inputFile(file).getLength();
          storage.delete(file);
          deleted++;
        }
        LOG.info(
            "vacuum: {}: versions from {} kept readable ({} h)",
            layout.display(data),
            oldestReadable,
            options.getRetainHours());
      }
      System.out.printf(
          "vacuum: %d files deleted (%d bytes), %d kept; versions newer than %d h ago stay"
              + " readable%n",
          deleted, bytes, kept, options.getRetainHours());
    }
  }
}
