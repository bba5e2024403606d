package org.pystore.compactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.DedupePolicy;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Ticks;

class ConcurrentCompactionTest {
  @TempDir Path root;

  private Store store() {
    return Store.open(root, StoreOptions.defaults().withFsync(false));
  }

  private static CompactionOptions options() {
    return CompactionOptions.defaults()
        .withTargetBytes(64 * 1024)
        .withMinParts(2)
        .withRetention(Duration.ZERO);
  }

  /** Sink-style appends (the exactly-once guarded kind) beside compactions, many rounds. */
  @Test
  void appendsDuringCompactionAreNeverLostNorDuplicated() throws Exception {
    Item item = store().item("ticks", "live");
    item.write(
        Ticks.SCHEMA,
        List.of(),
        ItemOptions.defaults().withDedupe(DedupePolicy.NONE),
        Map.of(),
        false);
    int batches = 120;
    int rows = 100;
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (CompactionService compactor = new CompactionService(store(), options(), 150)) {
      Future<?> writer =
          pool.submit(
              () -> {
                Item w = store().item("ticks", "live");
                for (int b = 0; b < batches; b++) {
                  List<GenericRecord> batch = new ArrayList<>();
                  for (int i = 0; i < rows; i++) {
                    long n = (long) b * rows + i;
                    // late rows every 7th batch land inside already compacted ranges
                    long t = b % 7 == 6 ? n / 3 : n;
                    batch.add(Ticks.tick(Ticks.T0 + t * 1_000_000L, "S", b, n));
                  }
                  long from = (long) b * rows;
                  w.append(batch, Map.of("topic-0", from + rows), Map.of("topic-0", from));
                }
                done.set(true);
                return null;
              });
      Future<Integer> compactions =
          pool.submit(
              () -> {
                int merges = 0;
                while (!done.get()) {
                  merges += compactor.run(List.of("ticks"), null).merges();
                }
                return merges;
              });
      writer.get();
      assertThat(compactions.get()).as("merges that ran beside the appends").isPositive();
    } finally {
      pool.shutdownNow();
    }
    List<GenericRecord> all = Ticks.readAll(item);
    assertThat(all).hasSize(batches * rows);
    Set<Long> sizes = new HashSet<>();
    for (GenericRecord r : all) {
      sizes.add((Long) r.get("size"));
    }
    assertThat(sizes).hasSize(batches * rows); // every row once
    assertThat(item.state().offsets()).containsEntry("topic-0", (long) batches * rows);
  }

  /** Two compactors, each in its own thread with its own store handle, on one store at once. */
  @Test
  void twoCompactorsAtOnceKeepReadsAndLeaveNoOrphan() throws Exception {
    List<Item> items = new ArrayList<>();
    Map<String, List<String>> before = new java.util.HashMap<>();
    for (int i = 0; i < 4; i++) {
      Item item = store().item("ticks", "I" + i);
      Fixtures.sinkLike(item, 24, 200, 5, 40);
      items.add(item);
      before.put(item.name(), Fixtures.read(item));
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<PassSummary> passes = new ArrayList<>();
    try {
      List<Future<PassSummary>> fs = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        fs.add(
            pool.submit(
                () -> {
                  try (CompactionService s =
                      new CompactionService(store(), options().withVacuum(false), 300)) {
                    return s.run(List.of("ticks"), null);
                  }
                }));
      }
      for (Future<PassSummary> f : fs) {
        passes.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(passes.stream().mapToLong(PassSummary::merges).sum()).isPositive();
    for (PassSummary p : passes) {
      assertThat(p.failures()).isEmpty();
    }
    for (Item item : items) {
      assertThat(Fixtures.read(item)).as(item.name()).isEqualTo(before.get(item.name()));
      Fixtures.vacuumNow(item, false);
      assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
      assertThat(Fixtures.files(item.path().resolve("_staging"))).isEmpty();
      assertThat(Fixtures.files(item.path().resolve("_removed"))).isEmpty();
    }
  }

  /** Two compactor JVMs on one store at once, while this one keeps appending. */
  @Test
  void twoCompactorProcessesAtOnce() throws Exception {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Item item = store().item("ticks", "P" + i);
      Fixtures.sinkLike(item, 30, 200, 4, 40);
      items.add(item);
    }
    Map<String, List<String>> before = new java.util.HashMap<>();
    for (Item item : items) {
      before.put(item.name(), Fixtures.read(item));
    }
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> procs = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      procs.add(
          new ProcessBuilder(
                  javaBin,
                  "-cp",
                  System.getProperty("java.class.path"),
                  CompactChild.class.getName(),
                  root.toString(),
                  "ticks",
                  "-",
                  "NONE",
                  "3")
              .redirectErrorStream(true)
              .start());
    }
    long merges = 0;
    for (Process p : procs) {
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
      merges += Long.parseLong(out.substring(out.lastIndexOf("MERGES ") + 7).trim());
    }
    assertThat(merges).isPositive();
    for (Item item : items) {
      assertThat(Fixtures.read(item)).as(item.name()).isEqualTo(before.get(item.name()));
      Fixtures.vacuumNow(item, false);
      assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
      assertThat(Fixtures.files(item.path().resolve("_staging"))).isEmpty();
      assertThat(Fixtures.files(item.path().resolve("_removed"))).isEmpty();
    }
  }

  @Test
  void aMergeWhoseInputWasReplacedMeanwhileAbortsAndLeavesNothing() throws Exception {
    Item item = store().item("ticks", "race");
    Fixtures.sinkLike(item, 10, 100, 0, 0);
    List<String> before = Fixtures.read(item);
    try (CompactionService a = new CompactionService(store(), options());
        CompactionService b = new CompactionService(store(), options())) {
      Plan planA = a.plan(item);
      assertThat(b.compact(item))
          .extracting(TaskResult::outcome)
          .containsOnly(TaskResult.Outcome.COMMITTED);
      long version = item.state().version();
      Runner runner =
          new Runner(options(), Executors.newSingleThreadExecutor(), () -> false, 1 << 30);
      TaskResult r = runner.run(item, item.state(planA.version()), planA.tasks().get(0));
      assertThat(r.outcome()).isEqualTo(TaskResult.Outcome.CONFLICT);
      assertThat(r.message()).contains("was replaced or removed by another writer");
      assertThat(item.state().version()).isEqualTo(version);
    }
    assertThat(Fixtures.read(item)).isEqualTo(before);
    assertThat(Fixtures.files(item.path().resolve("_staging"))).isEmpty();
  }

  @Test
  void anOverwriteDuringCompactionWins() throws Exception {
    Item item = store().item("ticks", "over");
    Fixtures.sinkLike(item, 10, 100, 0, 0);
    try (CompactionService a = new CompactionService(store(), options())) {
      Plan plan = a.plan(item);
      item.write(Ticks.SCHEMA, Ticks.series(5, 0), ItemOptions.defaults(), Map.of(), true);
      Runner runner =
          new Runner(options(), Executors.newSingleThreadExecutor(), () -> false, 1 << 30);
      TaskResult r = runner.run(item, item.state(plan.version()), plan.tasks().get(0));
      assertThat(r.outcome()).isEqualTo(TaskResult.Outcome.CONFLICT);
    }
    assertThat(Fixtures.read(item)).hasSize(5);
  }

  @Test
  void stoppingAbandonsTheMergeAndRemovesItsFiles() throws Exception {
    Item item = store().item("ticks", "stop");
    Fixtures.sinkLike(item, 10, 2000, 0, 0);
    List<String> before = Fixtures.read(item);
    Plan plan = new Planner(options()).plan("ticks", "stop", item.state());
    Runner runner = new Runner(options(), Executors.newSingleThreadExecutor(), () -> true, 1 << 30);
    TaskResult r = runner.run(item, item.state(), plan.tasks().get(0));
    assertThat(r.outcome()).isEqualTo(TaskResult.Outcome.ABANDONED);
    assertThat(Fixtures.files(item.path().resolve("_staging"))).isEmpty();
    assertThat(Fixtures.read(item)).isEqualTo(before);
  }
}
