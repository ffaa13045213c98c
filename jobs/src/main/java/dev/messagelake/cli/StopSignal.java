package dev.messagelake.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Ctrl-C / SIGTERM ask the running job to stop cleanly; a job opens a stop signal around the loop
 * it can end early. A signal that no open stop signal is left to take (a second Ctrl-C, or one
 * during work that cannot stop early) stops the process at once, saying so in one line.
 *
 * <p>The signals are caught with {@code sun.misc.Signal}, as Spark's own {@code SignalUtils} does,
 * instead of a shutdown hook: once the JVM is shutting down no new hook can be added, so a job run
 * after the signal (the lake flow's catch-up, check and gold) could not be stopped cleanly, and the
 * exit code would be the signal's (130) even after a clean end. Where the handler cannot be
 * installed (a JVM started with {@code -Xrs}), a shutdown hook drains the open jobs as before.
 */
public final class StopSignal {
  private static final Object LOCK = new Object();
  private static final List<StopSignal> OPEN = new ArrayList<>();
  private static int signals;
  private static String jobName = "job";
  private static PrintStream err = System.err;
  // exit() runs the shutdown hooks (Spark's among them), on a thread of its own: not the handler's.
  private static IntConsumer exit =
      code -> new Thread(() -> System.exit(code), "exit-on-signal").start();
  private static boolean installed;
  private static long drainMillis;
  private static long lastSignalNanos;

  /** Signals this close together are one request: a deliberate second Ctrl-C comes later. */
  private static final long SAME_SIGNAL_NANOS = 1_000_000_000L;

  /** How many signals had arrived when this one was opened: later ones ask it to stop. */
  private final int openedAfter;

  private StopSignal(int openedAfter) {
    this.openedAfter = openedAfter;
  }

  /**
   * Catches SIGINT and SIGTERM for the rest of the process, naming {@code job} in what it says;
   * once per JVM ({@link JobLauncher} does it for every job).
   */
  public static void install(String job) {
    synchronized (LOCK) {
      jobName = job;
      if (installed) {
        return;
      }
      installed = true;
    }
    try {
      for (String name : List.of("INT", "TERM")) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> received(signal.getNumber()));
      }
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError noHandler) {
      Runtime.getRuntime().addShutdownHook(new Thread(StopSignal::drainOnShutdown, "stop-on-exit"));
    }
  }

  /**
   * A stop signal for the caller's loop: requested by the next Ctrl-C or SIGTERM. The argument
   * bounds how long a JVM without signal handlers waits for the job to drain at exit.
   */
  public static StopSignal onShutdown(long maxWaitMillis) {
    synchronized (LOCK) {
      StopSignal signal = new StopSignal(signals);
      OPEN.add(signal);
      drainMillis = Math.max(drainMillis, maxWaitMillis);
      return signal;
    }
  }

  public boolean requested() {
    synchronized (LOCK) {
      return signals > openedAfter;
    }
  }

  /** Waits up to {@code millis} for a stop request; true if one came. */
  public boolean awaitRequest(long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + Math.min(millis, Long.MAX_VALUE / 4);
    synchronized (LOCK) {
      while (signals <= openedAfter) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return false;
        }
        LOCK.wait(left);
      }
      return true;
    }
  }

  /** The job's loop has ended: a later signal no longer asks it anything. */
  public void done() {
    synchronized (LOCK) {
      OPEN.remove(this);
      LOCK.notifyAll();
    }
  }

  /** Where the one-line messages go, and what ends the process (tests). */
  static void redirect(PrintStream stream, IntConsumer exitWith) {
    synchronized (LOCK) {
      err = stream;
      exit = exitWith;
    }
  }

  /**
   * A signal: asks the open stop signals to stop, or, when none is left to ask, ends the process
   * with 128 + the signal's number, as a shell reports a job killed by it.
   */
  static void received(int number) {
    received(number, System.nanoTime());
  }

  /** The same, the signal arriving at {@code now} (System.nanoTime; tests give their own). */
  static void received(int number, long now) {
    boolean someoneStops;
    synchronized (LOCK) {
      if (signals > 0 && now - lastSignalNanos < SAME_SIGNAL_NANOS) {
        return; // one request delivered twice (timeout(1) signals the job and its process group)
      }
      lastSignalNanos = now;
      signals++;
      someoneStops = OPEN.stream().anyMatch(open -> open.openedAfter == signals - 1);
      LOCK.notifyAll();
    }
    if (someoneStops) {
      err.println(jobName + ": stopping cleanly (Ctrl-C again to stop at once)");
    } else {
      err.println(
          jobName
              + ": stopped at once: what was committed stands, and the next run"
              + " goes on from there");
      err.flush();
      exit.accept(128 + number);
    }
  }

  /** Without signal handlers: the JVM is already stopping; let the open jobs drain first. */
  private static void drainOnShutdown() {
    long deadline;
    synchronized (LOCK) {
      signals++;
      LOCK.notifyAll();
      deadline = System.currentTimeMillis() + drainMillis;
    }
    synchronized (LOCK) {
      while (!OPEN.isEmpty() && System.currentTimeMillis() < deadline) {
        try {
          LOCK.wait(Math.max(1, deadline - System.currentTimeMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
