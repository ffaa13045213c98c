package dev.messagelake.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.chaos.ChildJvm;
import dev.messagelake.cli.UserError;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-writer lock of a lake on HDFS, a lease: a second writer is refused, a SIGKILLed
 * holder's lease is taken over after the timeout, and a holder paused past it (SIGSTOP, then
 * SIGCONT) does not commit again. Holders are JVMs of their own ({@link LeaseHolder}).
 */
class LeaseLockTest {
  private static final long TIMEOUT_SECONDS = 3;
  @TempDir static Path servers;
  @TempDir Path logs;
  private static HdfsServer hdfs;
  private static LakeStorage storage;

  @BeforeAll
  static void startHdfs() throws Exception {
    hdfs = HdfsServer.start(servers);
    Configuration conf = new Configuration();
    conf.set("dfs.replication", "1");
    storage = LakeStorage.hadoop(hdfs.uri(), conf);
    System.setProperty("messagelake.leaseSeconds", String.valueOf(TIMEOUT_SECONDS));
  }

  @AfterAll
  static void stopHdfs() throws Exception {
    System.clearProperty("messagelake.leaseSeconds");
    if (hdfs != null) {
      hdfs.close();
    }
  }

  private ChildJvm holder(String name, Path lock, Path markers) throws Exception {
    return ChildJvm.start(
        List.of(),
        List.of("-Dmessagelake.leaseSeconds=" + TIMEOUT_SECONDS, "-Xmx256m"),
        LeaseHolder.class,
        logs.resolve(name + ".log"),
        List.of(hdfs.uri().toString(), lock.toString(), markers.toString()));
  }

  private static void awaitCommits(ChildJvm holder, Path markers, int commits) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (commitsOf(holder, markers) < commits) {
      assertTrue(holder.isAlive(), holder.logTail(20));
      assertTrue(System.nanoTime() < deadline, "no commits within 60 s: " + holder.logTail(20));
      Thread.sleep(50);
    }
  }

  private static long commitsOf(ChildJvm holder, Path markers) {
    return storage.listFiles(markers).stream()
        .filter(f -> f.getFileName().toString().startsWith(holder.pid() + "-"))
        .count();
  }

  /** Tries to take {@code lock} every 100 ms until the lease it holds runs out. */
  private static JobLock awaitTakeover(Path lock) throws InterruptedException {
    while (true) {
      try {
        return storage.lock(lock, "holder");
      } catch (UserError stillHeld) {
        Thread.sleep(100);
      }
    }
  }

  private static void signal(String signal, long pid) throws Exception {
    assertEquals(
        0, new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor());
  }

  @Test
  void aSecondWriterIsRefusedAndAKilledHoldersLeaseIsTakenOverAfterTheTimeout() throws Exception {
    Path lock = Path.of("/killed/lock");
    Path markers = Path.of("/killed/markers");
    ChildJvm first = holder("first", lock, markers);
    awaitCommits(first, markers, 3);

    UserError refused = assertThrows(UserError.class, () -> storage.lock(lock, "holder"));
    assertThat(refused.getMessage(), containsString("another holder is already running"));
    assertThat(refused.getMessage(), containsString("pid " + first.pid()));

    first.kill(); // SIGKILL: no chance to let go of the lease
    long killed = System.nanoTime();
    // the holder's last renewal, as the lease file records it (a renewal in flight at the kill
    // could only make the real one later, which makes the bound below looser, never wrong)
    long lastRenewedMillis = lastRenewedMillis(lock);
    JobLock taken = awaitTakeover(lock);
    long takenMillis = System.currentTimeMillis();
    long waitedMillis = (System.nanoTime() - killed) / 1_000_000;
    taken.requireHeld();
    taken.close();
    // never taken while the lease could still be renewed; but taken once it has run out (the
    // kill is at most one renewal interval, timeout/6, plus a slow write after the last renewal)
    assertThat(takenMillis - lastRenewedMillis, greaterThanOrEqualTo(TIMEOUT_SECONDS * 1000));
    assertThat(waitedMillis, lessThan(TIMEOUT_SECONDS * 1000 * 2));
  }

  private static long lastRenewedMillis(Path lock) {
    Path newest =
        storage.listFiles(lock).stream()
            .filter(f -> f.getFileName().toString().matches("\\d+"))
            .max(Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString())))
            .orElseThrow();
    Matcher renewed = Pattern.compile("(?m)^renewed (\\d+)$").matcher(storage.read(newest));
    assertTrue(renewed.find(), "the lease file records its renewal");
    return Long.parseLong(renewed.group(1));
  }

  @Test
  void aHolderPausedPastTheTimeoutDoesNotCommitAfterLosingTheLease() throws Exception {
    Path lock = Path.of("/paused/lock");
    Path markers = Path.of("/paused/markers");
    ChildJvm paused = holder("paused", lock, markers);
    awaitCommits(paused, markers, 3);

    signal("STOP", paused.pid());
    JobLock taken = awaitTakeover(lock);
    long commitsWhenTaken = commitsOf(paused, markers);
    signal("CONT", paused.pid());

    assertEquals(1, paused.waitFor(30), paused.logTail(20));
    assertThat(paused.logTail(5), containsString("holder stopped before its next commit"));
    assertEquals(commitsWhenTaken, commitsOf(paused, markers), "commits after losing the lease");
    taken.requireHeld(); // the new holder still holds it
    taken.close();
  }
}
