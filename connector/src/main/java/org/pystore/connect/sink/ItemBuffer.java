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

  /** The item's own validation rules, as of the last time its state was read. */
  java.util.List<org.pystore.store.Rule> rules = java.util.List.of();

  long bytes;
  long firstAtNanos;
  boolean loaded;

  /** Why no row can go to this item (its name's twin exists), or null. */
  String refusal;

  /** {@code offsets.namespace}, empty for none. */
  final String namespace;

  /** The partition {@link #source} was last asked about, and its answer. */
  private TopicPartition lastTp;

  private String lastSource;

  ItemBuffer(String collection, String item, String namespace) {
    this.collection = collection;
    this.item = item;
    this.namespace = namespace == null ? "" : namespace;
  }

  /** The key under which an item records the offsets it holds of a topic-partition. */
  String source(TopicPartition tp) {
    if (tp == lastTp || tp.equals(lastTp)) {
      return lastSource; // asked per record: records come in runs of one partition
    }
    String key = tp.topic() + "-" + tp.partition();
    String source = namespace.isEmpty() ? key : namespace + ":" + key;
    lastTp = tp;
    lastSource = source;
    return source;
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
      first.merge(r.tp(), r.offset(), Math::min);
    }
  }

  /** Drops rows of the given partitions; returns the bytes freed. */
  long drop(java.util.Collection<TopicPartition> partitions) {
    long before = bytes;
    rows.removeIf(r -> partitions.contains(r.tp()));
    recount();
    return before - bytes;
  }

  /** Takes one row out (refused by a rule at commit time). */
  SinkRow remove(int index) {
    SinkRow r = rows.remove(index);
    recount();
    return r;
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
    ItemBuffer d = new ItemBuffer(collection, item, namespace);
    d.rows.addAll(rows);
    d.held.putAll(held);
    d.first.putAll(first);
    d.schema = schema;
    d.accepted.addAll(accepted);
    d.rules = rules;
    d.bytes = bytes;
    d.loaded = true;
    clear();
    return d;
  }

  /**
   * Takes back the rows of a commit that failed. They are older than any row received since, so
   * they go in front of those, after rows of earlier failed commits restored before them.
   *
   * @param failed the failed commit's buffer
   * @param at where to insert: the number of rows already restored in front
   */
  void restore(ItemBuffer failed, int at) {
    rows.addAll(at, failed.rows);
    recount();
    if (!rows.isEmpty() && firstAtNanos == 0) {
      firstAtNanos = failed.firstAtNanos;
    }
  }

  /**
   * A live buffer for the rows of a failed commit whose buffer is gone (closed partitions, or let
   * go while empty): it knows what the failed one knew of the item, its schema and held offsets, so
   * no column is dropped and nothing is written twice.
   */
  static ItemBuffer revive(ItemBuffer failed) {
    ItemBuffer b = new ItemBuffer(failed.collection, failed.item, failed.namespace);
    b.held.putAll(failed.held);
    b.schema = failed.schema;
    b.accepted.addAll(failed.accepted);
    b.rules = failed.rules;
    b.loaded = true;
    return b;
  }

  /** The buffers' map key: {@code collection/item}. */
  String key() {
    return collection + "/" + item;
  }

  void clear() {
    rows.clear();
    bytes = 0;
    first.clear();
  }
}
