package dev.messagelake.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.bench.LakeFixtures;
import dev.messagelake.cli.JobLauncher;
import dev.messagelake.contract.LakeLayout;
import dev.messagelake.silver.SilverCheckpoint;
import dev.messagelake.silver.SilverJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Read the lake" snippets, taken from README.md itself (so the two cannot drift), run
 * against a lake made by the real silver job: each engine reads the rows silver committed.
 */
class ReadTheLakeTest {
  private static final Path README = Path.of("README.md");

  /** Holds {@code lake/}, as the folder the README's snippets are run from. */
  @TempDir static Path workDir;

  private static LakeLayout lake;
  private static SilverCheckpoint.CommitLog committed;

  @BeforeAll
  static void silverOfTwoDates() throws Exception {
    lake = new LakeLayout(workDir.resolve("lake"));
    // 200 bronze rows, 2 per second of event time from 23:59:30: silver gets two dates.
    LakeFixtures.bronze(lake.root(), 200, 2);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        JobLauncher.run(
            "silver",
            new String[] {"--lake=" + lake.root(), "--catchUp", "--enforceImmutability=false"},
            SilverJob.Options.class,
            SilverJob::run,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
    committed = SilverCheckpoint.commitLog(lake);
    assertEquals(200, committed.validRows + committed.corruptedRows);
  }

  @Test
  void duckDbSnippet() throws Exception {
    List<String> statements = statements(snippet("duckdb"));
    assertEquals(3, statements.size(), "the README's DuckDB snippet: " + statements);
    try (DuckDb duckDb = new DuckDb()) {
      // Relative paths in DuckDB are resolved from here, as from the shell's folder.
      duckDb.execute("SET file_search_path = '" + workDir + "'");
      Map<String, Long> byDate = new LinkedHashMap<>();
      for (List<Object> row : duckDb.rows(statements.get(0))) {
        byDate.put(row.get(0).toString(), ((Number) row.get(1)).longValue());
      }
      assertEquals(List.of("2026-11-25", "2026-11-26"), new ArrayList<>(byDate.keySet()));
      assertEquals(committed.validRows, byDate.values().stream().mapToLong(Long::longValue).sum());
      assertEquals(committed.corruptedRows, duckDb.count(statements.get(1)));
      assertEquals(200, duckDb.count(statements.get(2)));
    }
  }

  @Test
  void sparkSnippet() throws Exception {
    String snippet = snippet("spark");
    Matcher read =
        Pattern.compile(
                "spark\\.read\\.parquet\\(\"([^\"]+)\"\\)\\.createOrReplaceTempView\\(\"(\\w+)\"\\)")
            .matcher(snippet);
    Matcher sql = Pattern.compile("spark\\.sql\\(\"([^\"]+)\"\\)").matcher(snippet);
    assertTrue(read.find() && sql.find(), "the README's Spark snippet: " + snippet);
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("read-the-lake")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate();
    // The same calls through Spark's Java API; the relative path as seen from workDir.
    spark
        .read()
        .parquet(workDir.resolve(read.group(1)).toString())
        .createOrReplaceTempView(read.group(2));
    Map<String, Long> byDate = new LinkedHashMap<>();
    for (org.apache.spark.sql.Row row : spark.sql(sql.group(1)).collectAsList()) {
      byDate.put(row.get(0).toString(), row.getLong(1));
    }
    assertEquals(List.of("2026-11-25", "2026-11-26"), new ArrayList<>(byDate.keySet()));
    assertEquals(committed.validRows, byDate.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void pandasSnippet() throws Exception {
    Assumptions.assumeTrue(
        run(List.of("python3", "-c", "import pandas, pyarrow")).exit == 0,
        "python3 has no pandas and pyarrow here (Debian 12 packages no pyarrow): the README's"
            + " pandas snippet is not run");
    Path script = workDir.resolve("read_the_lake.py");
    Files.writeString(script, snippet("pandas"));
    Result result = run(List.of("python3", script.toString()));
    assertEquals(0, result.exit, result.output);
    Map<String, Long> byDate = new LinkedHashMap<>();
    Matcher line = Pattern.compile("(?m)^(\\d{4}-\\d\\d-\\d\\d)\\s+(\\d+)$").matcher(result.output);
    while (line.find()) {
      byDate.put(line.group(1), Long.parseLong(line.group(2)));
    }
    assertEquals(
        List.of("2026-11-25", "2026-11-26"), new ArrayList<>(byDate.keySet()), result.output);
    assertEquals(committed.validRows, byDate.values().stream().mapToLong(Long::longValue).sum());
  }

  /** The code block after {@code <!-- read-the-lake:<name> -->} in README.md. */
  static String snippet(String name) throws Exception {
    String readme = Files.readString(README);
    Matcher block =
        Pattern.compile("<!-- read-the-lake:" + name + " -->\\n```\\w*\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertTrue(block.find(), "README.md has no read-the-lake:" + name + " code block");
    return block.group(1);
  }

  /** A SQL script's statements, without comment lines. */
  static List<String> statements(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (line.strip().endsWith(";")) {
        statements.add(current.toString().strip().replaceAll(";$", ""));
        current.setLength(0);
      }
    }
    return statements;
  }

  private record Result(int exit, String output) {}

  /** Runs a command in workDir, as the README's reader would from the lake's folder. */
  private static Result run(List<String> command) throws Exception {
    Process process;
    try {
      process =
          new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, e.getMessage()); // no python3 at all
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " hung");
    return new Result(process.exitValue(), output);
  }
}
