package dev.messagelake.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's open files and threads: the mean of the reads since the last sample. */
class ProcessCountsTest {
  @TempDir Path temp;

  @Test
  void aSampleIsTheMeanOfItsReads() throws Exception {
    ProcessCounts counts = new ProcessCounts(ProcessHandle.current().pid());
    counts.read();
    double files = counts.meanFds();
    double threads = counts.meanThreads();
    assertTrue(files > 0 && threads > 0, files + " files, " + threads + " threads");

    List<FileChannel> opened = new ArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(4);
    List<Thread> waiting = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        opened.add(FileChannel.open(Files.createFile(temp.resolve("f" + i))));
      }
      for (int i = 0; i < 4; i++) {
        Thread thread =
            new Thread(
                () -> {
                  running.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        thread.start();
        waiting.add(thread);
      }
      running.await();
      counts.read(); // 20 files and 4 threads more than the first read
      assertEquals(files + 10, counts.meanFds(), 0.5);
      assertEquals(threads + 2, counts.meanThreads(), 0.5);
    } finally {
      release.countDown();
      for (Thread thread : waiting) {
        thread.join();
      }
      for (FileChannel channel : opened) {
        channel.close();
      }
    }

    counts.reset();
    assertTrue(Double.isNaN(counts.meanFds()), "no read since the reset");
    counts.read(); // the files closed, and none of the reads before the reset: about the first
    assertEquals(files, counts.meanFds(), 3, "a jar the JVM opened since may stay open");
  }

  @Test
  void aProcessGoneIsNotRead() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor();
    ProcessCounts counts = new ProcessCounts(done.pid());
    counts.read();
    assertTrue(Double.isNaN(counts.meanFds()));
    assertTrue(Double.isNaN(counts.meanThreads()));
  }
}
