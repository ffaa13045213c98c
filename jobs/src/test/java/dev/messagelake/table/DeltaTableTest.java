package dev.messagelake.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.contract.LakeSchemas;
import dev.messagelake.storage.LakeStorage;
import dev.messagelake.table.DeltaTable.NewFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Delta table's commits through Delta Kernel: idempotent appends, rewrites, versions. */
class DeltaTableTest {
  @TempDir Path root;

  private NewFile file(String date, String name) throws Exception {
    Path file = root.resolve("date=" + date).resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "not read: the log only names it");
    return new NewFile(file, date, Files.size(file), Files.getLastModifiedTime(file).toMillis(), 3);
  }

  private Set<Path> paths(List<DeltaTable.TableFile> files) {
    return files.stream().map(f -> f.path).collect(Collectors.toSet());
  }

  @Test
  void aTransactionIsCommittedOnceAndEachVersionKeepsItsFiles() throws Exception {
    DeltaTable table = DeltaTable.at(LakeStorage.local(), root);
    assertTrue(table.latestVersion().isEmpty());
    assertEquals(-1, table.transactionVersion("app"));
    var schema = DeltaTable.schemaOf(LakeSchemas.SILVER);

    NewFile a = file("2026-12-01", "a.parquet");
    NewFile b = file("2026-12-02", "b.parquet");
    assertEquals(OptionalLong.of(0), table.append(schema, "app", 1, List.of(a, b)));
    assertEquals(OptionalLong.empty(), table.append(schema, "app", 1, List.of(a, b)), "replayed");
    NewFile c = file("2026-12-02", "c.parquet");
    assertEquals(OptionalLong.of(1), table.append(schema, "app", 2, List.of(c)));
    assertEquals(2, table.transactionVersion("app"));
    assertEquals(1, table.transactionVersion("app", 0));
    assertEquals(Set.of(a.path, b.path, c.path), paths(table.files()));
    assertEquals(
        List.of("2026-12-01", "2026-12-02", "2026-12-02"),
        table.files().stream().map(f -> f.date).collect(Collectors.toList()));

    // b and c rewritten into d: the newest version lists a and d, the earlier ones theirs.
    NewFile d = file("2026-12-02", "d.parquet");
    List<DeltaTable.TableFile> day2 =
        table.files().stream()
            .filter(f -> f.date.equals("2026-12-02"))
            .collect(Collectors.toList());
    assertEquals(2, table.rewrite(day2, List.of(d)));
    assertEquals(Set.of(a.path, d.path), paths(table.files()));
    assertEquals(Set.of(a.path, b.path), paths(table.files(0)));
    assertEquals(Set.of(a.path, b.path, c.path, d.path), table.filesSince(1));
    assertEquals(Set.of(a.path, d.path), table.filesSince(2));
    assertEquals(Set.of(a.path, b.path, c.path, d.path), table.filesEverAdded());
    assertEquals(2, table.transactionVersion("app"), "a rewrite carries no transaction");
    assertEquals(OptionalLong.of(2), table.versionAt(System.currentTimeMillis()));
    assertTrue(Files.isDirectory(root.resolve(DeltaTable.LOG_FOLDER)));
  }
}
