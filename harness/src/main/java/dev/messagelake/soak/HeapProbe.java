package dev.messagelake.soak;

import com.sun.tools.attach.VirtualMachine;
import dev.messagelake.bench.ProcessProbe;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The live heap of another JVM, read over JMX: the attach API starts that JVM's local management
 * agent, and one connection serves every sample. Each sample asks for a full collection first
 * ({@code MemoryMXBean.gc()}, as {@code jcmd GC.run}): after a young collection, G1's old
 * generation still holds whatever died since its last marking cycle, which on a heap of gigabytes
 * may not come for an hour, so that figure climbs in a run that leaks nothing. The agent's first
 * connection adds a few threads and a socket to the JVM once, in the warm-up the verdicts leave
 * out.
 */
final class HeapProbe implements AutoCloseable {
  private static final long SIGQUIT_MASK = 1L << (3 - 1);

  private final long pid;
  private JMXConnector connector;
  private MBeanServerConnection server;

  HeapProbe(long pid) {
    this.pid = pid;
  }

  /** Megabytes of heap in use right after a full collection; NaN while unreachable. */
  double heapAfterGcMb() {
    try {
      if (server == null && !connect()) {
        return Double.NaN;
      }
      MemoryMXBean memory =
          ManagementFactory.newPlatformMXBeanProxy(
              server, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
      memory.gc();
      return memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    } catch (Exception | LinkageError e) {
      close(); // the next sample connects again
      return Double.NaN;
    }
  }

  private boolean connect() throws Exception {
    // The attach API wakes a JVM with SIGQUIT, which kills one that does not catch it yet.
    long caught = ProcessProbe.status(pid, "SigCgt");
    if (caught < 0 || (caught & SIGQUIT_MASK) == 0) {
      return false;
    }
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    String address;
    try {
      address = vm.startLocalManagementAgent();
    } finally {
      vm.detach();
    }
    connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
    server = connector.getMBeanServerConnection();
    return true;
  }

  @Override
  public void close() {
    server = null;
    if (connector != null) {
      try {
        connector.close();
      } catch (IOException e) {
        // the JVM is gone: nothing to close
      }
      connector = null;
    }
  }
}
