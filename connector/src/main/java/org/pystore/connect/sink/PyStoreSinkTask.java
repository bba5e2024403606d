package org.pystore.connect.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.pystore.connect.Version;
import org.pystore.store.PyStoreException;
import org.pystore.store.Store;
import org.pystore.store.StoreIOException;
import org.pystore.store.StoreOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers records per item and commits them to the store; offsets returned to Connect never run
 * ahead of what the store holds. The lifecycle lives here; the work is in {@link RecordConverter}
 * and {@link ItemWriter}.
 */
public final class PyStoreSinkTask extends SinkTask {
  private static final Logger LOG = LoggerFactory.getLogger(PyStoreSinkTask.class);

  /** Commits in line at most: this, or twice commit.threads when that is more. */
  private static final int MAX_IN_FLIGHT = 4;

  private int maxInFlight = MAX_IN_FLIGHT;

  private PyStoreSinkConfig config;
  private RecordConverter converter;
  private ItemWriter writer;
  private Committer committer;
  private SinkCheckpoints checkpoints;
  private ErrantRecordReporter reporter;
  private final SinkMetrics metrics = new SinkMetrics();
  private final Map<String, ItemBuffer> buffers = new HashMap<>();

  /** Per partition, the offset after the last record processed: anything below is redelivery. */
  private final Map<TopicPartition, Long> next = new HashMap<>();

  private final Map<TopicPartition, Long> checkpointed = new HashMap<>();

  /** Rows refused at commit time and not reported yet (the reporter threw): offsets wait. */
  private final java.util.ArrayDeque<Unreported> unreported = new java.util.ArrayDeque<>();

  private final StoreOptions storeOptions;
  private long bufferedBytes;
  private long bufferedRecords;

  public PyStoreSinkTask() {
    this(StoreOptions.defaults());
  }

  /** For tests: a task whose store uses these options (a fault-injecting hook). */
  PyStoreSinkTask(StoreOptions storeOptions) {
    this.storeOptions = storeOptions;
  }

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new PyStoreSinkConfig(props);
    String connector = props.getOrDefault("name", "pystore-sink");
    String task = props.getOrDefault(PyStoreSinkConnector.TASK_ID, "0");
    Store store;
    try {
      store = org.pystore.connect.StorageConfig.open(config, config.storePath(), storeOptions);
    } catch (PyStoreException e) {
      throw new ConnectException(
          "cannot open store.path " + config.storePath() + ": " + e.getMessage(), e);
    }
    converter = new RecordConverter(config);
    writer = new ItemWriter(store, config, connector, metrics);
    committer = new Committer(writer, connector + "-" + task, config.commitThreads());
    maxInFlight = Math.max(MAX_IN_FLIGHT, 2 * config.commitThreads());
    checkpoints = new SinkCheckpoints(store, connector, config.offsetsNamespace());
    try {
      reporter = context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      reporter = null; // workers older than Kafka 2.6
    }
    converter.retainRecords(reporter != null);
    metrics.register(connector, task);
    LOG.info("sink task {} of {} started on store {}", task, connector, store.location());
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      Long cp = checkpoints.read(tp);
      if (cp != null) {
        context.offset(tp, cp);
        next.put(tp, cp);
        checkpointed.put(tp, cp);
        LOG.info("{}: resuming at the store's checkpoint {}", tp, cp);
      } else {
        next.remove(tp);
      }
    }
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    harvest(false);
    long now = System.nanoTime();
    int flushRecords = config.flushRecords();
    long bufferMaxBytes = config.bufferMaxBytes();
    ItemBuffer last = null; // the buffer of the previous row: records come in runs of one item
    // `next` of the current run of records from one partition, kept here and written back when
    // the run ends, also when a record fails the task
    TopicPartition runTp = null;
    long runNext = -1; // -1: the partition has seen no record
    boolean moved = false;
    try {
      for (SinkRecord r : records) {
        TopicPartition tp = converter.topicPartition(r);
        if (tp != runTp) {
          if (moved) {
            next.put(runTp, runNext);
          }
          Long n = next.get(tp);
          runTp = tp;
          runNext = n == null ? -1 : n;
          moved = false;
        }
        if (runNext >= 0 && r.kafkaOffset() < runNext) {
          continue; // redelivered after a retriable failure: already buffered or committed
        }
        // `next` moves past a record only once it is buffered, skipped or reported: a record that
        // fails the task stays below the offsets Connect commits while it closes the partitions
        SinkRow row;
        try {
          row = converter.convert(r);
        } catch (DataException e) {
          bad(r, e);
          runNext = r.kafkaOffset() + 1;
          moved = true;
          continue;
        }
        if (row == null) {
          runNext = r.kafkaOffset() + 1;
          moved = true;
          continue;
        }
        ItemBuffer b;
        if (last != null && last.item == row.item() && last.collection == row.collection()) {
          b = last; // the same name objects: the converter hands out one per name
        } else {
          b =
              buffers.computeIfAbsent(
                  row.collection() + "/" + row.item(),
                  k -> new ItemBuffer(row.collection(), row.item(), config.offsetsNamespace()));
          last = b;
        }
        try {
          writer.load(b);
        } catch (StoreIOException e) {
          throw new RetriableException(e.getMessage(), e);
        }
        if (b.holds(row)) {
          metrics.skipped.incrementAndGet();
          runNext = r.kafkaOffset() + 1;
          moved = true;
          continue;
        }
        String refused = writer.accept(b, row);
        if (refused != null) {
          bad(
              r,
              RecordConverter.refused(
                  r.topic(), r.kafkaPartition(), r.kafkaOffset(), refused, null));
          runNext = r.kafkaOffset() + 1;
          moved = true;
          continue;
        }
        b.add(row, now);
        runNext = r.kafkaOffset() + 1;
        moved = true;
        bufferedBytes += row.bytes();
        bufferedRecords++;
        if (b.rows.size() >= flushRecords) {
          flush(b);
        }
        if (bufferedBytes > bufferMaxBytes) {
          keepWithinBudget(); // row by row, so a large poll cannot overshoot the budget
          last = null; // it may drop empty buffers from the map
        }
      }
    } finally {
      if (moved) {
        next.put(runTp, runNext);
      }
    }
    flushDue(now);
    keepWithinBudget();
    gauges();
    metrics.bufferedBytesPeak = Math.max(metrics.bufferedBytesPeak, bufferedBytes);
  }

  private void bad(SinkRecord r, DataException e) {
    if (reporter == null) {
      throw e;
    }
    LOG.warn(
        "sending {}/{}@{} to the dead letter queue: {}",
        r.topic(),
        r.kafkaPartition(),
        r.kafkaOffset(),
        e.getMessage());
    reporter.report(r, e);
    metrics.dlq.incrementAndGet();
  }

  /**
   * Hands the buffer's rows to the committer; at most a few commits wait in line. With {@code
   * commit.mode=transaction}, every buffered row goes, as one transaction per collection.
   */
  private void flush(ItemBuffer b) {
    while (committer.size() >= maxInFlight) {
      committer.awaitOldest();
      harvest(false);
    }
    if (!config.transactions()) {
      committer.submit(b.detach());
      return;
    }
    Map<String, List<ItemBuffer>> byCollection = new java.util.TreeMap<>();
    for (ItemBuffer each : buffers.values()) {
      if (!each.rows.isEmpty()) {
        byCollection.computeIfAbsent(each.collection, k -> new ArrayList<>()).add(each.detach());
      }
    }
    byCollection.forEach(committer::submitTransaction);
  }

  /**
   * Applies finished commits: what the items hold now, freed memory, refused rows, failures. Every
   * finished commit is applied before anything is reported or thrown, so a failure to report one
   * row loses nothing of the others.
   */
  private void harvest(boolean wait) {
    RuntimeException failure = null;
    Map<String, Integer> restored = new HashMap<>();
    for (Committer.Done d : committer.harvest(wait)) {
      ItemBuffer b = d.rows();
      bufferedBytes -= d.bytes();
      bufferedRecords -= d.count();
      String key = b.key();
      ItemBuffer live = buffers.get(key);
      for (ItemWriter.Refused r : d.refused()) {
        unreported.add(new Unreported(r.row(), r.why()));
      }
      if (d.failure() == null) {
        if (live != null) {
          b.held.forEach((k, v) -> live.held.merge(k, v, Math::max));
        }
        continue;
      }
      // nothing of a failed commit is lost: its rows go back in front of the live buffer, in order
      ItemBuffer target =
          live != null ? live : buffers.computeIfAbsent(key, k -> ItemBuffer.revive(b));
      target.loaded = true;
      int at = restored.getOrDefault(key, 0);
      target.restore(b, at);
      restored.put(key, at + b.rows.size());
      bufferedBytes += b.bytes;
      bufferedRecords += b.rows.size();
      Throwable t = d.failure();
      if (failure == null && d.failedItself()) {
        String what = "committing to " + key + " failed: " + t.getMessage();
        failure =
            t instanceof StoreIOException || t instanceof RetriableException
                ? new RetriableException(what, t)
                : new ConnectException(what, t);
      }
    }
    gauges();
    reportUnreported();
    if (failure != null) {
      throw failure;
    }
  }

  /** A row refused at commit time, waiting for the dead letter queue; it holds back offsets. */
  private record Unreported(SinkRow row, String why) {}

  private void reportUnreported() {
    while (!unreported.isEmpty()) {
      Unreported u = unreported.peekFirst();
      SinkRow r = u.row();
      SinkRecord original =
          r.record() != null
              ? r.record()
              : new SinkRecord(
                  r.tp().topic(), r.tp().partition(), null, null, null, null, r.offset());
      bad(
          original,
          RecordConverter.refused(r.tp().topic(), r.tp().partition(), r.offset(), u.why(), null));
      unreported.pollFirst();
    }
  }

  private void flushDue(long now) {
    long due = config.flushInterval().toNanos();
    for (ItemBuffer b : new ArrayList<>(buffers.values())) {
      if (!b.rows.isEmpty() && now - b.firstAtNanos >= due) {
        flush(b);
        if (config.transactions()) {
          return; // that flush took every buffer
        }
      }
    }
  }

  /**
   * When buffered and in-flight rows outgrow the budget, commits the largest buffers until half the
   * budget is free, then waits for commits until the total is back within it.
   */
  private void keepWithinBudget() {
    long max = config.bufferMaxBytes();
    if (bufferedBytes <= max) {
      return;
    }
    List<ItemBuffer> largest = new ArrayList<>(buffers.values());
    largest.sort(Comparator.comparingLong((ItemBuffer b) -> b.bytes).reversed());
    for (ItemBuffer b : largest) {
      if (bufferedBytes - committer.bytes() <= max / 2 || b.rows.isEmpty()) {
        break;
      }
      flush(b); // with commit.mode=transaction: every buffer, so the loop ends after it
    }
    while (bufferedBytes > max && committer.size() > 0) {
      committer.awaitOldest();
      harvest(false);
    }
    // empty buffers only remember what their item holds: let the rare ones go
    if (buffers.size() > 10_000) {
      buffers.values().removeIf(b -> b.rows.isEmpty());
    }
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> current) {
    flushDue(System.nanoTime());
    Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>();
    for (TopicPartition tp : current.keySet()) {
      Long offset = safeOffset(tp);
      if (offset != null) {
        safe.put(tp, new OffsetAndMetadata(offset));
        checkpoint(tp, offset);
      }
    }
    gauges();
    return safe;
  }

  /**
   * The offset below which every record of a partition is committed in the store, skipped or
   * reported: nothing buffered, in flight or waiting for the DLQ lies below it. Null when the
   * partition has seen no record.
   */
  private Long safeOffset(TopicPartition tp) {
    Long n = next.get(tp);
    if (n == null) {
      return null;
    }
    long offset = n;
    for (ItemBuffer b : buffers.values()) {
      long f = b.firstOffset(tp);
      if (f >= 0 && f < offset) {
        offset = f;
      }
    }
    long inFlight = committer.firstOffset(tp);
    if (inFlight >= 0 && inFlight < offset) {
      offset = inFlight;
    }
    for (Unreported u : unreported) {
      if (u.row().tp().equals(tp) && u.row().offset() < offset) {
        offset = u.row().offset();
      }
    }
    return offset;
  }

  /**
   * Records where a task given this partition resumes. A failure to write it is not fatal: the
   * older checkpoint only makes the next owner skip more records its items already hold.
   */
  private void checkpoint(TopicPartition tp, long offset) {
    Long done = checkpointed.get(tp);
    if (done != null && done == offset) {
      return;
    }
    try {
      checkpoints.write(tp, offset);
      checkpointed.put(tp, offset);
    } catch (StoreIOException e) {
      LOG.warn(
          "{}: could not write the sink checkpoint at {} (retried at the next commit)",
          tp,
          offset,
          e);
    }
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    if (committer.holdsAny(partitions)) {
      try {
        harvest(true); // let commits in flight finish: their rows are as good as anyone's
      } catch (RuntimeException e) {
        LOG.warn(
            "a commit failed while partitions were revoked; their new owner writes the rows", e);
      }
    }
    for (TopicPartition tp : partitions) {
      Long offset = safeOffset(tp); // what the commits just harvested made safe
      if (offset != null) {
        checkpoint(tp, offset);
      }
    }
    for (Iterator<ItemBuffer> it = buffers.values().iterator(); it.hasNext(); ) {
      ItemBuffer b = it.next();
      int rows = b.rows.size();
      bufferedBytes -= b.drop(partitions);
      bufferedRecords -= rows - b.rows.size();
      if (b.rows.isEmpty()) {
        it.remove();
      }
    }
    unreported.removeIf(u -> partitions.contains(u.row().tp())); // redelivered to the new owner
    for (TopicPartition tp : partitions) {
      next.remove(tp);
      checkpointed.remove(tp);
    }
    gauges();
  }

  @Override
  public void stop() {
    if (committer != null) {
      committer.shutdown();
    }
    buffers.clear();
    unreported.clear();
    next.clear();
    bufferedBytes = 0;
    bufferedRecords = 0;
    metrics.unregister();
  }

  private void gauges() {
    metrics.openItems = buffers.size();
    metrics.bufferedBytes = bufferedBytes;
    metrics.bufferedRecords = bufferedRecords;
  }

  /** For tests: commits handed to the committer and not harvested yet. */
  int inFlight() {
    return committer.size();
  }

  /** For tests: the task's figures. */
  SinkMetrics metrics() {
    return metrics;
  }
}
