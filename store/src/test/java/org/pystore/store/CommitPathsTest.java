package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.PartInfo;
import org.pystore.store.part.PartWriter;

/**
 * Less travelled commit paths: metadata edits, checkpoints, replacing parts (compaction's path).
 */
class CommitPathsTest {
  @TempDir Path root;

  @Test
  void metadataEditsSetRemoveAndRefusePrivateKeys() throws Exception {
    Item item = Store.open(root).item("c", "i");
    item.write(
        Ticks.SCHEMA,
        Ticks.series(1, 0),
        ItemOptions.defaults(),
        Map.of("a", "1", "b", "2"),
        false);
    Map<String, Object> change = new HashMap<>();
    change.put("a", null);
    change.put("c", 3);
    item.updateMetadata(change);
    assertThat(item.metadata())
        .doesNotContainKey("a")
        .containsEntry("b", "2")
        .containsEntry("c", 3);
    assertThat(Files.readString(item.path().resolve("pystore_metadata.json")))
        .contains("\"c\" : 3")
        .doesNotContain("\"a\"");
    assertThatThrownBy(() -> item.updateMetadata(Map.of("_updated", "x")))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("'_updated'");
    assertThat(store(root).collection("c").items(Map.of("c", "3"))).containsExactly("i");
    assertThatThrownBy(() -> Store.open(root).item("c", "none").updateMetadata(Map.of("k", "v")))
        .isInstanceOf(ItemNotFoundException.class);
  }

  private static Store store(Path root) {
    return Store.open(root);
  }

  @Test
  void unreadableCheckpointFallsBackToReplay() throws Exception {
    Store s = Store.open(root, StoreOptions.defaults().withFsync(false).withCheckpointInterval(2));
    Item item = s.item("c", "i");
    item.write(Ticks.SCHEMA, Ticks.series(2, 0), ItemOptions.defaults(), Map.of(), false);
    for (int i = 1; i <= 4; i++) {
      item.append(Ticks.series(2, i * 10));
    }
    Path cp = item.path().resolve("_log/00000000000000000004.checkpoint.json");
    assertThat(cp).exists();
    Files.writeString(cp, "{broken");
    Item fresh = Store.open(root, StoreOptions.defaults().withCheckpointInterval(2)).item("c", "i");
    assertThat(fresh.state().rows()).isEqualTo(10);
    assertThat(Ticks.readAll(fresh, ReadOptions.all().atVersion(3))).hasSize(8);
  }

  @Test
  void replacingPartsKeepsReadsAndConflictsWhenAPartIsGone() throws Exception {
    Store s = Store.open(root, StoreOptions.defaults().withFsync(false));
    Item item = s.item("c", "i");
    item.write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of(), false);
    item.append(Ticks.series(10, 5)); // overlaps: 5 exact duplicates
    List<String> before = Ticks.keys(Ticks.readAll(item));
    ItemState state = item.state();
    List<String> inputs = new ArrayList<>(state.parts().keySet());

    // merge both parts into one, as the compactor will
    List<GenericRecord> merged = Ticks.readAll(item);
    String name = "part-20240102-merged.parquet";
    Path staging = item.path().resolve("_staging");
    long bytes =
        PartWriter.write(
                s.storage(),
                item.key() + "/_staging/" + name,
                Ticks.SCHEMA,
                merged,
                0,
                merged.size(),
                Codec.SNAPPY,
                "{}",
                "ts")
            .bytes();
    long seq = state.parts().values().stream().mapToLong(PartInfo::seq).max().orElseThrow();
    PartInfo out =
        new PartInfo(
            name,
            merged.size(),
            bytes,
            (Long) merged.get(0).get("ts"),
            (Long) merged.get(merged.size() - 1).get("ts"),
            "20240102",
            seq);
    CommitLog.EntryBuilder compact =
        (latest, version) -> {
          if (!latest.parts().keySet().containsAll(inputs)) {
            throw new ConcurrentCommitException("an input part is gone");
          }
          return new LogEntry(
              LogEntry.FORMAT,
              version,
              "compact",
              System.currentTimeMillis(),
              CommitLog.writer(),
              null,
              null,
              List.of(out),
              inputs,
              null,
              null,
              Map.of("duplicates", 5));
        };
    item.commitStaged(List.of(out), compact);
    assertThat(Ticks.keys(Ticks.readAll(item))).isEqualTo(before);
    assertThat(item.state().parts()).containsOnlyKeys(name);
    assertThat(item.history().get(2).rowsRemoved()).isEqualTo(20);
    assertThat(Files.exists(item.path().resolve("_removed").resolve(inputs.get(0)))).isTrue();

    // a second compaction of the same inputs conflicts and leaves no orphan
    Path again = staging.resolve("part-20240102-again.parquet");
    PartWriter.write(
        s.storage(),
        item.key() + "/_staging/" + again.getFileName(),
        Ticks.SCHEMA,
        merged,
        0,
        merged.size(),
        Codec.SNAPPY,
        "{}",
        "ts");
    PartInfo dup = out.withSeq(seq);
    PartInfo renamed =
        new PartInfo(
            "part-20240102-again.parquet",
            dup.rows(),
            dup.bytes(),
            dup.minIndex(),
            dup.maxIndex(),
            dup.bucket(),
            seq);
    assertThatThrownBy(() -> item.commitStaged(List.of(renamed), compact))
        .isInstanceOf(ConcurrentCommitException.class);
    assertThat(again).doesNotExist();
    assertThat(Ticks.keys(Ticks.readAll(item))).isEqualTo(before);
  }
}
