package org.pystore.connect.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.pystore.connect.Version;
import org.pystore.store.Names;
import org.pystore.store.PyCollection;
import org.pystore.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays items as records: key = item name, value = the row as a Struct, timestamp = the index
 * (ms). Rows of all the task's items go out in one index order. Paced by {@code replay.speed};
 * {@code poll()} never waits longer than {@code poll.interval.ms} and {@code stop()} wakes it.
 */
public final class PyStoreSourceTask extends SourceTask {
  private static final Logger LOG = LoggerFactory.getLogger(PyStoreSourceTask.class);

  private PyStoreSourceConfig config;
  private final List<ItemCursor> cursors = new ArrayList<>();
  private final AvroToConnect converter = new AvroToConnect();
  private boolean opened;
  private boolean stopping;
  private long baseWallNanos = -1;
  private long baseIndexNanos;
  private long emitted;

  /** How a task opens its store: from {@code store.path}; tests put faults in between. */
  private final java.util.function.Function<PyStoreSourceConfig, Store> opener;

  /** For Connect. */
  public PyStoreSourceTask() {
    this(PyStoreSourceConfig::openStore);
  }

  /** For tests: the store the task reads comes from {@code opener}. */
  PyStoreSourceTask(java.util.function.Function<PyStoreSourceConfig, Store> opener) {
    this.opener = opener;
  }

  /**
   * How many times, in this process, a replay reopened an item at its latest version because vacuum
   * deleted a part of the version it was reading (after a compaction replaced it).
   *
   * @return the count since the process started
   */
  public static long reopens() {
    return ItemCursor.REOPENS.get();
  }

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public synchronized void start(Map<String, String> props) {
    config = new PyStoreSourceConfig(props);
    Store store = opener.apply(config);
    PyCollection c = store.collection(config.collection());
    String items = props.getOrDefault(PyStoreSourceConnector.TASK_ITEMS, "");
    List<String> names = items.isEmpty() ? List.of() : Arrays.asList(items.split("\n"));
    for (String name : names) {
      cursors.add(
          new ItemCursor(c.item(name), topic(name), config.from(), config.to(), config.snapshot()));
    }
    Map<Map<String, String>, Map<String, Object>> offsets = committed(cursors, false);
    List<ItemCursor> without = new ArrayList<>();
    for (ItemCursor cur : cursors) {
      if (offsets.get(cur.partition) == null) {
        without.add(cur);
      }
    }
    // offsets an earlier JVM wrote with the partition's keys the other way round (before the
    // order was fixed); asked apart, since the two forms are equal as maps
    Map<Map<String, String>, Map<String, Object>> legacy =
        without.isEmpty() ? Map.of() : committed(without, true);
    int resumed = 0;
    for (ItemCursor cur : cursors) {
      Map<String, Object> o = offsets.get(cur.partition);
      if (o == null) {
        o = legacy.get(cur.legacyPartition);
      }
      cur.resume(o);
      resumed += o == null ? 0 : 1;
    }
    LOG.info(
        "source task replays {} items of {} at speed {}, {} of them after a committed offset",
        cursors.size(),
        config.collection(),
        config.speed(),
        resumed);
  }

  private Map<Map<String, String>, Map<String, Object>> committed(
      List<ItemCursor> of, boolean legacy) {
    List<Map<String, String>> partitions = new ArrayList<>();
    for (ItemCursor cur : of) {
      partitions.add(legacy ? cur.legacyPartition : cur.partition);
    }
    Map<Map<String, String>, Map<String, Object>> found =
        context.offsetStorageReader().offsets(partitions);
    return found == null ? Map.of() : found;
  }

  String topic(String item) {
    String t =
        config
            .topicTemplate()
            .replace("${collection}", config.collection())
            .replace("${item}", item);
    StringBuilder sb = new StringBuilder(t.length());
    for (int i = 0; i < t.length(); i++) {
      char ch = t.charAt(i);
      boolean ok =
          (ch >= 'a' && ch <= 'z')
              || (ch >= 'A' && ch <= 'Z')
              || (ch >= '0' && ch <= '9')
              || ch == '.'
              || ch == '_'
              || ch == '-';
      sb.append(ok ? ch : '_');
    }
    return sb.toString();
  }

  @Override
  public synchronized List<SourceRecord> poll() throws InterruptedException {
    if (stopping) {
      return null;
    }
    try {
      if (!opened) {
        for (ItemCursor c : cursors) {
          c.open();
        }
        opened = true;
      }
      for (ItemCursor c : cursors) {
        if (c.stale) {
          c.open(); // after a failed read: again at the position of the last emitted row
        }
      }
    } catch (org.pystore.store.StoreIOException e) {
      throw retriable(e);
    }
    List<SourceRecord> out = new ArrayList<>();
    try {
      fill(out);
    } catch (org.pystore.store.StoreIOException e) {
      if (out.isEmpty()) {
        throw retriable(e);
      }
      // every record in out was taken whole: send them, the next poll tries again
    }
    emitted += out.size();
    return out.isEmpty() ? null : out;
  }

  private static org.apache.kafka.connect.errors.RetriableException retriable(
      org.pystore.store.StoreIOException e) {
    return new org.apache.kafka.connect.errors.RetriableException(
        "cannot read the store (" + e.getMessage() + "); the replay resumes where it stood", e);
  }

  private void fill(List<SourceRecord> out) throws InterruptedException {
    while (out.size() < config.batchMaxRecords() && !stopping) {
      ItemCursor next = earliest();
      if (next == null) {
        if (config.follow() && followNewCommits()) {
          continue;
        }
        if (out.isEmpty()) {
          wait(config.pollInterval().toMillis()); // idle: nothing to replay right now
        }
        break;
      }
      if (config.speed() > 0) {
        long due = dueNanos(next.peekNanos());
        long now = System.nanoTime();
        if (due > now) {
          if (!out.isEmpty()) {
            break;
          }
          long waitMs =
              Math.min(config.pollInterval().toMillis(), Math.max(1, (due - now) / 1_000_000));
          wait(waitMs);
          continue;
        }
      }
      out.add(record(next));
    }
  }

  /** When a row is due: the first row sets the clock, later ones keep their distance to it. */
  private long dueNanos(long indexNanos) {
    if (baseWallNanos < 0) {
      baseWallNanos = System.nanoTime();
      baseIndexNanos = indexNanos;
    }
    return baseWallNanos + (long) ((indexNanos - baseIndexNanos) / config.speed());
  }

  private ItemCursor earliest() {
    ItemCursor best = null;
    for (ItemCursor c : cursors) {
      if (c.stale) {
        return null; // keep one index order: nothing goes out until it is readable again
      }
      if (c.peek != null && (best == null || c.peekIndex < best.peekIndex)) {
        best = c;
      }
    }
    return best;
  }

  /** Reopens items that have new commits; true when one now has rows to replay. */
  private boolean followNewCommits() {
    boolean any = false;
    for (ItemCursor c : cursors) {
      if (c.peek == null && c.item.exists() && c.item.state().version() > c.version) {
        c.open();
        any |= c.peek != null;
      }
    }
    return any;
  }

  private SourceRecord record(ItemCursor c) {
    long indexNanos = c.peekNanos();
    GenericRecord row = c.take();
    Struct value = converter.struct(row);
    return new SourceRecord(
        c.partition,
        c.offset(),
        c.topic,
        null,
        Schema.STRING_SCHEMA,
        Names.decode(c.item.name()),
        value.schema(),
        value,
        Math.floorDiv(indexNanos, 1_000_000L));
  }

  @Override
  public void stop() {
    synchronized (this) {
      stopping = true;
      notifyAll();
      for (ItemCursor c : cursors) {
        c.close();
      }
    }
    LOG.info("source task stopped after {} records", emitted);
  }

  /** For tests. */
  Collection<ItemCursor> cursors() {
    return cursors;
  }
}
