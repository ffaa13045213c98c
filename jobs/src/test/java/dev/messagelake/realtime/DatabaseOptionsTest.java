package dev.messagelake.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.cli.JobLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded database lives under the lake root, never in the current directory. */
class DatabaseOptionsTest {
  @TempDir Path work;

  @Test
  void theDefaultUrlIsUnderTheLakeForBothJobs() {
    Path lake = work.resolve("my-lake");
    String expected = "jdbc:sqlite:" + lake.resolve("_realtime").resolve("realtime.db");
    assertEquals(
        expected,
        JobLauncher.parse(List.of("--lake=" + lake), RealtimeJob.Options.class).getJdbcUrl());
    assertEquals(
        expected,
        JobLauncher.parse(List.of("--lake=" + lake), Dashboard.Options.class).getJdbcUrl());
    assertEquals(
        "jdbc:sqlite:" + Path.of("lake", "_realtime", "realtime.db"),
        JobLauncher.parse(List.of(), Dashboard.Options.class).getJdbcUrl(),
        "--lake's default");
  }

  @Test
  void anExplicitUrlWins() {
    String url = "jdbc:sqlite:" + work.resolve("elsewhere.db");
    assertEquals(
        url,
        JobLauncher.parse(List.of("--lake=" + work, "--jdbcUrl=" + url), DatabaseOptions.class)
            .getJdbcUrl());
  }

  @Test
  void creatingTheTableCreatesItsFolderUnderTheLake() {
    Path lake = work.resolve("new-lake");
    MessageCountsTable.create(JobLauncher.parse(List.of("--lake=" + lake), DatabaseOptions.class));
    assertTrue(Files.isRegularFile(lake.resolve("_realtime").resolve("realtime.db")));
  }
}
