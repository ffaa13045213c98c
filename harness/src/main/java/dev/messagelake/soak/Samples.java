package dev.messagelake.soak;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The soak's samples: one row per moment, one column per series, NaN where none was read. */
public final class Samples {
  static final String RSS = " RSS MB";
  static final String HEAP = " heap after GC MB";
  static final String FDS = " open fds";
  static final String THREADS = " threads";
  static final String DASHBOARD = "dashboard /api/summary ms";

  final List<String> series;
  private final List<Double> seconds = new ArrayList<>();
  private final List<double[]> rows = new ArrayList<>();

  Samples(List<String> series) {
    this.series = List.copyOf(series);
  }

  /** The series of a soak: per JVM, then the dashboard, then each checkpoint folder's files. */
  static List<String> seriesNames(Collection<String> checkpointFolders) {
    List<String> names = new ArrayList<>();
    for (String jvm : List.of("lake", "broker")) {
      for (String measure : List.of(RSS, HEAP, FDS, THREADS)) {
        names.add(jvm + measure);
      }
    }
    names.add(DASHBOARD);
    for (String folder : checkpointFolders) {
      names.add("files " + folder);
    }
    return names;
  }

  /** The name of the series counting the files of a checkpoint folder. */
  public static String files(String folder) {
    return "files " + folder;
  }

  /** The name of a JVM's series: {@code jvm} is lake or broker, {@code measure} heap, fds, ... */
  public static String of(String jvm, String measure) {
    switch (measure) {
      case "rss":
        return jvm + RSS;
      case "heap":
        return jvm + HEAP;
      case "fds":
        return jvm + FDS;
      case "threads":
        return jvm + THREADS;
      default:
        throw new IllegalArgumentException(measure);
    }
  }

  void add(double second, Map<String, Double> values) {
    double[] row = new double[series.size()];
    for (int i = 0; i < row.length; i++) {
      if (series.get(i).startsWith("files ")) {
        row[i] = values.getOrDefault(series.get(i).substring("files ".length()), Double.NaN);
      } else {
        row[i] = values.getOrDefault(series.get(i), Double.NaN);
      }
    }
    seconds.add(second);
    rows.add(row);
  }

  public int size() {
    return rows.size();
  }

  public List<String> series() {
    return series;
  }

  double[] seconds() {
    return seconds.stream().mapToDouble(Double::doubleValue).toArray();
  }

  double second(int row) {
    return seconds.get(row);
  }

  double value(int row, int column) {
    return rows.get(row)[column];
  }

  /** One series over time. */
  public double[] column(String name) {
    int column = series.indexOf(name);
    if (column < 0) {
      throw new IllegalArgumentException("no series " + name + " in " + series);
    }
    return rows.stream().mapToDouble(row -> row[column]).toArray();
  }
}
