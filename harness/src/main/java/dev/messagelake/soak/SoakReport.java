package dev.messagelake.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The soak's report: a markdown table and verdicts, an HTML page of charts, the samples as CSV. */
final class SoakReport {
  private static final int WIDTH = 360;
  private static final int HEIGHT = 110;
  private static final int MARGIN = 6;

  private SoakReport() {}

  static String markdown(
      Samples samples, Map<String, Trend> trends, Soak.Options options, long durationSeconds) {
    StringBuilder out = new StringBuilder();
    out.append(title(samples, options, durationSeconds)).append("\n\n");
    out.append("| s |");
    samples.series.forEach(name -> out.append(' ').append(name).append(" |"));
    out.append("\n|---:|");
    samples.series.forEach(name -> out.append("---:|"));
    out.append('\n');
    for (int row = 0; row < samples.size(); row++) {
      out.append("| ").append(Math.round(samples.second(row))).append(" |");
      for (int column = 0; column < samples.series.size(); column++) {
        out.append(' ').append(number(samples.value(row, column))).append(" |");
      }
      out.append('\n');
    }
    out.append('\n').append(rule()).append("\n\n");
    out.append(
        "| series | first | last | mean, 2nd half | slope per hour | rise over 2nd half |"
            + " noise (sd) | slope / std error | verdict |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (String name : samples.series) {
      Trend trend = trends.get(name);
      double[] values = samples.column(name);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              name,
              number(first(values)),
              number(last(values)),
              number(trend.mean),
              signed(trend.slopePerHour),
              signed(trend.rise),
              number(trend.noise),
              number(trend.standardErrors),
              trend.growing() ? "**growing**" : trend.verdict));
    }
    return out.toString();
  }

  /** Writes soak.md, soak.html and samples.csv into {@code folder}; returns them. */
  static List<Path> write(
      Path folder,
      String markdown,
      Samples samples,
      Map<String, Trend> trends,
      Soak.Options options,
      long durationSeconds)
      throws IOException {
    Files.createDirectories(folder);
    Path md = Files.writeString(folder.resolve("soak.md"), markdown);
    Path html =
        Files.writeString(
            folder.resolve("soak.html"), html(samples, trends, options, durationSeconds));
    Path csv = Files.writeString(folder.resolve("samples.csv"), csv(samples));
    return List.of(md, html, csv);
  }

  private static String title(Samples samples, Soak.Options options, long durationSeconds) {
    return String.format(
        Locale.ROOT,
        "## Soak: ./run.sh lake --realtime at %d rows/s for %d s, a sample every %d s (%d samples)",
        options.getRowsPerSecond(),
        durationSeconds,
        options.getSampleSeconds(),
        samples.size());
  }

  private static String rule() {
    return String.format(
        Locale.ROOT,
        "Verdicts over the second half of the run (the first is warm-up): growing when the"
            + " least-squares slope would add more than %.0f%% of the mean per hour and its rise"
            + " over the half exceeds %.0f x the residuals' standard deviation and the slope %.0f"
            + " standard errors (over the residuals' effective number of independent samples);"
            + " flat otherwise.",
        Trend.GROWTH_PER_HOUR * 100,
        Trend.NOISE_FACTOR,
        Trend.SIGNIFICANCE);
  }

  private static String html(
      Samples samples, Map<String, Trend> trends, Soak.Options options, long durationSeconds) {
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Soak</title>\n")
        .append("<style>body{font-family:sans-serif;margin:20px}figure{display:inline-block;")
        .append("margin:8px;vertical-align:top}figcaption{font-size:13px}")
        .append(".growing{color:#b00;font-weight:bold}svg{background:#fafafa;")
        .append("border:1px solid #ddd}</style></head><body>\n<h2>")
        .append(escape(title(samples, options, durationSeconds).substring(3)))
        .append("</h2>\n<p>")
        .append(escape(rule()))
        .append(" The dashed line is the fit over the second half.</p>\n");
    double[] seconds = samples.seconds();
    double end = Math.max(1, last(seconds));
    for (String name : samples.series) {
      Trend trend = trends.get(name);
      double[] values = samples.column(name);
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double value : values) {
        if (!Double.isNaN(value)) {
          min = Math.min(min, value);
          max = Math.max(max, value);
        }
      }
      if (min > max) {
        min = 0;
        max = 1;
      } else if (min == max) {
        max = min + 1;
      }
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < values.length; i++) {
        if (!Double.isNaN(values[i])) {
          points.append(
              String.format(Locale.ROOT, "%.1f,%.1f ", x(seconds[i], end), y(values[i], min, max)));
        }
      }
      out.append("<figure><svg width=\"")
          .append(WIDTH)
          .append("\" height=\"")
          .append(HEIGHT)
          .append("\" viewBox=\"0 0 ")
          .append(WIDTH)
          .append(' ')
          .append(HEIGHT)
          .append("\">")
          .append("<polyline fill=\"none\" stroke=\"#2a6ebb\" stroke-width=\"1.5\" points=\"")
          .append(points.toString().trim())
          .append("\"/>");
      if (!Double.isNaN(trend.slopePerHour)) {
        double from = end / 2;
        double slope = trend.slopePerHour / 3600;
        double midT = (from + end) / 2; // the fit passes through the mean near the half's middle
        out.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                    + " stroke-dasharray=\"4 3\"/>",
                x(from, end),
                y(trend.mean + slope * (from - midT), min, max),
                x(end, end),
                y(trend.mean + slope * (end - midT), min, max),
                trend.growing() ? "#b00" : "#888"));
      }
      out.append(
          String.format(
              Locale.ROOT,
              "<text x=\"4\" y=\"12\" font-size=\"10\">%s</text><text x=\"4\" y=\"%d\""
                  + " font-size=\"10\">%s</text><text x=\"%d\" y=\"%d\" font-size=\"10\""
                  + " text-anchor=\"end\">%d s</text></svg>",
              number(max),
              HEIGHT - 4,
              number(min),
              WIDTH - 4,
              HEIGHT - 4,
              Math.round(end)));
      out.append("<figcaption>")
          .append(escape(name))
          .append(": <span class=\"")
          .append(trend.growing() ? "growing" : "flat")
          .append("\">")
          .append(trend.verdict)
          .append("</span>, ")
          .append(escape(signed(trend.slopePerHour)))
          .append(" per hour (mean ")
          .append(escape(number(trend.mean)))
          .append(")</figcaption></figure>\n");
    }
    out.append("</body></html>\n");
    return out.toString();
  }

  private static String csv(Samples samples) {
    StringBuilder out = new StringBuilder("seconds");
    samples.series.forEach(name -> out.append(',').append(name));
    out.append('\n');
    for (int row = 0; row < samples.size(); row++) {
      out.append(String.format(Locale.ROOT, "%.1f", samples.second(row)));
      for (int column = 0; column < samples.series.size(); column++) {
        double value = samples.value(row, column);
        out.append(',').append(Double.isNaN(value) ? "" : number(value));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static double x(double second, double end) {
    return MARGIN + second / end * (WIDTH - 2 * MARGIN);
  }

  private static double y(double value, double min, double max) {
    return HEIGHT - 16 - (value - min) / (max - min) * (HEIGHT - 16 - 16);
  }

  private static double first(double[] values) {
    for (double value : values) {
      if (!Double.isNaN(value)) {
        return value;
      }
    }
    return Double.NaN;
  }

  private static double last(double[] values) {
    for (int i = values.length - 1; i >= 0; i--) {
      if (!Double.isNaN(values[i])) {
        return values[i];
      }
    }
    return Double.NaN;
  }

  /** Counts as integers, measures with one decimal, nothing read as "-". */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "-";
    }
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? String.valueOf((long) value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String signed(double value) {
    return Double.isNaN(value)
        ? "-"
        : (value > 0 ? "+" : "") + String.format(Locale.ROOT, "%.1f", value);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
