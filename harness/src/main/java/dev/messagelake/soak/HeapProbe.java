package dev.messagelake.soak;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;
import com.sun.tools.attach.VirtualMachine;
import dev.messagelake.bench.ProcessProbe;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The heap of another JVM right after its latest collection, read over JMX: the attach API starts
 * that JVM's local management agent, and one connection serves every sample.
 *
 * <p>Summed over the heap pools of the latest GC's {@code GcInfo} (what every pool held when it
 * ended), not of {@code MemoryPoolMXBean.getCollectionUsage()}: on G1 (JDK 17) the old generation's
 * collection usage moves only at mixed and full collections, so it would stay put for a whole short
 * run. The agent's first connection adds a few threads and a socket to the JVM once, in the warm-up
 * the verdicts leave out.
 */
final class HeapProbe implements AutoCloseable {
  private static final long SIGQUIT_MASK = 1L << (3 - 1);

  private final long pid;
  private JMXConnector connector;
  private MBeanServerConnection server;
  private final Set<String> heapPools = new HashSet<>();

  HeapProbe(long pid) {
    this.pid = pid;
  }

  /** Megabytes of heap in use after the latest GC; NaN before the first or while unreachable. */
  double heapAfterGcMb() {
    try {
      if (server == null && !connect()) {
        return Double.NaN;
      }
      GcInfo latest = null;
      for (GarbageCollectorMXBean gc :
          ManagementFactory.getPlatformMXBeans(server, GarbageCollectorMXBean.class)) {
        GcInfo info = gc.getLastGcInfo();
        if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
          latest = info;
        }
      }
      if (latest == null) {
        return Double.NaN;
      }
      long used = 0;
      for (String pool : heapPools) {
        MemoryUsage usage = latest.getMemoryUsageAfterGc().get(pool);
        used += usage == null ? 0 : usage.getUsed();
      }
      return used / (1024.0 * 1024.0);
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
    for (MemoryPoolMXBean pool :
        ManagementFactory.getPlatformMXBeans(server, MemoryPoolMXBean.class)) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    return true;
  }

  @Override
  public void close() {
    server = null;
    heapPools.clear();
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
