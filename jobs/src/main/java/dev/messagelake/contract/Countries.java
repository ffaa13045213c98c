package dev.messagelake.contract;

import dev.messagelake.cli.UserError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The countries table (country_id -> country name). The project ships it as {@code countries.csv};
 * a user may point at another CSV with the same two columns.
 */
public final class Countries {
  private static final String BUNDLED = "countries.csv";

  private Countries() {}

  /** The table shipped with the project. */
  public static Map<Integer, String> bundled() {
    try (InputStream in = Countries.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + BUNDLED);
      }
      return parse(in, "bundled " + BUNDLED);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read bundled " + BUNDLED, e);
    }
  }

  /** A user's CSV: header {@code country_id,country}, one country per line. */
  public static Map<Integer, String> fromCsv(Path csv) {
    try (InputStream in = Files.newInputStream(csv)) {
      return parse(in, csv.toString());
    } catch (IOException e) {
      throw new UserError("cannot read countries file " + csv + ": " + e.getMessage());
    }
  }

  private static Map<Integer, String> parse(InputStream in, String source) throws IOException {
    Map<Integer, String> countries = new LinkedHashMap<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String header = reader.readLine();
    if (header == null || !header.trim().equalsIgnoreCase("country_id,country")) {
      throw new UserError(source + ": expected the header 'country_id,country', got: " + header);
    }
    String line;
    int lineNumber = 1;
    while ((line = reader.readLine()) != null) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      int comma = line.indexOf(',');
      String name = comma < 0 ? "" : line.substring(comma + 1).trim();
      Integer id = comma < 0 ? null : parseId(line.substring(0, comma).trim());
      if (id == null || name.isEmpty()) {
        throw new UserError(
            source + " line " + lineNumber + ": expected '<integer id>,<name>', got: " + line);
      }
      if (countries.put(id, name) != null) {
        throw new UserError(source + " line " + lineNumber + ": country_id " + id + " repeated");
      }
    }
    return Collections.unmodifiableMap(countries);
  }

  private static Integer parseId(String text) {
    try {
      return Integer.valueOf(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
