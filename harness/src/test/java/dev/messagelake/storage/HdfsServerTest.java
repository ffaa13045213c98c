package dev.messagelake.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./run.sh hdfs}: a real NameNode and DataNode, on 127.0.0.1 only, gone when stopped. */
class HdfsServerTest {
  @TempDir Path folder;

  @Test
  void startsAnHdfsThatHoldsFilesListensOnLoopbackOnlyAndStopsLeavingNoProcess() throws Exception {
    List<Long> pids = new ArrayList<>();
    try (HdfsServer hdfs = HdfsServer.start(folder)) {
      for (String server : List.of("namenode", "datanode")) {
        pids.add(Long.parseLong(Files.readString(hdfs.folder().resolve(server + ".pid")).trim()));
      }
      assertThat(hdfs.script("status").output, containsString("live DataNodes: 1"));

      // A file a few blocks' worth of packets long, written and read back through the client.
      byte[] bytes = new byte[3 << 20];
      new Random(7).nextBytes(bytes);
      org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path("/lake/a/file.bin");
      try (FileSystem fs = hdfs.client()) {
        try (FSDataOutputStream out = fs.create(file, false)) {
          out.write(bytes);
        }
        byte[] read = new byte[bytes.length];
        try (var in = fs.open(file)) {
          in.readFully(read);
        }
        assertArrayEquals(bytes, read);
        assertEquals(1, fs.getFileStatus(file).getReplication());
        RemoteIterator<LocatedFileStatus> listing =
            fs.listFiles(new org.apache.hadoop.fs.Path("/lake"), true);
        assertEquals(file.getName(), listing.next().getPath().getName());
        assertFalse(listing.hasNext());
      }

      for (long pid : pids) {
        List<String> listening = listeningAddresses(pid);
        assertThat("pid " + pid + " listens", listening, not(empty()));
        assertThat(listening, everyItem(startsWith("127.0.0.1:")));
      }
      // A second start finds it running and changes nothing.
      assertThat(hdfs.script("start").output, containsString("already running"));
    }
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
    }
  }

  /**
   * The addresses a process listens on (TCP, IPv4 and IPv6), from /proc: its socket inodes matched
   * against the kernel's tables of listening sockets.
   */
  static List<String> listeningAddresses(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // a descriptor closed between the listing and the read
        }
      }
    }
    List<String> addresses = new ArrayList<>();
    for (String table : List.of("tcp", "tcp6")) {
      List<String> lines = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "net", table));
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        if (fields[3].equals("0A") && inodes.contains(fields[9])) { // 0A: LISTEN
          addresses.add(address(fields[1]));
        }
      }
    }
    return addresses;
  }

  /** {@code 0100007F:2328} (little-endian IPv4, or a 32-digit IPv6) as {@code 127.0.0.1:9000}. */
  private static String address(String hex) {
    String[] parts = hex.split(":");
    int port = Integer.parseInt(parts[1], 16);
    String ip = parts[0];
    if (ip.length() == 8) {
      return String.format(
          "%d.%d.%d.%d:%d",
          Integer.parseInt(ip.substring(6, 8), 16),
          Integer.parseInt(ip.substring(4, 6), 16),
          Integer.parseInt(ip.substring(2, 4), 16),
          Integer.parseInt(ip.substring(0, 2), 16),
          port);
    }
    // IPv4-mapped IPv6 loopback (::ffff:127.0.0.1) reads as 127.0.0.1; any other v6 as is.
    if (ip.equals("0000000000000000FFFF00000100007F")) {
      return "127.0.0.1:" + port;
    }
    return "[" + ip + "]:" + port;
  }
}
