package dev.messagelake.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A signal asks the open jobs to stop; one that none is left to take ends the process. */
class StopSignalTest {
  private static final int SIGINT = 2;
  private static final long SECOND = 1_000_000_000L;
  private final ByteArrayOutputStream said = new ByteArrayOutputStream();
  private final List<Integer> exits = new ArrayList<>();

  /** Signal times, apart from each other and from any before (the state is the process's). */
  private static long clock = System.nanoTime() + 1000 * SECOND;

  @BeforeEach
  void capture() {
    StopSignal.redirect(new PrintStream(said, true, StandardCharsets.UTF_8), exits::add);
  }

  @AfterEach
  void restore() {
    StopSignal.redirect(System.err, code -> System.exit(code));
  }

  private void signal() {
    clock += 10 * SECOND;
    StopSignal.received(SIGINT, clock);
  }

  @Test
  void aSignalStopsTheOpenJobsAndALaterJobOnlyAtTheNextOne() throws Exception {
    StopSignal streaming = StopSignal.onShutdown(1000);
    assertFalse(streaming.requested());
    assertFalse(streaming.awaitRequest(1));
    signal();
    assertTrue(streaming.requested());
    assertTrue(streaming.awaitRequest(60_000));
    streaming.done();
    assertThat(said.toString(StandardCharsets.UTF_8), containsString("stopping cleanly"));

    StopSignal catchUp = StopSignal.onShutdown(1000); // opened after the signal: not asked
    assertFalse(catchUp.requested());
    signal();
    assertTrue(catchUp.requested());
    catchUp.done();
    assertEquals(List.of(), exits, "a job was left to stop cleanly: the process goes on");
  }

  @Test
  void aSignalNoOpenJobIsLeftToTakeEndsTheProcessSayingSo() {
    StopSignal job = StopSignal.onShutdown(1000);
    signal();
    signal(); // the job was asked already: this one is the user's "stop now"
    job.done();
    assertEquals(List.of(128 + SIGINT), exits);
    assertThat(said.toString(StandardCharsets.UTF_8), containsString("stopped at once"));
    assertThat(said.toString(StandardCharsets.UTF_8).lines().count(), is(2L));
  }

  @Test
  void oneSignalDeliveredTwiceAtOnceIsOneRequest() {
    StopSignal job = StopSignal.onShutdown(1000);
    signal();
    StopSignal.received(SIGINT, clock + SECOND / 100); // timeout(1) signals the process twice
    job.done();
    assertEquals(List.of(), exits);
    assertThat(said.toString(StandardCharsets.UTF_8).lines().count(), is(1L));
  }
}
