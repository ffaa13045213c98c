package dev.messagelake.flow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The listening TCP and UDP sockets of this machine, as {@code ss -ltunp} lists them. */
public final class ListeningSockets {
  private static final Pattern PID = Pattern.compile("pid=(\\d+),");

  /** One socket: its local address ({@code 127.0.0.1:8088}, {@code [::]:80}) and owners. */
  public static final class Socket {
    public final String local;
    public final List<Long> pids;

    Socket(String local, List<Long> pids) {
      this.local = local;
      this.pids = pids;
    }

    /** True for a socket only this machine can reach. */
    public boolean loopbackOnly() {
      return local.matches("(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1\\]|\\[::1\\]):\\d+");
    }

    public int port() {
      return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
    }

    @Override
    public String toString() {
      return local + " " + pids;
    }
  }

  private ListeningSockets() {}

  /** Every listening socket on the machine. */
  public static List<Socket> all() throws IOException, InterruptedException {
    Process ss = new ProcessBuilder("ss", "-H", "-l", "-t", "-u", "-n", "-p").start();
    String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (ss.waitFor() != 0) {
      throw new IllegalStateException("ss failed: " + out);
    }
    List<Socket> sockets = new ArrayList<>();
    for (String line : out.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length < 5) {
        continue;
      }
      List<Long> pids = new ArrayList<>();
      Matcher pid = PID.matcher(line);
      while (pid.find()) {
        pids.add(Long.parseLong(pid.group(1)));
      }
      // netid state recv-q send-q local peer [process]
      sockets.add(new Socket(fields[4], pids));
    }
    return sockets;
  }

  /** The listening sockets owned by any of {@code pids}. */
  public static List<Socket> of(Collection<Long> pids) throws IOException, InterruptedException {
    List<Socket> owned = new ArrayList<>();
    for (Socket socket : all()) {
      if (socket.pids.stream().anyMatch(pids::contains)) {
        owned.add(socket);
      }
    }
    return owned;
  }
}
