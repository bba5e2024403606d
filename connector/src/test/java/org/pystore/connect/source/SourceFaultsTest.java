package org.pystore.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.DedupePolicy;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Ticks;
import org.pystore.store.storage.FaultyStorage;
import org.pystore.store.storage.LocalStorage;

/**
 * Storage failing under a replay: every row still goes out exactly once and in order, whether the
 * read fails in the middle of a batch, while reopening after a part went away, or while a follow
 * opens a new commit. Polls that fail with a {@link RetriableException} are polled again, as
 * Connect does; any other exception fails the test, as it would fail the task.
 */
class SourceFaultsTest {
  @TempDir Path dir;

  private FaultyStorage storage;

  /** {@code parts} parts of 100 rows on as many days: sizes 0, 1, ... in index order. */
  private Item item(int parts) {
    storage = new FaultyStorage(new LocalStorage(dir.resolve("store"), false), (op, key) -> null);
    Item item = Store.open(storage, StoreOptions.defaults()).item("ticks", "AAPL");
    item.write(
        Ticks.SCHEMA,
        series(0),
        ItemOptions.defaults().withDedupe(DedupePolicy.NONE),
        Map.of(),
        false);
    for (int p = 1; p < parts; p++) {
      item.append(series(100 * p));
    }
    return item;
  }

  /** Row i's index: rows 0-99 on one day, 100-199 on the next, ...: a part per day bucket. */
  private static long ts(int i) {
    return Ticks.T0 + ((i / 100) * 86_400L + i % 100) * 1_000_000_000L;
  }

  private static List<org.apache.avro.generic.GenericRecord> series(int from) {
    List<org.apache.avro.generic.GenericRecord> out = new ArrayList<>();
    for (int i = from; i < from + 100; i++) {
      out.add(Ticks.tick(ts(i), "AAPL", 100 + i, i));
    }
    return out;
  }

  private PyStoreSourceTask task(boolean follow) {
    PyStoreSourceTask t = new PyStoreSourceTask(c -> Store.open(storage, StoreOptions.defaults()));
    t.initialize(SourceOffsetsTest.context(new SourceOffsetsTest.ByBytes()));
    Map<String, String> props = new HashMap<>();
    props.put("store.path", dir.resolve("store").toString());
    props.put("collection", "ticks");
    props.put("topic", "replay");
    props.put("replay.speed", "0");
    props.put("batch.max.records", "40");
    props.put("poll.interval.ms", "10");
    props.put("follow", String.valueOf(follow));
    props.put(PyStoreSourceConnector.TASK_ITEMS, "AAPL");
    t.start(props);
    return t;
  }

  /** Polls until {@code n} rows came out or 200 polls passed; retriable failures are polled on. */
  private static List<Long> drain(PyStoreSourceTask t, int n, AtomicInteger retried)
      throws InterruptedException {
    List<Long> sizes = new ArrayList<>();
    for (int poll = 0; poll < 200 && sizes.size() < n; poll++) {
      List<SourceRecord> out;
      try {
        out = t.poll();
      } catch (RetriableException e) {
        retried.incrementAndGet();
        continue;
      }
      if (out != null) {
        for (SourceRecord r : out) {
          sizes.add(((Struct) r.value()).getInt64("size"));
        }
      }
    }
    return sizes;
  }

  private static List<Long> range(int from, int to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  /**
   * Fails operations on the part that starts with row {@code row}: the first {@code ops[0]} on it,
   * then the first {@code ops[1]} after that, and so on; then lets everything pass. A read opens a
   * part when it reaches the part before it (one part of lookahead).
   */
  private void failPart(int row, FaultyStorage.Op... ops) {
    Item item = Store.open(storage, StoreOptions.defaults()).item("ticks", "AAPL");
    String part =
        item.state().parts().values().stream()
            .filter(p -> p.minIndex() == ts(row))
            .findFirst()
            .orElseThrow()
            .name();
    AtomicInteger next = new AtomicInteger();
    storage.faults(
        (o, key) -> {
          int i = next.get();
          if (i < ops.length && o == ops[i] && key.endsWith(part)) {
            next.incrementAndGet();
            return FaultyStorage.When.BEFORE;
          }
          return null;
        });
  }

  @Test
  void aReopenFailingMidBatchLosesNoRow() throws Exception {
    item(3);
    // a part unreadable mid-read makes the cursor reopen the item (as when vacuum deleted it),
    // and the reopen finds it unreadable once more: the row taken before must still go out
    failPart(200, FaultyStorage.Op.READ_RANGE, FaultyStorage.Op.READ_RANGE);
    PyStoreSourceTask t = task(false);
    AtomicInteger retried = new AtomicInteger();
    assertThat(drain(t, 300, retried)).isEqualTo(range(0, 300));
    t.stop();
  }

  @Test
  void aPartThatCannotBeOpenedIsReadOnceItCanBe() throws Exception {
    item(3);
    failPart(200, FaultyStorage.Op.OPEN, FaultyStorage.Op.OPEN, FaultyStorage.Op.OPEN);
    PyStoreSourceTask t = task(false);
    AtomicInteger retried = new AtomicInteger();
    assertThat(drain(t, 300, retried)).isEqualTo(range(0, 300));
    t.stop();
  }

  @Test
  void aFollowWhoseReopenFailsReadsTheNewCommitWithoutWaitingForAnother() throws Exception {
    Item item = item(1);
    PyStoreSourceTask t = task(true);
    AtomicInteger retried = new AtomicInteger();
    assertThat(drain(t, 100, retried)).isEqualTo(range(0, 100));

    item.append(series(100)); // the follow opens this commit: its part fails to open, once
    failPart(100, FaultyStorage.Op.OPEN);
    List<Long> next = drain(t, 100, retried);
    assertThat(retried.get()).as("the failed open was reported as retriable").isPositive();
    assertThat(next).isEqualTo(range(100, 200));
    t.stop();
  }
}
