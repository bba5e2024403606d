package org.pystore.connect.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.ConcurrentCommitException;
import org.pystore.store.IncompatibleSchemaException;
import org.pystore.store.InvalidNameException;
import org.pystore.store.Item;
import org.pystore.store.ItemExistsException;
import org.pystore.store.ItemNotFoundException;
import org.pystore.store.ItemOptions;
import org.pystore.store.Rule;
import org.pystore.store.Rules;
import org.pystore.store.Schemas;
import org.pystore.store.StaleOffsetsException;
import org.pystore.store.Store;
import org.pystore.store.Transaction;
import org.pystore.store.ValidationException;
import org.pystore.store.log.ItemState;

/**
 * Commits buffered rows to their item exactly once: the append records, per topic-partition, the
 * next offset the item holds, and is refused when another task committed some of the rows first;
 * those rows are then dropped and the rest committed.
 */
final class ItemWriter {
  private static final int MAX_ROUNDS = 50;

  private final Store store;
  private final ItemOptions options;
  private final boolean strict;
  private final Map<String, Object> metadata;
  private final SinkMetrics metrics;
  private final java.time.Duration transactionTimeout;

  /**
   * Collection handles by name: looked up per record, so not re-created (and re-checked) each time.
   */
  private final Map<String, org.pystore.store.PyCollection> collections =
      new java.util.concurrent.ConcurrentHashMap<>();

  ItemWriter(Store store, PyStoreSinkConfig config, String connector, SinkMetrics metrics) {
    this.store = store;
    this.options = config.itemOptions();
    this.strict = config.strictSchemas();
    this.metadata = Map.of("source", "kafka-connect", "connector", connector);
    this.metrics = metrics;
    this.transactionTimeout = config.transactionTimeout();
  }

  /** A row the item refused at commit time, and why. */
  record Refused(SinkRow row, String why) {}

  /** Learns what the item holds and its schema, once per buffer. */
  void load(ItemBuffer b) {
    if (b.loaded) {
      return;
    }
    Item item = store.item(b.collection, b.item);
    if (item.exists()) {
      ItemState s = item.state();
      b.held.putAll(s.offsets());
      b.schema = s.schema();
      b.rules = s.rules();
    } else {
      String twin = store.collection(b.collection).twinOf(b.item);
      if (twin != null) {
        b.refusal =
            "its item '"
                + b.key()
                + "' differs from existing item '"
                + b.collection
                + "/"
                + twin
                + "' only in case or Unicode normalization (one directory on macOS and Windows)";
      }
    }
    b.loaded = true;
  }

  /**
   * Checks a row's schema against the item's, before it is buffered.
   *
   * @return null when accepted, else why not
   */
  String accept(ItemBuffer b, SinkRow r) {
    if (b.refusal != null) {
      return b.refusal;
    }
    String schemaRefusal = acceptSchema(b, r);
    if (schemaRefusal != null) {
      return schemaRefusal;
    }
    List<Rule> rules = rules(b);
    if (rules.isEmpty()) {
      return null;
    }
    ValidationException broken =
        Rules.checkRow(rules, r.row(), options.indexColumn(), b.collection + "/" + b.item);
    return broken == null ? null : broken.getMessage();
  }

  /**
   * The rules a row of this buffer meets: its collection's (reread every few seconds), its item's.
   */
  private List<Rule> rules(ItemBuffer b) {
    List<Rule> collection =
        collections.computeIfAbsent(b.collection, store::collection).rules(); // cached 5 s
    if (collection.isEmpty()) {
      return b.rules;
    }
    if (b.rules.isEmpty()) {
      return collection;
    }
    List<Rule> all = new ArrayList<>(collection);
    all.addAll(b.rules);
    return all;
  }

  private String acceptSchema(ItemBuffer b, SinkRow r) {
    Schema s = r.row().getSchema();
    if (b.accepted.contains(s)) {
      return null;
    }
    if (b.schema == null) {
      b.schema = s;
      b.accepted.add(s);
      return null;
    }
    try {
      Schema unified =
          Schemas.unify(b.schema, s, options.indexColumn(), b.collection + "/" + b.item);
      if (strict && unified != b.schema) {
        return "its schema differs from item '"
            + b.collection
            + "/"
            + b.item
            + "' and schema.evolution=strict";
      }
      b.schema = unified;
      b.accepted.add(s);
      return null;
    } catch (IncompatibleSchemaException e) {
      return e.getMessage();
    }
  }

  /**
   * Commits the buffer's rows. Rows the item's schema no longer admits (it changed meanwhile) are
   * moved to {@code refused} as soon as they are found, so the caller reports them even when the
   * commit then fails.
   *
   * @param b the rows; after a failure, the rows still to commit
   * @param refused receives rows refused because the item's schema changed incompatibly
   */
  void flush(ItemBuffer b, List<Refused> refused) {
    Item item = store.item(b.collection, b.item);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      b.dropHeld();
      if (b.rows.isEmpty()) {
        return;
      }
      Prepared p = prepare(item, b, refused);
      if (p == null) {
        continue;
      }
      long t = System.nanoTime();
      try {
        item.append(p.rows, p.offsets, p.from);
      } catch (ValidationException e) {
        // a rule over the batch (or one set meanwhile) refuses a row: it alone goes to the DLQ
        refuse(b, e, refused);
        b.rules = item.state().rules();
        round--; // each such round takes a row out, so it ends
        continue;
      } catch (StaleOffsetsException e) {
        b.held.putAll(e.held());
        continue;
      } catch (ItemNotFoundException e) {
        // deleted by another process since: the next round creates it again
        continue;
      }
      metrics.commit(System.nanoTime() - t, p.rows.size());
      p.done(b);
      return;
    }
    throw keptChanging("item '" + b.key() + "'");
  }

  /**
   * Commits the rows of many items of one collection as one transaction ({@code
   * commit.mode=transaction}): every item changes, or none. Rows refused on the way (by the item's
   * schema or rules) leave their buffer and the rest is committed without them.
   *
   * @param collection the collection of every buffer
   * @param buffers the rows, one buffer per item; after a failure, the rows still to commit
   * @param refused receives refused rows
   */
  void flushTransaction(String collection, List<ItemBuffer> buffers, List<Refused> refused) {
    org.pystore.store.PyCollection c = collections.computeIfAbsent(collection, store::collection);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      Map<ItemBuffer, Prepared> staged = new java.util.LinkedHashMap<>();
      try (Transaction tx = c.transaction(transactionTimeout)) {
        for (ItemBuffer b : buffers) {
          stage(tx, b, refused, staged);
        }
        if (staged.isEmpty()) {
          return;
        }
        long t = System.nanoTime();
        tx.commit();
        long rows = 0;
        for (Map.Entry<ItemBuffer, Prepared> e : staged.entrySet()) {
          rows += e.getValue().rows.size();
          e.getValue().done(e.getKey());
        }
        metrics.commit(System.nanoTime() - t, rows);
        return;
      } catch (StaleOffsetsException e) {
        // some item holds rows of this flush already (another task wrote them first): learn what
        // every item holds and commit the rest
        for (ItemBuffer b : staged.keySet()) {
          ItemState s = store.item(b.collection, b.item).state();
          b.held.putAll(s.offsets());
        }
      } catch (ItemNotFoundException | ValidationException | IncompatibleSchemaException e) {
        // an item was deleted, or its rules or schema changed, between staging and commit: the
        // next round stages against what the items are now
      } catch (ConcurrentCommitException e) {
        throw new org.apache.kafka.connect.errors.RetriableException(
            "the transaction over "
                + staged.size()
                + " items of '"
                + collection
                + "' did not commit ("
                + e.getMessage()
                + "); its rows are committed again. If flushes of this many items keep taking"
                + " longer than commit.transaction.timeout.ms ("
                + transactionTimeout.toMillis()
                + " ms), raise it, or spread the partitions over more tasks (fewer items each)",
            e);
      }
    }
    throw keptChanging(buffers.size() + " items of '" + collection + "'");
  }

  /** Stages one buffer's rows in the transaction, refusing rows its item's rules refuse. */
  private void stage(
      Transaction tx, ItemBuffer b, List<Refused> refused, Map<ItemBuffer, Prepared> staged) {
    Item item = store.item(b.collection, b.item);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      b.dropHeld();
      if (b.rows.isEmpty()) {
        return;
      }
      Prepared p = prepare(item, b, refused);
      if (p == null) {
        continue;
      }
      try {
        tx.append(b.item, p.rows, p.offsets, p.from);
      } catch (ValidationException e) {
        refuse(b, e, refused); // nothing of this batch was staged
        b.rules = item.state().rules();
        round--;
        continue;
      }
      staged.put(b, p);
      return;
    }
    throw keptChanging("item '" + b.key() + "'");
  }

  private static void refuse(ItemBuffer b, ValidationException e, List<Refused> refused) {
    int at = e.row() >= 0 && e.row() < b.rows.size() ? e.row() : 0;
    refused.add(new Refused(b.remove(at), e.reason()));
  }

  private static org.apache.kafka.connect.errors.RetriableException keptChanging(String what) {
    return new org.apache.kafka.connect.errors.RetriableException(
        what + " kept changing under this task for " + MAX_ROUNDS + " rounds; retrying later");
  }

  /** A buffer's rows ready to append: in the item's schema, with the offsets they carry. */
  private static final class Prepared {
    final List<GenericRecord> rows;
    final Map<String, Long> offsets = new HashMap<>();
    final Map<String, Long> from = new HashMap<>();
    final Schema target;

    Prepared(List<GenericRecord> rows, Schema target) {
      this.rows = rows;
      this.target = target;
    }

    /** After the commit: the item holds these offsets, the buffer is empty. */
    void done(ItemBuffer b) {
      b.held.putAll(offsets);
      b.schema = target;
      b.clear();
    }
  }

  /**
   * Creates the item when missing and puts the buffer's rows in the item's (unified) schema.
   *
   * @return the rows to append, or null when rows were refused (or the buffer emptied): prepare
   *     again
   */
  private Prepared prepare(Item item, ItemBuffer b, List<Refused> refused) {
    if (!item.exists()) {
      try {
        item.write(b.schema, List.of(), options, metadata, false);
      } catch (ItemExistsException e) {
        // another task created it first
      } catch (InvalidNameException e) {
        for (SinkRow r : b.rows) { // a twin of its name was created meanwhile
          refused.add(new Refused(r, e.getMessage()));
        }
        b.clear();
        return null;
      }
    }
    ItemState state = item.state(); // one log read per round
    Schema itemSchema = state.schema();
    b.rules = state.rules();
    Schema target;
    try {
      target =
          Schemas.unify(itemSchema, b.schema, options.indexColumn(), b.collection + "/" + b.item);
    } catch (IncompatibleSchemaException e) {
      // the item changed under us: find the rows that no longer fit
      for (SinkRow r : refuseMisfits(b, itemSchema)) {
        refused.add(
            new Refused(
                r, "it no longer fits item " + b.key() + ", whose schema changed meanwhile"));
      }
      b.accepted.clear();
      b.schema = itemSchema;
      return null;
    }
    Prepared p = new Prepared(new ArrayList<>(b.rows.size()), target);
    Map<Schema, Conformer> conformers = new java.util.IdentityHashMap<>();
    for (SinkRow r : b.rows) {
      GenericRecord row = r.row();
      p.rows.add(
          conformers.computeIfAbsent(row.getSchema(), s -> new Conformer(s, target)).apply(row));
      String src = b.source(r.tp());
      p.offsets.merge(src, r.offset() + 1, Math::max);
      p.from.merge(src, r.offset(), Math::min);
    }
    return p;
  }

  private List<SinkRow> refuseMisfits(ItemBuffer b, Schema itemSchema) {
    List<SinkRow> out = new ArrayList<>();
    b.rows.removeIf(
        r -> {
          try {
            Schemas.unify(
                itemSchema,
                r.row().getSchema(),
                options.indexColumn(),
                b.collection + "/" + b.item);
            return false;
          } catch (IncompatibleSchemaException e) {
            out.add(r);
            return true;
          }
        });
    return out;
  }

  /** The row in the target schema: missing columns null, narrower numbers widened. */
  static GenericRecord conform(GenericRecord row, Schema target) {
    return new Conformer(row.getSchema(), target).apply(row);
  }

  /**
   * Puts rows of one schema into the target schema, with the column mapping worked out once: rows
   * of a schema equal to the target pass as they are.
   */
  static final class Conformer {
    private static final byte SAME = 0;
    private static final byte TO_LONG = 1;
    private static final byte TO_DOUBLE = 2;

    private final Schema target;
    private final boolean same;
    private final int[] source;
    private final byte[] widen;

    Conformer(Schema from, Schema target) {
      this.target = target;
      this.same = from == target || from.equals(target);
      List<Schema.Field> fields = target.getFields();
      this.source = new int[fields.size()];
      this.widen = new byte[fields.size()];
      for (Schema.Field f : fields) {
        Schema.Field src = from.getField(f.name());
        source[f.pos()] = src == null ? -1 : src.pos();
        Schema.Type t = Schemas.nonNull(f.schema()).getType();
        widen[f.pos()] =
            t == Schema.Type.LONG ? TO_LONG : t == Schema.Type.DOUBLE ? TO_DOUBLE : SAME;
      }
    }

    GenericRecord apply(GenericRecord row) {
      if (same) {
        return row;
      }
      GenericData.Record out = new GenericData.Record(target);
      for (int i = 0; i < source.length; i++) {
        Object v = source[i] < 0 ? null : row.get(source[i]);
        if (v != null) {
          if (widen[i] == TO_LONG && v instanceof Integer) {
            v = ((Integer) v).longValue();
          } else if (widen[i] == TO_DOUBLE && v instanceof Number && !(v instanceof Double)) {
            v = ((Number) v).doubleValue();
          }
        }
        out.put(i, v);
      }
      return out;
    }
  }
}
