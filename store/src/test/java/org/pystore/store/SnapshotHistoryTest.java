package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pystore.store.Ticks.keys;
import static org.pystore.store.Ticks.readAll;
import static org.pystore.store.Ticks.series;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.storage.FileInfo;

class SnapshotHistoryTest {
  @TempDir Path root;
  Store store;
  PyCollection c;

  @BeforeEach
  void setUp() {
    store = TestStores.open(root, StoreOptions.defaults().withFsync(false));
    c = store.collection("ticks");
    c.item("A").write(Ticks.SCHEMA, series(10, 0), ItemOptions.defaults(), Map.of("k", "a"), false);
    c.item("B").write(Ticks.SCHEMA, series(20, 0), ItemOptions.defaults(), Map.of("k", "b"), false);
  }

  @Test
  void snapshotReadsTheSameAfterOverwriteAndDelete() throws Exception {
    List<String> before = keys(readAll(c.item("A")));
    SnapshotInfo s = c.createSnapshot("s1");
    assertThat(s.versions()).containsEntry("A", 0L).containsEntry("B", 0L);
    assertThat(s.materialized()).isEqualTo(!TestStores.remote()); // object storage has no links
    c.item("A").append(series(5, 100));
    c.item("A").write(Ticks.SCHEMA, series(1, 0), ItemOptions.defaults(), Map.of(), true);
    assertThat(keys(readAll(c.item("A"), ReadOptions.all().atSnapshot("s1")))).isEqualTo(before);
    c.deleteItem("A");
    assertThat(keys(readAll(c.item("A"), ReadOptions.all().atSnapshot("s1")))).isEqualTo(before);
    // PyStore-readable copy made of hard links: only the parts, plus metadata
    List<String> copy = new ArrayList<>();
    for (FileInfo f : store.storage().list("ticks/_snapshots/s1/A")) {
      copy.add(f.name());
    }
    if (TestStores.remote()) {
      assertThat(copy).isEmpty(); // pinned through the log alone
    } else {
      assertThat(copy)
          .allMatch(n -> n.endsWith(".parquet") || n.equals("pystore_metadata.json"))
          .contains("pystore_metadata.json");
    }
  }

  @Test
  void snapshotListAndDelete() {
    c.createSnapshot("s1");
    c.createSnapshot("s2");
    assertThat(c.snapshots()).extracting(SnapshotInfo::name).containsExactly("s1", "s2");
    assertThatThrownBy(() -> c.createSnapshot("s1")).hasMessageContaining("already exists");
    c.deleteSnapshot("s1");
    assertThat(c.snapshots()).extracting(SnapshotInfo::name).containsExactly("s2");
    assertThatThrownBy(() -> c.deleteSnapshot("s1")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> readAll(c.item("A"), ReadOptions.all().atSnapshot("nope")))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("snapshot list");
  }

  @Test
  void historyListsEveryVersion() {
    Item a = c.item("A");
    a.append(series(5, 100));
    a.updateMetadata(Map.of("owner", "desk"));
    a.write(Ticks.SCHEMA, series(3, 0), ItemOptions.defaults(), Map.of(), true);
    List<HistoryEntry> h = a.history();
    assertThat(h)
        .extracting(HistoryEntry::operation)
        .containsExactly("create", "append", "metadata", "overwrite");
    assertThat(h).extracting(HistoryEntry::rowsAdded).containsExactly(10L, 5L, 0L, 3L);
    assertThat(h).extracting(HistoryEntry::rowsRemoved).containsExactly(0L, 0L, 0L, 15L);
    assertThat(readAll(a, ReadOptions.all().atVersion(1))).hasSize(15);
    assertThat(a.state(2).metadata()).containsEntry("owner", "desk");
  }

  @Test
  void listItemsFilteredByMetadata() {
    c.item("C")
        .write(Ticks.SCHEMA, series(1, 0), ItemOptions.defaults(), Map.of("k", "a", "n", 3), false);
    assertThat(c.items()).containsExactly("A", "B", "C");
    assertThat(c.items(Map.of("k", "a"))).containsExactly("A", "C");
    assertThat(c.items(Map.of("k", "a", "n", "3"))).containsExactly("C");
    assertThat(c.items(Map.of("k", "zzz"))).isEmpty();
    assertThat(store.collections()).containsExactly("ticks");
  }

  @Test
  void deleteCollectionAndItem() {
    c.deleteItem("B");
    assertThat(c.items()).containsExactly("A");
    assertThatThrownBy(() -> c.deleteItem("B")).isInstanceOf(ItemNotFoundException.class);
    store.deleteCollection("ticks");
    assertThat(store.collections()).isEmpty();
    assertThatThrownBy(() -> store.deleteCollection("ticks"))
        .isInstanceOf(CollectionNotFoundException.class);
    assertThatThrownBy(() -> store.collection("ticks").items())
        .isInstanceOf(CollectionNotFoundException.class);
  }

  @Test
  void checkpointsSpeedReplayAndAgreeWithIt() throws Exception {
    Store small =
        TestStores.open(root, StoreOptions.defaults().withFsync(false).withCheckpointInterval(3));
    Item a = small.item("ticks", "A");
    for (int i = 0; i < 10; i++) {
      a.append(series(2, 1000 + i * 10));
    }
    assertThat(small.storage().exists("ticks/A/_log/00000000000000000009.checkpoint.json"))
        .isTrue();
    // a fresh handle loads from the checkpoint and agrees with a full replay
    Item fresh = TestStores.open(root).item("ticks", "A");
    assertThat(fresh.state().rows()).isEqualTo(30);
    assertThat(readAll(fresh, ReadOptions.all().atVersion(7))).hasSize(24);
  }
}
