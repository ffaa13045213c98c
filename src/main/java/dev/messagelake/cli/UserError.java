package dev.messagelake.cli;

/**
 * A mistake of the user's (bad option, unusable path, edited folder): reported as one line on
 * stderr with exit code 2, never as a stack trace.
 */
public class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }
}
