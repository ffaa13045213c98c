package dev.messagelake.cli;

/**
 * A mistake of the user's (bad option, unusable path, edited folder): reported as one line on
 * stderr with exit code 2, never as a stack trace.
 */
public class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }

  /** The same, keeping what caused it (for callers that tell causes apart, and debug logs). */
  public UserError(String message, Throwable cause) {
    super(message, cause);
  }

  /** Fails unless {@code value} is at least {@code min}: "--name must be at least min, got v". */
  public static void requireAtLeast(String option, long value, long min) {
    if (value < min) {
      throw new UserError(option + " must be at least " + min + ", got " + value);
    }
  }

  /** Fails unless a --durationSeconds is 0 (run until stopped) or more. */
  public static void requireDuration(int durationSeconds) {
    if (durationSeconds < 0) {
      throw new UserError(
          "--durationSeconds must be 0 (run until stopped) or more, got " + durationSeconds);
    }
  }
}
