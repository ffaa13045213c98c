package dev.messagelake.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.messagelake.audit.LakeAudit;
import dev.messagelake.bronze.BronzeProducer;
import dev.messagelake.chaos.JobProcess;
import dev.messagelake.check.LakeCheck;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.silver.SilverAssertions;
import dev.messagelake.silver.SilverJob;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake's disk fills up while the jobs write, or the lake is read-only: a clear one-line error,
 * nothing half-written visible, and the next run, once the disk is fixed, goes on exactly once.
 *
 * <p>The disk is a small tmpfs mounted in a private mount namespace ({@code unshare -m}); jobs run
 * inside it through {@code nsenter}, and the test sees its files through {@code /proc/<pid>/root}.
 * Where mount namespaces are not allowed the test is skipped.
 */
class StorageFaultTest {
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);

  @TempDir Path dir;

  private Process namespace;
  private Path disk;

  @AfterEach
  void unmount() {
    if (namespace != null) {
      namespace.destroyForcibly(); // the last process of the namespace: the tmpfs goes with it
    }
  }

  @Test
  void diskFullMidWriteThenFreedGoesOnExactlyOnce() throws Exception {
    mountDisk("4m");
    Path lakeRoot = disk.resolve("lake");
    LakeLayout lake = new LakeLayout(seen(lakeRoot));
    writeFiller(seen(disk.resolve("filler")), 3840L << 10); // 256 KiB left for the lake

    JobProcess producer =
        job(
            BronzeProducer.class,
            lakeRoot,
            "bronze.log",
            "--rowsPerSecond=2000",
            "--durationSeconds=150");
    assertEquals(1, producer.waitFor(JOB_TIMEOUT), producer.output());
    assertLastLine(producer, "bronze: cannot write the lake: No space left on device");
    long rowsWhenFull = assertBronzeExactAndNothingHalfWritten(lake);

    fillTheRest(seen(disk.resolve("filler-2")));
    JobProcess silver = job(SilverJob.class, lakeRoot, "silver.log", "--catchUp");
    assertEquals(1, silver.waitFor(JOB_TIMEOUT), silver.output());
    assertLastLine(silver, "silver: cannot write the lake: No space left on device");
    assertEquals(List.of(), LakeAudit.uncommittedFiles(lake));

    // The user makes room: the producer continues after the last committed value, silver
    // catches up, and the lake reconciles.
    Files.delete(seen(disk.resolve("filler")));
    Files.delete(seen(disk.resolve("filler-2")));
    runToSuccess(
        BronzeProducer.class,
        lakeRoot,
        "bronze-2.log",
        "--rowsPerSecond=50",
        "--durationSeconds=3");
    assertThat(assertBronzeExactAndNothingHalfWritten(lake), greaterThan(rowsWhenFull));
    runToSuccess(SilverJob.class, lakeRoot, "silver-2.log", "--catchUp");
    runToSuccess(LakeCheck.class, lakeRoot, "check.log");
    assertSilverExact(lake);
  }

  @Test
  void readOnlyLakeIsRefusedBeforeAnythingThenWritableAgainGoesOn() throws Exception {
    mountDisk("64m");
    Path lakeRoot = disk.resolve("lake");
    LakeLayout lake = new LakeLayout(seen(lakeRoot));
    runToSuccess(
        BronzeProducer.class, lakeRoot, "bronze.log", "--rowsPerSecond=50", "--durationSeconds=3");
    long rowsBefore = assertBronzeExactAndNothingHalfWritten(lake);

    inNamespace("mount", "-o", "remount,ro", disk.toString());
    for (JobProcess job :
        List.of(
            job(BronzeProducer.class, lakeRoot, "bronze-ro.log", "--durationSeconds=3"),
            job(SilverJob.class, lakeRoot, "silver-ro.log", "--catchUp"))) {
      assertEquals(2, job.waitFor(JOB_TIMEOUT), job.output());
      assertLastLine(job, "lake path " + lakeRoot + " is not writable");
    }
    assertEquals(rowsBefore, assertBronzeExactAndNothingHalfWritten(lake));

    inNamespace("mount", "-o", "remount,rw", disk.toString());
    runToSuccess(
        BronzeProducer.class,
        lakeRoot,
        "bronze-2.log",
        "--rowsPerSecond=50",
        "--durationSeconds=3");
    assertThat(assertBronzeExactAndNothingHalfWritten(lake), greaterThan(rowsBefore));
    runToSuccess(SilverJob.class, lakeRoot, "silver.log", "--catchUp");
    runToSuccess(LakeCheck.class, lakeRoot, "check.log");
    assertSilverExact(lake);
  }

  /** A tmpfs of {@code size} at {@link #disk}, seen only by this namespace's processes. */
  private void mountDisk(String size) throws Exception {
    disk = Files.createDirectories(dir.resolve("disk"));
    assumeTrue(
        succeeds("unshare", "-m", "true") && succeeds("nsenter", "--version"),
        "needs mount namespaces (unshare -m, nsenter): run as root or with user namespaces");
    namespace =
        new ProcessBuilder(
                "unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                "mount -t tmpfs -o size="
                    + size
                    + " tmpfs '"
                    + disk
                    + "' && echo mounted"
                    + " && exec sleep 3600")
            .redirectErrorStream(true)
            .start();
    String line =
        new BufferedReader(
                new InputStreamReader(namespace.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    assumeTrue("mounted".equals(line), "cannot mount a tmpfs: " + line);
  }

  /** A path of the namespace's file system, as this process sees it. */
  private Path seen(Path inNamespace) {
    return Path.of("/proc/" + namespace.pid() + "/root" + inNamespace);
  }

  private List<String> nsenter() {
    return List.of("nsenter", "-t", Long.toString(namespace.pid()), "-m", "--");
  }

  private void inNamespace(String... command) throws Exception {
    List<String> full = new java.util.ArrayList<>(nsenter());
    full.addAll(List.of(command));
    Process process = new ProcessBuilder(full).inheritIO().start();
    assertEquals(0, process.waitFor(), String.join(" ", full));
  }

  private JobProcess job(Class<?> main, Path lakeRoot, String log, String... args)
      throws IOException {
    return JobProcess.startUnder(nsenter(), main, lakeRoot, dir.resolve(log), args);
  }

  private void runToSuccess(Class<?> main, Path lakeRoot, String log, String... args)
      throws Exception {
    JobProcess job = job(main, lakeRoot, log, args);
    assertEquals(0, job.waitFor(JOB_TIMEOUT), job.output());
  }

  private static void assertLastLine(JobProcess job, String expected) throws IOException {
    List<String> lines = job.output().lines().filter(l -> !l.isBlank()).toList();
    String last = lines.get(lines.size() - 1);
    assertThat(job.output(), last, containsString(expected));
  }

  /** Bronze is 0..N-1 once, readable, with no file a commit did not publish; returns N. */
  private static long assertBronzeExactAndNothingHalfWritten(LakeLayout lake) {
    LakeAudit.BronzeValues values = LakeAudit.bronzeValues(lake);
    assertThat(values.rows, greaterThan(0L));
    assertEquals(0, values.lost);
    assertEquals(0, values.duplicated);
    assertEquals(List.of(), LakeAudit.uncommittedFiles(lake));
    return values.rows;
  }

  private static void assertSilverExact(LakeLayout lake) {
    SilverAssertions.assertSilverMatchesBronze(lake);
    assertEquals(List.of(), LakeAudit.uncommittedFiles(lake));
  }

  private static void writeFiller(Path file, long bytes) throws IOException {
    byte[] block = new byte[1 << 16];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = bytes; left > 0; left -= block.length) {
        out.write(block, 0, (int) Math.min(block.length, left));
      }
    }
  }

  /** Writes until the disk refuses: not a byte left. */
  private static void fillTheRest(Path file) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException e) {
      assertThat(e.getMessage(), containsString("No space left on device"));
    }
  }

  private static boolean succeeds(String... command) {
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
