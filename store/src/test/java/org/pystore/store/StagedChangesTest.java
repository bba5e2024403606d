package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.PartInfo;
import org.pystore.store.part.PartReader;
import org.pystore.store.storage.LocalStorage;

/**
 * The store's building blocks for compaction: merging chosen parts, staging new parts from rows and
 * from copied parts, committing them in place of others, and vacuum.
 */
class StagedChangesTest {
  @TempDir Path root;

  private Item item(String name) {
    return Store.open(root, StoreOptions.defaults().withFsync(false)).item("c", name);
  }

  /** Appends {@code n} batches of 100 one-second ticks, consecutive in time. */
  private static void batches(Item item, int n) {
    for (int b = 0; b < n; b++) {
      List<GenericRecord> rows = Ticks.series(100, b * 100L);
      if (b == 0) {
        item.write(Ticks.SCHEMA, rows, ItemOptions.defaults(), Map.of("k", "v"), false);
      } else {
        item.append(rows);
      }
    }
  }

  /** Replaces {@code inputs} by {@code outputs}, as a compaction does. */
  private static ItemState replace(Item item, List<PartInfo> inputs, List<PartInfo> outputs) {
    List<String> removed = inputs.stream().map(PartInfo::name).toList();
    return item.commitStaged(
        outputs,
        (latest, version) ->
            new LogEntry(
                LogEntry.FORMAT,
                version,
                ItemState.COMPACT,
                System.currentTimeMillis(),
                CommitLog.writer(),
                null,
                null,
                outputs,
                removed,
                null,
                null,
                Map.of(ItemState.DUPLICATES_REMOVED, 7)));
  }

  private static Set<String> visible(Item item) throws Exception {
    try (Stream<Path> s = Files.list(item.path())) {
      Set<String> out = new HashSet<>();
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).forEach(out::add);
      return out;
    }
  }

  @Test
  void copiedAndWrittenPiecesMakeOnePartThatReadsTheSame() throws Exception {
    Item item = item("mixed");
    batches(item, 4);
    ItemState s = item.state();
    List<String> before = Ticks.keys(Ticks.readAll(item));
    List<PartInfo> parts = new ArrayList<>(s.parts().values());
    parts.sort(java.util.Comparator.comparingLong(PartInfo::minIndex));
    List<PartInfo> outputs;
    try (PartStager stager = item.stager(s, 1 << 30, 1_000_000)) {
      assertThat(stager.addPart(parts.get(0))).isTrue(); // copied
      try (RowReader r = item.mergeParts(s, parts.subList(1, 3), Long.MIN_VALUE, Long.MAX_VALUE)) {
        r.forEachRemaining(stager::add); // decoded and written again
      }
      assertThat(stager.addPart(parts.get(3))).isTrue();
      outputs = stager.finish();
    }
    assertThat(outputs).hasSize(1);
    assertThat(outputs.get(0).rows()).isEqualTo(400);
    ItemState after = replace(item, parts, List.of(outputs.get(0).withSeq(s.version())));
    assertThat(after.parts()).hasSize(1);
    assertThat(Ticks.keys(Ticks.readAll(item))).isEqualTo(before);
    assertThat(after.duplicatesRemoved()).isEqualTo(7);
    assertThat(after.lastCompacted()).isPositive();
    // a whole Parquet file with pandas metadata; no piece left behind
    PartReader.Footer f = PartReader.footer(item.path().resolve(outputs.get(0).name()));
    assertThat(f.metadata().getKeyValueMetaData()).containsKey("pandas");
    assertThat(visible(item)).isEqualTo(after.parts().keySet());
    try (Stream<Path> st = Files.list(item.path().resolve("_staging"))) {
      assertThat(st.toList()).isEmpty();
    }
    // the figures survive a checkpoint
    assertThat(ItemState.fromCheckpoint(after.toCheckpoint()).duplicatesRemoved()).isEqualTo(7);
    String meta = Files.readString(item.path().resolve(Item.METADATA_FILE));
    assertThat(meta)
        .contains("\"_stats\"")
        .contains("\"duplicates_removed\" : 7")
        .contains("\"k\"");
  }

  @Test
  void partsRollAtTheTargetRowsWithoutSplittingAnIndex() {
    Item item = item("roll");
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(Ticks.tick(Ticks.T0 + (i / 3) * 1_000_000_000L, "A", i, i)); // 3 rows per index
    }
    item.write(
        Ticks.SCHEMA, rows, ItemOptions.defaults().withDedupe(DedupePolicy.NONE), null, false);
    ItemState s = item.state();
    List<PartInfo> out;
    try (PartStager stager = item.stager(s, 1 << 30, 100)) {
      try (RowReader r = item.mergeParts(s, s.parts().values(), Long.MIN_VALUE, Long.MAX_VALUE)) {
        r.forEachRemaining(stager::add);
      }
      out = stager.finish();
    }
    assertThat(out.size()).isBetween(9, 11);
    for (int i = 1; i < out.size(); i++) {
      assertThat(out.get(i).minIndex()).isGreaterThan(out.get(i - 1).maxIndex());
    }
    assertThat(out.stream().mapToLong(PartInfo::rows).sum()).isEqualTo(1000);
  }

  @Test
  void aPartWithAnotherSchemaIsNotCopiedAndDiscardRemovesEverything() throws Exception {
    Item item = item("evolved");
    batches(item, 1);
    PartInfo old = item.state().parts().values().iterator().next();
    org.apache.avro.Schema wider =
        org.apache.avro.SchemaBuilder.record("Tick")
            .namespace("test")
            .fields()
            .name("ts")
            .type(IndexUnit.NANOS.schema())
            .noDefault()
            .requiredString("sym")
            .requiredDouble("price")
            .requiredLong("size")
            .optionalString("venue")
            .endRecord();
    org.apache.avro.generic.GenericData.Record r =
        new org.apache.avro.generic.GenericData.Record(wider);
    r.put("ts", Ticks.T0 + 999_000_000_000L);
    r.put("sym", "A");
    r.put("price", 1.0);
    r.put("size", 1L);
    r.put("venue", "X");
    item.append(List.of(r));
    PartStager stager = item.stager(item.state(), 1 << 30, 1000);
    assertThat(stager.addPart(old)).as("written before the schema changed").isFalse();
    stager.add(r);
    stager.discard();
    try (Stream<Path> st = Files.list(item.path().resolve("_staging"))) {
      assertThat(st.toList()).isEmpty();
    }
    assertThatThrownBy(() -> item.stager(item.state(), 0, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void vacuumDeletesOnlyWhatNoReaderOrSnapshotNeeds() throws Exception {
    Item item = item("vac");
    batches(item, 3);
    ItemState s = item.state();
    long v = s.version();
    Store.open(root).collection("c").createSnapshot("snap");
    // as on a file system without hard links
    LocalStorage.deleteTree(item.path().getParent().resolve("_snapshots/snap/vac"));
    List<PartInfo> inputs = new ArrayList<>(s.parts().values());
    List<PartInfo> out;
    try (PartStager stager = item.stager(s, 1 << 30, 1_000_000)) {
      try (RowReader r = item.mergeParts(s, inputs, Long.MIN_VALUE, Long.MAX_VALUE)) {
        r.forEachRemaining(stager::add);
      }
      out = stager.finish();
    }
    replace(item, inputs, out);
    Path staging = item.path().resolve("_staging");
    Path orphan = Files.writeString(staging.resolve("part-x.parquet"), "half");
    Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    Files.writeString(item.path().resolve("foreign.parquet"), "not ours");

    VacuumReport r = item.vacuum(Duration.ZERO, Duration.ofDays(1), false);
    assertThat(r.keptForSnapshots()).isEqualTo(3);
    assertThat(r.orphansDeleted()).isEqualTo(1);
    assertThat(r.foreign()).containsExactly("foreign.parquet");
    assertThat(Ticks.readAll(item, ReadOptions.all().atSnapshot("snap"))).hasSize(300);
    assertThat(Ticks.readAll(item, ReadOptions.all().atVersion(v))).hasSize(300);

    Store.open(root).collection("c").deleteSnapshot("snap");
    VacuumReport dry = item.vacuum(Duration.ZERO, Duration.ofDays(1), true);
    assertThat(dry.removedDeleted()).isEqualTo(3);
    VacuumReport done = item.vacuum(Duration.ZERO, Duration.ofDays(1), false);
    assertThat(done.removedDeleted()).isEqualTo(3);
    assertThat(done.bytesFreed()).isPositive();
    assertThatThrownBy(() -> Ticks.readAll(item, ReadOptions.all().atVersion(v)))
        .isInstanceOf(VersionVacuumedException.class) // said as such, not as a corrupt store
        .hasMessageContaining("version " + v + " of 'c/vac' was vacuumed");
    assertThat(item.history().get((int) v).readable()).isFalse();
    assertThat(item.history().get(item.history().size() - 1).readable()).isTrue();
    assertThatThrownBy(() -> item.vacuum(Duration.ofSeconds(-1), Duration.ZERO, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
