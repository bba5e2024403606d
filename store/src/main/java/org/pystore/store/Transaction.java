package org.pystore.store;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.PartInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to many items of one collection that take effect together or not at all, for every reader
 * and across crashes. Each call stages its rows as parts at once (invisible); {@link #commit()}
 * writes one undecided entry in each item's log, in item-name order, then the transaction's
 * decision file: that one file is the commit point. A crash before it leaves every item as it was
 * (a writer that meets the undecided entries after the deadline aborts them); a crash after it
 * leaves every item changed, and the next write to an item, or vacuum, moves its parts into place
 * for plain Parquet readers. {@link #close()} without a commit discards the staged parts.
 *
 * <pre>{@code
 * try (Transaction tx = store.collection("ticks").transaction()) {
 *   tx.append("AAPL", rows);
 *   tx.write("MSFT", schema, rows, options, metadata, true);
 *   tx.delete("OLD");
 *   TransactionResult r = tx.commit();
 * }
 * }</pre>
 *
 * Not thread-safe: one thread builds and commits a transaction; any number of transactions and
 * other writers may run at once. Transactions touching an item one after the other are serialized
 * on it: the second waits for the first's decision (at most its timeout).
 */
public final class Transaction implements AutoCloseable {
  /** How long a transaction may take from its commit's start to its decision, by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(Transaction.class);
  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final PyCollection collection;
  private final Duration timeout;
  private final Map<String, Change> changes = new TreeMap<>();
  private boolean finished;

  Transaction(PyCollection collection, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidDataException("a transaction's timeout must be positive, was " + timeout);
    }
    this.collection = collection;
    this.timeout = timeout;
  }

  /** What the transaction does to one item. */
  private static final class Change {
    final Item item;

    /** "append", "write" or "delete". */
    String kind;

    // write
    boolean overwrite;
    ItemOptions options;
    Schema itemSchema;
    Map<String, Object> metadata;

    // append (also appends after a write of the same item)
    final List<Schema> appendSchemas = new ArrayList<>();
    final Map<String, Long> offsets = new LinkedHashMap<>();
    final Map<String, Long> from = new LinkedHashMap<>();

    final List<PartInfo> staged = new ArrayList<>();
    final List<String> removed = new ArrayList<>();

    /** The batches, in arrival order, and the item's rules they were checked against. */
    final List<List<? extends GenericRecord>> batches = new ArrayList<>();

    List<Rule> checkedRules = List.of();
    long checkedEnd = Long.MIN_VALUE;
    long rows;
    ItemState after;

    Change(Item item, String kind) {
      this.item = item;
      this.kind = kind;
    }

    /** Checks the batches again when the item's rules or end moved since they were staged. */
    void recheck(ItemState current) {
      if (current == null || batches.isEmpty()) {
        return;
      }
      boolean appends = kind.equals("append");
      long end = appends ? current.maxIndex() : Long.MIN_VALUE;
      if (current.rules().equals(checkedRules) && end == checkedEnd) {
        return;
      }
      String index = appends ? current.options().indexColumn() : options.indexColumn();
      for (List<? extends GenericRecord> b : batches) {
        item.checkRules(b, index, current, !appends);
      }
    }

    LogEntry entry(ItemState current, long version) {
      String label = item.label();
      recheck(current);
      removed.clear();
      if (kind.equals("delete")) {
        if (current == null) {
          throw new ItemNotFoundException(item.collectionName(), item.name());
        }
        removed.addAll(current.parts().keySet());
        return Item.deleteEntry(version, removed);
      }
      if (kind.equals("write")) {
        if (current != null && !overwrite) {
          throw new ItemExistsException(item.collectionName(), item.name());
        }
        if (current != null) {
          removed.addAll(current.parts().keySet());
        }
        Schema schema = itemSchema;
        for (Schema s : appendSchemas) {
          schema = Schemas.unify(schema, s, options.indexColumn(), label);
        }
        return new LogEntry(
            LogEntry.FORMAT,
            version,
            current == null ? "create" : "overwrite",
            System.currentTimeMillis(),
            CommitLog.writer(),
            options,
            schema.toString(),
            Item.withSeq(staged, version),
            removed,
            metadata,
            offsets.isEmpty() ? null : new LinkedHashMap<>(offsets),
            null);
      }
      if (current == null) {
        throw new ItemNotFoundException(item.collectionName(), item.name());
      }
      Item.refuseHeld(current, from, label);
      Schema schema = current.schema();
      for (Schema s : appendSchemas) {
        schema = Schemas.unify(schema, s, current.options().indexColumn(), label);
      }
      return Item.unifiedAppendEntry(
          current,
          version,
          schema,
          staged,
          offsets.isEmpty() ? null : new LinkedHashMap<>(offsets),
          null);
    }
  }

  /**
   * Appends rows to an existing item (or to one this transaction writes), staging them now.
   *
   * @param item the item's name
   * @param rows rows of one schema, compatible with the item's
   * @return this transaction
   * @throws ItemNotFoundException when the item does not exist
   * @throws IncompatibleSchemaException naming the column and both types
   */
  public Transaction append(String item, Collection<? extends GenericRecord> rows) {
    return append(item, rows, null, null);
  }

  /**
   * Appends rows and records source offsets with them, refused at commit when the item already
   * holds an offset at or above {@code from} (see {@link Item#append(Collection, Map, Map)}).
   *
   * @param item the item's name
   * @param rows rows of one schema
   * @param offsets per source, the next offset after these rows, or null
   * @param from per source, the offset of the first row here, or null
   * @return this transaction
   */
  public Transaction append(
      String item,
      Collection<? extends GenericRecord> rows,
      Map<String, Long> offsets,
      Map<String, Long> from) {
    requireOpen();
    Change c = changes.get(item);
    if (c != null && c.kind.equals("delete")) {
      throw twice(item, "delete", "append");
    }
    Item it = c == null ? collection.item(item) : c.item;
    ItemOptions options;
    Schema current;
    ItemState state = c != null && c.kind.equals("write") ? it.latestOrNull() : it.state();
    if (c != null && c.kind.equals("write")) {
      options = c.options;
      current = c.itemSchema;
    } else {
      options = state.options();
      current = state.schema();
    }
    Schema batchSchema = rows.isEmpty() ? current : rows.iterator().next().getSchema();
    Schemas.unify(current, batchSchema, options.indexColumn(), it.label());
    List<? extends GenericRecord> arrival = List.copyOf(rows);
    it.checkRules(arrival, options.indexColumn(), state, c != null && c.kind.equals("write"));
    List<PartInfo> staged = it.stageRows(rows, batchSchema, options);
    if (c == null) {
      c = new Change(it, "append");
      changes.put(item, c);
    }
    if (c.batches.isEmpty() && state != null) {
      c.checkedRules = state.rules();
      c.checkedEnd = c.kind.equals("append") ? state.maxIndex() : Long.MIN_VALUE;
    }
    c.batches.add(arrival);
    c.appendSchemas.add(batchSchema);
    c.staged.addAll(staged);
    c.rows += rows.size();
    if (offsets != null) {
      c.offsets.putAll(offsets);
    }
    if (from != null) {
      for (Map.Entry<String, Long> f : from.entrySet()) {
        c.from.merge(f.getKey(), f.getValue(), Math::min);
      }
    }
    return this;
  }

  /**
   * Creates an item, or replaces it when {@code overwrite} is set, staging its rows now.
   *
   * @param item the item's name
   * @param schema the rows' schema, with a timestamp index column
   * @param rows the rows
   * @param options layout and dedupe options
   * @param metadata user metadata, or null
   * @param overwrite replace an existing item
   * @return this transaction
   * @throws ItemExistsException when the item exists and overwrite is not set
   */
  public Transaction write(
      String item,
      Schema schema,
      Collection<? extends GenericRecord> rows,
      ItemOptions options,
      Map<String, Object> metadata,
      boolean overwrite) {
    requireOpen();
    if (changes.containsKey(item)) {
      throw twice(item, changes.get(item).kind, "write");
    }
    Item it = collection.item(item);
    ItemOptions resolved =
        options.withIndexColumn(Schemas.indexColumn(schema, options.indexColumn()));
    Schema itemSchema = Schemas.forNewItem(schema, resolved);
    Map<String, Object> meta = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
    boolean existed = it.exists();
    if (!overwrite && existed) {
      throw new ItemExistsException(collection.name(), item);
    }
    if (!existed) {
      it.refuseTwin();
    }
    ItemState before = existed ? it.latestOrNull() : null;
    List<? extends GenericRecord> arrival = List.copyOf(rows);
    it.checkRules(arrival, resolved.indexColumn(), before, true);
    Change c = new Change(it, "write");
    c.batches.add(arrival);
    c.checkedRules = before == null ? List.of() : before.rules();
    c.overwrite = overwrite;
    c.options = resolved;
    c.itemSchema = itemSchema;
    c.metadata = meta;
    c.staged.addAll(it.stageRows(rows, schema, resolved));
    c.rows = rows.size();
    changes.put(item, c);
    return this;
  }

  /**
   * Deletes an item (see {@link PyCollection#deleteItem}).
   *
   * @param item the item's name
   * @return this transaction
   * @throws ItemNotFoundException when it does not exist
   */
  public Transaction delete(String item) {
    requireOpen();
    if (changes.containsKey(item)) {
      throw twice(item, changes.get(item).kind, "delete");
    }
    Item it = collection.item(item);
    if (!it.exists()) {
      throw new ItemNotFoundException(collection.name(), item);
    }
    changes.put(item, new Change(it, "delete"));
    return this;
  }

  /** The items this transaction changes, sorted. */
  public List<String> items() {
    return List.copyOf(changes.keySet());
  }

  /**
   * Commits every change at once.
   *
   * @return the transaction's id and the version it made in each item
   * @throws ConcurrentCommitException when the transaction outlived its timeout (others aborted it)
   * @throws ItemExistsException when another writer created an item this one writes without
   *     overwrite; nothing was committed
   * @throws ItemNotFoundException when another writer deleted an item this one appends to
   * @throws CommitOutcomeUnknownException when the storage failed as the decision was written
   */
  public TransactionResult commit() {
    requireOpen();
    finished = true;
    return doCommit();
  }

  private TransactionResult doCommit() {
    if (changes.isEmpty()) {
      return new TransactionResult(null, Map.of(), 0, 0, false);
    }
    long started = System.currentTimeMillis();
    String id = ID_TIME.format(Instant.ofEpochMilli(started)) + "-" + UUID.randomUUID();
    long deadline = started + timeout.toMillis();
    Transactions decisions = collection.decisions();
    Map<String, Long> versions = new TreeMap<>();
    CommitHook hook = collection.store().options().hook();
    boolean won;
    try {
      // one global order (by name): transactions waiting for each other never wait in a circle
      for (Change c : changes.values()) {
        c.after = c.item.prepare(id, deadline, c::entry);
        versions.put(c.item.name(), c.after.version());
      }
      hook.at(CommitStep.TX_DECIDED, collection.name());
      if (System.currentTimeMillis() > deadline) {
        throw new ConcurrentCommitException(timedOut(id, started));
      }
      won = decisions.commit(id, versions);
    } catch (CommitOutcomeUnknownException e) {
      throw e; // its entries may take effect: keep the parts they name
    } catch (RuntimeException e) {
      abort(id, decisions, !versions.isEmpty());
      throw e;
    }
    if (!won) {
      discardAll();
      throw new ConcurrentCommitException(timedOut(id, started));
    }
    hook.at(CommitStep.TX_COMMITTED, collection.name());
    long rows = 0;
    int parts = 0;
    for (Change c : changes.values()) {
      c.item.publish(c.after, c.staged, c.removed);
      rows += c.rows;
      parts += c.staged.size();
    }
    LOG.info(
        "{}: transaction {} committed {} rows in {} parts over {} items",
        collection.name(),
        id,
        rows,
        parts,
        versions.size());
    return new TransactionResult(id, versions, rows, parts, true);
  }

  /** {@link #commit()} on a shared pool of daemon threads; see {@link #commitAsync(Executor)}. */
  public CompletableFuture<TransactionResult> commitAsync() {
    return commitAsync(AsyncItem.SHARED);
  }

  /**
   * {@link #commit()} on the caller's executor. {@code cancel()} on the future succeeds only before
   * the commit starts; the staged parts are then discarded and no item changes. Once the commit is
   * under way, {@code cancel()} returns false and the result arrives as usual, so a cancelled
   * future always means nothing was committed.
   *
   * <p>The transaction is handed over: add nothing to it afterwards; closing it is harmless.
   *
   * @param executor runs the commit (blocking storage I/O)
   * @return the result, or the commit's exception
   */
  public CompletableFuture<TransactionResult> commitAsync(Executor executor) {
    requireOpen();
    finished = true; // handed over: close() by the caller no longer discards anything
    AsyncItem.CommitFuture<TransactionResult> f = new AsyncItem.CommitFuture<>();
    executor.execute(
        () -> {
          if (!f.enterCommit()) {
            discardAll(); // cancelled before it started
            return;
          }
          try {
            f.completeCommitted(doCommit());
          } catch (Throwable t) {
            f.completeExceptionally(t);
          }
        });
    return f;
  }

  private String timedOut(String id, long started) {
    return "transaction "
        + id
        + " of '"
        + collection.name()
        + "' was aborted: it took "
        + (System.currentTimeMillis() - started)
        + " ms, more than its timeout of "
        + timeout.toMillis()
        + " ms (other transactions on the same items held it up, or the storage was slow);"
        + " nothing was committed: retry it, or give it a longer timeout";
  }

  /** Aborts after a failure before the decision: entries written stay, as changing nothing. */
  private void abort(String id, Transactions decisions, boolean anyEntry) {
    if (anyEntry) {
      try {
        decisions.abort(id);
      } catch (RuntimeException e) {
        // its entries stay undecided; the next writer of each item aborts them after the deadline
        LOG.warn(
            "{}: could not record the abort of transaction {} ({}); writers of its items abort it"
                + " after its deadline, and vacuum removes its parts",
            collection.name(),
            id,
            e.toString());
        return;
      }
    }
    discardAll();
  }

  private void discardAll() {
    for (Change c : changes.values()) {
      c.item.discardStaged(c.staged);
    }
  }

  /** Discards what was staged unless the transaction was committed. */
  @Override
  public void close() {
    if (!finished) {
      finished = true;
      discardAll();
    }
  }

  private void requireOpen() {
    if (finished) {
      throw new IllegalStateException(
          "this transaction was already committed or closed; start a new one");
    }
  }

  private InvalidDataException twice(String item, String first, String then) {
    return new InvalidDataException(
        "item '"
            + collection.name()
            + "/"
            + item
            + "' already has "
            + (first.equals("append") ? "an " : "a ")
            + first
            + " in this transaction, so it cannot "
            + then
            + " too; a transaction holds one write or delete per item, optionally followed by"
            + " appends");
  }
}
