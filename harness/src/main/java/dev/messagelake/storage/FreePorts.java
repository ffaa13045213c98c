package dev.messagelake.storage;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Ports free on this machine now, for the servers the harness and its tests start. */
public final class FreePorts {
  private FreePorts() {}

  /** One free port. */
  public static int one() throws IOException {
    return take(1).get(0);
  }

  /** {@code count} distinct free ports: all held open together while chosen, then closed. */
  public static List<Integer> take(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0);
        sockets.add(socket);
        ports.add(socket.getLocalPort());
      }
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
    return ports;
  }
}
