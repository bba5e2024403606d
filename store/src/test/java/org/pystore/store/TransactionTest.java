package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pystore.store.log.ItemState;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;

/**
 * Transactions over many items: all or nothing for every reader, across crashes at every step and
 * failures of the storage, with concurrent transactions and pinned readers. Items use {@code
 * dedupe=none}, so a row applied twice would show.
 */
class TransactionTest {
  static final ItemOptions NONE = ItemOptions.defaults().withDedupe(DedupePolicy.NONE);

  @TempDir Path root;

  /** Stands for the process dying: an Error, so no cleanup code of the store runs. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(CommitStep step) {
      super("crash at " + step);
    }
  }

  /** rows n ticks from second {@code from}, prices tagging them. */
  static List<GenericRecord> rows(int n, long from, double tag) {
    List<GenericRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Ticks.tick(Ticks.T0 + (from + i) * 1_000_000_000L, "S", tag, i));
    }
    return out;
  }

  /** Three items of 10 rows each: AAPL, MSFT, OLD. */
  private PyCollection seed(Store store) {
    for (String n : List.of("AAPL", "MSFT", "OLD")) {
      store.item("c", n).write(Ticks.SCHEMA, rows(10, 0, 1.0), NONE, Map.of("v", 1), false);
    }
    return store.collection("c");
  }

  /** Appends to AAPL, overwrites MSFT, deletes OLD and creates NEW. */
  private static Transaction everyKind(PyCollection c, Duration timeout) {
    return c.transaction(timeout)
        .append("AAPL", rows(5, 100, 2.0))
        .write("MSFT", Ticks.SCHEMA, rows(3, 200, 2.0), NONE, Map.of("v", 2), true)
        .delete("OLD")
        .write("NEW", Ticks.SCHEMA, rows(7, 300, 2.0), NONE, null, false);
  }

  /** Row counts of the four items, -1 for one that does not exist. */
  private static List<Integer> counts(PyCollection c) {
    List<Integer> out = new ArrayList<>();
    for (String n : List.of("AAPL", "MSFT", "OLD", "NEW")) {
      Item it = c.item(n);
      out.add(it.exists() ? Ticks.readAll(it).size() : -1);
    }
    return out;
  }

  static final List<Integer> BEFORE = List.of(10, 10, 10, -1);
  static final List<Integer> AFTER = List.of(15, 3, -1, 7);

  @Test
  void everyItemChangesAtOnceAndPlainReadersSeeExactlyTheLiveParts() throws Exception {
    Store store = TestStores.open(root);
    PyCollection c = seed(store);
    TransactionResult r;
    try (Transaction tx = everyKind(c, Transaction.DEFAULT_TIMEOUT)) {
      assertThat(tx.items()).containsExactly("AAPL", "MSFT", "NEW", "OLD");
      // staged, not committed: every reader, this process or another, sees the items as before
      assertThat(counts(c)).isEqualTo(BEFORE);
      assertThat(counts(TestStores.open(root).collection("c"))).isEqualTo(BEFORE);
      r = tx.commit();
    }
    assertThat(r.committed()).isTrue();
    assertThat(r.rows()).isEqualTo(15);
    assertThat(r.versions()).containsOnlyKeys("AAPL", "MSFT", "NEW", "OLD");
    assertThat(r.versions()).containsEntry("AAPL", 1L).containsEntry("NEW", 0L);
    assertThat(counts(c)).isEqualTo(AFTER);
    PyCollection other = TestStores.open(root).collection("c");
    assertThat(counts(other)).isEqualTo(AFTER);
    assertThat(other.items()).containsExactly("AAPL", "MSFT", "NEW");
    assertThat(other.item("MSFT").metadata()).containsEntry("v", 2);
    for (String n : List.of("AAPL", "MSFT", "NEW")) {
      Item it = other.item(n);
      assertThat(TestStores.visibleParts(it)).isEqualTo(it.state().parts().keySet());
    }
    assertThat(TestStores.visibleParts(other.item("OLD"))).isEmpty();
    // the decision is one file, and the history shows one version per item
    Storage s = store.storage();
    assertThat(s.exists(Storage.join("c", Transactions.DIR, r.id() + ".json"))).isTrue();
    assertThat(other.item("AAPL").history()).hasSize(2);
  }

  @Test
  void closingWithoutCommitLeavesNothingBehind() throws Exception {
    Store store = TestStores.open(root);
    PyCollection c = seed(store);
    try (Transaction tx = everyKind(c, Transaction.DEFAULT_TIMEOUT)) {
      assertThat(staged(store, "AAPL")).isNotEmpty();
    }
    assertThat(counts(c)).isEqualTo(BEFORE);
    for (String n : List.of("AAPL", "MSFT", "NEW")) {
      assertThat(staged(store, n)).as(n).isEmpty();
    }
    assertThat(c.item("AAPL").state().version()).isZero();
  }

  @Test
  void aChangeTheTransactionCannotMakeIsRefusedBeforeAnythingIsStaged() {
    PyCollection c = seed(TestStores.open(root));
    try (Transaction tx = c.transaction()) {
      assertThatThrownBy(() -> tx.append("NOPE", rows(1, 0, 1)))
          .isInstanceOf(ItemNotFoundException.class);
      assertThatThrownBy(() -> tx.write("AAPL", Ticks.SCHEMA, rows(1, 0, 1), NONE, null, false))
          .isInstanceOf(ItemExistsException.class);
      tx.delete("OLD");
      assertThatThrownBy(() -> tx.append("OLD", rows(1, 0, 1)))
          .isInstanceOf(InvalidDataException.class)
          .hasMessageContaining("already has a delete in this transaction");
    }
    assertThat(counts(c)).isEqualTo(BEFORE);
  }

  /** Every step a transaction's commit goes through, with which visit of it to crash at. */
  static Stream<Arguments> crashPoints() {
    return Stream.of(
        Arguments.of(CommitStep.ENTRY_STAGED, 1), // before the first item's entry
        Arguments.of(CommitStep.TX_PREPARED, 1), // one item prepared
        Arguments.of(CommitStep.ENTRY_STAGED, 3), // two prepared, the third about to be
        Arguments.of(CommitStep.TX_PREPARED, 4), // every item prepared
        Arguments.of(CommitStep.TX_DECIDED, 1), // about to write the decision
        Arguments.of(CommitStep.TX_COMMITTED, 1), // decided, nothing published
        Arguments.of(CommitStep.REMOVED_ASIDE, 1), // decided, publishing under way
        Arguments.of(CommitStep.PUBLISHED, 2), // one item published
        Arguments.of(CommitStep.METADATA_FILE, 3));
  }

  @ParameterizedTest(name = "{0} visit {1}")
  @MethodSource("crashPoints")
  void aCrashAtAnyStepLeavesEveryItemBeforeOrEveryItemAfter(CommitStep step, int visit)
      throws Exception {
    seed(TestStores.open(root));
    AtomicInteger seen = new AtomicInteger();
    StoreOptions crashing =
        StoreOptions.defaults()
            .withFsync(false)
            .withHook(
                (s, item) -> {
                  if (s == step && seen.incrementAndGet() == visit) {
                    throw new SimulatedCrash(s);
                  }
                });
    PyCollection dying = TestStores.open(root, crashing).collection("c");
    Transaction tx = everyKind(dying, Duration.ofMillis(300));
    assertThatThrownBy(tx::commit).isInstanceOf(SimulatedCrash.class);

    boolean committed = step.afterCommit();
    PyCollection c = TestStores.open(root).collection("c"); // a new process
    assertThat(counts(c)).isEqualTo(committed ? AFTER : BEFORE);
    assertThat(c.pin().items())
        .isEqualTo(committed ? List.of("AAPL", "MSFT", "NEW") : List.of("AAPL", "MSFT", "OLD"));

    // recovery: the next writer of an item waits out the deadline and aborts an undecided
    // transaction; vacuum moves a decided one's parts into place and deletes an aborted one's
    c.item("AAPL").append(rows(1, 900, 3.0));
    assertThat(Ticks.readAll(c.item("AAPL"))).hasSize(committed ? 16 : 11);
    assertThat(counts(c).subList(1, 4)).isEqualTo((committed ? AFTER : BEFORE).subList(1, 4));
    List<String> vacuumed = new ArrayList<>(c.items());
    vacuumed.addAll(c.deletedItems()); // as the compactor does
    for (String n : vacuumed) {
      c.item(n).vacuum(Duration.ZERO, Item.MIN_ORPHAN_GRACE, false);
    }
    for (String n : c.items()) {
      Item it = c.item(n);
      assertThat(TestStores.visibleParts(it)).as(n).isEqualTo(it.state().parts().keySet());
    }
    if (committed) {
      assertThat(TestStores.visibleParts(c.item("OLD"))).isEmpty();
    } else {
      assertThat(c.item("NEW").exists()).isFalse();
      assertThat(TestStores.visibleParts(c.item("NEW"))).isEmpty();
    }
    List<String> problems = new ArrayList<>();
    new Verifier(TestStores.open(root), Item.MIN_ORPHAN_GRACE)
        .verify("c", null, line -> {})
        .problems()
        .forEach(p -> problems.add(p.toString()));
    assertThat(problems).isEmpty();
  }

  @Test
  void aStorageFailureOfTheDecisionCommitsNothingAndAbortsAtOnce() throws Exception {
    seed(TestStores.open(root));
    Faults faults = new Faults().failNext(CommitStep.TX_DECIDED, 1);
    Store store = TestStores.open(root, StoreOptions.defaults().withHook(faults));
    PyCollection c = store.collection("c");
    Transaction tx = everyKind(c, Transaction.DEFAULT_TIMEOUT);
    assertThatThrownBy(tx::commit).isInstanceOf(StoreIOException.class);
    assertThat(faults.injected()).isEqualTo(1);
    assertThat(counts(TestStores.open(root).collection("c"))).isEqualTo(BEFORE);
    // aborted at once, so no writer waits for its deadline (a minute)
    assertThat(listed(store, Storage.join("c", Transactions.DIR))).hasSize(1);
    assertThat(c.item("AAPL").state().version()).isEqualTo(1); // its aborted entry
    assertThat(c.item("AAPL").history().get(1).operation()).isEqualTo(ItemState.ABORTED);
    assertThat(staged(store, "AAPL")).isEmpty();
    c.item("AAPL").append(rows(1, 900, 3.0));
    assertThat(Ticks.readAll(c.item("AAPL"))).hasSize(11);
  }

  @Test
  void aStorageFailureWhilePreparingAnItemAbortsTheItemsAlreadyPrepared() throws Exception {
    seed(TestStores.open(root));
    Faults faults = new Faults().failAfter(CommitStep.ENTRY_STAGED, 2, 1); // the third item
    Store store = TestStores.open(root, StoreOptions.defaults().withHook(faults));
    PyCollection c = store.collection("c");
    assertThatThrownBy(everyKind(c, Transaction.DEFAULT_TIMEOUT)::commit)
        .isInstanceOf(StoreIOException.class);
    assertThat(counts(TestStores.open(root).collection("c"))).isEqualTo(BEFORE);
    for (String n : List.of("AAPL", "MSFT", "NEW")) {
      assertThat(staged(store, n)).as(n).isEmpty();
    }
    assertThat(TestStores.open(root).collection("c").items())
        .containsExactly("AAPL", "MSFT", "OLD");
  }

  @Test
  void aTransactionPastItsTimeoutLosesToTheWriterThatAbortsIt() throws Exception {
    seed(TestStores.open(root));
    CountDownLatch prepared = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    StoreOptions stalling =
        StoreOptions.defaults()
            .withHook(
                (s, item) -> {
                  if (s == CommitStep.TX_DECIDED) {
                    prepared.countDown();
                    try {
                      resume.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
    PyCollection slow = TestStores.open(root, stalling).collection("c");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Transaction tx =
          slow.transaction(Duration.ofMillis(200))
              .append("AAPL", rows(5, 100, 2.0))
              .append("MSFT", rows(5, 100, 2.0));
      Future<TransactionResult> stalled = pool.submit(tx::commit);
      assertThat(prepared.await(30, TimeUnit.SECONDS)).isTrue();
      PyCollection c = TestStores.open(root).collection("c");
      // another transaction on MSFT waits for the stalled one, aborts it after its deadline
      TransactionResult won =
          c.transaction()
              .append("MSFT", rows(2, 500, 3.0))
              .append("OLD", rows(2, 500, 3.0))
              .commit();
      assertThat(won.committed()).isTrue();
      resume.countDown();
      assertThatThrownBy(stalled::get)
          .hasCauseInstanceOf(ConcurrentCommitException.class)
          .hasMessageContaining("timeout of 200 ms")
          .hasMessageContaining("nothing was committed");
      assertThat(counts(c)).isEqualTo(List.of(10, 12, 12, -1));
    } finally {
      resume.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void twoTransactionsCreatingOneItemBothRunAndOneOfThemWins() throws Exception {
    seed(TestStores.open(root));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<TransactionResult>> results = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < 2; t++) {
        double tag = 10 + t;
        results.add(
            pool.submit(
                () -> {
                  PyCollection c = TestStores.open(root).collection("c");
                  Transaction tx =
                      c.transaction()
                          .append("AAPL", rows(1, 1000 + (long) tag, tag))
                          .write("NEW", Ticks.SCHEMA, rows(4, 0, tag), NONE, null, false);
                  start.await();
                  return tx.commit();
                }));
      }
      start.countDown();
      int won = 0;
      int lost = 0;
      for (Future<TransactionResult> f : results) {
        try {
          f.get();
          won++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(ItemExistsException.class);
          lost++;
        }
      }
      assertThat(won).isEqualTo(1);
      assertThat(lost).isEqualTo(1);
      PyCollection c = TestStores.open(root).collection("c");
      // the loser's append to AAPL did not happen either
      assertThat(Ticks.readAll(c.item("AAPL"))).hasSize(11);
      double newTag = (Double) Ticks.readAll(c.item("NEW")).get(0).get("price");
      assertThat(Ticks.readAll(c.item("AAPL")).get(10).get("price")).isEqualTo(newTag);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPinnedReaderSeesEachTransactionInAllItsItemsOrInNone() throws Exception {
    Store store = TestStores.open(root);
    List<String> names = List.of("A", "B", "C", "D");
    for (String n : names) {
      store.item("p", n).write(Ticks.SCHEMA, rows(1, 0, 0), NONE, null, false);
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger committed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        writers.add(
            pool.submit(
                () -> {
                  PyCollection c = TestStores.open(root).collection("p");
                  for (int i = 1; i <= 60; i++) {
                    Transaction tx = c.transaction();
                    for (String n : names) {
                      tx.append(n, rows(1, writer * 1000 + i, i));
                    }
                    tx.commit();
                    committed.incrementAndGet();
                  }
                  return null;
                }));
      }
      PyCollection reader = TestStores.open(root).collection("p");
      int pins = 0;
      while (!writers.stream().allMatch(Future::isDone) || pins < 50) {
        CollectionPin pin = reader.pin();
        long a = pin.state("A").rows();
        for (String n : names) {
          assertThat(pin.state(n).rows()).as("pin %d, item %s", pins, n).isEqualTo(a);
        }
        if (pins % 10 == 0) {
          List<GenericRecord> read = new ArrayList<>();
          try (RowReader r = pin.read("D")) {
            r.forEachRemaining(read::add);
          }
          assertThat((long) read.size()).isEqualTo(a);
        }
        pins++;
      }
      for (Future<?> f : writers) {
        f.get();
      }
      assertThat(committed.get()).isEqualTo(120);
      for (String n : names) {
        assertThat(Ticks.readAll(reader.item(n))).hasSize(121);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  private static List<String> staged(Store store, String item) throws Exception {
    return listed(store, Storage.join("c", item, PartLocator.STAGING));
  }

  private static List<String> listed(Store store, String dir) throws Exception {
    List<String> out = new ArrayList<>();
    for (FileInfo f : store.storage().list(dir)) {
      out.add(f.name());
    }
    return out;
  }
}
