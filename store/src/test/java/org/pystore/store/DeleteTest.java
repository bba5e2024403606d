package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.storage.LocalStorage;

/**
 * Deleting an item is a commit in its log: writers and readers that cached its state meet it, and
 * the item starts again with the next version; nothing ever writes into a log that is gone.
 */
class DeleteTest {
  @TempDir Path root;

  private Item create(Store s) {
    Item item = s.item("c", "i");
    item.write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of("k", "v"), false);
    return item;
  }

  @Test
  void aWriterWithCachedStateMeetsTheDeletionAndNeverCorruptsTheLog() {
    Item cached = create(Store.open(root));
    cached.append(Ticks.series(5, 100)); // this process now caches version 1
    Store.open(root).collection("c").deleteItem("i"); // another process

    assertThatThrownBy(() -> cached.append(Ticks.series(5, 200)))
        .isInstanceOf(ItemNotFoundException.class);
    assertThat(cached.exists()).isFalse();
    // its only item deleted, the collection is gone; vacuum still finds the deleted item
    assertThat(Store.open(root).collections()).isEmpty();
    assertThatThrownBy(() -> Store.open(root).collection("c").items())
        .isInstanceOf(CollectionNotFoundException.class);
    assertThat(Store.open(root).collection("c").deletedItems()).containsExactly("i");
    assertThat(cached.path().resolve(Item.METADATA_FILE)).doesNotExist();
    assertThat(Ticks.visibleParquet(cached.path())).isEmpty(); // pandas sees nothing

    cached.write(Ticks.SCHEMA, Ticks.series(3, 500), ItemOptions.defaults(), Map.of(), false);
    Item fresh = Store.open(root).item("c", "i");
    assertThat(Ticks.readAll(fresh)).hasSize(3);
    assertThat(fresh.state().version()).isEqualTo(3); // create, append, delete, create
    assertThat(fresh.state().offsets()).isEmpty();
    assertThat(fresh.history())
        .extracting(HistoryEntry::operation)
        .containsExactly("create", "append", "delete", "create");
    assertThatThrownBy(() -> fresh.state(2))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("deletion");
    assertThat(Ticks.readAll(fresh, ReadOptions.all().atVersion(1))).hasSize(15); // until vacuumed
  }

  @Test
  void aWriterWhoseItemDirectoryWasRemovedByHandTakesItsEntryBackInsteadOfCorrupting()
      throws Exception {
    Item cached = create(Store.open(root));
    LocalStorage.deleteTree(cached.path()); // rm -rf behind a live writer
    assertThatThrownBy(() -> cached.append(Ticks.series(5, 200)))
        .isInstanceOf(ItemNotFoundException.class);
    Item fresh = Store.open(root).item("c", "i");
    assertThat(fresh.exists()).isFalse(); // no stray version 1 left without a version 0
    cached.write(Ticks.SCHEMA, Ticks.series(3, 500), ItemOptions.defaults(), Map.of(), false);
    assertThat(Ticks.readAll(Store.open(root).item("c", "i"))).hasSize(3);
    assertThat(Store.open(root).item("c", "i").state().version()).isZero();
  }

  @Test
  void aCollectionDeletedBehindACachedWriterIsStartedAgainClean() {
    Item cached = create(Store.open(root));
    Store.open(root).deleteCollection("c");
    assertThatThrownBy(() -> cached.append(Ticks.series(5, 200)))
        .isInstanceOf(ItemNotFoundException.class);
    cached.write(Ticks.SCHEMA, Ticks.series(2, 0), ItemOptions.defaults(), Map.of(), false);
    assertThat(Ticks.readAll(Store.open(root).item("c", "i"))).hasSize(2);
  }

  @Test
  void aSnapshotStillReadsADeletedItemAndVacuumKeepsWhatItPins() {
    Store s = Store.open(root);
    Item item = create(s);
    s.collection("c").createSnapshot("pin");
    s.collection("c").deleteItem("i");
    List<GenericRecord> pinned = Ticks.readAll(item, ReadOptions.all().atSnapshot("pin"));
    assertThat(pinned).hasSize(10);
    item.vacuum(Duration.ZERO, Duration.ofDays(1), false); // the snapshot's own links remain
    assertThat(Ticks.readAll(item, ReadOptions.all().atSnapshot("pin"))).hasSize(10);
    s.collection("c").deleteSnapshot("pin");
    item.vacuum(Duration.ZERO, Duration.ofDays(1), false);
    assertThat(Ticks.visibleParquet(item.path().resolve("_removed"))).isEmpty();
    assertThat(Ticks.visibleParquet(item.path())).isEmpty();
    assertThat(Files.exists(item.path().resolve("_log"))).isTrue(); // the deletion stays known
  }

  @Test
  void vacuumRefusesAnOrphanGraceShorterThanACommitCanTake() {
    Item item = create(Store.open(root));
    assertThatThrownBy(() -> item.vacuum(Duration.ZERO, Duration.ZERO, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 10 minutes");
  }

  @Test
  void namesThatDifferOnlyInCaseOrNormalizationAreRefusedAtCreation() {
    Store s = Store.open(root);
    s.item("c", "AAPL")
        .write(Ticks.SCHEMA, Ticks.series(1, 0), ItemOptions.defaults(), null, false);
    assertThatThrownBy(
            () ->
                s.item("c", "aapl")
                    .write(Ticks.SCHEMA, Ticks.series(1, 0), ItemOptions.defaults(), null, false))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("c/AAPL");
    assertThatThrownBy(() -> Names.check("item", "Cafe\u0301"))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("NFC");
    assertThat(Names.encode("Cafe\u0301")).isEqualTo("Cafe%CC%81");
    assertThat(Names.decode(Names.encode("Cafe\u0301"))).isEqualTo("Cafe\u0301");
  }

  @Test
  void escapesTakeAsciiHexDigitsOnlySoTwoNamesNeverDecodeAlike() {
    // U+0663 is ARABIC-INDIC DIGIT THREE: Character.digit accepts it as 3
    assertThat(Names.isValid("a%\u06633")).isFalse();
    assertThat(Names.decode("a%33")).isEqualTo("a3");
  }

  @Test
  void binaryNamesAreDistinctByteForByte() {
    assertThat(Names.encode(new byte[] {(byte) 0xC3})).isEqualTo("%C3");
    assertThat(Names.encode(new byte[] {(byte) 0xFF})).isEqualTo("%FF");
    assertThat(Names.encode("\uFFFD")).isEqualTo("\uFFFD");
    assertThat(Names.encode(new byte[] {'A', (byte) 0xFF, 'B'})).isEqualTo("A%FFB");
    assertThat(Names.decodeBytes("A%FFB")).containsExactly('A', 0xFF, 'B');
    assertThat(Names.encode("AAPL".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo("AAPL");
  }

  @Test
  void aFaultWhileVacuumDeletesFailsTheVacuumAndTheNextOneFinishes() {
    Store s = Store.open(root);
    Item item = create(s);
    item.write(Ticks.SCHEMA, Ticks.series(4, 7), ItemOptions.defaults(), Map.of(), true);
    List<GenericRecord> before = Ticks.readAll(item);
    Faults faults = new Faults().failNext(CommitStep.VACUUM_DELETE, 1);
    Item faulty = Store.open(root, StoreOptions.defaults().withHook(faults)).item("c", "i");
    assertThatThrownBy(() -> faulty.vacuum(Duration.ZERO, Duration.ofDays(1), false))
        .isInstanceOf(StoreIOException.class);
    assertThat(Ticks.readAll(Store.open(root).item("c", "i"))).isEqualTo(before);
    assertThat(item.vacuum(Duration.ZERO, Duration.ofDays(1), false).removedDeleted()).isPositive();
    assertThat(Ticks.visibleParquet(item.path().resolve("_removed"))).isEmpty();
    assertThat(Ticks.readAll(item)).isEqualTo(before);
  }
}
