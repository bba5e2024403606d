package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pystore.store.storage.FaultyStorage;
import org.pystore.store.storage.LocalStorage;

/**
 * The storage itself failing under a transaction's decision, what verify says of an undecided one,
 * and the rules' numeric edges.
 */
class TransactionFaultsTest {
  @TempDir Path root;

  static final ItemOptions NONE = ItemOptions.defaults().withDedupe(DedupePolicy.NONE);

  private Store faultyStore(FaultyStorage faulty) {
    return Store.open(faulty, StoreOptions.defaults().withFsync(false));
  }

  private static void seed(Store s) {
    for (String n : List.of("A", "B")) {
      s.item("c", n).write(Ticks.SCHEMA, Ticks.series(10, 0), NONE, null, false);
    }
  }

  /** The decision file's create-if-absent fails once, before or after it happened. */
  @ParameterizedTest
  @EnumSource(FaultyStorage.When.class)
  void aFailedDecisionWriteCommitsExactlyWhenTheFileIsThere(FaultyStorage.When when) {
    FaultyStorage faulty = new FaultyStorage(new LocalStorage(root, false), (o, k) -> null);
    Store s = faultyStore(faulty);
    seed(s);
    int[] left = {1};
    faulty.faults(
        (op, key) -> {
          if (op == FaultyStorage.Op.CREATE_IF_ABSENT
              && key.contains("/" + Transactions.DIR + "/")
              && left[0]-- > 0) {
            return when;
          }
          return null;
        });
    Transaction tx =
        s.collection("c")
            .transaction()
            .append("A", Ticks.series(5, 100))
            .append("B", Ticks.series(5, 100));
    boolean committed;
    try {
      committed = tx.commit().committed();
    } catch (StoreIOException e) {
      committed = false;
    }
    // after: the file was created, so the transaction is committed and says so; before: nothing
    assertThat(committed).isEqualTo(when == FaultyStorage.When.AFTER);
    Store fresh = Store.open(root);
    int rows = committed ? 15 : 10;
    assertThat(Ticks.readAll(fresh.item("c", "A"))).hasSize(rows);
    assertThat(Ticks.readAll(fresh.item("c", "B"))).hasSize(rows);
    // and no writer is left waiting: the next append goes through at once
    fresh.item("c", "A").append(Ticks.series(1, 900));
    assertThat(Ticks.readAll(fresh.item("c", "A"))).hasSize(rows + 1);
  }

  @Test
  void aDecisionThatCannotBeReadBackIsAnUnknownOutcomeAndKeepsItsParts() {
    FaultyStorage faulty = new FaultyStorage(new LocalStorage(root, false), (o, k) -> null);
    Store s = faultyStore(faulty);
    seed(s);
    faulty.faults(
        (op, key) ->
            key.contains("/" + Transactions.DIR + "/")
                    && (op == FaultyStorage.Op.CREATE_IF_ABSENT || op == FaultyStorage.Op.READ)
                ? FaultyStorage.When.BEFORE
                : null);
    Transaction tx =
        s.collection("c").transaction(Duration.ofMillis(200)).append("A", Ticks.series(5, 100));
    assertThatThrownBy(tx::commit)
        .isInstanceOf(CommitOutcomeUnknownException.class)
        .hasMessageContaining("cannot tell whether transaction");
    faulty.faults((op, key) -> null);
    // undecided: invisible; past its deadline the next writer aborts it
    Store fresh = Store.open(root);
    assertThat(Ticks.readAll(fresh.item("c", "A"))).hasSize(10);
    fresh.item("c", "A").append(Ticks.series(1, 900));
    assertThat(Ticks.readAll(fresh.item("c", "A"))).hasSize(11);
  }

  @Test
  void verifyReportsATransactionLeftUndecidedPastItsDeadlineAndVacuumAbortsIt() throws Exception {
    Store s = Store.open(root, StoreOptions.defaults().withFsync(false));
    seed(s);
    Store dying =
        Store.open(
            root,
            StoreOptions.defaults()
                .withHook(
                    (step, label) -> {
                      if (step == CommitStep.TX_DECIDED) {
                        throw new TransactionTest.SimulatedCrash(step);
                      }
                    }));
    Transaction tx =
        dying.collection("c").transaction(Duration.ofMillis(1)).append("A", Ticks.series(5, 100));
    assertThatThrownBy(tx::commit).isInstanceOf(TransactionTest.SimulatedCrash.class);
    Thread.sleep(20);
    Verifier.Report r =
        new Verifier(Store.open(root), Item.MIN_ORPHAN_GRACE).verify("c", "A", l -> {});
    assertThat(r.problems()).extracting(Verifier.Problem::kind).containsExactly("tx-undecided");
    assertThat(r.problems().get(0).action()).contains("pystore vacuum c/A");
    Store fresh = Store.open(root);
    assertThat(fresh.item("c", "A").history()).hasSize(1); // the undecided version is not shown
    fresh.item("c", "A").vacuum(Duration.ZERO, Item.MIN_ORPHAN_GRACE, false);
    assertThat(
            new Verifier(Store.open(root), Item.MIN_ORPHAN_GRACE).verify("c", "A", l -> {}).clean())
        .isTrue();
    assertThat(fresh.item("c", "A").history())
        .extracting(HistoryEntry::operation)
        .containsExactly("create", "aborted");
  }

  @Test
  void aPinReadsEachItemAtItsPinnedVersionOnly() {
    Store s = Store.open(root);
    seed(s);
    CollectionPin pin = s.collection("c").pin();
    s.item("c", "A").append(Ticks.series(5, 100));
    assertThat(pin.items()).containsExactly("A", "B");
    assertThat(pin.versions()).containsEntry("A", 0L);
    List<GenericRecord> rows = new ArrayList<>();
    try (RowReader r = pin.read("A", ReadOptions.all().limit(3))) {
      r.forEachRemaining(rows::add);
    }
    assertThat(rows).hasSize(3);
    assertThatThrownBy(() -> pin.read("A", ReadOptions.all().atVersion(1)))
        .hasMessageContaining("pinned at version 0, not 1");
    assertThatThrownBy(() -> pin.read("A", ReadOptions.all().atSnapshot("x")))
        .isInstanceOf(InvalidDataException.class);
    assertThatThrownBy(() -> pin.state("C")).isInstanceOf(ItemNotFoundException.class);
    assertThatThrownBy(() -> s.collection("c").transaction(Duration.ZERO))
        .hasMessageContaining("timeout must be positive");
    Transaction empty = s.collection("c").transaction();
    assertThat(empty.commit().committed()).isFalse();
    assertThatThrownBy(empty::commit).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rangesCompareEveryNumericTypeExactly() {
    Schema dec = LogicalTypes.decimal(9, 2).addToSchema(Schema.create(Schema.Type.BYTES));
    Schema schema =
        SchemaBuilder.record("N")
            .fields()
            .name("ts")
            .type(IndexUnit.NANOS.schema())
            .noDefault()
            .requiredInt("i")
            .requiredFloat("f")
            .name("d")
            .type(dec)
            .noDefault()
            .optionalString("s")
            .endRecord();
    Conversions.DecimalConversion conv = new Conversions.DecimalConversion();
    List<GenericRecord> rows = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      GenericData.Record r = new GenericData.Record(schema);
      r.put("ts", Ticks.T0 + k);
      r.put("i", 5 + k);
      r.put("f", 1.5f + k);
      ByteBuffer b = conv.toBytes(new BigDecimal("10.0" + k), dec, dec.getLogicalType());
      r.put("d", b);
      r.put("s", k == 1 ? null : "x");
      rows.add(r);
    }
    String label = "c/N";
    Rules.check(
        List.of(Rule.parse("range=i:5..7"), Rule.parse("range=d:10..10.02")),
        rows,
        "ts",
        Long.MIN_VALUE,
        label);
    assertThatThrownBy(
            () ->
                Rules.check(
                    List.of(Rule.parse("range=d:10..10.01")), rows, "ts", Long.MIN_VALUE, label))
        .hasMessageContaining("row 3 of 3");
    assertThatThrownBy(
            () ->
                Rules.check(
                    List.of(Rule.parse("range=f:..2.5")), rows, "ts", Long.MIN_VALUE, label))
        .hasMessageContaining("its f is 3.5");
    assertThatThrownBy(
            () ->
                Rules.check(List.of(Rule.parse("range=s:0..1")), rows, "ts", Long.MIN_VALUE, label))
        .hasMessageContaining("not a number");
    Rules.check(
        List.of(Rule.parse("allowed=s:x")), rows, "ts", Long.MIN_VALUE, label); // null passes
    assertThat(Rules.checkRow(List.of(Rule.parse("not-null=s")), rows.get(1), "ts", label))
        .hasMessageContaining("its s is null");
    assertThat(
            Rules.checkRow(
                List.of(Rule.parse("not-null=s"), Rule.parse("increasing-index")),
                rows.get(0),
                "ts",
                label))
        .isNull();
    assertThatThrownBy(() -> Rules.checkAgainst(List.of(Rule.parse("finite=i")), schema, label))
        .hasMessageContaining("cannot apply to column 'i'");
    Rules.checkAgainst(
        List.of(Rule.parse("range=d:0.."), Rule.parse("required=zz")), schema, label);
  }

  @Test
  void collectionRulesAreCheckedAgainstItsItemsAndAnUnreadableRulesFileStopsWriters()
      throws Exception {
    Store s = Store.open(root);
    seed(s);
    assertThatThrownBy(() -> s.collection("c").setRules(List.of(Rule.parse("finite=size"))))
        .hasMessageContaining("cannot apply to column 'size' of 'c/A'");
    s.collection("c").setRules(List.of(Rule.parse("finite=price"), Rule.parse("not-null=other")));
    java.nio.file.Files.writeString(root.resolve("c").resolve(PyCollection.RULES_FILE), "{oops");
    Store fresh = Store.open(root);
    assertThatThrownBy(() -> fresh.item("c", "A").append(Ticks.series(1, 500)))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("writers refuse to write unchecked rows");
    fresh.collection("c").setRules(List.of());
    fresh.item("c", "A").append(Ticks.series(1, 500));
    assertThat(fresh.collection("c").rules()).isEmpty();
    assertThat(Ticks.readAll(fresh.item("c", "A"))).hasSize(11);
    assertThat(s.item("c", "B").metadata()).isEqualTo(Map.of());
  }

  @Test
  void manyAsyncTransactionsAllLandAndACancelledOneLeavesNothing() throws Exception {
    Store s = Store.open(root, StoreOptions.defaults().withFsync(false));
    seed(s);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.CompletableFuture<TransactionResult>> all = new ArrayList<>();
      for (int t = 0; t < 20; t++) {
        try (Transaction tx = s.collection("c").transaction()) {
          tx.append("A", Ticks.series(3, 100 + t * 10L))
              .append("B", Ticks.series(2, 100 + t * 10L));
          all.add(tx.commitAsync(pool)); // closing a handed-over transaction discards nothing
        }
      }
      java.util.concurrent.CompletableFuture.allOf(
              all.toArray(new java.util.concurrent.CompletableFuture[0]))
          .get();
      assertThat(Ticks.readAll(s.item("c", "A"))).hasSize(10 + 60);
      assertThat(Ticks.readAll(s.item("c", "B"))).hasSize(10 + 40);

      java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.ExecutorService one =
          java.util.concurrent.Executors.newSingleThreadExecutor();
      one.execute(
          () -> {
            try {
              hold.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      Transaction tx = s.collection("c").transaction().append("A", Ticks.series(5, 900));
      java.util.concurrent.CompletableFuture<TransactionResult> f = tx.commitAsync(one);
      assertThat(f.cancel(true)).isTrue(); // not started: cancel wins
      hold.countDown();
      one.shutdown();
      assertThat(one.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(Ticks.readAll(s.item("c", "A"))).hasSize(70);
      assertThat(s.storage().list("c/A/" + PartLocator.STAGING)).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }
}
