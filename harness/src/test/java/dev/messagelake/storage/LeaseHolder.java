package dev.messagelake.storage;

import dev.messagelake.cli.JobFailed;
import java.net.URI;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;

/**
 * A job in miniature for {@link LeaseLockTest}, run as a JVM of its own: it takes the lease, then
 * commits (a marker file) every 100 ms, each after {@link JobLock#requireHeld}, until it loses it.
 * Arguments: the HDFS URI, the lock's path, the markers' folder.
 */
public final class LeaseHolder {
  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration();
    conf.set("dfs.replication", "1");
    LakeStorage storage = LakeStorage.hadoop(URI.create(args[0]), conf);
    Path markers = Path.of(args[2]);
    storage.createDirectories(markers);
    long pid = ProcessHandle.current().pid();
    try (JobLock lock = storage.lock(Path.of(args[1]), "holder")) {
      for (int commit = 0; ; commit++) {
        lock.requireHeld();
        storage.createAtomically(markers.resolve(pid + "-" + commit), "");
        System.out.println("committed " + commit);
        Thread.sleep(100);
      }
    } catch (JobFailed e) {
      System.out.println(e.getMessage());
      System.exit(e.exitCode);
    }
  }
}
