package org.pystore.compactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.DedupePolicy;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.PyStoreException;
import org.pystore.store.SmallDisk;
import org.pystore.store.Store;
import org.pystore.store.Ticks;
import org.pystore.store.Verifier;

/**
 * Compaction and appends on a real file system that is full: they fail having changed nothing
 * (every row still read once, under dedupe=none), and succeed once space is back.
 */
class FullDiskTest {
  @TempDir Path dir;

  @Test
  void compactionAndAppendsOnAFullDiskChangeNothingAndSucceedOnceSpaceIsBack() throws Exception {
    Assumptions.assumeTrue(SmallDisk.available(), "needs root on Linux to mount a tmpfs (CI is)");
    try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 24)) {
      Path root = disk.path().resolve("store");
      Item item = Store.open(root).item("ticks", "X");
      ItemOptions none = ItemOptions.defaults().withDedupe(DedupePolicy.NONE);
      List<GenericRecord> all = new ArrayList<>();
      for (int p = 0; p < 40; p++) {
        List<GenericRecord> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
          long n = p * 400L + i; // each batch overlaps the next by 100 rows: all kept (none)
          batch.add(Ticks.tick(Ticks.T0 + n * Fixtures.SECOND, "S", n, p * 1000L + i));
        }
        all.addAll(batch);
        if (p == 0) {
          item.write(Ticks.SCHEMA, batch, none, Map.of(), false);
        } else {
          item.append(batch);
        }
      }
      List<String> before = Fixtures.read(item);
      assertThat(before).hasSize(all.size());
      disk.fill(0);

      CompactionOptions options =
          CompactionOptions.defaults().withTargetBytes(64 * 1024).withMinParts(2);
      try (CompactionService s = new CompactionService(Store.open(root), options)) {
        assertThatThrownBy(() -> s.compact(Store.open(root).item("ticks", "X")))
            .isInstanceOf(PyStoreException.class);
      }
      assertThatThrownBy(() -> item.append(List.of(Ticks.tick(Ticks.T0, "S", 1, 1))))
          .isInstanceOf(PyStoreException.class);
      Item fresh = Store.open(root).item("ticks", "X");
      assertThat(Fixtures.read(fresh)).isEqualTo(before);
      assertThat(fresh.state().parts()).hasSize(40);
      assertThat(Fixtures.visibleParts(fresh)).isEqualTo(fresh.state().parts().keySet());

      disk.release();
      try (CompactionService s = new CompactionService(Store.open(root), options)) {
        s.compact(fresh);
      }
      assertThat(Fixtures.read(fresh)).isEqualTo(before);
      assertThat(fresh.state().parts().size()).isLessThan(40);
      Fixtures.vacuumNow(fresh, false);
      Verifier.Report r =
          new Verifier(Store.open(root), Duration.ofDays(1)).verify(null, null, l -> {});
      assertThat(r.problems()).isEmpty();
      assertThat(Fixtures.visibleParts(fresh)).isEqualTo(fresh.state().parts().keySet());
    }
  }
}
