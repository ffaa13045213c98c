package dev.messagelake.storage;

/**
 * One job of a kind per lake, held from its start to its stop: an OS file lock on a local disk
 * ({@link FileJobLock}), a lease on a file system without one ({@link LeaseLock}).
 */
public interface JobLock extends AutoCloseable {
  /** No lock to check: what a checkpoint opened outside a job (a unit test's) commits under. */
  JobLock NONE =
      new JobLock() {
        @Override
        public void requireHeld() {}

        @Override
        public void close() {}
      };

  /**
   * Called before each commit: fails (one line, exit 1) when this job no longer holds the lock, so
   * that a job whose lease was taken over never commits again.
   */
  void requireHeld();

  @Override
  void close();
}
