package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsyncItemTest {
  @TempDir Path root;

  private static final ItemOptions NO_DEDUPE = ItemOptions.defaults().withDedupe(DedupePolicy.NONE);

  private static List<GenericRecord> batch(String sym, int batch, int rows) {
    List<GenericRecord> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      // the same instant in every batch: only dedupe=none keeps them all, so a lost or doubled
      // append shows in the count
      out.add(Ticks.tick(Ticks.T0 + i * 1_000_000_000L, sym, batch, i));
    }
    return out;
  }

  private static long stagedFiles(Item item) throws Exception {
    Path staging = item.path().resolve("_staging");
    if (!Files.isDirectory(staging)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(staging)) {
      return s.count();
    }
  }

  @Test
  void manyConcurrentAsyncAppendsAllLandOnceEach() throws Exception {
    Store store = Store.open(root, StoreOptions.defaults().withFsync(false));
    List<String> names = List.of("A", "B", "C");
    for (String n : names) {
      store.item("c", n).write(Ticks.SCHEMA, List.of(), NO_DEDUPE, Map.of(), false);
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<CommitResult>> all = new ArrayList<>();
      int appends = 60;
      for (int b = 0; b < appends; b++) {
        for (String n : names) {
          all.add(AsyncItem.of(store.item("c", n), pool).append(batch(n, b, 25)));
        }
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      for (String n : names) {
        Item item = store.item("c", n);
        List<GenericRecord> rows = Ticks.readAll(item);
        assertThat(rows).hasSize(appends * 25);
        Set<Long> batches = new HashSet<>();
        rows.forEach(r -> batches.add((long) (double) (Double) r.get("price")));
        assertThat(batches).hasSize(appends);
        assertThat(item.state().version()).isEqualTo(appends); // version 0 was the create
      }
      Set<Long> versions = new HashSet<>();
      for (CompletableFuture<CommitResult> f : all) {
        assertThat(f.get().rows()).isEqualTo(25);
        versions.add(f.get().version());
      }
      assertThat(versions).hasSize(appends); // 1..60 for each of the three items
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCancelBeforeTheTaskRunsWritesNothing() throws Exception {
    Store store = Store.open(root, StoreOptions.defaults().withFsync(false));
    Item item = store.item("c", "A");
    item.write(Ticks.SCHEMA, batch("A", 0, 5), NO_DEDUPE, Map.of(), false);
    List<Runnable> queued = new ArrayList<>();
    CompletableFuture<CommitResult> f = AsyncItem.of(item, queued::add).append(batch("A", 1, 5));
    assertThat(f.cancel(true)).isTrue();
    queued.forEach(Runnable::run);
    assertThat(f).isCancelled();
    assertThat(item.state().version()).isZero();
    assertThat(stagedFiles(item)).isZero();
  }

  @Test
  void aCancelWhileStagingDiscardsTheStagedPartsAndCommitsNothing() throws Exception {
    CountDownLatch staged = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CommitHook hook =
        (step, label) -> {
          if (step == CommitStep.PARTS_STAGED && label.endsWith("/A")) {
            staged.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    Store plain = Store.open(root, StoreOptions.defaults().withFsync(false));
    plain.item("c", "A").write(Ticks.SCHEMA, List.of(), NO_DEDUPE, Map.of(), false);
    Store store = Store.open(root, StoreOptions.defaults().withFsync(false).withHook(hook));
    Item item = store.item("c", "A");
    CompletableFuture<CommitResult> f = AsyncItem.of(item).append(batch("A", 1, 50));
    assertThat(staged.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(stagedFiles(item)).isPositive(); // the parts are written, not committed
    assertThat(f.cancel(false)).isTrue();
    release.countDown();
    assertThat(f).isCancelled();
    // the task finishes on its own: wait until it discarded what it staged
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (stagedFiles(item) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(stagedFiles(item)).isZero();
    assertThat(item.state().version()).isZero();
    assertThat(Ticks.readAll(item)).isEmpty();
  }

  @Test
  void aCancelOnceTheCommitIsUnderWayIsRefusedAndTheResultArrives() throws Exception {
    CountDownLatch committing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CommitHook hook =
        (step, label) -> {
          if (step == CommitStep.ENTRY_STAGED) {
            committing.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    Store store = Store.open(root, StoreOptions.defaults().withFsync(false).withHook(hook));
    Item item = store.item("c", "A");
    CompletableFuture<CommitResult> f =
        AsyncItem.of(item).write(Ticks.SCHEMA, batch("A", 0, 10), NO_DEDUPE, Map.of(), false);
    assertThat(committing.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(f.cancel(true)).isFalse();
    assertThat(f.complete(null)).as("only the commit completes it").isFalse();
    release.countDown();
    CommitResult r = f.get(30, TimeUnit.SECONDS);
    assertThat(r.version()).isZero();
    assertThat(f).isNotCancelled();
    assertThat(Ticks.readAll(item)).hasSize(10);
  }

  @Test
  void readAllReadsInIndexOrderAndFailuresArriveAsTheStoresExceptions() throws Exception {
    Store store = Store.open(root, StoreOptions.defaults().withFsync(false));
    Item item = store.item("c", "A");
    List<GenericRecord> rows = Ticks.series(100, 0);
    List<GenericRecord> shuffled = new ArrayList<>(rows);
    java.util.Collections.shuffle(shuffled, new java.util.Random(1));
    AsyncItem.of(item).write(Ticks.SCHEMA, shuffled, NO_DEDUPE, Map.of(), false).get();
    List<GenericRecord> back = AsyncItem.of(item).readAll(ReadOptions.all()).get();
    assertThat(Ticks.keys(back)).isEqualTo(Ticks.keys(rows));

    CompletableFuture<List<GenericRecord>> missing =
        AsyncItem.of(store.item("c", "NOPE")).readAll(ReadOptions.all());
    assertThatThrownBy(missing::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ItemNotFoundException.class);
    CompletableFuture<CommitResult> exists =
        AsyncItem.of(item).write(Ticks.SCHEMA, rows, NO_DEDUPE, Map.of(), false);
    assertThatThrownBy(exists::get).hasCauseInstanceOf(ItemExistsException.class);
    assertThat(item.state().version()).isZero();
  }
}
