package org.pystore.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.Rule;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;

/**
 * The sink holds records to the rules stored with the item and its collection: a record that breaks
 * one goes to the dead letter queue alone, with the rule's message, and every other record is
 * stored exactly once ({@code dedupe=none}); under {@code errors.tolerance=none} the task fails
 * naming the record.
 */
class SinkValidationTest {
  @TempDir Path dir;

  static final TopicPartition TP0 = new TopicPartition("ticks", 0);

  /** The seqs stored in AAPL, each once. */
  private Set<Long> storedOnce(SinkHarness h) {
    Map<Long, Integer> counts = h.stored().get("AAPL");
    assertThat(counts.values()).allMatch(n -> n == 1);
    return new TreeSet<>(counts.keySet());
  }

  private static Set<Long> range(long from, long to, long... except) {
    Set<Long> out = new TreeSet<>();
    for (long s = from; s < to; s++) {
      out.add(s);
    }
    for (long e : except) {
      out.remove(e);
    }
    return out;
  }

  /** Polls (an empty poll harvests finished commits) until AAPL holds {@code rows} rows. */
  private static void settle(SinkHarness h, int rows) {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () -> {
              h.poll(0);
              h.commitOffsets();
              Map<Long, Integer> c = h.stored().get("AAPL");
              return c != null && c.size() >= rows;
            });
  }

  /** Starts a task, delivers what the topic holds, waits until AAPL holds {@code rows}, stops. */
  private static void runUntilStored(SinkHarness h, int rows) {
    h.start();
    h.poll(100);
    settle(h, rows);
    h.stop();
  }

  @Test
  void aRecordBreakingARowRuleGoesToTheDeadLetterQueueAloneAndTheRestLandsOnce() {
    SinkHarness h =
        new SinkHarness(
            dir, Map.of("flush.records", "10"), StoreOptions.defaults(), SinkHarness.Tolerance.ALL);
    for (long s = 0; s < 10; s++) {
      h.produce(0, "AAPL", s);
    }
    h.start();
    h.poll(100);
    settle(h, 10);
    assertThat(storedOnce(h)).isEqualTo(range(0, 10));
    // price is 100 + seq: seqs 25 and 27 break the item's rule, seq 33 the collection's
    Store store = Store.open(dir);
    StringBuilder prices = new StringBuilder("allowed=price:");
    for (long seq = 0; seq < 40; seq++) {
      if (seq != 25 && seq != 27) {
        prices.append(seq == 0 ? "" : "|").append(100.0 + seq);
      }
    }
    store.item("ticks", "AAPL").setRules(List.of(Rule.parse(prices.toString())));
    store.collection("ticks").setRules(List.of(Rule.parse("range=price:..132.5")));
    h.restart(); // a task started since sees the rules at once
    for (long s = 10; s < 40; s++) {
      h.produce(0, "AAPL", s);
    }
    h.poll(100);
    settle(h, 31); // 0..32 but 25 and 27
    h.stop();
    List<Long> dead = new ArrayList<>();
    for (SinkRecord r : h.dlq) {
      dead.add(r.kafkaOffset());
    }
    assertThat(dead).startsWith(25L, 27L, 33L);
    assertThat(dead)
        .containsExactlyInAnyOrderElementsOf(List.of(25L, 27L, 33L, 34L, 35L, 36L, 37L, 38L, 39L));
    assertThat(storedOnce(h)).isEqualTo(range(0, 33, 25, 27));
    // offsets move past the refused records, as for any the DLQ takes: none comes back
    h.start();
    h.poll(100);
    h.stop();
    assertThat(h.dlq).hasSize(9);
    assertThat(storedOnce(h)).isEqualTo(range(0, 33, 25, 27));
  }

  @Test
  void aBatchRuleRefusesOnlyTheOffendingRecordAtCommit() {
    Store store = Store.open(dir);
    SinkHarness h =
        new SinkHarness(
            dir, Map.of("flush.records", "10"), StoreOptions.defaults(), SinkHarness.Tolerance.ALL);
    for (long s = 0; s < 10; s++) {
      h.produce(0, "AAPL", s);
    }
    runUntilStored(h, 10);
    store.item("ticks", "AAPL").setRules(List.of(Rule.parse("increasing-index")));
    for (long s : new long[] {10, 11, 12, 11, 13, 14, 15, 16, 17, 18}) {
      h.produce(0, "AAPL", s); // offset 13 goes back in time
    }
    runUntilStored(h, 19);
    assertThat(h.dlq).extracting(SinkRecord::kafkaOffset).containsExactly(13L);
    Map<Long, Integer> counts = h.stored().get("AAPL");
    assertThat(counts).containsEntry(11L, 1).hasSize(19);
    assertThat(counts.values()).allMatch(n -> n == 1);
  }

  @Test
  void withoutToleranceTheTaskFailsNamingTheRecordAndTheRule() {
    Store store = Store.open(dir);
    SinkHarness h =
        new SinkHarness(
            dir,
            Map.of("flush.records", "10"),
            StoreOptions.defaults(),
            SinkHarness.Tolerance.NONE);
    for (long s = 0; s < 5; s++) {
      h.produce(0, "AAPL", s);
    }
    runUntilStored(h, 5);
    store.item("ticks", "AAPL").setRules(List.of(Rule.parse("range=price:0..105")));
    for (long s = 5; s < 10; s++) {
      h.produce(0, "AAPL", s);
    }
    h.start();
    assertThatThrownBy(() -> h.poll(100))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("ticks/0@6")
        .hasMessageContaining("it breaks rule range=price:0..105 of 'ticks/AAPL' (column price)")
        .hasMessageContaining("its price is 106.0");
    h.stop();
    // nothing skipped: the record buffered before the bad one was not committed, nor its offset
    assertThat(h.committed.get(TP0)).isLessThanOrEqualTo(5L);
    assertThat(storedOnce(h)).isEqualTo(range(0, 5));
    // once the rule is relaxed, a restarted task stores everything from there, once
    store.item("ticks", "AAPL").setRules(List.of(Rule.parse("range=price:0..")));
    runUntilStored(h, 10);
    assertThat(storedOnce(h)).isEqualTo(range(0, 10));
  }
}
