package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers racing on one item all succeed and lose nothing. */
class ConcurrencyTest {
  @TempDir Path root;

  private void create() {
    Store.open(root)
        .item("c", "shared")
        .write(
            Ticks.SCHEMA,
            List.of(),
            ItemOptions.defaults().withDedupe(DedupePolicy.NONE), // a duplicate must show
            Map.of(),
            false);
  }

  private Set<String> expected(int writers, int batches, int rows) {
    Set<String> keys = new HashSet<>();
    for (int w = 0; w < writers; w++) {
      for (int b = 0; b < batches; b++) {
        keys.addAll(Ticks.keys(AppendWorker.batch(w, b, rows)));
      }
    }
    return keys;
  }

  private void assertHoldsExactly(Set<String> expected, long versions) {
    Item item = Store.open(root).item("c", "shared");
    List<GenericRecord> rows = Ticks.readAll(item);
    List<String> keys = Ticks.keys(rows);
    assertThat(keys).doesNotHaveDuplicates();
    assertThat(new HashSet<>(keys)).isEqualTo(expected);
    assertThat(item.state().version()).isEqualTo(versions);
    assertThat(rows.stream().map(r -> (Long) r.get("ts")).toList()).isSorted();
  }

  @Test
  void threadsWithSeparateHandlesAppendTogether() throws Exception {
    create();
    int writers = 6;
    int batches = 15;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      // each thread opens its own store handle, as separate processes would
      Item item = Store.open(root, StoreOptions.defaults().withFsync(false)).item("c", "shared");
      done.add(
          pool.submit(
              () -> {
                for (int b = 0; b < batches; b++) {
                  item.append(AppendWorker.batch(id, b, 40));
                }
              }));
    }
    for (Future<?> f : done) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();
    assertHoldsExactly(expected(writers, batches, 40), writers * batches);
  }

  @Test
  void twoProcessesAppendTogether() throws Exception {
    create();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    List<Process> procs = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      ProcessBuilder pb =
          new ProcessBuilder(
              java,
              "-cp",
              cp,
              AppendWorker.class.getName(),
              root.toString(),
              String.valueOf(w),
              "25",
              "50");
      pb.redirectErrorStream(true);
      pb.redirectOutput(root.resolve("worker-" + w + ".log").toFile());
      procs.add(pb.start());
    }
    for (int w = 0; w < 2; w++) {
      assertThat(procs.get(w).waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(procs.get(w).exitValue())
          .as(Files.readString(root.resolve("worker-" + w + ".log")))
          .isZero();
    }
    assertHoldsExactly(expected(2, 25, 50), 50);
  }
}
