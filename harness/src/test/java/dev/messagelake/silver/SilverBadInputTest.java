package dev.messagelake.silver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.storage.LakeStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misuse of silver: a bad countries file, silver folders edited by hand, a second silver job. Each
 * gets one line on stderr and exit code 2, and nothing in the lake changes.
 */
class SilverBadInputTest {
  @TempDir Path dir;

  private Path lakeRoot;
  private LakeLayout lake;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void bronzeAndSilver() {
    lakeRoot = dir.resolve("lake");
    lake = new LakeLayout(lakeRoot);
    assertEquals(
        0,
        JobLauncher.run(
            "bronze",
            new String[] {"--lake=" + lakeRoot, "--durationSeconds=2", "--rowsPerSecond=50"},
            BronzeProducer.Options.class,
            BronzeProducer::run));
  }

  private int silver(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "--lake=" + lakeRoot;
    System.arraycopy(args, 0, all, 1, args.length);
    err.reset();
    return JobLauncher.run(
        "silver",
        all,
        SilverJob.Options.class,
        SilverJob::run,
        System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private void assertOneLineError(String expected) {
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertThat(stderr, containsString(expected));
    assertEquals(1, stderr.lines().count(), stderr);
    assertThat(stderr, not(containsString("Exception")));
  }

  /** Every file of the lake with its size: what "nothing changed" compares. */
  private Map<Path, Long> snapshot() throws Exception {
    Map<Path, Long> files = new TreeMap<>();
    for (Path file : LakeStorage.local().filesUnder(lakeRoot)) {
      if (!file.getFileName().toString().endsWith(".lock")) {
        files.put(lakeRoot.relativize(file), Files.size(file));
      }
    }
    return files;
  }

  @Test
  void countriesFileWithABadLine() throws Exception {
    Path csv =
        Files.writeString(
            dir.resolve("countries.csv"), "country_id,country\n1,Spain\nseven,Narnia\n3,France\n");
    assertEquals(2, silver("--catchUp", "--countriesCsv=" + csv));
    assertOneLineError(csv + " line 3");
    assertFalse(Files.exists(lake.silverMessagesData()));

    assertEquals(2, silver("--catchUp", "--countriesCsv=" + dir.resolve("absent.csv")));
    assertOneLineError("cannot read countries file");
    assertFalse(Files.exists(lake.silverMessagesData()));
  }

  @Test
  void silverFileDeletedByHandIsReportedThenRebuiltByReset() throws Exception {
    assertEquals(0, silver("--catchUp"));
    Path deleted = LakeStorage.local().parquetFilesUnder(lake.silverMessagesData()).get(0);
    Files.delete(deleted);
    Map<Path, Long> before = snapshot();

    assertEquals(2, silver("--catchUp"));
    assertOneLineError(
        "silver was edited by hand: "
            + lakeRoot.relativize(deleted)
            + ", in the newest version of its table's Delta log, is missing");
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("--reset"));
    assertEquals(before, snapshot());

    assertEquals(0, silver("--catchUp", "--reset"));
    SilverAssertions.assertSilverMatchesBronze(lake);
  }

  @Test
  void fileDroppedIntoSilverByHandIsReported() throws Exception {
    assertEquals(0, silver("--catchUp"));
    Path partition =
        LakeStorage.local().parquetFilesUnder(lake.silverMessagesData()).get(0).getParent();
    Path dropped =
        Files.copy(
            LakeStorage.local().listFiles(lake.bronzeData()).get(0),
            partition.resolve("mine.parquet"));
    Map<Path, Long> before = snapshot();

    assertEquals(2, silver("--catchUp"));
    assertOneLineError(
        "silver was edited by hand: "
            + lakeRoot.relativize(dropped)
            + " is not a file silver committed");
    assertEquals(before, snapshot());

    Files.delete(dropped); // the user takes it back: silver goes on where it was
    assertEquals(0, silver("--catchUp"));
    SilverAssertions.assertSilverMatchesBronze(lake);
  }

  @Test
  void checkpointDeletedByHandIsReportedNotDoubled() throws Exception {
    assertEquals(0, silver("--catchUp"));
    LakeStorage.local().delete(lake.silverCheckpoint());
    Map<Path, Long> before = snapshot();

    // Without its log, silver would take every bronze file again: it refuses instead.
    assertEquals(2, silver("--catchUp"));
    assertOneLineError(
        "silver was edited by hand: the Delta log of silver/messages/data holds batches up to 1,"
            + " silver/checkpoint only up to 0");
    assertEquals(before, snapshot());
  }

  @Test
  void secondSilverOnTheSameLakeIsRefusedAndAKilledOneLeavesNoStuckLock() throws Exception {
    JobProcess first = JobProcess.start(SilverJob.class, lakeRoot, dir.resolve("silver.log"));
    Path lock = lake.silverCheckpoint().resolve("silver.lock");
    first.await(() -> readable(lock).startsWith("pid "), Duration.ofSeconds(60));

    assertEquals(2, silver("--catchUp"));
    assertOneLineError("another silver job is already running on this lake");

    first.sigkill();
    first.waitFor(Duration.ofSeconds(30));
    assertEquals(0, silver("--catchUp"));
    SilverAssertions.assertSilverMatchesBronze(lake);
  }

  private static String readable(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
