package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.log.PartInfo;

/** {@link Verifier} finds each kind of damage it claims to, and nothing on a healthy store. */
class VerifierTest {
  @TempDir Path root;
  Store store;
  Item item;

  @BeforeEach
  void healthyStore() {
    store = Store.open(root);
    item = store.item("c", "i");
    item.write(Ticks.SCHEMA, Ticks.series(50, 0), ItemOptions.defaults(), Map.of(), false);
    for (int i = 1; i <= 4; i++) {
      item.append(Ticks.series(20, 100L * i));
    }
    store.collection("c").createSnapshot("pin");
    item.write(Ticks.SCHEMA, Ticks.series(5, 0), ItemOptions.defaults(), Map.of(), true);
    Item gone = store.item("c", "gone");
    gone.write(Ticks.SCHEMA, Ticks.series(5, 0), ItemOptions.defaults(), Map.of(), false);
    store.collection("c").deleteItem("gone");
  }

  private Verifier.Report verify() {
    List<String> lines = new ArrayList<>();
    return new Verifier(Store.open(root), Duration.ofHours(1)).verify(null, null, lines::add);
  }

  private List<String> kinds() {
    return verify().problems().stream().map(Verifier.Problem::kind).toList();
  }

  private Path livePart() {
    PartInfo p = item.state().parts().values().iterator().next();
    return item.path().resolve(p.name());
  }

  @Test
  void aHealthyStoreIsClean() {
    Verifier.Report r = verify();
    assertThat(r.problems()).isEmpty();
    assertThat(r.items()).isEqualTo(2);
    assertThat(r.rows()).isEqualTo(5);
  }

  @Test
  void aPartWithOneByteChangedFailsItsChecksum() throws Exception {
    Path part = livePart();
    long size = Files.size(part);
    try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
      f.seek(size / 2);
      int b = f.read();
      f.seek(size / 2);
      f.write(b ^ 0x01);
    }
    assertThat(Files.size(part)).isEqualTo(size);
    assertThat(kinds()).containsExactly("part-damaged");
    assertThat(verify().problems().get(0).detail()).contains("checksum");
  }

  @Test
  void aTruncatedPartFailsItsSize() throws Exception {
    Path part = livePart();
    byte[] bytes = Files.readAllBytes(part);
    Files.write(part, java.util.Arrays.copyOf(bytes, bytes.length - 10));
    assertThat(kinds()).containsExactly("part-damaged");
  }

  @Test
  void aMissingPartAndAMissingSnapshotPartAreReported() throws Exception {
    Files.delete(livePart());
    assertThat(kinds()).containsExactly("part-missing");
    try (var s = Files.list(item.path().resolve("_removed"))) {
      for (Path f : s.toList()) {
        Files.delete(f);
      }
    }
    org.pystore.store.storage.LocalStorage.deleteTree(root.resolve("c/_snapshots/pin/i"));
    assertThat(kinds()).contains("snapshot-part-missing");
  }

  @Test
  void aHoleOrAGarbledEntryInTheLogIsReported() throws Exception {
    Path log = item.path().resolve("_log");
    Files.delete(log.resolve(String.format("%020d.json", 2)));
    assertThat(kinds()).containsExactly("log-hole");
    Files.writeString(log.resolve(String.format("%020d.json", 2)), "{\"version\": 2, \"garb");
    assertThat(kinds()).containsExactly("log-unreadable");
  }

  @Test
  void oldOrphansForeignFilesAndBadCheckpointsAreListedYoungOrphansAreNot() throws Exception {
    Path staging = Files.createDirectories(item.path().resolve("_staging"));
    Path old = Files.writeString(staging.resolve("part-20240102-old.parquet"), "x");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
    Files.writeString(staging.resolve("part-20240102-young.parquet"), "x");
    Files.writeString(item.path().resolve("part.0.parquet"), "pystore wrote me");
    Path cp = Files.createDirectories(root.resolve("_sink/conn")).resolve("ticks-0.offset");
    Files.writeString(cp, "forty-two", StandardCharsets.UTF_8);
    assertThat(kinds()).containsExactlyInAnyOrder("orphan", "foreign-file", "sink-checkpoint");
  }

  @Test
  void aReplacedPartStillVisibleIsReported() throws Exception {
    Path removed = item.path().resolve("_removed");
    try (var s = Files.list(removed)) {
      Path f = s.findFirst().orElseThrow();
      Files.move(f, item.path().resolve(f.getFileName()));
    }
    assertThat(kinds()).containsExactly("replaced-visible");
  }

  @Test
  void vacuumLeavesADamagedCommittedPartWherePlainReadersDoNotLook() throws Exception {
    Path part = livePart();
    Path staged =
        Files.createDirectories(item.path().resolve("_staging")).resolve(part.getFileName());
    Files.move(part, staged); // as a writer that crashed before publishing leaves it
    byte[] bytes = Files.readAllBytes(staged);
    Files.write(staged, java.util.Arrays.copyOf(bytes, bytes.length - 10));
    Store.open(root).item("c", "i").vacuum(Duration.ofDays(1), Duration.ofDays(1), false);
    assertThat(staged).exists();
    assertThat(part).doesNotExist();
    assertThat(kinds()).contains("part-damaged");
  }
}
