package org.pystore.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.SmallDisk;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Verifier;

/**
 * The sink on a real file system that fills up mid-stream and then gets space back: the task
 * retries (never fails for good), and every record is stored exactly once (dedupe=none).
 */
class FullDiskTest {
  @TempDir Path dir;

  @Test
  void theSinkRidesOutAFullDiskAndLosesOrRepeatsNothing() throws Exception {
    Assumptions.assumeTrue(SmallDisk.available(), "needs root on Linux to mount a tmpfs (CI is)");
    try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 24)) {
      Path store = disk.path().resolve("store");
      SinkHarness h =
          new SinkHarness(
              store,
              Map.of("flush.records", "250", "flush.interval.ms", "200"),
              StoreOptions.defaults(),
              SinkHarness.Tolerance.ALL);
      int total = 30_000;
      for (long s = 0; s < total; s++) {
        h.produce((int) (s % 3), "S" + (s % 6), s);
      }
      h.start();
      h.poll(500); // the items exist before the disk fills
      disk.fill(400 * 1024);
      int[] failures = {0};
      h.onRetriable =
          () -> {
            if (++failures[0] == 20) {
              try {
                disk.release(); // the operator frees space
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          };
      h.runToEnd(500);
      h.stop();

      assertThat(failures[0]).as("the disk filled up: commits failed").isGreaterThanOrEqualTo(20);
      assertThat(h.restarts).as("the task never failed for good").isZero();
      Map<Long, Integer> all = new TreeMap<>();
      for (Map<Long, Integer> perItem : h.stored().values()) {
        perItem.forEach((k, v) -> all.merge(k, v, Integer::sum));
      }
      assertThat(all).hasSize(total);
      assertThat(all.values()).containsOnly(1);
      Verifier.Report report =
          new Verifier(Store.open(store), Duration.ofDays(1)).verify(null, null, l -> {});
      assertThat(report.problems()).isEmpty();
      System.out.println(
          "FullDiskTest: records="
              + total
              + " retriable failures="
              + failures[0]
              + " lost=0 dup=0");
    }
  }
}
