package dev.messagelake.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a command line into a job's {@link PipelineOptions} and runs the job, answering the user
 * the way a command-line tool should: {@code --help} lists the job's options, a bad option or any
 * other {@link UserError} is one line on stderr and exit code 2, never a stack trace.
 *
 * <p>Options may repeat: the last one wins, so {@code run.sh} can pass a job's defaults from {@code
 * pipelines/<job>} followed by the user's own options.
 */
public final class JobLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(JobLauncher.class);

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  /** A job stopped by a signal before it could finish its work (128 + SIGINT, as a shell says). */
  public static final int STOPPED = 130;

  private static final List<String> STORAGE_REASONS =
      List.of(
          "No space left on device",
          "Read-only file system",
          "Disk quota exceeded",
          "Permission denied");

  /** Beam's "missing a property named 'x'. Did you mean 'y'?" (or "one of [y, z]"). */
  private static final Pattern UNKNOWN_OPTION =
      Pattern.compile("missing a property named '([^']+)'");

  /** Jackson's words for a value that is none of an enum option's constants. */
  private static final Pattern NOT_ONE_OF =
      Pattern.compile(
          "from String \"([^\"]*)\": not one of the values accepted for Enum class:"
              + " \\[([^\\]]*)\\]");

  private static final Pattern SUGGESTION =
      Pattern.compile("Did you mean (?:'([^']+)'|one of \\[([^\\]]+)\\])");

  /** A job's body, given its parsed options. */
  public interface Job<T extends PipelineOptions> {
    void run(T options) throws Exception;
  }

  private JobLauncher() {}

  /** Parses {@code args}, runs the job, returns the process exit code. */
  public static <T extends PipelineOptions> int run(
      String jobName, String[] args, Class<T> optionsClass, Job<T> job) {
    return run(jobName, args, optionsClass, job, System.out, System.err);
  }

  public static <T extends PipelineOptions> int run(
      String jobName,
      String[] args,
      Class<T> optionsClass,
      Job<T> job,
      PrintStream out,
      PrintStream err) {
    List<String> merged = lastOneWins(args);
    if (merged.contains("--help") || merged.contains("-h") || merged.contains("--help=all")) {
      Help.print(jobName, optionsClass, merged, out);
      if (merged.contains("--help=all")) {
        out.println();
        PipelineOptionsFactory.printHelp(out, optionsClass);
      }
      return OK;
    }
    try {
      StopSignal.install(jobName);
      T options = parse(merged, optionsClass);
      ClusterReach.check(options);
      job.run(options);
      return OK;
    } catch (JobFailed e) {
      err.println(jobName + ": " + e.getMessage());
      return e.exitCode;
    } catch (UserError e) {
      err.println(jobName + ": " + e.getMessage());
      return USAGE;
    } catch (Exception | OutOfMemoryError e) {
      if (outOfMemory(e)) {
        LOG.debug("{} ran out of memory", jobName, e);
        err.println(
            jobName
                + ": ran out of memory (a "
                + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MB heap). The Direct runner keeps a job's data in memory: give it more"
                + " (JAVA_OPTS=-Xmx...) or run it on Spark (--runner=SparkRunner), which spills to"
                + " disk");
        return FAILED;
      }
      String storage = storageFailure(e);
      if (storage != null) {
        LOG.debug("{} could not write", jobName, e);
        err.println(
            jobName
                + ": cannot write the lake: "
                + storage
                + ". What was committed"
                + " stands and nothing half-written is visible; fix this and run again to go on");
        return FAILED;
      }
      LOG.error("{} failed", jobName, e);
      err.println(jobName + ": failed: " + e);
      return FAILED;
    }
  }

  /** Whether the JVM's heap ran out, found anywhere in the cause chain (runners wrap it). */
  static boolean outOfMemory(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }

  /**
   * The file system refusing a write (a full disk, a read-only mount, no permission), found
   * anywhere in the cause chain, as "reason (path)"; null for any other failure.
   */
  static String storageFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage();
      if (!(cause instanceof IOException) || message == null) {
        continue;
      }
      for (String reason : STORAGE_REASONS) {
        if (message.contains(reason)) {
          String where = message.replace(reason, "").replaceAll("^[\\s:]+|[\\s:(]+$", "");
          return where.isEmpty() ? reason : reason + " (" + where + ")";
        }
      }
    }
    return null;
  }

  /**
   * Parses options the way Beam does, turning its complaints into one-line user errors. The
   * interface is not registered with the factory: registered interfaces must agree on every
   * default, and two jobs may give one option (--triggerSeconds) different defaults.
   */
  public static <T extends PipelineOptions> T parse(List<String> args, Class<T> optionsClass) {
    try {
      return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
          .withValidation()
          .as(optionsClass);
    } catch (IllegalArgumentException e) {
      String message = firstLine(e.getMessage());
      Matcher unknown = UNKNOWN_OPTION.matcher(message);
      if (unknown.find()) {
        Matcher guess = SUGGESTION.matcher(message);
        String hint = " (see --help)";
        if (guess.find()) {
          hint = " (did you mean " + options(guess.group(guess.group(1) != null ? 1 : 2)) + "?)";
        }
        throw new UserError("unknown option --" + unknown.group(1) + hint);
      }
      Matcher notOneOf = NOT_ONE_OF.matcher(message);
      if (notOneOf.find()) {
        String option = culprit(args, optionsClass);
        String name = option.isEmpty() ? "the value" : option.substring(0, option.indexOf('='));
        throw new UserError(
            name
                + " must be "
                + notOneOf.group(2).replace(", ", " or ")
                + ", got "
                + notOneOf.group(1));
      }
      throw new UserError(culprit(args, optionsClass) + message + " (see --help)");
    }
  }

  private static String options(String names) {
    return Arrays.stream(names.split(",\\s*"))
        .map(name -> "--" + name)
        .collect(Collectors.joining(" or "));
  }

  /** Names the option Beam could not take (its message does not always say), as "--x=y: ". */
  private static String culprit(List<String> args, Class<? extends PipelineOptions> optionsClass) {
    for (String arg : args) {
      try {
        PipelineOptionsFactory.fromArgs(arg).as(optionsClass);
      } catch (IllegalArgumentException e) {
        return arg + ": ";
      }
    }
    return "";
  }

  /** Keeps the last of repeated {@code --name[=value]} options, in first-seen order. */
  public static List<String> lastOneWins(String[] args) {
    Map<String, String> byName = new LinkedHashMap<>();
    List<String> others = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--") && arg.length() > 2) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        byName.remove(name);
        byName.put(name, arg);
      } else {
        others.add(arg);
      }
    }
    List<String> merged = new ArrayList<>(byName.values());
    merged.addAll(others);
    return merged;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid options";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
