package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.messagelake.chaos.JobProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The realtime job's SQLite database on a disk that fills up (a 4 MB tmpfs of the test's own, so
 * the rest of the machine keeps its space): the job stops with exit code 1 and one line, and the
 * database is not corrupted: it passes SQLite's integrity check, and a restart once there is space
 * again goes on counting into it.
 */
class DiskFullTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path work;

  @Test
  void aFullDiskStopsRealtimeInOneLineAndLeavesItsDatabaseWhole() throws Exception {
    Path disk = Files.createDirectories(work.resolve("disk"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.toString()) == 0,
        "mounting a tmpfs needs root (CI runs as root)");
    JobProcess realtime = null;
    try {
      String url = "jdbc:sqlite:" + disk.resolve("realtime.db");
      realtime = realtime(url, "full");
      JobProcess job = realtime;
      job.await(() -> RealtimeEndToEndTest.countedEvents(url) > 0, WAIT);
      Path filler = disk.resolve("filler");
      fill(filler);

      assertEquals(1, job.waitFor(WAIT), job.output());
      String[] lines = job.output().strip().split("\n");
      String last = lines[lines.length - 1];
      assertThat(last, containsString("realtime: cannot write the counts into " + url));
      assertThat(last, containsString("full"));
      assertEquals(0, job.linesContaining("\tat "), "a stack trace: " + job.output());
      System.out.println("disk full: " + last);

      Files.delete(filler);
      assertEquals("ok", integrityCheck(url));
      long countedBefore = RealtimeEndToEndTest.countedEvents(url);
      assertThat(countedBefore, greaterThan(0L));

      realtime = realtime(url, "after");
      JobProcess again = realtime;
      again.await(() -> RealtimeEndToEndTest.countedEvents(url) > countedBefore, WAIT);
      again.sigterm();
      assertEquals(0, again.waitFor(WAIT), again.output());
      assertEquals("ok", integrityCheck(url));
    } finally {
      if (realtime != null) {
        realtime.sigkill();
      }
      run("umount", "-l", disk.toString());
    }
  }

  private JobProcess realtime(String url, String name) throws IOException {
    return JobProcess.startWithoutLake(
        RealtimeJob.class,
        work.resolve(name + ".log"),
        "--jdbcUrl=" + url,
        "--rowsPerSecond=2000",
        "--windowSeconds=1",
        "--earlyFiringSeconds=1",
        "--blockOnRun=false");
  }

  /** Writes into {@code file} until the file system has no space left. */
  private static void fill(Path file) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException noSpaceLeft) {
      assertThat(noSpaceLeft.getMessage(), containsString("No space left"));
    }
  }

  private static String integrityCheck(String url) throws Exception {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("PRAGMA integrity_check")) {
      result.next();
      return result.getString(1);
    }
  }

  private static int run(String... command) throws Exception {
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }
}
