package dev.messagelake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.messagelake.storage.LakeStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a Spark Structured Streaming checkpoint says of a file source: which batch took each file
 * ({@code sources/0/<batch>}, compacted every 10 batches into {@code <batch>.compact}, one JSON
 * entry per line with path and batchId), and when each batch finished ({@code commits/<batch>}).
 */
final class SparkStreamingLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SparkStreamingLog() {}

  /** When each input file (relative to {@code sourceFolder}) was committed: its batch's end. */
  static Map<Path, Long> commitTimes(Path checkpoint, Path sourceFolder) {
    Map<Path, Long> times = new HashMap<>();
    for (Path log : LakeStorage.local().listFiles(checkpoint.resolve("sources").resolve("0"))) {
      if (log.getFileName().toString().startsWith(".")) {
        continue; // Hadoop's .crc side files
      }
      try {
        for (String line : Files.readAllLines(log)) {
          if (!line.startsWith("{")) {
            continue; // the "v1" version line
          }
          JsonNode entry = JSON.readTree(line);
          Path commit = checkpoint.resolve("commits").resolve(entry.get("batchId").asText());
          if (Files.exists(commit)) {
            Path file = Path.of(URI.create(entry.get("path").asText()));
            times.put(
                sourceFolder.toAbsolutePath().relativize(file),
                LakeStorage.local().modifiedMillis(commit));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the Spark checkpoint file " + log, e);
      }
    }
    return times;
  }
}
