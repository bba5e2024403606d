package org.pystore.connect.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Rows waiting for one item, in arrival (so offset) order per topic-partition, and what the item is
 * known to hold already: per topic-partition, the next offset it does not hold.
 */
final class ItemBuffer {
  final String collection;
  final String item;
  final List<SinkRow> rows = new ArrayList<>();
  final Map<String, Long> held = new HashMap<>();

  /** Smallest buffered offset per partition (rows are in offset order per partition). */
  final Map<TopicPartition, Long> first = new HashMap<>();

  /** The item's schema unified with every schema accepted into this buffer; null for a new item. */
  org.apache.avro.Schema schema;

  /** Row schemas already checked against {@link #schema}. */
  final java.util.Set<org.apache.avro.Schema> accepted =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  long bytes;
  long firstAtNanos;
  boolean loaded;

  ItemBuffer(String collection, String item) {
    this.collection = collection;
    this.item = item;
  }

  static String source(TopicPartition tp) {
    return tp.topic() + "-" + tp.partition();
  }

  /** Whether the item already holds this record. */
  boolean holds(SinkRow r) {
    Long next = held.get(source(r.tp()));
    return next != null && r.offset() < next;
  }

  void add(SinkRow r, long nowNanos) {
    if (rows.isEmpty()) {
      firstAtNanos = nowNanos;
    }
    rows.add(r);
    bytes += r.bytes();
    first.putIfAbsent(r.tp(), r.offset());
  }

  /** The smallest buffered offset of a topic-partition, or -1. */
  long firstOffset(TopicPartition tp) {
    Long f = first.get(tp);
    return f == null ? -1 : f;
  }

  private void recount() {
    bytes = 0;
    first.clear();
    for (SinkRow r : rows) {
      bytes += r.bytes();
      first.putIfAbsent(r.tp(), r.offset());
    }
  }

  /** Drops rows of the given partitions; returns the bytes freed. */
  long drop(java.util.Collection<TopicPartition> partitions) {
    long before = bytes;
    rows.removeIf(r -> partitions.contains(r.tp()));
    recount();
    return before - bytes;
  }

  /** Drops rows the item holds by now; returns the bytes freed. */
  long dropHeld() {
    long before = bytes;
    rows.removeIf(this::holds);
    recount();
    return before - bytes;
  }

  /**
   * Moves the rows into a new buffer for a background commit, with copies of what this one knows of
   * the item. This buffer keeps receiving rows.
   */
  ItemBuffer detach() {
    ItemBuffer d = new ItemBuffer(collection, item);
    d.rows.addAll(rows);
    d.held.putAll(held);
    d.first.putAll(first);
    d.schema = schema;
    d.accepted.addAll(accepted);
    d.bytes = bytes;
    d.loaded = true;
    clear();
    return d;
  }

  /** Takes back the rows of a commit that failed: they are older than any row here. */
  void restore(ItemBuffer failed) {
    rows.addAll(0, failed.rows);
    recount();
    if (!rows.isEmpty() && firstAtNanos == 0) {
      firstAtNanos = failed.firstAtNanos;
    }
  }

  void clear() {
    rows.clear();
    bytes = 0;
    first.clear();
  }
}
