package dev.messagelake.soak;

import dev.messagelake.bench.ProcessProbe;

/**
 * A JVM's open files and threads, read every second between two samples and averaged. The lake
 * opens and closes Kafka clients (two sockets, an epoll and an eventfd each) and their threads
 * within its 5-s cycle, the Direct runner reopening a reader on some bundles; one read per 10-s
 * sample catches the same moment of that cycle until the two clocks drift apart, so such a series
 * steps (423 for two minutes, then 427), and a step in the second half reads as a trend.
 */
final class ProcessCounts {
  static final long READ_EVERY_MILLIS = 1000;

  private final long pid;
  private double fds;
  private int fdReads;
  private double threads;
  private int threadReads;

  ProcessCounts(long pid) {
    this.pid = pid;
  }

  /** One read of both counts; a process gone or unreadable adds nothing. */
  void read() {
    long open = ProcessProbe.openFiles(pid);
    if (open >= 0) {
      fds += open;
      fdReads++;
    }
    long live = ProcessProbe.status(pid, "Threads");
    if (live >= 0) {
      threads += live;
      threadReads++;
    }
  }

  /** The mean open files since the last {@link #reset}, NaN if none was read. */
  double meanFds() {
    return fdReads == 0 ? Double.NaN : fds / fdReads;
  }

  /** The mean threads since the last {@link #reset}, NaN if none was read. */
  double meanThreads() {
    return threadReads == 0 ? Double.NaN : threads / threadReads;
  }

  void reset() {
    fds = 0;
    fdReads = 0;
    threads = 0;
    threadReads = 0;
  }
}
