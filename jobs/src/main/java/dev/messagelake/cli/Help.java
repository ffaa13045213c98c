package dev.messagelake.cli;

import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A job's {@code --help}: what it reads and writes, its own options with the value a run would use,
 * then the few runner options a user sets. Read from the options interfaces by reflection, so it
 * builds no pipeline and does not start Beam's options registry (seconds of class scanning); {@code
 * --help=all} adds Beam's own listing.
 */
final class Help {
  private static final String OWN_PACKAGE = "dev.messagelake.";
  private static final int WIDTH = 100;
  private static final String RUNNER_DESCRIPTION =
      "DirectRunner (in this JVM, the default), SparkRunner (see --sparkMaster) or FlinkRunner"
          + " (see --flinkMaster)";

  /** The runner options worth showing, from the interfaces that declare them. */
  private static final Map<String, String> RUNNER_OPTIONS =
      Map.of(
          "sparkMaster", "org.apache.beam.runners.spark.SparkCommonPipelineOptions",
          "flinkMaster", "org.apache.beam.runners.flink.FlinkPipelineOptions",
          "checkpointingInterval", "org.apache.beam.runners.flink.FlinkPipelineOptions",
          "targetParallelism", "org.apache.beam.runners.direct.DirectOptions");

  private Help() {}

  /**
   * Prints the help of {@code optionsClass}; {@code given} are the options a run would get
   * (run.sh's defaults from {@code pipelines/<job>}, then the user's), last one winning.
   */
  static void print(
      String jobName,
      Class<? extends PipelineOptions> optionsClass,
      List<String> given,
      PrintStream out) {
    Map<String, String> values = values(given);
    out.println("usage: ./run.sh " + jobName + " [--option=value ...]");
    Description about = optionsClass.getAnnotation(Description.class);
    if (about != null) {
      out.println();
      about.value().lines().forEach(line -> wrap(line, "  ", out));
    }
    out.println();
    out.println(jobName + " options (the value shown is the one a run uses):");
    for (Option option : ownOptions(optionsClass).values()) {
      option.print(values, out);
    }
    out.println();
    out.println("runner options:");
    new Option("runner", "String", RUNNER_DESCRIPTION, Optional.of("DirectRunner"))
        .print(values, out);
    for (Map.Entry<String, String> runnerOption : new TreeMap<>(RUNNER_OPTIONS).entrySet()) {
      runnerOption(runnerOption.getKey(), runnerOption.getValue())
          .ifPresent(option -> option.print(values, out));
    }
    out.println();
    out.println("--help=all lists Beam's own options too.");
  }

  /** Prints {@code text} in lines of at most {@link #WIDTH} columns, each after {@code indent}. */
  static void wrap(String text, String indent, PrintStream out) {
    StringBuilder line = new StringBuilder(indent);
    for (String word : text.trim().split("\\s+")) {
      if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
        out.println(line);
        line.setLength(0);
        line.append(indent);
      }
      line.append(line.length() > indent.length() ? " " : "").append(word);
    }
    out.println(line);
  }

  /** The options of the project's interfaces that {@code optionsClass} extends, by name. */
  static Map<String, Option> ownOptions(Class<?> optionsClass) {
    Map<String, Option> options = new TreeMap<>();
    for (Class<?> type : interfaces(optionsClass)) {
      if (!type.getName().startsWith(OWN_PACKAGE)) {
        continue;
      }
      for (Method method : type.getDeclaredMethods()) {
        property(method).ifPresent(name -> options.putIfAbsent(name, Option.of(name, method)));
      }
    }
    return options;
  }

  private static Optional<Option> runnerOption(String name, String interfaceName) {
    try {
      Class<?> type = Class.forName(interfaceName, false, Help.class.getClassLoader());
      for (Method method : type.getMethods()) {
        if (property(method).filter(name::equals).isPresent()) {
          return Optional.of(Option.of(name, method));
        }
      }
    } catch (ClassNotFoundException | LinkageError absent) {
      // That runner is not on this class path: nothing to show for it.
    }
    return Optional.empty();
  }

  private static Set<Class<?>> interfaces(Class<?> type) {
    Set<Class<?>> all = new LinkedHashSet<>();
    List<Class<?>> pending = new ArrayList<>(List.of(type));
    while (!pending.isEmpty()) {
      Class<?> next = pending.remove(0);
      if (all.add(next)) {
        pending.addAll(List.of(next.getInterfaces()));
      }
    }
    return all;
  }

  /** The property a getter reads ({@code getLake} -> {@code lake}), if it is one. */
  private static Optional<String> property(Method method) {
    String name = method.getName();
    if (method.getParameterCount() != 0
        || Modifier.isStatic(method.getModifiers())
        || method.isDefault()
        || method.getAnnotation(Description.class) == null) {
      return Optional.empty();
    }
    int prefix = name.startsWith("get") ? 3 : name.startsWith("is") ? 2 : 0;
    if (prefix == 0 || name.length() == prefix) {
      return Optional.empty();
    }
    return Optional.of(Character.toLowerCase(name.charAt(prefix)) + name.substring(prefix + 1));
  }

  /** The last value given for each option ({@code --flag} alone means true). */
  static Map<String, String> values(List<String> given) {
    Map<String, String> values = new TreeMap<>();
    for (String arg : given) {
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        values.put(
            eq < 0 ? arg.substring(2) : arg.substring(2, eq),
            eq < 0 ? "true" : arg.substring(eq + 1));
      }
    }
    return values;
  }

  /** One option: its name, type, description and its interface's default, if it has one. */
  record Option(String name, String type, String description, Optional<String> defaultValue) {
    static Option of(String name, Method getter) {
      return new Option(
          name,
          getter.getReturnType().getSimpleName(),
          getter.getAnnotation(Description.class).value(),
          defaultOf(getter));
    }

    /** The value a run uses: the one given (pipelines file or command line), else the default. */
    Optional<String> value(Map<String, String> given) {
      return Optional.ofNullable(given.get(name)).or(() -> defaultValue);
    }

    void print(Map<String, String> given, PrintStream out) {
      out.println(
          "  --"
              + name
              + "="
              + value(given).map(v -> v.isEmpty() ? "\"\"" : v).orElse("<" + type + ">"));
      wrap(description, "      ", out);
    }

    /** The value of its {@code @Default.X} annotation; none for a default computed at run time. */
    private static Optional<String> defaultOf(Method getter) {
      for (Annotation annotation : getter.getAnnotations()) {
        Class<? extends Annotation> type = annotation.annotationType();
        if (type.getEnclosingClass() == Default.class && type != Default.InstanceFactory.class) {
          try {
            return Optional.of(String.valueOf(type.getMethod("value").invoke(annotation)));
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + annotation, e);
          }
        }
      }
      return Optional.empty();
    }
  }
}
