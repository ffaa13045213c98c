package dev.messagelake.cli;

/** A job that ran and found something wrong (a check that failed): exit code 1, one message. */
public class JobFailed extends RuntimeException {
  public JobFailed(String message) {
    super(message);
  }
}
