package org.pystore.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pystore.store.CommitStep;
import org.pystore.store.Faults;
import org.pystore.store.IndexUnit;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.storage.LocalStorage;

/**
 * The real sink task under storage faults, fatal records, deletes by other processes and binary
 * keys, driven as a worker drives it ({@link SinkHarness}); every count is taken with dedupe=none,
 * so a duplicate shows.
 */
class SinkFaultsTest {
  @TempDir Path dir;

  static final TopicPartition TP0 = new TopicPartition("ticks", 0);

  /** Every seq from 0 to n-1 stored exactly once in the item. */
  static Map<Long, Integer> once(long from, long to) {
    Map<Long, Integer> m = new TreeMap<>();
    for (long s = from; s < to; s++) {
      m.put(s, 1);
    }
    return m;
  }

  @Test
  void aFailedCommitFollowedBySuccessfulOnesOfTheSameItemLosesNothing() throws Exception {
    Faults faults = new Faults().failNext(CommitStep.ENTRY_STAGED, 1);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    StoreOptions options =
        StoreOptions.defaults()
            .withFsync(false)
            .withHook(
                (step, item) -> {
                  if (step == CommitStep.PARTS_STAGED && first.getAndSet(false)) {
                    try { // hold the first commit until three more of its item are in line
                      gate.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                  faults.at(step, item);
                });
    SinkHarness h =
        new SinkHarness(dir, Map.of("flush.records", "10"), options, SinkHarness.Tolerance.ALL);
    for (long s = 0; s < 40; s++) {
      h.produce(0, "AAPL", s);
    }
    h.start();
    h.poll(40); // four commits of AAPL submitted; the first waits at the gate
    gate.countDown();
    h.runToEnd(100);
    h.stop();

    assertThat(faults.injected()).isEqualTo(1);
    assertThat(h.retriablesSeen).as("the failure reached Connect as retriable").isPositive();
    assertThat(h.stored()).containsOnlyKeys("AAPL");
    assertThat(h.stored().get("AAPL")).isEqualTo(once(0, 40));
    assertThat(h.committed).containsEntry(TP0, 40L);
  }

  @ParameterizedTest
  @EnumSource(
      value = CommitStep.class,
      names = {
        "PARTS_STAGED",
        "ENTRY_STAGED",
        "COMMITTED",
        "PUBLISHED",
        "METADATA_FILE",
        "SINK_CHECKPOINT"
      })
  void storageFaultsAtEveryStepWithRestartsLoseAndDuplicateNothing(CommitStep step) {
    Faults faults = new Faults().failAfter(step, 3, 4);
    SinkHarness h =
        new SinkHarness(
            dir,
            Map.of("flush.records", "7"),
            StoreOptions.defaults().withFsync(false).withHook(faults),
            SinkHarness.Tolerance.ALL);
    String[] symbols = {"AAPL", "MSFT", "IBM", "TSLA", "AMZN"};
    for (long s = 0; s < 300; s++) {
      h.produce((int) (s % 2), symbols[(int) (s % symbols.length)], s);
    }
    h.start();
    for (int round = 0; !h.atEnd(); round++) {
      try {
        h.poll(25);
        h.commitOffsets();
      } catch (ConnectException e) {
        h.restart();
      }
      if (round % 4 == 3) {
        h.restart(); // rebalances and restarts while faults are armed
      }
    }
    h.runToEnd(50);
    h.stop();

    assertThat(faults.injected()).as("faults injected at " + step).isEqualTo(4);
    Map<Long, Integer> all = new TreeMap<>();
    h.stored().values().forEach(all::putAll);
    assertThat(all).isEqualTo(once(0, 300));
    for (Map<Long, Integer> perItem : h.stored().values()) {
      assertThat(perItem.values()).containsOnly(1);
    }
  }

  @Test
  void aRecordThatKillsTheTaskKillsItAgainAfterARestartAndNothingIsSkipped() {
    SinkHarness h =
        new SinkHarness(
            dir,
            Map.of("flush.records", "10"),
            StoreOptions.defaults(),
            SinkHarness.Tolerance.NONE);
    for (long s = 0; s < 30; s++) {
      h.produce(0, "AAPL", s);
    }
    h.produceBad(0, "AAPL"); // offset 30
    for (long s = 31; s < 60; s++) {
      h.produce(0, "AAPL", s);
    }
    h.start();
    assertThatThrownBy(() -> h.poll(100))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("ticks/0@30");
    h.stop(); // the worker closes a failed task: offsets through preCommit, then close
    assertThat(h.committed.get(TP0)).isLessThanOrEqualTo(30L); // never past the bad record
    assertThat(h.stored().get("AAPL")).isEqualTo(once(0, 30));

    h.start(); // restarted by the operator: fails again on the same record, naming it
    assertThat(h.position).containsEntry(TP0, 30L);
    assertThatThrownBy(() -> h.poll(100))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("ticks/0@30");
    h.stop();
    assertThat(h.committed.get(TP0)).isLessThanOrEqualTo(30L);
    assertThat(h.stored().get("AAPL")).isEqualTo(once(0, 30));
  }

  /** Overwrites AAPL with a schema the buffered rows no longer fit (price becomes a string). */
  private void overwriteWithIncompatibleSchema() {
    org.apache.avro.Schema s =
        SchemaBuilder.record("Other")
            .fields()
            .name("ts")
            .type(IndexUnit.NANOS.schema())
            .noDefault()
            .requiredString("price")
            .endRecord();
    GenericData.Record r = new GenericData.Record(s);
    r.put("ts", SinkHarness.T0_MS * 1_000_000L);
    r.put("price", "n/a");
    Store.open(dir)
        .item("ticks", "AAPL")
        .write(s, List.of(r), ItemOptions.defaults().withIndexColumn("ts"), Map.of(), true);
  }

  @Test
  void rowsRefusedAtCommitReachTheDeadLetterQueueAsReceivedEvenWhenReportingFails() {
    SinkHarness h =
        new SinkHarness(
            dir,
            Map.of("flush.records", "5", "flush.interval.ms", "600000"),
            StoreOptions.defaults(),
            SinkHarness.Tolerance.FIRST_REPORT_FAILS);
    for (long s = 0; s < 5; s++) {
      h.produce(0, "AAPL", s);
    }
    h.start();
    h.runToEnd(5); // creates AAPL with rows 0..4
    List<SinkRecord> refused = new ArrayList<>();
    for (long s = 5; s < 10; s++) {
      refused.add(h.produce(0, "AAPL", s));
    }
    h.poll(4); // rows 5..8 buffered against the schema the task knows
    overwriteWithIncompatibleSchema(); // by another process
    h.poll(1); // row 9 fills the buffer: the commit refuses all five
    // the first report fails (as with tolerance none) and kills the task; had the offsets moved
    // past the refused rows, the restarted task would never see them again
    h.runToEnd(5);
    h.stop();
    assertThat(h.restarts).isEqualTo(1);
    assertThat(h.dlq).extracting(SinkRecord::kafkaOffset).containsExactly(5L, 6L, 7L, 8L, 9L);
    for (int i = 0; i < 5; i++) {
      assertThat(h.dlq.get(i).value()).isEqualTo(refused.get(i).value()); // the original record
      assertThat(h.dlq.get(i).key()).isEqualTo("AAPL");
    }
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"item", "collection", "directory"})
  void anItemDeletedBehindALiveSinkIsStartedAgainNeverCorrupted(String how) throws Exception {
    SinkHarness h =
        new SinkHarness(
            dir, Map.of("flush.records", "10"), StoreOptions.defaults(), SinkHarness.Tolerance.ALL);
    for (long s = 0; s < 20; s++) {
      h.produce(0, "AAPL", s);
    }
    h.start();
    h.runToEnd(100); // the task now caches AAPL's log state
    Store other = Store.open(dir); // another process
    switch (how) {
      case "item" -> other.collection("ticks").deleteItem("AAPL");
      case "collection" -> other.deleteCollection("ticks");
      default -> LocalStorage.deleteTree(dir.resolve("ticks").resolve("AAPL")); // by hand
    }
    for (long s = 20; s < 40; s++) {
      h.produce(0, "AAPL", s);
    }
    h.runToEnd(100);
    h.stop();

    assertThat(h.stored()).containsOnlyKeys("AAPL");
    assertThat(h.stored().get("AAPL")).isEqualTo(once(20, 40));
    Store fresh = Store.open(dir);
    assertThat(fresh.item("ticks", "AAPL").history()).isNotEmpty(); // the log reads whole
    if (how.equals("item")) {
      assertThat(fresh.item("ticks", "AAPL").history())
          .extracting(org.pystore.store.HistoryEntry::operation)
          .contains("delete");
    }
  }

  @Test
  void distinctBinaryKeysLandInDistinctItems() {
    SinkHarness h =
        new SinkHarness(dir, Map.of(), StoreOptions.defaults(), SinkHarness.Tolerance.ALL);
    h.produce(0, new byte[] {(byte) 0xC3}, 0); // a lone UTF-8 lead byte
    h.produce(0, new byte[] {(byte) 0xFF}, 1); // never valid UTF-8
    h.produce(0, "\uFFFD", 2); // what a lossy decoding makes of both
    h.produce(0, "\uFFFD".getBytes(StandardCharsets.UTF_8), 3); // the same text, as bytes
    h.produce(0, "%C3", 4); // looks like an escape
    h.start();
    h.runToEnd(100);
    h.stop();
    assertThat(h.stored())
        .containsOnlyKeys("%C3", "%FF", "\uFFFD", "%25C3")
        .containsEntry("%C3", once(0, 1))
        .containsEntry("%FF", once(1, 2))
        .containsEntry("\uFFFD", once(2, 4))
        .containsEntry("%25C3", once(4, 5));
  }

  @Test
  void keysThatDifferOnlyInCaseOrNormalizationAreRefusedNotMerged() {
    SinkHarness h =
        new SinkHarness(dir, Map.of(), StoreOptions.defaults(), SinkHarness.Tolerance.ALL);
    h.produce(0, "AAPL", 0);
    h.start();
    h.runToEnd(100);
    h.produce(0, "aapl", 1); // one directory with AAPL on macOS and Windows
    h.produce(0, "Caf\u00e9", 2);
    h.produce(0, "Cafe\u0301", 3); // the same word, decomposed: encoded, not merged
    h.runToEnd(100);
    h.stop();
    assertThat(h.dlq).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
    assertThat(h.stored()).containsEntry("AAPL", once(0, 1)).doesNotContainKey("aapl");
    assertThat(h.stored())
        .containsEntry("Caf\u00e9", once(2, 3))
        .containsEntry("Cafe%CC%81", once(3, 4));
  }

  @Test
  void aNewOffsetsNamespaceIngestsATopicCreatedAgainThatTheOldNameWouldSkip() {
    SinkHarness first =
        new SinkHarness(dir, Map.of(), StoreOptions.defaults(), SinkHarness.Tolerance.ALL);
    for (long s = 0; s < 10; s++) {
      first.produce(0, "AAPL", s);
    }
    first.start();
    first.runToEnd(100);
    first.stop();
    // the topic is deleted and created again: its offsets restart at 0
    SinkHarness sameName =
        new SinkHarness(dir, Map.of(), StoreOptions.defaults(), SinkHarness.Tolerance.ALL);
    SinkHarness newName =
        new SinkHarness(
            dir,
            Map.of("offsets.namespace", "ticks-v2"),
            StoreOptions.defaults(),
            SinkHarness.Tolerance.ALL);
    for (long s = 100; s < 110; s++) {
      sameName.produce(0, "AAPL", s);
      newName.produce(0, "AAPL", s);
    }
    sameName.start();
    sameName.runToEnd(100);
    sameName.stop();
    assertThat(sameName.stored().get("AAPL")).isEqualTo(once(0, 10)); // the documented hazard
    newName.start();
    newName.runToEnd(100);
    newName.stop();
    Map<Long, Integer> expected = once(0, 10);
    expected.putAll(once(100, 110));
    assertThat(newName.stored().get("AAPL")).isEqualTo(expected);
  }
}
