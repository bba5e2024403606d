package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.pystore.store.part.PartReader;
import org.pystore.store.storage.ReadableFile;
import org.pystore.store.storage.Storage;

/**
 * A write that dies at any step leaves the item reading as before or as after, never between; a
 * write whose storage fails at any step either fails having changed nothing, or (once its entry is
 * in the log) succeeds: a caller never retries a change that is already committed.
 */
class CrashTest {
  @TempDir Path root;

  /** Stands for the process dying: an Error, so no cleanup code of the store runs. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(CommitStep step) {
      super("crash at " + step);
    }
  }

  private static StoreOptions crashingAt(CommitStep step) {
    return StoreOptions.defaults()
        .withFsync(false)
        .withHook(
            (s, item) -> {
              if (s == step) {
                throw new SimulatedCrash(s);
              }
            });
  }

  private Set<String> visibleParts(Item item) {
    return TestStores.visibleParts(item);
  }

  private void assertNoPartialVisibleFile(Item item) throws Exception {
    for (String name : visibleParts(item)) {
      try (ReadableFile f = item.store().storage().open(Storage.join(item.key(), name))) {
        PartReader.footer(f); // throws on a partial file
      }
    }
  }

  @ParameterizedTest
  @MethodSource("org.pystore.store.Faults#appendSteps")
  void appendCrashAtEveryStep(CommitStep step) throws Exception {
    TestStores.open(root)
        .item("c", "i")
        .write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of(), false);
    Item crashing = TestStores.open(root, crashingAt(step)).item("c", "i");
    assertThatThrownBy(() -> crashing.append(Ticks.series(10, 100)))
        .isInstanceOf(SimulatedCrash.class);

    Item item = TestStores.open(root).item("c", "i"); // a new process
    boolean committed = step.afterCommit();
    assertThat(Ticks.readAll(item)).hasSize(committed ? 20 : 10);
    assertThat(item.state().version()).isEqualTo(committed ? 1 : 0);
    assertNoPartialVisibleFile(item);
    // uncommitted data is never visible to plain Parquet readers
    assertThat(item.state().parts().keySet()).containsAll(visibleParts(item));

    // the next write finishes what the crash left undone; visible files are exactly live parts
    item.append(Ticks.series(5, 500));
    assertThat(Ticks.readAll(item)).hasSize(committed ? 25 : 15);
    assertThat(visibleParts(item)).isEqualTo(item.state().parts().keySet());
  }

  @ParameterizedTest
  @MethodSource("org.pystore.store.Faults#replaceSteps")
  void overwriteCrashAtEveryStep(CommitStep step) throws Exception {
    TestStores.open(root)
        .item("c", "i")
        .write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of(), false);
    Item crashing = TestStores.open(root, crashingAt(step)).item("c", "i");
    assertThatThrownBy(
            () ->
                crashing.write(
                    Ticks.SCHEMA, Ticks.series(3, 50), ItemOptions.defaults(), Map.of(), true))
        .isInstanceOf(SimulatedCrash.class);
    Item item = TestStores.open(root).item("c", "i");
    boolean committed = step.afterCommit();
    List<Long> ts = Ticks.readAll(item).stream().map(r -> (Long) r.get("ts")).toList();
    assertThat(ts).hasSize(committed ? 3 : 10);
    assertThat(ts.get(0)).isEqualTo(Ticks.T0 + (committed ? 50 : 0) * 1_000_000_000L);
    assertNoPartialVisibleFile(item);
  }

  @ParameterizedTest
  @EnumSource(
      value = CommitStep.class,
      names = {
        "PARTS_STAGED",
        "ENTRY_STAGED",
        "COMMITTED",
        "REMOVED_ASIDE",
        "PUBLISHED",
        "METADATA_FILE",
        "LOG_CHECKPOINT"
      })
  void aStorageFaultAtAnyStepFailsCleanlyOrCommitsWhole(CommitStep step) throws Exception {
    TestStores.open(root)
        .item("c", "i")
        .write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of(), false);
    Faults faults = new Faults().failNext(step, 1);
    // a checkpoint every commit, so that LOG_CHECKPOINT is reached by this one
    Item faulty =
        TestStores.open(root, StoreOptions.defaults().withCheckpointInterval(1).withHook(faults))
            .item("c", "i");
    boolean threw;
    try {
      faulty.write(Ticks.SCHEMA, Ticks.series(3, 50), ItemOptions.defaults(), Map.of(), true);
      threw = false;
    } catch (StoreIOException e) {
      threw = true;
    }
    assertThat(faults.injected()).as("the fault was injected").isEqualTo(1);
    assertThat(threw).as("failed <=> not committed").isEqualTo(!step.afterCommit());

    Item item = TestStores.open(root).item("c", "i");
    List<Long> ts = Ticks.readAll(item).stream().map(r -> (Long) r.get("ts")).toList();
    assertThat(ts).hasSize(threw ? 10 : 3);
    assertThat(item.state().version()).isEqualTo(threw ? 0 : 1);
    assertNoPartialVisibleFile(item);
    // the next write, or vacuum, finishes what the fault left undone: visible files are then
    // exactly the live parts
    item.append(Ticks.series(2, 900));
    item.vacuum(Duration.ofDays(1), Duration.ofDays(1), false);
    assertThat(visibleParts(item)).isEqualTo(item.state().parts().keySet());
    assertThat(Ticks.readAll(item)).hasSize(threw ? 12 : 5);
    if (!threw) {
      assertThat(item.store().storage().exists(Storage.join(item.key(), Item.METADATA_FILE)))
          .isTrue();
    }
  }
}
