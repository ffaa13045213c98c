package dev.messagelake.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * A real HDFS for a test, one NameNode and one DataNode started and stopped with the project's own
 * script ({@code ./run.sh hdfs}) in a folder of the test's and on free ports.
 */
public final class HdfsServer implements AutoCloseable {
  private final Path directory;
  private final Map<String, Integer> ports;

  private HdfsServer(Path directory, Map<String, Integer> ports) {
    this.directory = directory;
    this.ports = ports;
  }

  public static HdfsServer start(Path directory) throws Exception {
    List<Integer> free = FreePorts.take(5);
    HdfsServer hdfs =
        new HdfsServer(
            directory,
            Map.of(
                "HDFS_PORT", free.get(0),
                "HDFS_HTTP_PORT", free.get(1),
                "HDFS_DATANODE_PORT", free.get(2),
                "HDFS_DATANODE_HTTP_PORT", free.get(3),
                "HDFS_DATANODE_IPC_PORT", free.get(4)));
    hdfs.script("start");
    return hdfs;
  }

  /** {@code hdfs://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("hdfs://127.0.0.1:" + ports.get("HDFS_PORT"));
  }

  public int port(String name) {
    return ports.get(name);
  }

  /** The folder of the servers' data, configuration, logs and pids. */
  public Path folder() {
    return directory.resolve("hdfs");
  }

  /** A client of this HDFS, writing one replica as the one DataNode can hold. */
  public FileSystem client() throws IOException {
    Configuration conf = new Configuration();
    conf.set("dfs.replication", "1");
    return FileSystem.newInstance(uri(), conf);
  }

  /** Runs {@code ./run.sh hdfs <command>}; returns its exit code and output. */
  public ProjectScript.Result script(String command) throws Exception {
    Map<String, String> environment = new HashMap<>();
    environment.put("HDFS_DIR", folder().toString());
    ports.forEach((name, port) -> environment.put(name, String.valueOf(port)));
    return ProjectScript.run("hdfs", command, directory, environment);
  }

  @Override
  public void close() throws Exception {
    script("stop");
  }
}
