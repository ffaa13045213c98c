package dev.messagelake.storage;

import dev.messagelake.cli.JobFailed;
import dev.messagelake.cli.UserError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job of a kind per lake where no OS lock reaches (HDFS): a lease. The lock is a folder of
 * generations, {@code <lock>/<n>}, each a small file naming its holder and when it last renewed it.
 * Taking the lock creates the next generation's file, which only one job can do (an atomic create
 * that fails if the file exists); the holder renews its file every {@link #timeout}/6. A generation
 * not renewed for longer than {@link #timeout} may be taken over; a live holder, which renews,
 * never is. A holder that sees a newer generation, or that has not renewed for a timeout by its own
 * clock (paused, cut off), has lost the lease: {@link #requireHeld} fails before its next commit.
 */
final class LeaseLock implements JobLock {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseLock.class);

  /** How long a lease lives unrenewed: 30 s, or {@code -Dmessagelake.leaseSeconds}. */
  static Duration timeout() {
    return Duration.ofSeconds(Long.getLong("messagelake.leaseSeconds", 30));
  }

  private static final Pattern RENEWED = Pattern.compile("(?m)^renewed (\\d+)$");

  private final LakeStorage storage;
  private final Path folder;
  private final long generation;
  private final String holder;
  private final String job;
  private final long timeoutNanos;
  private final ScheduledExecutorService renewal;
  private volatile long renewedNanos;
  private volatile String lost;

  private LeaseLock(LakeStorage storage, Path folder, long generation, String holder, String job) {
    this.storage = storage;
    this.folder = folder;
    this.generation = generation;
    this.holder = holder;
    this.job = job;
    this.timeoutNanos = timeout().toNanos();
    this.renewedNanos = System.nanoTime();
    this.renewal =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "lease-renewal");
              thread.setDaemon(true);
              return thread;
            });
    long every = Math.max(1, timeoutNanos / 6);
    renewal.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.NANOSECONDS);
  }

  /**
   * Takes the lease {@code folder} for {@code job}, or fails with a user error naming the holder.
   */
  static JobLock acquire(LakeStorage storage, Path folder, String job) {
    String holder = "pid " + ProcessHandle.current().pid() + " on " + host();
    storage.createDirectories(folder);
    OptionalLong newest = newest(storage, folder);
    if (newest.isPresent()) {
      Path current = folder.resolve(Long.toString(newest.getAsLong()));
      String content = storage.exists(current) ? storage.read(current) : "";
      long age = System.currentTimeMillis() - renewedMillis(content, storage, current);
      if (age <= timeout().toMillis()) {
        throw new UserError(
            "another "
                + job
                + " is already running on this lake ("
                + firstLine(content)
                + ", renewed "
                + age / 1000
                + " s ago); stop it first (a lease not renewed for "
                + timeout().toSeconds()
                + " s is taken over)");
      }
      LOG.warn(
          "{}: taking over the lease of {} (not renewed for {} s, over the {} s timeout)",
          job,
          firstLine(content),
          age / 1000,
          timeout().toSeconds());
    }
    long generation = newest.orElse(0) + 1;
    if (!storage.createAtomically(
        folder.resolve(Long.toString(generation)), content(holder, System.currentTimeMillis()))) {
      throw new UserError(
          "another " + job + " took this lake's lease at the same moment; stop it first");
    }
    // the generations before are over: only the newest one counts
    for (Path older : storage.listFiles(folder)) {
      OptionalLong n = generationOf(older);
      if (n.isPresent() && n.getAsLong() < generation) {
        storage.delete(older);
      }
    }
    return new LeaseLock(storage, folder, generation, holder, job);
  }

  private void renew() {
    try {
      if (lost() != null) {
        renewal.shutdown();
        return;
      }
      storage.writeAtomically(
          folder.resolve(Long.toString(generation)), content(holder, System.currentTimeMillis()));
      renewedNanos = System.nanoTime();
    } catch (RuntimeException e) {
      // the file system is away: try again at the next renewal; requireHeld counts the time
      LOG.warn("{}: cannot renew its lease: {}", job, e.getMessage());
    }
  }

  @Override
  public void requireHeld() {
    if (lost() != null) {
      throw new JobFailed(job + " stopped before its next commit: " + lost);
    }
  }

  /** Why this job no longer holds the lease, or null while it does; once lost, lost for good. */
  private String lost() {
    if (lost == null && System.nanoTime() - renewedNanos > timeoutNanos) {
      lost = "it did not renew its lease for over " + timeout().toSeconds() + " s";
    }
    if (lost == null) {
      OptionalLong newest = newest(storage, folder);
      if (newest.isEmpty() || newest.getAsLong() != generation) {
        lost = "its lease was taken over by another " + job;
      }
    }
    return lost;
  }

  @Override
  public void close() {
    // A renewal under way would write the lease file back after the delete below, and the job's
    // next run in this JVM would find its own lease held (seen on HDFS, where a write takes ms).
    renewal.shutdown();
    try {
      if (!renewal.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS)) {
        renewal.shutdownNow();
      }
    } catch (InterruptedException e) {
      renewal.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (lost == null) {
      OptionalLong newest = newest(storage, folder);
      if (newest.isPresent() && newest.getAsLong() == generation) {
        storage.delete(folder.resolve(Long.toString(generation)));
      }
    }
  }

  private static String content(String holder, long renewedMillis) {
    return holder + "\nrenewed " + renewedMillis + "\n";
  }

  /** When the lease was last renewed: its own record, else the file's modification time. */
  private static long renewedMillis(String content, LakeStorage storage, Path file) {
    Matcher renewed = RENEWED.matcher(content);
    if (renewed.find()) {
      return Long.parseLong(renewed.group(1));
    }
    return storage.exists(file) ? storage.modifiedMillis(file) : 0;
  }

  private static OptionalLong newest(LakeStorage storage, Path folder) {
    List<Long> generations =
        storage.listFiles(folder).stream()
            .map(LeaseLock::generationOf)
            .filter(OptionalLong::isPresent)
            .map(OptionalLong::getAsLong)
            .collect(Collectors.toList());
    return generations.stream().mapToLong(Long::longValue).max();
  }

  private static OptionalLong generationOf(Path file) {
    String name = file.getFileName().toString();
    return name.matches("\\d+") ? OptionalLong.of(Long.parseLong(name)) : OptionalLong.empty();
  }

  private static String firstLine(String content) {
    int newline = content.indexOf('\n');
    return newline < 0 ? content : content.substring(0, newline);
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "an unknown host";
    }
  }
}
