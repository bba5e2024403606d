package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's side of what a user of the command meets: clear answers, nothing created. */
class WhatUsersMeetTest {
  @TempDir Path root;

  @Test
  void openExistingCreatesNothingAndNamesTheMissingStore() throws Exception {
    Path missing = root.resolve("nope");
    assertThatThrownBy(
            () -> Store.openExisting(missing.toString(), StoreOptions.defaults(), Map.of()))
        .isInstanceOf(StoreNotFoundException.class)
        .hasMessageContaining("store " + missing + " does not exist");
    assertThat(missing).doesNotExist();
    Path file = Files.writeString(root.resolve("f"), "x");
    assertThatThrownBy(() -> Store.openExisting(file.toString(), StoreOptions.defaults(), Map.of()))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("is a file");
    // a PyStore store (a directory without our metadata file) opens, and stays untouched
    Files.createDirectories(root.resolve("pystore/stocks"));
    Store s =
        Store.openExisting(root.resolve("pystore").toString(), StoreOptions.defaults(), Map.of());
    assertThat(s.collections()).isEmpty(); // no item in it yet
    assertThat(root.resolve("pystore/pystore_metadata.json")).doesNotExist();
  }

  @Test
  void anInclusiveUpperBoundCoversThePeriodAPartialTimestampNames() {
    assertThat(Timestamps.parseEnd("2024-01-03"))
        .isEqualTo(Instant.parse("2024-01-03T23:59:59.999999999Z"));
    assertThat(Timestamps.parseEnd("2024-02"))
        .isEqualTo(Instant.parse("2024-02-29T23:59:59.999999999Z"));
    assertThat(Timestamps.parseEnd("2023"))
        .isEqualTo(Instant.parse("2023-12-31T23:59:59.999999999Z"));
    assertThat(Timestamps.parseEnd("2024-01-03 10"))
        .isEqualTo(Instant.parse("2024-01-03T10:59:59.999999999Z"));
    assertThat(Timestamps.parseEnd("2024-01-03T10:30"))
        .isEqualTo(Instant.parse("2024-01-03T10:30:59.999999999Z"));
    assertThat(Timestamps.parseEnd("2024-01-03T10:30:15+01:00"))
        .isEqualTo(Instant.parse("2024-01-03T09:30:15.999999999Z"));
    assertThat(Timestamps.parseEnd("2024-01-03T10:30:15.5Z"))
        .isEqualTo(Instant.parse("2024-01-03T10:30:15.5Z")); // a fraction: that instant
    // as a start, the same texts mean the period's first instant
    assertThat(Timestamps.parse("2024-02")).isEqualTo(Instant.parse("2024-02-01T00:00:00Z"));
    assertThat(Timestamps.parse("2023")).isEqualTo(Instant.parse("2023-01-01T00:00:00Z"));
    assertThat(Timestamps.parse("2024-01-03T10")).isEqualTo(Instant.parse("2024-01-03T10:00:00Z"));
    assertThatThrownBy(() -> Timestamps.parseEnd("2024-13"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("cannot parse timestamp '2024-13'");
    assertThatThrownBy(() -> Timestamps.parseEnd("soon")).isInstanceOf(InvalidDataException.class);
  }

  @Test
  void theStoresOwnMetadataKeysAreRefusedAndANoChangeCommitsNothing() {
    Item item = Store.open(root).item("c", "i");
    assertThatThrownBy(
            () ->
                item.write(
                    Ticks.SCHEMA,
                    Ticks.series(1, 0),
                    ItemOptions.defaults(),
                    Map.of("_updated", "x"),
                    false))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("'_updated' is refused");
    assertThat(item.exists()).isFalse();
    item.write(Ticks.SCHEMA, Ticks.series(1, 0), ItemOptions.defaults(), Map.of("k", "v"), false);
    assertThat(item.updateMetadata(Map.of("k", "v"))).isZero(); // unchanged: no commit
    Map<String, Object> gone = new HashMap<>();
    gone.put("absent", null);
    assertThat(item.updateMetadata(gone)).isZero(); // removing a key that is not there
    assertThat(item.updateMetadata(Map.of("k", "w"))).isEqualTo(1);
    assertThatThrownBy(() -> item.updateMetadata(Map.of("_engine", "me")))
        .isInstanceOf(InvalidDataException.class);
  }

  @Test
  void aMissingItemSuggestsTheOneThatDiffersOnlyInCase() {
    Store s = Store.open(root);
    s.item("ticks", "AAPL")
        .write(Ticks.SCHEMA, Ticks.series(1, 0), ItemOptions.defaults(), Map.of(), false);
    assertThatThrownBy(() -> s.item("ticks", "aapl").state())
        .isInstanceOf(ItemNotFoundException.class)
        .hasMessageContaining("did you mean 'ticks/AAPL'?");
    assertThatThrownBy(() -> s.item("ticks", "MSFT").state())
        .hasMessageNotContaining("did you mean");
    // the lookup took no name: the missing one can still be created
    s.item("ticks", "MSFT")
        .write(Ticks.SCHEMA, Ticks.series(1, 0), ItemOptions.defaults(), Map.of(), false);
  }

  @Test
  void vacuumedVersionsSaySoAndSnapshotsKeepTheirsReadable() {
    Store s = Store.open(root);
    PyCollection c = s.collection("ticks");
    Item item = c.item("A");
    item.write(Ticks.SCHEMA, Ticks.series(5, 0), ItemOptions.defaults(), Map.of(), false);
    c.createSnapshot("keep"); // pins version 0
    item.write(Ticks.SCHEMA, Ticks.series(3, 100), ItemOptions.defaults(), Map.of(), true);
    item.write(Ticks.SCHEMA, Ticks.series(2, 200), ItemOptions.defaults(), Map.of(), true);
    item.vacuum(Duration.ZERO, Duration.ofDays(1), false);

    assertThat(Ticks.readAll(item, ReadOptions.all().atVersion(0))).hasSize(5); // via the snapshot
    assertThatThrownBy(() -> Ticks.readAll(item, ReadOptions.all().atVersion(1)))
        .isInstanceOf(VersionVacuumedException.class)
        .hasMessageContaining("version 1 of 'ticks/A' was vacuumed")
        .hasMessageContaining("only version 2 is readable");
    assertThat(item.history())
        .extracting(HistoryEntry::readable)
        .containsExactly(true, false, true);
  }

  @Test
  void aCollectionIsGoneWithItsLastItem() {
    Store s = Store.open(root);
    s.item("c", "i")
        .write(Ticks.SCHEMA, Ticks.series(1, 0), ItemOptions.defaults(), Map.of(), false);
    assertThat(s.collections()).containsExactly("c");
    s.collection("c").deleteItem("i");
    assertThat(s.collection("c").exists()).isFalse();
    assertThat(s.collections()).isEmpty();
    assertThat(s.collections(true)).containsExactly("c"); // what vacuum still cleans
    assertThat(s.collection("c").deletedItems()).containsExactly("i");
  }
}
