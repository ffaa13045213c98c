package dev.messagelake.bronze;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's mistake gets one clear line on stderr and exit code 2, and nothing is written. */
class BronzeBadInputTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int bronze(String... args) {
    return JobLauncher.run(
        "bronze",
        args,
        BronzeProducer.Options.class,
        BronzeProducer::run,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private void assertOneLineError(String expected) {
    assertThat(stderr(), containsString(expected));
    assertEquals(1, stderr().lines().count(), stderr());
    assertThat(stderr(), not(containsString("Exception")));
  }

  @Test
  void unknownOption() {
    assertEquals(2, bronze("--lake=" + dir.resolve("lake"), "--rowsPerSec=5"));
    assertOneLineError("rowsPerSec");
    assertFalse(Files.exists(dir.resolve("lake")));
  }

  @Test
  void malformedNumber() {
    assertEquals(2, bronze("--lake=" + dir.resolve("lake"), "--rowsPerSecond=fast"));
    assertOneLineError("rowsPerSecond");
    assertFalse(Files.exists(dir.resolve("lake")));
  }

  @Test
  void negativeRate() {
    assertEquals(2, bronze("--lake=" + dir.resolve("lake"), "--rowsPerSecond=-1"));
    assertOneLineError("--rowsPerSecond must be between 1 and");
    assertFalse(Files.exists(dir.resolve("lake")));
  }

  @Test
  void zeroTriggerAndNegativeDuration() {
    assertEquals(2, bronze("--lake=" + dir.resolve("lake"), "--triggerSeconds=0"));
    assertOneLineError("--triggerSeconds must be at least 1");
    err.reset();
    assertEquals(2, bronze("--lake=" + dir.resolve("lake"), "--durationSeconds=-3"));
    assertOneLineError("--durationSeconds must be 0");
    assertFalse(Files.exists(dir.resolve("lake")));
  }

  @Test
  void lakePathIsAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("lake"), "a file");
    assertEquals(2, bronze("--lake=" + file, "--durationSeconds=1"));
    assertOneLineError("is a file, not a directory");
    assertEquals("a file", Files.readString(file));

    assertEquals(2, bronze("--lake=" + file.resolve("inside"), "--durationSeconds=1"));
    assertThat(stderr(), containsString("which is a file"));
  }

  @Test
  void dataFilesRemovedByHandAreReportedNotPaperedOver() throws Exception {
    Path lake = dir.resolve("lake");
    assertEquals(0, bronze("--lake=" + lake, "--durationSeconds=2", "--rowsPerSecond=10"));
    Path data = new LakeLayout(lake).bronzeData();
    List<Path> files = Files.list(data).sorted().toList();
    Files.delete(files.get(0));
    assertEquals(2, bronze("--lake=" + lake, "--durationSeconds=1"));
    assertOneLineError("are missing (edited by hand?); run with --reset");
    assertEquals(files.size() - 1, Files.list(data).count());
  }

  @Test
  void helpListsTheJobsOptionsWithDefaults() {
    assertEquals(0, bronze("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    assertThat(help, containsString("\n  --rowsPerSecond=1\n      Rows per second"));
    assertThat(help, containsString("\n  --durationSeconds=0\n"));
    assertThat(help, containsString("\n  --reset=false\n"));
  }

  @Test
  void laterOptionsOverrideDefaults() {
    // run.sh passes pipelines/bronze's defaults first, then the user's options.
    assertEquals(
        List.of("--lake=x", "--rowsPerSecond=5", "--reset"),
        JobLauncher.lastOneWins(
            new String[] {"--rowsPerSecond=1", "--lake=x", "--rowsPerSecond=5", "--reset"}));
  }
}
