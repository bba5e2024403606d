package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pystore.store.storage.FaultyStorage;
import org.pystore.store.storage.LocalStorage;
import org.pystore.store.storage.Storage;

/**
 * The storage fails on one request of a commit, before carrying it out or after (the answer lost,
 * as in a timeout): the append either reports success and holds its rows, or fails; retrying what
 * failed ends with every row exactly once (dedupe=none), and the item verifies clean once vacuumed.
 * Run here on a local disk and by {@link S3StoreTest} on S3.
 */
class StorageFaultsTest {
  @TempDir Path root;

  static Stream<Arguments> faults() {
    List<Arguments> out = new ArrayList<>();
    for (FaultyStorage.Op op :
        List.of(
            FaultyStorage.Op.CREATE,
            FaultyStorage.Op.WRITE,
            FaultyStorage.Op.FINISH,
            FaultyStorage.Op.STAT,
            FaultyStorage.Op.CREATE_IF_ABSENT,
            FaultyStorage.Op.READ,
            FaultyStorage.Op.LIST,
            FaultyStorage.Op.MOVE,
            FaultyStorage.Op.TOUCH,
            FaultyStorage.Op.DELETE,
            FaultyStorage.Op.REPLACE)) {
      for (FaultyStorage.When w : FaultyStorage.When.values()) {
        out.add(Arguments.of(op, w));
      }
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("faults")
  void storageFaultsOnEveryRequestOfACommit(FaultyStorage.Op op, FaultyStorage.When when)
      throws Exception {
    appendThroughAFault(
        new LocalStorage(root, false),
        () -> Store.open(root, StoreOptions.defaults().withFsync(false)),
        op,
        when);
  }

  /**
   * Creates an item, makes the first {@code op} of the next append fail {@code when}, retries as a
   * writer would, and counts.
   */
  static void appendThroughAFault(
      Storage storage, Supplier<Store> fresh, FaultyStorage.Op op, FaultyStorage.When when) {
    FaultyStorage faulty = new FaultyStorage(storage, (o, k) -> null);
    Store s = Store.open(faulty, StoreOptions.defaults());
    Item item = s.item("c", "i");
    item.write(
        Ticks.SCHEMA,
        Ticks.series(10, 0),
        ItemOptions.defaults().withDedupe(DedupePolicy.NONE),
        java.util.Map.of(),
        false);
    int[] left = {1};
    faulty.faults(
        (o, k) -> {
          if (o == op && left[0] > 0) {
            left[0]--;
            return when;
          }
          return null;
        });
    List<GenericRecord> batch = Ticks.series(30, 100);
    int attempts = 0;
    while (true) {
      attempts++;
      try {
        item.append(batch);
        break;
      } catch (PyStoreException e) {
        assertThat(attempts).as("retries after " + e).isLessThan(3);
        if (e instanceof CommitOutcomeUnknownException
            && fresh.get().item("c", "i").state().rows() == 40) {
          break; // the item's state says it was committed
        }
      }
    }
    faulty.faults((o, k) -> null);
    Item after = fresh.get().item("c", "i");
    assertThat(Ticks.keys(Ticks.readAll(after))).hasSize(40).doesNotHaveDuplicates();
    after.vacuum(Duration.ZERO, Item.MIN_ORPHAN_GRACE, false);
    assertThat(new Verifier(fresh.get(), Duration.ofDays(1)).verify(null, null, l -> {}).problems())
        .isEmpty();
  }
}
