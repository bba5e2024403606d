package org.pystore.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.RowReader;
import org.pystore.store.Store;
import org.pystore.store.Ticks;

/**
 * Two tasks hold overlapping rows of one partition for one item, as after a rebalance where the old
 * owner (a zombie) still flushes: whichever commits first wins, the other commits only what the
 * item does not hold yet. No duplicate, no gap.
 */
class ZombieWriterTest {
  @TempDir Path dir;

  static final TopicPartition TP = new TopicPartition("ticks", 0);

  ItemWriter writer(Store store) {
    return new ItemWriter(
        store,
        new PyStoreSinkConfig(Map.of("store.path", dir.toString(), "dedupe", "none")),
        "c",
        new SinkMetrics());
  }

  static ItemBuffer buffer(ItemWriter w, int fromOffset, int toOffset) {
    ItemBuffer b = new ItemBuffer("ticks", "AAPL", "");
    w.load(b);
    for (int o = fromOffset; o < toOffset; o++) {
      GenericRecord r = Ticks.tick(Ticks.T0 + o * 1_000_000_000L, "AAPL", o, o);
      SinkRow row = new SinkRow("ticks", "AAPL", TP, o, r, 100, null);
      assertThat(w.accept(b, row)).isNull();
      b.add(row, 0);
    }
    return b;
  }

  List<Long> sizes(Store store) {
    List<Long> out = new ArrayList<>();
    try (RowReader r = store.item("ticks", "AAPL").read()) {
      r.forEachRemaining(g -> out.add((Long) g.get("size")));
    }
    return out;
  }

  @Test
  void theLaterOfTwoOverlappingFlushesCommitsOnlyWhatIsMissing() {
    Store store = Store.open(dir);
    ItemWriter newOwner = writer(store);
    ItemWriter zombie = writer(Store.open(dir));
    ItemBuffer z = buffer(zombie, 50, 150); // loaded before anything was committed
    ItemBuffer n = buffer(newOwner, 0, 100);
    newOwner.flush(n, new ArrayList<>());
    zombie.flush(
        z, new ArrayList<>()); // refused at first (the item holds 50..99), then commits 100..149
    List<Long> expected = new ArrayList<>();
    for (long o = 0; o < 150; o++) {
      expected.add(o);
    }
    assertThat(sizes(store)).isEqualTo(expected);
    assertThat(store.item("ticks", "AAPL").state().offsets()).containsEntry("ticks-0", 150L);
  }

  @Test
  void aZombieThatCommitsLastAddsNothingTheItemHolds() {
    Store store = Store.open(dir);
    ItemWriter newOwner = writer(store);
    ItemWriter zombie = writer(Store.open(dir));
    ItemBuffer z = buffer(zombie, 10, 60);
    newOwner.flush(buffer(newOwner, 0, 80), new ArrayList<>());
    zombie.flush(z, new ArrayList<>());
    assertThat(sizes(store)).hasSize(80).doesNotHaveDuplicates();
    Map<String, Long> offsets = new HashMap<>(store.item("ticks", "AAPL").state().offsets());
    assertThat(offsets).containsEntry("ticks-0", 80L);
  }
}
