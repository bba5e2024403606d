package org.pystore.store.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.pystore.store.ItemOptions;
import org.pystore.store.Rule;

/**
 * The state of an item at one version: the replay of its commit log up to that version. Immutable.
 */
public final class ItemState {
  /** The operation of a compaction's log entry. */
  public static final String COMPACT = "compact";

  /**
   * The operation of a deletion's log entry: the item ends here (its parts are removed) and a later
   * create starts it again with the next version, so writers that cached an older state meet it.
   */
  public static final String DELETE = "delete";

  /**
   * The operation shown for the entry of an aborted transaction ({@link CommitLog#entries()}): its
   * version exists and changes nothing.
   */
  public static final String ABORTED = "aborted";

  /** The key of a compaction entry's {@code info} that counts the rows its dedupe dropped. */
  public static final String DUPLICATES_REMOVED = "duplicatesRemoved";

  private final long version;
  private final ItemOptions options;
  private final String schemaJson;
  private final Schema schema;
  private final Map<String, PartInfo> parts;
  private final Map<String, Object> metadata;
  private final Map<String, Long> offsets;
  private final long created;
  private final long updated;
  private final long lastCompacted;
  private final long duplicatesRemoved;
  private final boolean deleted;
  private final List<Rule> rules;

  ItemState(
      long version,
      ItemOptions options,
      String schemaJson,
      Schema schema,
      Map<String, PartInfo> parts,
      Map<String, Object> metadata,
      Map<String, Long> offsets,
      long created,
      long updated,
      long lastCompacted,
      long duplicatesRemoved,
      boolean deleted,
      List<Rule> rules) {
    this.version = version;
    this.rules = rules == null ? List.of() : List.copyOf(rules);
    this.deleted = deleted;
    this.options = options;
    this.schemaJson = schemaJson;
    this.schema = schema;
    this.parts = Collections.unmodifiableMap(parts);
    this.metadata = Collections.unmodifiableMap(metadata);
    this.offsets = Collections.unmodifiableMap(offsets);
    this.created = created;
    this.updated = updated;
    this.lastCompacted = lastCompacted;
    this.duplicatesRemoved = duplicatesRemoved;
  }

  /**
   * The state after one more commit.
   *
   * @param prev the state before, null for the first commit
   * @param e the commit
   * @return the new state
   */
  public static ItemState apply(ItemState head, LogEntry e) {
    long expected = head == null ? 0 : head.version + 1;
    if (e.version() != expected) {
      throw new IllegalStateException(
          "log entry " + e.version() + " applied out of order, expected " + expected);
    }
    if (DELETE.equals(e.operation())) {
      if (head == null || head.deleted) {
        throw new IllegalStateException("log entry " + e.version() + " deletes no item");
      }
      return new ItemState(
          e.version(),
          head.options,
          head.schemaJson,
          head.schema,
          new LinkedHashMap<>(),
          new LinkedHashMap<>(),
          new LinkedHashMap<>(),
          head.created,
          e.timestamp(),
          0,
          0,
          true,
          List.of());
    }
    ItemState prev = head == null || head.deleted ? null : head; // a create after a delete
    ItemOptions options = e.options() != null ? e.options() : prev == null ? null : prev.options;
    String schemaJson = e.schema() != null ? e.schema() : prev == null ? null : prev.schemaJson;
    Schema schema =
        e.schema() != null
            ? new Schema.Parser().parse(e.schema())
            : prev == null ? null : prev.schema;
    if (options == null || schema == null) {
      throw new IllegalStateException(
          "log entry " + e.version() + " starts an item without options or schema");
    }
    Map<String, PartInfo> parts =
        prev == null ? new LinkedHashMap<>() : new LinkedHashMap<>(prev.parts);
    for (String name : e.remove()) {
      parts.remove(name);
    }
    for (PartInfo p : e.add()) {
      parts.put(p.name(), p);
    }
    Map<String, Object> metadata =
        e.metadata() != null
            ? new LinkedHashMap<>(e.metadata())
            : prev == null ? new LinkedHashMap<>() : new LinkedHashMap<>(prev.metadata);
    Map<String, Long> offsets =
        prev == null ? new LinkedHashMap<>() : new LinkedHashMap<>(prev.offsets);
    if (e.offsets() != null) {
      offsets.putAll(e.offsets());
    }
    long created = prev == null ? e.timestamp() : prev.created;
    long lastCompacted = prev == null ? 0 : prev.lastCompacted;
    long duplicatesRemoved = prev == null ? 0 : prev.duplicatesRemoved;
    if (COMPACT.equals(e.operation())) {
      lastCompacted = e.timestamp();
      Object n = e.info() == null ? null : e.info().get(DUPLICATES_REMOVED);
      duplicatesRemoved += n instanceof Number num ? num.longValue() : 0;
    }
    return new ItemState(
        e.version(),
        options,
        schemaJson,
        schema,
        parts,
        metadata,
        offsets,
        created,
        e.timestamp(),
        lastCompacted,
        duplicatesRemoved,
        false,
        e.rules() != null ? e.rules() : prev == null ? List.of() : prev.rules);
  }

  /**
   * The state after an entry that changes nothing (an aborted transaction's): the same content at
   * the entry's version.
   *
   * @param head the state before, null when the entry would have created the item
   * @param e the entry
   * @return the new state; a deleted (absent) one when there was no item before
   */
  public static ItemState unchanged(ItemState head, LogEntry e) {
    long expected = head == null ? 0 : head.version + 1;
    if (e.version() != expected) {
      throw new IllegalStateException(
          "log entry " + e.version() + " applied out of order, expected " + expected);
    }
    if (head == null) {
      return new ItemState(
          e.version(),
          null,
          null,
          null,
          new LinkedHashMap<>(),
          new LinkedHashMap<>(),
          new LinkedHashMap<>(),
          e.timestamp(),
          e.timestamp(),
          0,
          0,
          true,
          List.of());
    }
    return new ItemState(
        e.version(),
        head.options,
        head.schemaJson,
        head.schema,
        new LinkedHashMap<>(head.parts),
        new LinkedHashMap<>(head.metadata),
        new LinkedHashMap<>(head.offsets),
        head.created,
        head.updated,
        head.lastCompacted,
        head.duplicatesRemoved,
        head.deleted,
        head.rules);
  }

  /** The state a checkpoint (or snapshot) holds. */
  public static ItemState fromCheckpoint(Checkpoint c) {
    Map<String, PartInfo> parts = new LinkedHashMap<>();
    for (PartInfo p : c.parts()) {
      parts.put(p.name(), p);
    }
    return new ItemState(
        c.version(),
        c.options(),
        c.schema(),
        new Schema.Parser().parse(c.schema()),
        parts,
        c.metadata() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.metadata()),
        c.offsets() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.offsets()),
        c.created(),
        c.updated(),
        c.lastCompacted() == null ? 0 : c.lastCompacted(),
        c.duplicatesRemoved() == null ? 0 : c.duplicatesRemoved(),
        false,
        c.rules());
  }

  /** This state as a self-contained checkpoint. */
  public Checkpoint toCheckpoint() {
    return new Checkpoint(
        LogEntry.FORMAT,
        version,
        options,
        schemaJson,
        List.copyOf(parts.values()),
        metadata,
        offsets,
        created,
        updated,
        lastCompacted == 0 ? null : lastCompacted,
        duplicatesRemoved == 0 ? null : duplicatesRemoved,
        rules.isEmpty() ? null : rules);
  }

  /** The item's own validation rules (its collection's come on top: {@code PyCollection#rules}). */
  public List<Rule> rules() {
    return rules;
  }

  public long version() {
    return version;
  }

  /**
   * Whether this version is a deletion: the item does not exist at it (checkpoints never hold one).
   */
  public boolean deleted() {
    return deleted;
  }

  public ItemOptions options() {
    return options;
  }

  public Schema schema() {
    return schema;
  }

  public String schemaJson() {
    return schemaJson;
  }

  /** Live parts by name, in commit order. */
  public Map<String, PartInfo> parts() {
    return parts;
  }

  public Map<String, Object> metadata() {
    return metadata;
  }

  /** Source offsets made durable so far (merged over all commits). */
  public Map<String, Long> offsets() {
    return offsets;
  }

  /** Time of the first commit, epoch milliseconds. */
  public long created() {
    return created;
  }

  /** Time of the latest commit, epoch milliseconds. */
  public long updated() {
    return updated;
  }

  /** Time of the latest compaction, epoch milliseconds, or 0 when never compacted. */
  public long lastCompacted() {
    return lastCompacted;
  }

  /** Rows compactions have dropped by the dedupe policy, over the item's whole history. */
  public long duplicatesRemoved() {
    return duplicatesRemoved;
  }

  /** Bytes over all live parts. */
  public long bytes() {
    long n = 0;
    for (PartInfo p : parts.values()) {
      n += p.bytes();
    }
    return n;
  }

  /** The smallest index over live parts (raw unit), or {@code Long.MAX_VALUE} when none. */
  public long minIndex() {
    long m = Long.MAX_VALUE;
    for (PartInfo p : parts.values()) {
      m = Math.min(m, p.minIndex());
    }
    return m;
  }

  /** The largest index over live parts (raw unit), or {@code Long.MIN_VALUE} when none. */
  public long maxIndex() {
    long m = Long.MIN_VALUE;
    for (PartInfo p : parts.values()) {
      m = Math.max(m, p.maxIndex());
    }
    return m;
  }

  /** Rows over all live parts (before dedupe). */
  public long rows() {
    long n = 0;
    for (PartInfo p : parts.values()) {
      n += p.rows();
    }
    return n;
  }

  /**
   * The full state, as stored in checkpoints and snapshots.
   *
   * @param format file format version
   * @param version the version this state is at
   * @param options the item's options
   * @param schema the item's Avro schema (JSON)
   * @param parts live parts
   * @param metadata user metadata
   * @param offsets source offsets
   * @param created first commit time, epoch ms
   * @param updated latest commit time, epoch ms
   * @param lastCompacted latest compaction time, epoch ms, or null when never compacted
   * @param duplicatesRemoved rows compactions dropped so far, or null for none
   * @param rules the item's validation rules, or null for none
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Checkpoint(
      int format,
      long version,
      ItemOptions options,
      String schema,
      List<PartInfo> parts,
      Map<String, Object> metadata,
      Map<String, Long> offsets,
      long created,
      long updated,
      Long lastCompacted,
      Long duplicatesRemoved,
      List<Rule> rules) {}
}
