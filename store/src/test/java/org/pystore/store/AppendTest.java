package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pystore.store.Ticks.T0;
import static org.pystore.store.Ticks.keys;
import static org.pystore.store.Ticks.readAll;
import static org.pystore.store.Ticks.series;
import static org.pystore.store.Ticks.tick;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;

/** PyStore's own append cases, and the bug PyStore had: rows dropped by a wrong duplicate check. */
class AppendTest {
  @TempDir Path root;
  Store store;
  Item item;

  @BeforeEach
  void open() {
    store = TestStores.open(root, StoreOptions.defaults().withFsync(false));
    item = store.item("ticks", "AAPL");
  }

  @Test
  void writeThenAppendEqualsTheWhole() {
    List<GenericRecord> all = series(100, 0);
    item.write(Ticks.SCHEMA, all.subList(0, 60), ItemOptions.defaults(), Map.of(), false);
    item.append(all.subList(60, 100));
    assertThat(keys(readAll(item))).isEqualTo(keys(all));
    assertThat(item.state().version()).isEqualTo(1);
  }

  @Test
  void appendToMissingItemFails() throws Exception {
    assertThatThrownBy(() -> item.append(series(3, 0)))
        .isInstanceOf(ItemNotFoundException.class)
        .hasMessageContaining("ticks/AAPL")
        .hasMessageContaining("write");
    assertThat(store.storage().isDirectory("ticks/AAPL/_log")).isFalse();
  }

  @Test
  void emptyAppendChangesNothing() {
    item.write(Ticks.SCHEMA, series(5, 0), ItemOptions.defaults(), Map.of(), false);
    CommitResult r = item.append(List.of());
    assertThat(r.committed()).isFalse();
    assertThat(item.state().version()).isZero();
    assertThat(readAll(item)).hasSize(5);
  }

  @Test
  void rowsWithEqualValuesButDifferentTimestampsAllSurvive() {
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(tick(T0 + i, "AAPL", 1.0, 1)); // same values, 1 ns apart
    }
    item.write(Ticks.SCHEMA, rows.subList(0, 5), ItemOptions.defaults(), Map.of(), false);
    item.append(rows.subList(5, 10));
    assertThat(readAll(item)).hasSize(10);
  }

  @Test
  void identicalRowsAreDedupedUnderExact() {
    item.write(Ticks.SCHEMA, series(10, 0), ItemOptions.defaults(), Map.of(), false);
    item.append(series(15, 0).subList(5, 15)); // rows 5..9 repeat exactly
    List<GenericRecord> rows = readAll(item);
    assertThat(rows).hasSize(15);
    assertThat(keys(rows)).doesNotHaveDuplicates();
  }

  @Test
  void sameTimestampWithDifferentValuesBothSurviveUnderExact() {
    item.write(
        Ticks.SCHEMA, List.of(tick(T0, "AAPL", 1.0, 1)), ItemOptions.defaults(), Map.of(), false);
    item.append(List.of(tick(T0, "AAPL", 2.0, 1)));
    assertThat(readAll(item)).extracting(r -> r.get("price")).containsExactly(1.0, 2.0);
  }

  @Test
  void lastByKeyKeepsTheLaterCommit() {
    ItemOptions o =
        ItemOptions.defaults().withDedupe(DedupePolicy.LAST).withKeyColumns(List.of("sym"));
    item.write(
        Ticks.SCHEMA, List.of(tick(T0, "A", 1.0, 1), tick(T0, "B", 1.0, 1)), o, Map.of(), false);
    item.append(List.of(tick(T0, "A", 2.0, 2), tick(T0, "A", 3.0, 3)));
    List<GenericRecord> rows = readAll(item);
    assertThat(keys(rows)).containsExactly(T0 + "|A|3.0|3", T0 + "|B|1.0|1");
  }

  @Test
  void firstByKeyKeepsTheEarliestRow() {
    ItemOptions o =
        ItemOptions.defaults().withDedupe(DedupePolicy.FIRST).withKeyColumns(List.of("sym"));
    item.write(Ticks.SCHEMA, List.of(tick(T0, "A", 1.0, 1)), o, Map.of(), false);
    item.append(List.of(tick(T0, "A", 2.0, 2), tick(T0, "B", 5.0, 5)));
    assertThat(keys(readAll(item))).containsExactly(T0 + "|A|1.0|1", T0 + "|B|5.0|5");
  }

  @Test
  void noneKeepsEveryRow() {
    ItemOptions o = ItemOptions.defaults().withDedupe(DedupePolicy.NONE);
    item.write(Ticks.SCHEMA, series(3, 0), o, Map.of(), false);
    item.append(series(3, 0));
    assertThat(readAll(item)).hasSize(6);
  }

  @Test
  void outOfOrderAppendsReadSorted() {
    item.write(Ticks.SCHEMA, series(10, 100), ItemOptions.defaults(), Map.of(), false);
    List<GenericRecord> late = new ArrayList<>(series(10, 0));
    java.util.Collections.reverse(late);
    item.append(late);
    item.append(series(5, 50));
    List<Long> ts = readAll(item).stream().map(r -> (Long) r.get("ts")).toList();
    assertThat(ts).hasSize(25).isSorted();
  }

  @Test
  void nanosecondTimestampsSurvive() {
    long ts = T0 + 123_456_789L;
    item.write(
        Ticks.SCHEMA,
        List.of(tick(ts, "A", 1, 1), tick(ts + 1, "A", 1, 1)),
        ItemOptions.defaults(),
        Map.of(),
        false);
    assertThat(readAll(item)).extracting(r -> r.get("ts")).containsExactly(ts, ts + 1);
  }

  @Test
  void metadataSurvivesAppend() throws Exception {
    item.write(
        Ticks.SCHEMA,
        series(3, 0),
        ItemOptions.defaults(),
        Map.of("source", "test", "n", 3),
        false);
    item.append(series(3, 10));
    assertThat(item.metadata()).containsEntry("source", "test").containsEntry("n", 3);
    assertThat(
            new String(
                store.storage().read("ticks/AAPL/pystore_metadata.json"), StandardCharsets.UTF_8))
        .contains("\"source\"")
        .contains("\"_updated\"");
  }

  @Test
  void appendNeverRewritesExistingParts() throws Exception {
    item.write(Ticks.SCHEMA, series(100, 0), ItemOptions.defaults(), Map.of(), false);
    Storage storage = store.storage();
    String part = Storage.join(item.key(), TestStores.visibleParts(item).iterator().next());
    FileInfo was = storage.stat(part).orElseThrow();
    byte[] before = storage.read(part);
    item.append(series(100, 50));
    assertThat(storage.read(part)).isEqualTo(before);
    assertThat(storage.stat(part).orElseThrow().modifiedMillis()).isEqualTo(was.modifiedMillis());
    assertThat(TestStores.visibleParts(item)).hasSize(2);
  }

  @Test
  void partsAreCutByDayBucket() throws Exception {
    List<GenericRecord> rows = new ArrayList<>();
    for (int d = 0; d < 3; d++) {
      rows.add(tick(T0 + d * 86_400_000_000_000L + 5, "A", d, d));
    }
    item.write(Ticks.SCHEMA, rows, ItemOptions.defaults(), Map.of(), false);
    assertThat(item.state().parts().values())
        .extracting(p -> p.bucket())
        .containsExactlyInAnyOrder("20240102", "20240103", "20240104");
  }

  @Test
  void writeRefusesExistingItemUnlessOverwrite() throws Exception {
    item.write(Ticks.SCHEMA, series(3, 0), ItemOptions.defaults(), Map.of(), false);
    assertThatThrownBy(
            () -> item.write(Ticks.SCHEMA, series(2, 0), ItemOptions.defaults(), Map.of(), false))
        .isInstanceOf(ItemExistsException.class);
    assertThat(readAll(item)).hasSize(3);
    item.write(Ticks.SCHEMA, series(2, 50), ItemOptions.defaults(), Map.of("v", "2"), true);
    assertThat(readAll(item)).hasSize(2);
    assertThat(item.metadata()).containsEntry("v", "2");
    // pandas sees exactly the live parts: the replaced one moved aside
    assertThat(TestStores.visibleParts(item)).hasSize(1);
    // a read pinned to the old version still works
    assertThat(readAll(item, ReadOptions.all().atVersion(0))).hasSize(3);
  }

  @Test
  void guardedAppendRefusesOffsetsTheItemHolds() {
    item.write(Ticks.SCHEMA, List.of(), ItemOptions.defaults(), Map.of(), false);
    item.append(series(5, 0), Map.of("t-0", 105L), Map.of("t-0", 100L));
    assertThat(item.state().offsets()).containsEntry("t-0", 105L);
    assertThatThrownBy(() -> item.append(series(5, 3), Map.of("t-0", 108L), Map.of("t-0", 103L)))
        .isInstanceOf(StaleOffsetsException.class)
        .satisfies(e -> assertThat(((StaleOffsetsException) e).held()).containsEntry("t-0", 105L));
    assertThat(readAll(item)).hasSize(5);
    item.append(series(3, 5), Map.of("t-0", 108L), Map.of("t-0", 105L));
    item.append(series(1, 50), Map.of("t-1", 1L), Map.of("t-1", 0L));
    assertThat(item.state().offsets()).containsEntry("t-0", 108L).containsEntry("t-1", 1L);
    assertThat(readAll(item)).hasSize(9);
  }
}
