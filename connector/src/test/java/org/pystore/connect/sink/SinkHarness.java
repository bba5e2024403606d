package org.pystore.connect.sink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.pystore.store.ReadOptions;
import org.pystore.store.RowReader;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;

/**
 * Drives a real {@link PyStoreSinkTask} as a Connect worker does, over topic-partitions held in
 * memory: batches from the consumer position, the same batch again after a {@link
 * RetriableException}, offsets committed from {@code preCommit}, and on a task failure or a stop
 * the close path (commit, {@code close}, {@code stop}); a restart opens the partitions again and
 * seeks where the task asks. What a worker would do with a DLQ is recorded in {@link #dlq}.
 */
final class SinkHarness {
  /** ts (Connect Timestamp), seq (the record's identity), price. */
  static final Schema VALUE =
      SchemaBuilder.struct()
          .name("Tick")
          .field("ts", Timestamp.SCHEMA)
          .field("seq", Schema.INT64_SCHEMA)
          .field("price", Schema.FLOAT64_SCHEMA)
          .build();

  /** 2024-01-02T00:00:00Z in epoch milliseconds. */
  static final long T0_MS = 1_704_153_600_000L;

  /** How a worker treats bad records. */
  enum Tolerance {
    /** errors.tolerance=all with a DLQ: the reporter records. */
    ALL,
    /** errors.tolerance=none, no reporter: the task throws. */
    NONE,
    /** A reporter whose first report fails (as a DLQ producer or tolerance=none would). */
    FIRST_REPORT_FAILS
  }

  final Path storePath;
  final Map<String, String> props;
  final StoreOptions storeOptions;
  final Tolerance tolerance;
  final Map<TopicPartition, List<SinkRecord>> topic =
      new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
  final Map<TopicPartition, Long> position = new HashMap<>();
  final Map<TopicPartition, Long> committed = new HashMap<>();
  final List<SinkRecord> dlq = Collections.synchronizedList(new ArrayList<>());
  int restarts;
  int retriablesSeen;

  /** Called on every RetriableException the task throws (tests react to a full disk there). */
  Runnable onRetriable = () -> {};

  private boolean reportFailed;

  PyStoreSinkTask task;
  private Context context;

  SinkHarness(Path storePath, Map<String, String> extra, StoreOptions storeOptions, Tolerance t) {
    this.storePath = storePath;
    Map<String, String> p = new HashMap<>();
    p.put("name", "harness");
    p.put("store.path", storePath.toString());
    p.put("collection", "ticks");
    p.put("index.field", "ts");
    p.put("dedupe", "none"); // any other policy would hide a duplicate
    p.put("flush.interval.ms", "1000");
    p.putAll(extra);
    this.props = p;
    this.storeOptions = storeOptions;
    this.tolerance = t;
  }

  /** Appends a record to a partition's log; its value's seq is its identity. */
  SinkRecord produce(int partition, Object key, long seq) {
    TopicPartition tp = new TopicPartition("ticks", partition);
    List<SinkRecord> log = topic.computeIfAbsent(tp, k -> new ArrayList<>());
    Struct v =
        new Struct(VALUE)
            .put("ts", new java.util.Date(T0_MS + seq * 1000))
            .put("seq", seq)
            .put("price", 100.0 + seq);
    SinkRecord r =
        new SinkRecord(
            tp.topic(),
            partition,
            null,
            key,
            VALUE,
            v,
            log.size(),
            T0_MS + seq,
            TimestampType.CREATE_TIME);
    log.add(r);
    return r;
  }

  /** Appends a record whose value no converter shape fits (a bare string). */
  SinkRecord produceBad(int partition, Object key) {
    TopicPartition tp = new TopicPartition("ticks", partition);
    List<SinkRecord> log = topic.computeIfAbsent(tp, k -> new ArrayList<>());
    SinkRecord r =
        new SinkRecord(
            tp.topic(),
            partition,
            null,
            key,
            null,
            "garbage",
            log.size(),
            T0_MS,
            TimestampType.CREATE_TIME);
    log.add(r);
    return r;
  }

  /** Starts a task and gives it every partition, seeking where it asks (else where committed). */
  void start() {
    context = new Context();
    task = new PyStoreSinkTask(storeOptions);
    task.initialize(context);
    task.start(props);
    for (TopicPartition tp : topic.keySet()) {
      position.put(tp, committed.getOrDefault(tp, 0L));
    }
    task.open(new ArrayList<>(topic.keySet()));
    position.putAll(context.seeks);
    context.seeks.clear();
  }

  /** Connect's close path: commit offsets through preCommit, close the partitions, stop. */
  void stop() {
    try {
      commitOffsets();
    } catch (RuntimeException e) {
      // Connect logs a failed commit on close and goes on closing
    }
    task.close(new ArrayList<>(topic.keySet()));
    task.stop();
    task = null;
  }

  void restart() {
    stop();
    restarts++;
    start();
  }

  /** Offsets from preCommit become the consumer group's. */
  void commitOffsets() {
    Map<TopicPartition, OffsetAndMetadata> current = new HashMap<>();
    for (TopicPartition tp : topic.keySet()) {
      current.put(tp, new OffsetAndMetadata(position.get(tp)));
    }
    Map<TopicPartition, OffsetAndMetadata> safe;
    try {
      safe = task.preCommit(current);
    } catch (RuntimeException e) {
      return; // Connect logs a failed preCommit and commits nothing this time
    }
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : safe.entrySet()) {
      committed.put(e.getKey(), e.getValue().offset());
    }
  }

  /**
   * One poll: up to {@code max} records per partition from the position, put again as long as the
   * task answers with a RetriableException (up to a bound).
   *
   * @return records delivered
   * @throws RuntimeException a non-retriable failure of the task (the caller restarts it)
   */
  int poll(int max) {
    List<SinkRecord> batch = new ArrayList<>();
    Map<TopicPartition, Long> after = new HashMap<>();
    for (Map.Entry<TopicPartition, List<SinkRecord>> e : topic.entrySet()) {
      long from = position.get(e.getKey());
      long to = Math.min(e.getValue().size(), from + max);
      for (long o = from; o < to; o++) {
        batch.add(e.getValue().get((int) o));
      }
      after.put(e.getKey(), to);
    }
    for (int attempt = 0; ; attempt++) {
      try {
        task.put(batch);
        break;
      } catch (RetriableException e) {
        retriablesSeen++;
        onRetriable.run();
        if (attempt > 200) {
          throw new AssertionError("the task kept failing retriably", e);
        }
        sleep(5);
      }
    }
    position.putAll(after);
    return batch.size();
  }

  /** Whether every partition's position is at its end. */
  boolean atEnd() {
    for (Map.Entry<TopicPartition, List<SinkRecord>> e : topic.entrySet()) {
      if (position.get(e.getKey()) < e.getValue().size()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Delivers everything, then lets buffered rows reach the store, committing offsets until they
   * reach the end of every partition. A non-retriable failure restarts the task, as an operator (or
   * a restart policy) would.
   */
  void runToEnd(int batch) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      try {
        while (!atEnd()) {
          poll(batch);
          commitOffsets();
        }
        poll(batch); // an empty poll harvests finished commits
        commitOffsets();
        if (committedAtEnd()) {
          return;
        }
        sleep(20);
      } catch (ConnectException e) {
        if (e instanceof RetriableException) {
          continue;
        }
        restart();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("offsets did not reach the end: " + committed);
      }
    }
  }

  boolean committedAtEnd() {
    for (Map.Entry<TopicPartition, List<SinkRecord>> e : topic.entrySet()) {
      if (committed.getOrDefault(e.getKey(), 0L) < e.getValue().size()) {
        return false;
      }
    }
    return true;
  }

  /** Per item, how many times each seq is stored (dedupe=none: a duplicate counts twice). */
  Map<String, Map<Long, Integer>> stored() {
    Store store = Store.open(storePath);
    Map<String, Map<Long, Integer>> out = new LinkedHashMap<>();
    if (!store.collection("ticks").exists()) {
      return out;
    }
    for (String item : store.collection("ticks").items()) {
      Map<Long, Integer> counts = new TreeMap<>();
      try (RowReader r = store.item("ticks", item).read(ReadOptions.all())) {
        r.forEachRemaining((GenericRecord g) -> counts.merge((Long) g.get("seq"), 1, Integer::sum));
      }
      out.put(item, counts);
    }
    return out;
  }

  /** How many times each seq is stored, over all items (a duplicate anywhere counts twice). */
  Map<Long, Integer> storedOverItems() {
    Map<Long, Integer> all = new TreeMap<>();
    stored().values().forEach(m -> m.forEach((k, v) -> all.merge(k, v, Integer::sum)));
    return all;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private final class Context implements SinkTaskContext {
    final Map<TopicPartition, Long> seeks = new HashMap<>();

    @Override
    public Map<String, String> configs() {
      return props;
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
      seeks.putAll(offsets);
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
      seeks.put(tp, offset);
    }

    @Override
    public void timeout(long timeoutMs) {}

    @Override
    public Set<TopicPartition> assignment() {
      return topic.keySet();
    }

    @Override
    public void pause(TopicPartition... partitions) {}

    @Override
    public void resume(TopicPartition... partitions) {}

    @Override
    public void requestCommit() {}

    @Override
    public ErrantRecordReporter errantRecordReporter() {
      if (tolerance == Tolerance.NONE) {
        return null;
      }
      return new ErrantRecordReporter() {
        @Override
        public Future<Void> report(SinkRecord record, Throwable error) {
          if (tolerance == Tolerance.FIRST_REPORT_FAILS && !reportFailed) {
            reportFailed = true;
            throw new ConnectException("Tolerance exceeded in error handler", error);
          }
          dlq.add(record);
          return CompletableFuture.completedFuture(null);
        }
      };
    }

    @Override
    public PluginMetrics pluginMetrics() {
      return null;
    }
  }
}
