package dev.messagelake.chaos;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;

import java.util.List;
import org.junit.jupiter.api.Test;

public class ChildJvmTest {
  private static final List<String> BENCH_JVM =
      List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "-Xmx4g",
          "-agentlib:jdwp=transport=dt_socket",
          "-XX:ArchiveClassesAtExit=target/cds/bench.jsa",
          "-Xlog:cds*=off",
          "-Dmessagelake.pipelines=pipelines");

  @Test
  public void aChildSizingItsOwnHeapDoesNotInheritTheParentsHeapSize() {
    // gold's -XX:MaxRAMPercentage=50: with the bench's -Xmx4g still there, gold ran out of memory
    assertThat(
        ChildJvm.jvmFlags(BENCH_JVM, List.of("-XX:MaxRAMPercentage=50", "-XX:+UseParallelGC")),
        contains(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Dmessagelake.pipelines=pipelines",
            "-XX:MaxRAMPercentage=50",
            "-XX:+UseParallelGC"));
  }

  @Test
  public void aChildDoesNotRecordOrMapTheParentsClassDataArchive() {
    assertThat(
        ChildJvm.jvmFlags(
            List.of("-XX:SharedArchiveFile=target/cds/bench.jsa", "-Xlog:cds*=off", "-Xmx4g"),
            List.of()),
        contains("-Xmx4g"));
  }

  @Test
  public void aChildWithoutAHeapSizeOfItsOwnInheritsTheParents() {
    assertThat(
        ChildJvm.jvmFlags(BENCH_JVM, List.of("-XX:TieredStopAtLevel=1")),
        contains(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Xmx4g",
            "-Dmessagelake.pipelines=pipelines",
            "-XX:TieredStopAtLevel=1"));
  }
}
