package dev.messagelake.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.messagelake.cli.UserError;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promises the commit protocols rest on, kept alike by the local disk and by a real HDFS (one
 * NameNode and one DataNode started by {@code ./run.sh hdfs}).
 */
class LakeStorageContractTest {
  @TempDir static Path servers;
  @TempDir Path local;
  private static HdfsServer hdfs;

  @BeforeAll
  static void startHdfs() throws Exception {
    hdfs = HdfsServer.start(servers);
  }

  @AfterAll
  static void stopHdfs() throws Exception {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  private static Configuration client() {
    Configuration conf = new Configuration();
    conf.set("dfs.replication", "1");
    return conf;
  }

  @Test
  void localDiskKeepsTheContract() {
    contract(LakeStorage.local(), local.resolve("lake"));
  }

  @Test
  void hdfsKeepsTheContract() {
    LakeStorage storage = LakeStorage.hadoop(hdfs.uri(), client());
    contract(storage, Path.of("/contract/lake"));
    assertEquals(
        hdfs.uri() + "/contract/lake/x.parquet",
        storage.location(Path.of("/contract/lake/x.parquet")));
  }

  @Test
  void hdfsPathWithoutPermissionIsOneLineForTheUser() throws Exception {
    try (FileSystem fs = hdfs.client()) {
      org.apache.hadoop.fs.Path locked = new org.apache.hadoop.fs.Path("/locked");
      fs.mkdirs(locked);
      fs.setPermission(locked, new FsPermission((short) 0755)); // the NameNode's user's only
    }
    UserError refused =
        UserGroupInformation.createRemoteUser("alice")
            .doAs(
                (PrivilegedExceptionAction<UserError>)
                    () -> {
                      Configuration conf = client();
                      // a client of its own: FileSystem.get caches one per user and URI
                      conf.setBoolean("fs.hdfs.impl.disable.cache", true);
                      LakeStorage storage = LakeStorage.hadoop(hdfs.uri(), conf);
                      return assertThrows(
                          UserError.class,
                          () -> storage.requireWritableDirectory(Path.of("/locked/lake")));
                    });
    assertThat(refused.getMessage(), containsString("/locked is not writable"));
    assertFalse(refused.getMessage().contains("\n"), refused.getMessage());
  }

  private static void contract(LakeStorage storage, Path root) {
    storage.requireWritableDirectory(root);
    assertFalse(storage.exists(root));
    assertEquals(List.of(), storage.list(root));
    assertEquals(List.of(), storage.filesUnder(root));

    Path dir = root.resolve("date=2026-12-02");
    storage.createDirectories(dir);
    assertTrue(storage.isDirectory(dir));
    assertTrue(storage.createAtomically(dir.resolve("b.txt"), "first"));
    assertFalse(storage.createAtomically(dir.resolve("b.txt"), "second"), "created twice");
    assertEquals("first", storage.read(dir.resolve("b.txt")));
    storage.writeAtomically(dir.resolve("b.txt"), "replaced");
    assertEquals("replaced", storage.read(dir.resolve("b.txt")));

    storage.createDirectories(root.resolve(".hidden"));
    storage.writeAtomically(root.resolve(".hidden").resolve("a.txt"), "hidden");
    storage.writeAtomically(dir.resolve("a.parquet"), "not really parquet");
    // staged, then published with one rename that never overwrites
    storage.rename(dir.resolve("a.parquet"), dir.resolve("c.parquet"));
    assertFalse(storage.exists(dir.resolve("a.parquet")));
    storage.writeAtomically(dir.resolve("d.parquet"), "another");
    assertThrows(
        IllegalStateException.class,
        () -> storage.rename(dir.resolve("d.parquet"), dir.resolve("c.parquet")));
    assertEquals("not really parquet", storage.read(dir.resolve("c.parquet")));

    assertEquals(
        List.of(dir.resolve("b.txt"), dir.resolve("c.parquet"), dir.resolve("d.parquet")),
        storage.listFiles(dir));
    assertEquals(List.of(root.resolve(".hidden"), dir), storage.list(root));
    assertEquals(
        List.of(
            root.resolve(".hidden/a.txt"),
            dir.resolve("b.txt"),
            dir.resolve("c.parquet"),
            dir.resolve("d.parquet")),
        storage.filesUnder(root));
    assertEquals(
        List.of(dir.resolve("c.parquet"), dir.resolve("d.parquet")),
        storage.parquetFilesUnder(root));
    assertTrue(storage.modifiedMillis(dir.resolve("c.parquet")) > 0);

    UserError file =
        assertThrows(
            UserError.class,
            () -> storage.requireWritableDirectory(dir.resolve("b.txt").resolve("lake")));
    assertThat(file.getMessage(), containsString("which is a file"));

    storage.delete(root);
    assertFalse(storage.exists(root));
    storage.delete(root); // nothing to delete: nothing happens
  }
}
