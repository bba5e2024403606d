package org.pystore.connect.source;

import java.time.Instant;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.CorruptPartException;
import org.pystore.store.IndexUnit;
import org.pystore.store.Item;
import org.pystore.store.ReadOptions;
import org.pystore.store.RowReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one item's replay stands: a reader over its rows from the resume point on, and the logical
 * position of the last row emitted (index, and how many rows with that index were emitted), which
 * survives compaction because it does not name files.
 */
final class ItemCursor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ItemCursor.class);

  /** Reopens at the latest version in this process (see {@link PyStoreSourceTask#reopens()}). */
  static final java.util.concurrent.atomic.AtomicLong REOPENS =
      new java.util.concurrent.atomic.AtomicLong();

  static final String COLLECTION = "collection";
  static final String ITEM = "item";
  static final String INDEX = "index";
  static final String POSITION = "pos";

  final Item item;
  final String topic;

  /**
   * The source partition, keys always in this order: Connect finds committed offsets by the
   * partition's serialized bytes, and {@code Map.of} iterates in an order that changes from one JVM
   * to the next, so a restarted worker would look under other bytes and find nothing.
   */
  final Map<String, String> partition;

  /** The partition with the keys the other way round, as releases before 0.1.0 may have written. */
  final Map<String, String> legacyPartition;

  private final Instant from;
  private final Instant to;
  private final String snapshot;
  private RowReader reader;
  private IndexUnit unit;
  private String indexColumn;
  long version = -1;
  long lastIndex;
  int position;
  boolean started;
  private boolean opening;

  /** A read failed for a reason that may pass (storage unreachable): reopen at the position. */
  boolean stale;

  GenericRecord peek;
  long peekIndex;

  ItemCursor(Item item, String topic, Instant from, Instant to, String snapshot) {
    this.item = item;
    this.topic = topic;
    this.partition = ordered(COLLECTION, item.collectionName(), ITEM, item.name());
    this.legacyPartition = ordered(ITEM, item.name(), COLLECTION, item.collectionName());
    this.from = from;
    this.to = to;
    this.snapshot = snapshot;
  }

  private static Map<String, String> ordered(String k1, String v1, String k2, String v2) {
    Map<String, String> m = new java.util.LinkedHashMap<>(4);
    m.put(k1, v1);
    m.put(k2, v2);
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Resumes after a committed offset. */
  void resume(Map<String, Object> offset) {
    if (offset == null) {
      return;
    }
    lastIndex = ((Number) offset.get(INDEX)).longValue();
    position = ((Number) offset.get(POSITION)).intValue();
    started = true;
  }

  /** Opens a reader at the current position (again, when following new commits). */
  void open() {
    opening = true;
    try {
      openReader();
      stale = false;
    } catch (RuntimeException e) {
      // not opened: reopen at the next poll, at the same position (the version read before the
      // failure must not count as replayed, or a follow would wait for a newer commit)
      dropReader();
      throw e;
    } finally {
      opening = false;
    }
  }

  private void openReader() {
    closeReader();
    ReadOptions opts = ReadOptions.all();
    if (snapshot != null) {
      opts = opts.atSnapshot(snapshot);
    }
    if (to != null) {
      opts = opts.to(to);
    }
    var state = snapshot == null ? item.state() : null;
    if (state != null) {
      version = state.version();
      opts = opts.atVersion(version);
      unit = IndexUnit.of(state.schema().getField(state.options().indexColumn()).schema());
      indexColumn = state.options().indexColumn();
    }
    Instant start = from;
    if (started && unit != null) {
      Instant resume = unit.toInstant(lastIndex);
      start = start == null || resume.isAfter(start) ? resume : start;
    }
    if (start != null) {
      opts = opts.from(start);
    }
    reader = item.read(opts);
    if (unit == null) {
      indexColumn = reader.schema().getFields().get(0).name();
      for (org.apache.avro.Schema.Field f : reader.schema().getFields()) {
        if (IndexUnit.of(org.pystore.store.Schemas.nonNull(f.schema())) != null) {
          indexColumn = f.name();
          break;
        }
      }
      unit =
          IndexUnit.of(
              org.pystore.store.Schemas.nonNull(reader.schema().getField(indexColumn).schema()));
    }
    // rows at the resume index that were already emitted come first: skip them
    int skip = started ? position : 0;
    peek = null;
    while (advanceRaw()) {
      if (skip > 0 && peekIndex == lastIndex) {
        skip--;
        continue;
      }
      break;
    }
  }

  private boolean advanceRaw() {
    try {
      if (reader != null && reader.hasNext()) {
        peek = reader.next();
        peekIndex = (Long) peek.get(indexColumn);
        return true;
      }
    } catch (CorruptPartException e) {
      // A long replay pins an old version; vacuum may delete a part of it once a compaction
      // replaced it. The rows live on in the latest version: reopen there, after the last row.
      if (snapshot != null || opening) {
        throw e;
      }
      LOG.info(
          "{}/{}: {}; reopening at the latest version",
          item.collectionName(),
          item.name(),
          e.getMessage());
      REOPENS.incrementAndGet();
      open();
      return peek != null;
    } catch (org.pystore.store.StoreIOException e) {
      if (opening) {
        throw e;
      }
      // The rows emitted so far stand (the offsets say where they end); the reader is lost.
      goStale(e);
      return false;
    }
    peek = null;
    return false;
  }

  /** Takes the current row and moves on; returns the row. */
  GenericRecord take() {
    GenericRecord r = peek;
    if (started && peekIndex == lastIndex) {
      position++;
    } else {
      lastIndex = peekIndex;
      position = 1;
      started = true;
    }
    try {
      advanceRaw();
    } catch (RuntimeException e) {
      // The row taken stands (the position already counts it): the cursor reopens after it at the
      // next poll, which reports the failure if it persists. Throwing here would lose the row,
      // since the position has moved past it.
      goStale(e);
    }
    return r;
  }

  /** Drops the reader after a failed read: the next poll reopens after the last emitted row. */
  private void goStale(RuntimeException e) {
    LOG.warn(
        "{}/{}: reading failed ({}); the replay resumes after the last emitted row",
        item.collectionName(),
        item.name(),
        e.getMessage());
    dropReader();
  }

  /** Forgets the reader: the next poll opens a new one after the last emitted row. */
  private void dropReader() {
    closeReader();
    peek = null;
    stale = true;
  }

  long peekNanos() {
    return unit.toNanos(peekIndex);
  }

  long indexNanos(long raw) {
    return unit.toNanos(raw);
  }

  Map<String, Object> offset() {
    Map<String, Object> m = new java.util.LinkedHashMap<>(4);
    m.put(INDEX, lastIndex);
    m.put(POSITION, position);
    return java.util.Collections.unmodifiableMap(m);
  }

  private void closeReader() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  @Override
  public void close() {
    closeReader();
    peek = null;
  }
}
