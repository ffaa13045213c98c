package dev.messagelake.bench;

import dev.messagelake.chaos.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches a child process from outside, as {@code top} would: peak resident memory (the kernel's
 * high-water mark, VmHWM) and CPU time (utime + stime), sampled every 200 ms until it exits; and,
 * for the soak, what {@code /proc} says of a process at one moment.
 */
public final class ProcessProbe {
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
  private static final long SAMPLE_MILLIS = 200;

  /** One sample: elapsed millis since the start, CPU seconds used so far. */
  static final class Sample {
    final long elapsedMillis;
    final double cpuSeconds;

    Sample(long elapsedMillis, double cpuSeconds) {
      this.elapsedMillis = elapsedMillis;
      this.cpuSeconds = cpuSeconds;
    }
  }

  /** What a finished process used. */
  static final class Usage {
    final int exitCode;
    final double wallSeconds;
    final double cpuSeconds;
    final long peakRssMb;
    final List<Sample> samples;

    Usage(
        int exitCode, double wallSeconds, double cpuSeconds, long peakRssMb, List<Sample> samples) {
      this.exitCode = exitCode;
      this.wallSeconds = wallSeconds;
      this.cpuSeconds = cpuSeconds;
      this.peakRssMb = peakRssMb;
      this.samples = samples;
    }

    /**
     * Two processes run side by side, as one: CPU and peak RSS added (the peaks may not coincide:
     * an upper bound), the longer wall time; no samples.
     */
    static Usage together(Usage a, Usage b) {
      return new Usage(
          a.exitCode != 0 ? a.exitCode : b.exitCode,
          Math.max(a.wallSeconds, b.wallSeconds),
          a.cpuSeconds + b.cpuSeconds,
          a.peakRssMb + b.peakRssMb,
          List.of());
    }

    /** Cores used on average between two moments of the run (seconds since its start). */
    double coresBetween(double fromSecond, double toSecond) {
      Sample from = null;
      Sample to = null;
      for (Sample sample : samples) {
        if (from == null && sample.elapsedMillis >= fromSecond * 1000) {
          from = sample;
        }
        if (sample.elapsedMillis <= toSecond * 1000) {
          to = sample;
        }
      }
      if (from == null || to == null || to.elapsedMillis <= from.elapsedMillis) {
        return Double.NaN;
      }
      return (to.cpuSeconds - from.cpuSeconds) / ((to.elapsedMillis - from.elapsedMillis) / 1000.0);
    }
  }

  private ProcessProbe() {}

  /** Waits for the process to exit (SIGTERM after {@code timeoutSeconds}), sampling it. */
  static Usage follow(ChildJvm process, long timeoutSeconds) throws InterruptedException {
    long started = System.nanoTime();
    long peakRssKb = 0;
    double cpu = 0;
    List<Sample> samples = new ArrayList<>();
    while (process.isAlive()) {
      long elapsed = (System.nanoTime() - started) / 1_000_000;
      peakRssKb = Math.max(peakRssKb, peakRssKb(process.pid()));
      cpu = Math.max(cpu, cpuSeconds(process.pid()));
      samples.add(new Sample(elapsed, cpu));
      if (elapsed > timeoutSeconds * 1000) {
        process.stop(60);
        break;
      }
      process.awaitExit(SAMPLE_MILLIS); // not a sleep: the wall time ends when the process does
    }
    int exit = process.waitFor(60);
    double wall = (System.nanoTime() - started) / 1e9;
    return new Usage(exit, wall, cpu, peakRssKb / 1024, samples);
  }

  private static long peakRssKb(long pid) {
    long kb = status(pid, "VmHWM");
    return kb < 0 ? 0 : kb; // exited between the check and the read: the last sample stands
  }

  /**
   * A number of {@code /proc/<pid>/status}: {@code VmRSS} (kB), {@code Threads}; a hexadecimal mask
   * such as {@code SigCgt} as its value; -1 when the process is gone.
   */
  public static long status(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          String value = line.substring(field.length() + 1).trim();
          return field.startsWith("Sig")
              ? Long.parseUnsignedLong(value, 16)
              : Long.parseLong(value.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // exited between the check and the read
    }
    return -1;
  }

  /** The process's open file descriptors (entries of {@code /proc/<pid>/fd}); -1 when gone. */
  public static long openFiles(long pid) {
    try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return fds.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // Fields after the command name (which may hold spaces) in parentheses: utime is the 14th
      // field of the line, stime the 15th.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
