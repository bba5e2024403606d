package org.pystore.compactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.Item;
import org.pystore.store.ReadOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Ticks;
import org.pystore.store.VacuumReport;
import org.pystore.store.storage.LocalStorage;

class VacuumTest {
  @TempDir Path root;

  private Store store() {
    return Store.open(root, StoreOptions.defaults().withFsync(false));
  }

  private static CompactionOptions options() {
    return CompactionOptions.defaults().withTargetBytes(1 << 20).withMinParts(2).withVacuum(false);
  }

  private void compact(Item item) {
    try (CompactionService s = new CompactionService(store(), options())) {
      assertThat(s.compact(item)).isNotEmpty();
    }
  }

  @Test
  void replacedPartsStayForTheRetentionPeriodThenGo() throws Exception {
    Item item = store().item("ticks", "A");
    Fixtures.sinkLike(item, 8, 100, 0, 0);
    long v = item.state().version();
    List<String> atV = Ticks.keys(Ticks.readAll(item, ReadOptions.all().atVersion(v)));
    compact(item);
    assertThat(Fixtures.files(item.path().resolve("_removed"))).hasSize(8);

    VacuumReport kept = item.vacuum(Duration.ofHours(1), Duration.ofHours(1), false);
    assertThat(kept.keptForRetention()).isEqualTo(8);
    assertThat(kept.removedDeleted()).isZero();
    // a reader of the older version still gets its rows
    assertThat(Ticks.keys(Ticks.readAll(item, ReadOptions.all().atVersion(v)))).isEqualTo(atV);

    VacuumReport dry = Fixtures.vacuumNow(item, true);
    assertThat(dry.removedDeleted()).isEqualTo(8);
    assertThat(Fixtures.files(item.path().resolve("_removed"))).hasSize(8);

    VacuumReport gone = Fixtures.vacuumNow(item, false);
    assertThat(gone.removedDeleted()).isEqualTo(8);
    assertThat(gone.bytesFreed()).isPositive();
    assertThat(Fixtures.files(item.path().resolve("_removed"))).isEmpty();
    assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
  }

  @Test
  void aSnapshotReadsTheSameAfterCompactionAndVacuum() throws Exception {
    Item item = store().item("ticks", "B");
    Fixtures.sinkLike(item, 6, 100, 2, 20);
    store().collection("ticks").createSnapshot("before");
    List<String> snap = Ticks.keys(Ticks.readAll(item, ReadOptions.all().atSnapshot("before")));
    Fixtures.sinkLike(store().item("ticks", "other"), 1, 10, 0, 0);
    compact(item);
    Fixtures.vacuumNow(item, false);
    assertThat(Ticks.keys(Ticks.readAll(item, ReadOptions.all().atSnapshot("before"))))
        .isEqualTo(snap);
    // the snapshot's hard links live under _snapshots: plain readers of the item see live parts
    assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
  }

  @Test
  void partsASnapshotHasNoCopyOfAreNeverDeleted() throws Exception {
    Item item = store().item("ticks", "C");
    Fixtures.sinkLike(item, 6, 100, 0, 0);
    store().collection("ticks").createSnapshot("pinned");
    List<String> snap = Ticks.keys(Ticks.readAll(item, ReadOptions.all().atSnapshot("pinned")));
    // as on a file system without hard links: the snapshot holds no files of its own
    LocalStorage.deleteTree(item.path().getParent().resolve("_snapshots/pinned/C"));
    compact(item);
    VacuumReport r = Fixtures.vacuumNow(item, false);
    assertThat(r.keptForSnapshots()).isEqualTo(6);
    assertThat(r.removedDeleted()).isZero();
    assertThat(Ticks.keys(Ticks.readAll(item, ReadOptions.all().atSnapshot("pinned"))))
        .isEqualTo(snap);
    // once the snapshot is gone, so are the parts
    store().collection("ticks").deleteSnapshot("pinned");
    assertThat(Fixtures.vacuumNow(item, false).removedDeleted()).isEqualTo(6);
  }

  @Test
  void orphansGoAfterTheGracePeriodAndForeignFilesAreOnlyReported() throws Exception {
    Item item = store().item("ticks", "D");
    Fixtures.sinkLike(item, 3, 100, 0, 0);
    Path staging = Files.createDirectories(item.path().resolve("_staging"));
    Path young = Files.writeString(staging.resolve("part-20240102-young.parquet"), "x");
    Path old = Files.writeString(staging.resolve("part-20240102-old.parquet"), "xx");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path foreign = Files.writeString(item.path().resolve("part.0.parquet"), "pystore wrote me");
    List<String> before = Fixtures.read(item);

    VacuumReport r = item.vacuum(Duration.ZERO, Duration.ofHours(1), false);
    assertThat(r.orphansDeleted()).isEqualTo(1);
    assertThat(old).doesNotExist();
    assertThat(young).exists();
    assertThat(r.foreign()).containsExactly("part.0.parquet");
    assertThat(foreign).exists();
    assertThat(Fixtures.read(item)).isEqualTo(before);
  }

  @Test
  void partsACrashedWriterLeftBehindArePutWhereTheyBelong() throws Exception {
    Item item = store().item("ticks", "E");
    Fixtures.sinkLike(item, 5, 100, 0, 0);
    compact(item);
    String live = item.state().parts().keySet().iterator().next();
    String replaced = Fixtures.files(item.path().resolve("_removed")).get(0);
    // as if a writer died after committing, before moving its files
    Files.move(item.path().resolve(live), item.path().resolve("_staging").resolve(live));
    Files.move(item.path().resolve("_removed").resolve(replaced), item.path().resolve(replaced));

    VacuumReport r = item.vacuum(Duration.ofDays(1), Duration.ofDays(1), false);
    assertThat(r.published()).isEqualTo(1);
    assertThat(r.retired()).isEqualTo(1);
    assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
    assertThat(item.path().resolve("_removed").resolve(replaced)).exists();
  }

  @Test
  void aVacuumOfManyItemsTellsHowFarItIs() throws Exception {
    for (String name : List.of("A", "B", "C")) {
      Fixtures.sinkLike(store().item("ticks", name), 2, 10, 0, 0);
    }
    store().collection("ticks").deleteItem("C"); // deleted items are vacuumed too, and counted
    List<String> seen = new java.util.ArrayList<>();
    try (CompactionService s = new CompactionService(store(), options())) {
      List<VacuumReport> reports =
          s.vacuum(null, null, Duration.ZERO, true, (done, total) -> seen.add(done + "/" + total));
      assertThat(reports).hasSize(3);
    }
    assertThat(seen).containsExactly("1/3", "2/3", "3/3");
  }
}
