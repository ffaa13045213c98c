package dev.messagelake.storage;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A real S3 API server for a test or a run of the harness: s3proxy with its filesystem backend,
 * started and stopped with the project's own script ({@code ./run.sh s3}) in a folder of the
 * caller's and on a free port, with bucket {@code lake}.
 */
public final class S3Server implements AutoCloseable {
  private final Path directory;
  private final int port;

  private S3Server(Path directory, int port) {
    this.directory = directory;
    this.port = port;
  }

  public static S3Server start(Path directory) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    S3Server s3 = new S3Server(directory, port);
    s3.script("start");
    return s3;
  }

  /** The server's folder: its data, the generated client settings and credentials, its log. */
  public Path folder() {
    return directory.resolve("s3");
  }

  /** The Hadoop client settings of this server (S3A endpoint and credentials): HADOOP_CONF_DIR. */
  public Path conf() {
    return folder().resolve("conf");
  }

  /**
   * Where the filesystem backend keeps the objects of {@code s3a://lake/<key>}: a folder per key.
   */
  public Path objects(String key) {
    return folder().resolve("data").resolve("lake").resolve(key);
  }

  /** The S3A client configuration of this server. */
  public Configuration hadoopConfiguration() {
    Configuration conf = new Configuration();
    conf.addResource(new org.apache.hadoop.fs.Path(conf().resolve("core-site.xml").toUri()));
    return conf;
  }

  /** Runs {@code ./run.sh s3 <command>}; returns its output. */
  public String script(String command) throws Exception {
    return ProjectScript.run(
            "s3",
            command,
            directory,
            Map.of("S3_DIR", folder().toString(), "S3_PORT", String.valueOf(port)))
        .output;
  }

  @Override
  public void close() throws Exception {
    script("stop");
  }
}
