package dev.messagelake.cli;

/**
 * A job that ran and found something wrong (a check that failed): one message, and exit code 1
 * unless the job documents another for this outcome.
 */
public class JobFailed extends RuntimeException {
  public final int exitCode;

  public JobFailed(String message) {
    this(message, JobLauncher.FAILED);
  }

  public JobFailed(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}
