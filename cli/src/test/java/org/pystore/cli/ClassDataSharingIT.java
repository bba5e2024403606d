package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.storage.LocalStorage;

/**
 * The {@code ./pystore} script's class-data sharing: the first run records an archive beside the
 * jar, later runs use it, a rebuilt jar gets a new one, and none of it changes what a command
 * prints or its exit status.
 */
class ClassDataSharingIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path CDS = ROOT.resolve("cli/target/cds");

  @TempDir Path dir;

  record Run(int status, String out) {}

  private Run pystore(String... args) throws Exception {
    Path out = dir.resolve("out.txt");
    List<String> cmd = new java.util.ArrayList<>(List.of(ROOT.resolve("pystore").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    pb.environment().remove("PYSTORE_STORE");
    pb.environment().remove("PYSTORE_CDS");
    Process p = pb.start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  private static List<Path> archives() throws Exception {
    if (!Files.isDirectory(CDS)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(CDS)) {
      return s.sorted().toList();
    }
  }

  @Test
  void theFirstRunRecordsAnArchiveThatLaterRunsUseAndARebuiltJarReplaces() throws Exception {
    LocalStorage.deleteTree(CDS);
    String missing = dir.resolve("no-store").toString();

    Run first = pystore("--store", missing, "items", "ticks");
    List<Path> recorded = archives();
    assertThat(recorded).as("archives after the first run").hasSize(1);
    assertThat(recorded.get(0).getFileName().toString()).matches("pystore-cli-\\d+\\.jsa");
    assertThat(Files.size(recorded.get(0))).isGreaterThan(1_000_000L);

    Run second = pystore("--store", missing, "items", "ticks");
    assertThat(first.status()).as(first.out()).isEqualTo(1);
    assertThat(second).isEqualTo(first); // same message, same status: nothing about the archive
    assertThat(first.out()).contains("does not exist").doesNotContain("cds");
    assertThat(archives()).isEqualTo(recorded);
    FileTime kept = Files.getLastModifiedTime(recorded.get(0));

    // a rebuilt jar: the archive no longer matches it and is recorded again
    Path jar = ROOT.resolve("cli/target/pystore-cli.jar");
    Files.setLastModifiedTime(jar, FileTime.fromMillis(kept.toMillis() + 2_000));
    Run rebuilt = pystore("--version");
    assertThat(rebuilt.status()).isZero();
    assertThat(rebuilt.out()).startsWith("pystore ");
    assertThat(archives()).isEqualTo(recorded); // same name, new content
    assertThat(Files.getLastModifiedTime(recorded.get(0))).isGreaterThan(kept);
    assertThat(archives()).noneMatch(p -> p.toString().matches(".*\\.jsa\\.\\d+"));
  }

  /**
   * {@code ./pystore compactor ... --once}, as the docs give it: one pass, an archive of its own.
   */
  @Test
  void theCompactorRunsOncePerTheScriptWithItsOwnArchive() throws Exception {
    Path compactorCds = ROOT.resolve("compactor/target/cds");
    LocalStorage.deleteTree(compactorCds);
    Path store = dir.resolve("store");
    Path csv = dir.resolve("t.csv");
    for (int i = 0; i < 4; i++) {
      String verb = i == 0 ? "write" : "append";
      Files.writeString(csv, "ts,price\n2024-01-02T1" + i + ":00:00Z," + i + ".5\n");
      Run r = pystore("--store", store.toString(), verb, "ticks/A", "--csv", csv.toString());
      assertThat(r.status()).as(r.out()).isZero();
    }
    Path config = dir.resolve("compactor.properties");
    String shipped = Files.readString(ROOT.resolve("config/compactor.properties"));
    Files.writeString(
        config, shipped.replace("store.path=./demo-store", "store.path=" + store.toAbsolutePath()));
    for (int run = 0; run < 2; run++) {
      Run once = pystore("compactor", "--config", config.toString(), "--once");
      assertThat(once.status()).as(once.out()).isZero();
      Run info = pystore("--store", store.toString(), "info", "ticks/A", "--json");
      assertThat(info.out()).contains("\"parts\" : 1").contains("\"rows\" : 4");
    }
    try (Stream<Path> s = Files.list(compactorCds)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList())
          .singleElement()
          .satisfies(n -> assertThat(n).matches("pystore-compactor-\\d+\\.jsa"));
    }
  }
}
