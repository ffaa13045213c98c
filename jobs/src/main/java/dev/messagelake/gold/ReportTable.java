package dev.messagelake.gold;

import dev.messagelake.storage.LakeStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A report: a header and rows of cells (null for empty), as CSV and as an aligned table. */
final class ReportTable {
  final List<String> header;
  final List<List<String>> rows;

  ReportTable(List<String> header, List<List<String>> rows) {
    this.header = header;
    this.rows = rows;
  }

  /** Comma-separated, a header line, no index column; null cells are empty. */
  String toCsv() {
    StringBuilder csv = new StringBuilder();
    csvLine(csv, header);
    for (List<String> row : rows) {
      csvLine(csv, row);
    }
    return csv.toString();
  }

  /** Replaces {@code folder/<name>.csv} in one step, and removes any other file of the folder. */
  void writeCsv(LakeStorage storage, Path folder, String name) {
    storage.createDirectories(folder);
    Path target = folder.resolve(name + ".csv");
    storage.writeAtomically(target, toCsv());
    for (Path other : storage.listFiles(folder)) {
      if (!other.equals(target) && !LakeStorage.hiddenBelow(folder, other)) {
        storage.delete(other);
      }
    }
  }

  /** Like Spark's DataFrame.show(): right-aligned cells between rules, NULL for nulls. */
  String toAlignedTable(int maxRows) {
    int[] widths = new int[header.size()];
    List<List<String>> shown = rows.subList(0, Math.min(maxRows, rows.size()));
    for (int c = 0; c < widths.length; c++) {
      widths[c] = header.get(c).length();
      for (List<String> row : shown) {
        widths[c] = Math.max(widths[c], show(row.get(c)).length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int width : widths) {
      rule.append("-".repeat(width)).append('+');
    }
    StringBuilder table = new StringBuilder();
    table.append(rule).append('\n');
    alignedLine(table, header, widths);
    table.append(rule).append('\n');
    for (List<String> row : shown) {
      alignedLine(table, row, widths);
    }
    table.append(rule).append('\n');
    if (rows.size() > shown.size()) {
      table
          .append("only showing top ")
          .append(maxRows)
          .append(" of ")
          .append(rows.size())
          .append(" rows\n");
    }
    return table.toString();
  }

  private static void alignedLine(StringBuilder out, List<String> cells, int[] widths) {
    out.append('|');
    for (int c = 0; c < widths.length; c++) {
      String cell = show(cells.get(c));
      out.append(" ".repeat(widths[c] - cell.length())).append(cell).append('|');
    }
    out.append('\n');
  }

  private static String show(String cell) {
    return cell == null ? "NULL" : cell;
  }

  private static void csvLine(StringBuilder out, List<String> cells) {
    List<String> quoted = new ArrayList<>(cells.size());
    for (String cell : cells) {
      quoted.add(csvField(cell));
    }
    out.append(String.join(",", quoted)).append('\n');
  }

  static String csvField(String cell) {
    if (cell == null) {
      return "";
    }
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.isEmpty()) {
      return "\"" + cell.replace("\"", "\"\"") + "\"";
    }
    return cell;
  }
}
