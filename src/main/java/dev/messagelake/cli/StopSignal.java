package dev.messagelake.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Ctrl-C / SIGTERM ask the running job to stop; the JVM waits until it has drained. */
public final class StopSignal {
  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private Thread hook;

  public static StopSignal onShutdown(long maxWaitMillis) {
    StopSignal signal = new StopSignal();
    signal.hook =
        new Thread(
            () -> {
              signal.requested.countDown();
              try {
                signal.done.await(maxWaitMillis, TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "stop-on-signal");
    try {
      Runtime.getRuntime().addShutdownHook(signal.hook);
    } catch (IllegalStateException shuttingDown) {
      // Started while the JVM stops (a flow's last steps after Ctrl-C): already asked to stop.
      signal.requested.countDown();
      signal.hook = null;
    }
    return signal;
  }

  public boolean requested() {
    return requested.getCount() == 0;
  }

  /** Waits up to {@code millis} for a stop request; true if one came. */
  public boolean awaitRequest(long millis) throws InterruptedException {
    return requested.await(millis, TimeUnit.MILLISECONDS);
  }

  public void done() {
    done.countDown();
    if (hook == null) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running: it returns now that done() was called
    }
  }
}
