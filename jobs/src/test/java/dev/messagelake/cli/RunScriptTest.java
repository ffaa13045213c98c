package dev.messagelake.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run.sh answers a user mistake in one line and tells what its build is doing. */
class RunScriptTest {
  @TempDir Path work;

  @Test
  void anUnknownJobIsOneLineNamingTheJobs() throws Exception {
    Result result = run(Path.of("run.sh").toAbsolutePath(), Map.of(), "nosuchjob");
    assertEquals(2, result.exit);
    assertThat(result.stderr.strip().lines().count(), is(1L));
    assertThat(result.stderr, containsString("run.sh: unknown job 'nosuchjob'; the jobs are: "));
    assertThat(result.stderr, containsString("bronze, "));
    assertThat(result.stderr, containsString("silver"));
  }

  /** A failed build: exit 1, the end of Maven's log printed, the log kept under target/. */
  @Test
  void aFailedBuildKeepsItsLogAndPrintsItsEnd() throws Exception {
    Path project = work.resolve("project");
    Files.createDirectories(project.resolve("pipelines"));
    Files.createDirectories(project.resolve("src/main"));
    Files.copy(Path.of("run.sh"), project.resolve("run.sh"));
    Files.copy(Path.of("pipelines", "check"), project.resolve("pipelines/check"));
    Files.writeString(project.resolve("pom.xml"), "<project/>\n");
    // A stand-in for Maven that fails as a compile error does (the real one is not what is tested).
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path mvn = bin.resolve("mvn");
    Files.writeString(
        mvn,
        "#!/bin/sh\n"
            + "echo '[INFO] Building message-lake'\n"
            + "echo '[ERROR] COMPILATION ERROR: Foo.java:[3,1] class, interface, or enum"
            + " expected'\n"
            + "exit 1\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));

    Result result =
        run(project.resolve("run.sh"), Map.of("PATH", bin + ":" + System.getenv("PATH")), "check");
    assertEquals(1, result.exit, result.stderr);
    assertThat(result.stderr, containsString("run.sh: building the project (mvn package"));
    assertThat(result.stderr, containsString("failed after"));
    assertThat(result.stderr, containsString("[ERROR] COMPILATION ERROR: Foo.java"));
    Path log = project.resolve("target/build.log");
    assertTrue(Files.exists(log), "the build log is kept");
    assertThat(Files.readString(log), containsString("[INFO] Building message-lake"));
  }

  private static Result run(Path script, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder();
    builder.command().add("bash");
    builder.command().add(script.toString());
    builder.command().addAll(List.of(args));
    builder.environment().putAll(env);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process = builder.start();
    process.getOutputStream().close();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), stdout, stderr);
  }

  private record Result(int exit, String stdout, String stderr) {}
}
