package org.pystore.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.PartInfo;
import org.pystore.store.part.PartReader;
import org.pystore.store.part.PrefetchingSource;
import org.pystore.store.read.BoundPredicate;
import org.pystore.store.read.MergeReader;
import org.pystore.store.read.Pushdown;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One time series: a directory of immutable, sorted Parquet parts, its commit log and its metadata.
 * Writes never edit a part; reads merge the parts of a pinned version. Thread-safe; any number of
 * processes may write one item at once.
 */
public final class Item {
  /** The metadata file PyStore reads, at store and item level. */
  public static final String METADATA_FILE = "pystore_metadata.json";

  /** The commit log's directory inside an item. */
  public static final String LOG_DIR = "_log";

  /**
   * The shortest orphan grace period vacuum accepts: a part staged for a commit that is still under
   * way (a long compaction, a slow store) must never look orphaned.
   */
  public static final Duration MIN_ORPHAN_GRACE = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(Item.class);

  private final Store store;
  private final PyCollection collection;
  private final String name;
  private final String dir;
  private final String label;
  private final CommitLog log;
  private final PartFiles files;

  Item(Store store, PyCollection collection, String name, CommitLog log) {
    this.store = store;
    this.collection = collection;
    this.name = name;
    this.dir = Storage.join(collection.name(), name);
    this.label = collection.name() + "/" + name;
    this.log = log;
    this.files = new PartFiles(store.storage(), dir, label, store.options(), log);
  }

  public String name() {
    return name;
  }

  public String collectionName() {
    return collection.name();
  }

  /**
   * The item's directory, for a store on a local disk.
   *
   * @return the directory
   * @throws PyStoreException when the store is not on a local disk
   */
  public Path path() {
    return store.path().resolve(collection.name()).resolve(name);
  }

  /** The store the item belongs to. */
  public Store store() {
    return store;
  }

  /** The item's key in the store's storage ({@code collection/item}). */
  public String key() {
    return dir;
  }

  /** Where the item is: a directory, or an object storage URI. */
  public String location() {
    return store.storage().describe(dir);
  }

  /** Whether the item has at least one commit. */
  public boolean exists() {
    return log.latest().isPresent();
  }

  /**
   * The latest state.
   *
   * @return the state
   * @throws ItemNotFoundException when the item does not exist
   */
  public ItemState state() {
    return log.latest().orElseThrow(this::notFound);
  }

  private ItemNotFoundException notFound() {
    if (hasParquetFiles()) {
      return ItemNotFoundException.pystoreItem(collection.name(), name);
    }
    String twin = store.nearName(collection, name);
    return twin == null
        ? new ItemNotFoundException(collection.name(), name)
        : ItemNotFoundException.near(collection.name(), name, twin);
  }

  /** Whether the item's directory holds Parquet files of its own (a PyStore item not imported). */
  private boolean hasParquetFiles() {
    try {
      for (FileInfo f : Vacuum.parquetFiles(store.storage(), dir)) {
        if (!f.name().startsWith("_") && !f.name().startsWith(".")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + store.storage().describe(dir), e);
    }
  }

  /**
   * The state at a version.
   *
   * @param version the version
   * @return the state
   * @throws NotFoundException when the item or the version does not exist
   */
  public ItemState state(long version) {
    if (log.head().isEmpty()) {
      throw notFound();
    }
    return log.at(version);
  }

  /** The latest state, or null when the item does not exist. */
  ItemState latestOrNull() {
    return log.latest().orElse(null);
  }

  /** The state at a version, which may be its deletion (a transaction's pin). */
  ItemState stateOrDeletion(long version) {
    return log.stateAt(version);
  }

  /**
   * Creates the item, or replaces it when {@code overwrite} is set, in one commit.
   *
   * @param schema the rows' schema; must hold a timestamp index column
   * @param rows the rows, in any order
   * @param options layout and dedupe options
   * @param metadata user metadata (JSON-compatible values), or null for none
   * @param overwrite replace an existing item
   * @return what was committed
   * @throws ItemExistsException when the item exists and overwrite is not set
   * @throws IncompatibleSchemaException when the schema has no usable index column
   * @throws InvalidDataException when a row has no index or a value of the wrong type
   */
  public CommitResult write(
      Schema schema,
      Collection<? extends GenericRecord> rows,
      ItemOptions options,
      Map<String, Object> metadata,
      boolean overwrite) {
    return write(schema, rows, options, metadata, overwrite, () -> true);
  }

  /**
   * {@link #write(Schema, Collection, ItemOptions, Map, boolean)}, asking {@code mayCommit} once
   * the parts are staged, just before the commit: false discards them and throws {@link
   * java.util.concurrent.CancellationException}, leaving the item as it was ({@link AsyncItem}).
   */
  CommitResult write(
      Schema schema,
      Collection<? extends GenericRecord> rows,
      ItemOptions options,
      Map<String, Object> metadata,
      boolean overwrite,
      java.util.function.BooleanSupplier mayCommit) {
    ItemOptions resolved =
        options.withIndexColumn(Schemas.indexColumn(schema, options.indexColumn()));
    Schema itemSchema = Schemas.forNewItem(schema, resolved);
    Map<String, Object> meta = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
    meta.keySet().forEach(Item::checkUserKey);
    boolean existed = exists();
    if (!overwrite && existed) {
      throw new ItemExistsException(collection.name(), name); // before writing any part
    }
    if (!existed) {
      refuseTwin();
    }
    List<? extends GenericRecord> arrival = asList(rows);
    ItemState before = existed ? log.latest().orElse(null) : null;
    List<Rule> itemRules = before == null ? List.of() : before.rules();
    checkRules(arrival, resolved.indexColumn(), before, true);
    Batch batch = Batch.prepare(rows, schema, resolved, label);
    List<PartInfo> staged = files.stage(batch, resolved);
    ItemState after;
    List<String> removed = new ArrayList<>();
    after =
        commitWith(
            staged,
            (current, version) -> {
              passGate(mayCommit);
              if (current != null && !overwrite) {
                throw new ItemExistsException(collection.name(), name);
              }
              if (current != null && !current.rules().equals(itemRules)) {
                checkRules(arrival, resolved.indexColumn(), current, true); // changed meanwhile
              }
              removed.clear();
              if (current != null) {
                removed.addAll(current.parts().keySet());
              }
              return new LogEntry(
                  LogEntry.FORMAT,
                  version,
                  current == null ? "create" : "overwrite",
                  System.currentTimeMillis(),
                  CommitLog.writer(),
                  resolved,
                  itemSchema.toString(),
                  withSeq(staged, version),
                  removed,
                  meta,
                  null,
                  null);
            });
    files.finish(after, staged, removed);
    LOG.info(
        "{}: {} version {} with {} rows in {} parts",
        label,
        after.version() == 0 ? "created" : "overwrote",
        after.version(),
        batch.rows.size(),
        staged.size());
    return new CommitResult(after.version(), batch.rows.size(), staged.size(), true);
  }

  /**
   * Appends rows: writes new parts and commits them. Never rewrites existing parts. Rows may be in
   * any order and may overlap existing ones; reads merge and dedupe.
   *
   * @param rows rows of one schema, compatible with the item's
   * @return what was committed; an empty append commits nothing
   * @throws ItemNotFoundException when the item does not exist
   * @throws IncompatibleSchemaException naming the column and both types
   */
  public CommitResult append(Collection<? extends GenericRecord> rows) {
    return append(rows, null);
  }

  /**
   * Appends rows and records source offsets in the same commit (the sink's exactly-once).
   *
   * @param rows rows of one schema, compatible with the item's
   * @param offsets source offsets that become durable with these rows, or null
   * @return what was committed
   */
  public CommitResult append(Collection<? extends GenericRecord> rows, Map<String, Long> offsets) {
    return append(rows, offsets, null);
  }

  /**
   * Appends rows from a source only if the item does not hold any of them yet: the building block
   * of exactly-once ingestion. Each source (e.g. a Kafka topic-partition) is committed in order;
   * the item records, per source, the next offset it does not hold.
   *
   * @param rows rows of one schema
   * @param offsets per source, the next offset after the last row here (becomes the item's)
   * @param from per source, the offset of the first row here; the append is refused when the item
   *     already holds an offset at or above it
   * @return what was committed
   * @throws StaleOffsetsException when the item already holds some of the rows; nothing changes
   */
  public CommitResult append(
      Collection<? extends GenericRecord> rows, Map<String, Long> offsets, Map<String, Long> from) {
    return append(rows, offsets, from, () -> true);
  }

  /**
   * {@link #append(Collection, Map, Map)}, asking {@code mayCommit} once the parts are staged, just
   * before the commit: false discards them and throws {@link
   * java.util.concurrent.CancellationException}, leaving the item as it was ({@link AsyncItem}).
   */
  CommitResult append(
      Collection<? extends GenericRecord> rows,
      Map<String, Long> offsets,
      Map<String, Long> from,
      java.util.function.BooleanSupplier mayCommit) {
    ItemState current = state();
    if (rows.isEmpty() && (offsets == null || offsets.isEmpty())) {
      return new CommitResult(current.version(), 0, 0, false);
    }
    Schema batchSchema = rows.isEmpty() ? current.schema() : rows.iterator().next().getSchema();
    ItemOptions options = current.options();
    Schemas.unify(current.schema(), batchSchema, options.indexColumn(), label);
    List<? extends GenericRecord> arrival = asList(rows);
    List<Rule> checked = checkRules(arrival, options.indexColumn(), current, false);
    Batch batch = Batch.prepare(rows, batchSchema, options, label);
    List<PartInfo> staged = files.stage(batch, options);
    ItemState after;
    after =
        commitWith(
            staged,
            (latest, version) -> {
              passGate(mayCommit);
              if (latest == null) {
                throw new ItemNotFoundException(collection.name(), name);
              }
              if (!latest.rules().equals(current.rules())
                  || (latest.maxIndex() != current.maxIndex() && Rules.lateness(checked))) {
                checkRules(arrival, options.indexColumn(), latest, false); // it moved on meanwhile
              }
              refuseHeld(latest, from, label);
              return appendEntry(
                  latest,
                  version,
                  batchSchema,
                  staged,
                  offsets == null || offsets.isEmpty() ? null : new LinkedHashMap<>(offsets),
                  null);
            });
    files.finish(after, staged, List.of());
    LOG.debug(
        "{}: appended {} rows in {} parts as version {}",
        label,
        batch.rows.size(),
        staged.size(),
        after.version());
    return new CommitResult(after.version(), batch.rows.size(), staged.size(), true);
  }

  /**
   * Commits a prepared change: parts the caller staged under {@code _staging/} and the parts they
   * replace. The building block of compaction; the builder sees the latest state and decides what
   * conflicts by throwing.
   *
   * @param staged parts already written under {@code _staging/}
   * @param builder builds the entry for the latest state
   * @return the state after the commit
   */
  public ItemState commitStaged(List<PartInfo> staged, CommitLog.EntryBuilder builder) {
    ItemState after;
    List<String> removed = new ArrayList<>();
    after =
        commitWith(
            staged,
            (latest, version) -> {
              LogEntry e = builder.build(latest, version);
              removed.clear();
              removed.addAll(e.remove());
              return e;
            });
    files.finish(after, staged, removed);
    return after;
  }

  /**
   * Asks a commit's gate whether it may go ahead (the entry builder calls it before the entry is
   * written, so a refusal commits nothing; commitWith then discards the staged parts). A gate
   * answers once: a retry after a conflict asks again and gets the same yes.
   */
  private static void passGate(java.util.function.BooleanSupplier mayCommit) {
    if (!mayCommit.getAsBoolean()) {
      throw new java.util.concurrent.CancellationException("cancelled before its commit");
    }
  }

  /**
   * Commits an entry naming staged parts. A commit that did not happen discards them; one whose
   * outcome is unknown keeps them, since its entry may name them.
   */
  private ItemState commitWith(List<PartInfo> staged, CommitLog.EntryBuilder builder) {
    try {
      return log.commit(builder, List.of(Storage.join(dir, PartLocator.STAGING), dir));
    } catch (CommitOutcomeUnknownException e) {
      throw e;
    } catch (RuntimeException e) {
      files.discard(staged);
      throw e;
    }
  }

  /**
   * Writes this item's entry of a transaction, undecided: it takes effect with the transaction's
   * decision. Waits, like every commit, until an earlier transaction's entry here is decided. The
   * staged parts stay where they are whatever happens: the transaction discards or publishes them.
   *
   * @param tx the transaction's id
   * @param deadline when others may abort it, epoch milliseconds
   * @param builder builds the entry against the latest state
   * @return the state the item will have once the transaction commits
   */
  ItemState prepare(String tx, long deadline, CommitLog.EntryBuilder builder) {
    return log.commit(
        (current, version) -> builder.build(current, version).inTransaction(tx, deadline),
        List.of(Storage.join(dir, PartLocator.STAGING), dir));
  }

  /** After a commit made elsewhere (a transaction): parts into place, the metadata file. */
  void publish(ItemState after, List<PartInfo> added, Collection<String> removed) {
    files.finish(after, added, removed);
  }

  /**
   * Checks rows against the rules of the collection and of the item (as of {@code state}).
   *
   * @param rows the rows, in arrival order
   * @param indexColumn the item's index column
   * @param state the item's state the rows go on top of, or null for a new item
   * @param replaces whether the rows replace the item's (an overwrite: no item end to be late to)
   * @return the rules checked
   * @throws ValidationException naming the rule, the column and the first offending row
   */
  public List<Rule> checkRules(
      List<? extends GenericRecord> rows, String indexColumn, ItemState state, boolean replaces) {
    List<Rule> all = new ArrayList<>(collection.rules());
    if (state != null) {
      all.addAll(state.rules());
    }
    long end = state == null || replaces ? Long.MIN_VALUE : state.maxIndex();
    Rules.check(all, rows, indexColumn, end, label);
    return all;
  }

  /**
   * Replaces the item's own validation rules, in one commit (none when they are unchanged). Later
   * writes by every writer are checked against them; rows already stored are not.
   *
   * @param rules the rules, in the order they are checked
   * @return the version after
   * @throws InvalidDataException when a rule names a column the item lacks or cannot apply to
   */
  public long setRules(List<Rule> rules) {
    List<Rule> wanted = List.copyOf(rules);
    ItemState current = state();
    Rules.checkAgainst(wanted, current.schema(), label);
    if (current.rules().equals(wanted)) {
      return current.version(); // nothing changes: no commit
    }
    ItemState after =
        log.commit(
            (latest, version) -> {
              if (latest == null) {
                throw notFound();
              }
              Rules.checkAgainst(wanted, latest.schema(), label);
              return new LogEntry(
                      LogEntry.FORMAT,
                      version,
                      "rules",
                      System.currentTimeMillis(),
                      CommitLog.writer(),
                      null,
                      null,
                      List.of(),
                      List.of(),
                      null,
                      null,
                      null)
                  .withRules(wanted);
            });
    LOG.info("{}: rules set to {} as version {}", label, wanted, after.version());
    return after.version();
  }

  private static List<? extends GenericRecord> asList(Collection<? extends GenericRecord> rows) {
    return rows instanceof List<? extends GenericRecord> l ? l : new ArrayList<>(rows);
  }

  /** The item as {@code collection/item}, for messages. */
  String label() {
    return label;
  }

  /**
   * Deletes the item, as a commit: writers that cached its state meet the deletion instead of
   * writing into a log that is gone, and a later write starts the item again with the next version.
   * Its parts move to {@code _removed/}, where snapshots can still read them until vacuum deletes
   * them after the retention period.
   *
   * @throws ItemNotFoundException when the item does not exist
   */
  void delete() {
    List<String> removed = new ArrayList<>();
    ItemState after =
        log.commit(
            (current, version) -> {
              if (current == null) {
                throw notFound();
              }
              removed.clear();
              removed.addAll(current.parts().keySet());
              return deleteEntry(version, removed);
            });
    files.finish(after, List.of(), removed);
    LOG.info("{}: deleted as version {}", label, after.version());
  }

  /** The entry of a deletion: every live part removed. */
  static LogEntry deleteEntry(long version, List<String> removed) {
    return new LogEntry(
        LogEntry.FORMAT,
        version,
        ItemState.DELETE,
        System.currentTimeMillis(),
        CommitLog.writer(),
        null,
        null,
        List.of(),
        removed,
        null,
        null,
        null);
  }

  /**
   * Refuses to create an item whose name differs from an existing one only in case or Unicode
   * normalization.
   *
   * @throws InvalidNameException naming the other item
   */
  public void refuseTwin() {
    String twin = collection.twinOf(name);
    if (twin != null) {
      throw new InvalidNameException(
          "item name '"
              + label
              + "' is refused: item '"
              + collection.name()
              + "/"
              + twin
              + "' differs from it only in case or Unicode normalization, and on macOS and Windows"
              + " both would be one directory; use one spelling");
    }
  }

  /** The store's hook, for the steps other classes take on this item's files. */
  CommitHook hook() {
    return store.options().hook();
  }

  /** Whether the item's latest commit deleted it (its directory and history remain). */
  public boolean deleted() {
    return log.head().map(ItemState::deleted).orElse(false);
  }

  /**
   * Stages rows as sorted, bucketed parts under {@code _staging/} for {@link #commitImport}: the
   * first step of an import that commits many batches at once (see {@code
   * org.pystore.store.migrate}). Applications write with {@link #write} and {@link #append}.
   *
   * @param rows the rows
   * @param schema their schema
   * @param options the item's options (layout, index column)
   * @return the staged parts, invisible to readers until committed
   */
  public List<PartInfo> stageRows(
      Collection<? extends GenericRecord> rows, Schema schema, ItemOptions options) {
    return files.stage(Batch.prepare(rows, schema, options, label), options);
  }

  /**
   * Removes staged parts that will not be committed.
   *
   * @param staged parts {@link #stageRows} returned
   */
  public void discardStaged(List<PartInfo> staged) {
    files.discard(staged);
  }

  /**
   * Commits parts staged by an import: creates the item, or appends to it. The offsets name the
   * imported files; the commit is refused when another import already committed one of them.
   *
   * @param options the options of an item the commit creates
   * @param schema the staged rows' schema (unified with the item's when appending)
   * @param staged parts {@link #stageRows} returned
   * @param metadata user metadata of an item the commit creates
   * @param offsets what the commit imports, by name, refused when any is committed already
   * @param info what the log entry records about the import
   * @return the state after the commit
   * @throws StaleOffsetsException when another import committed one of the offsets' names
   */
  public ItemState commitImport(
      ItemOptions options,
      Schema schema,
      List<PartInfo> staged,
      Map<String, Object> metadata,
      Map<String, Long> offsets,
      Map<String, Object> info) {
    Schema itemSchema = Schemas.forNewItem(schema, options);
    ItemState after;
    after =
        commitWith(
            staged,
            (current, version) -> {
              if (current == null) {
                return new LogEntry(
                    LogEntry.FORMAT,
                    version,
                    "create",
                    System.currentTimeMillis(),
                    CommitLog.writer(),
                    options,
                    itemSchema.toString(),
                    withSeq(staged, version),
                    List.of(),
                    metadata,
                    offsets,
                    info);
              }
              for (String key : offsets.keySet()) {
                if (current.offsets().containsKey(key)) {
                  throw new StaleOffsetsException(label, current.offsets());
                }
              }
              return appendEntry(current, version, schema, staged, offsets, info);
            });
    files.finish(after, staged, List.of());
    return after;
  }

  /**
   * A writer of new parts for a change built outside this class (compaction): sorted rows in,
   * staged parts out, then {@link #commitStaged}.
   *
   * @param s the state the change is based on (its schema and options are used)
   * @param targetBytes bytes (before compression) at which a part is closed, as a backstop
   * @param targetRows rows at which a part is closed and the next one started
   * @return the stager; close it to discard what was not finished
   */
  public PartStager stager(ItemState s, long targetBytes, long targetRows) {
    return new PartStager(store.storage(), dir, label, s, store.options(), targetBytes, targetRows);
  }

  /**
   * Merges some parts of a state: every column, sorted and deduplicated by the item's policy,
   * exactly as a read of those parts alone. The building block of compaction.
   *
   * @param s the state the parts belong to
   * @param parts the parts to merge
   * @param from smallest index returned (inclusive, raw unit)
   * @param to largest index returned (inclusive, raw unit)
   * @return the rows in the item's schema; close the reader
   */
  public RowReader mergeParts(ItemState s, Collection<PartInfo> parts, long from, long to) {
    Schema schema = s.schema();
    ItemOptions o = s.options();
    String idx = o.indexColumn();
    List<BoundPredicate> pushdown = indexRange(idx, from, to);
    MergeReader.Spec spec =
        new MergeReader.Spec(
            s.version(),
            new ArrayList<>(parts),
            schema,
            schema,
            idx,
            o.keyColumns(),
            o.dedupe(),
            from,
            to,
            List.of(),
            -1);
    return new MergeReader(spec, opener(null, schema, pushdown, idx));
  }

  /** Filters on the index that the files can apply by statistics. */
  private static List<BoundPredicate> indexRange(String idx, long from, long to) {
    List<BoundPredicate> out = new ArrayList<>();
    if (from != Long.MIN_VALUE) {
      out.add(new BoundPredicate(idx, Predicate.Op.GE, from));
    }
    if (to != Long.MAX_VALUE) {
      out.add(new BoundPredicate(idx, Predicate.Op.LE, to));
    }
    return out;
  }

  /**
   * The index range that the pushed-down predicates are, when they are only bounds on the index
   * column (a part reader may then apply them itself, exactly); null when other predicates are
   * among them.
   */
  private static PartReader.IndexRange indexRange(String idx, List<BoundPredicate> pushdown) {
    long lo = Long.MIN_VALUE;
    long hi = Long.MAX_VALUE;
    for (BoundPredicate p : pushdown) {
      if (!p.column().equals(idx) || !(p.value() instanceof Long v)) {
        return null;
      }
      if (p.op() == Predicate.Op.GE) {
        lo = Math.max(lo, v);
      } else if (p.op() == Predicate.Op.LE) {
        hi = Math.min(hi, v);
      } else {
        return null;
      }
    }
    return new PartReader.IndexRange(idx, lo, hi);
  }

  /** Opens parts where they are now, decoding ahead on a background thread. */
  private MergeReader.PartOpener opener(
      String snapshotDir, Schema readSchema, List<BoundPredicate> pushdown, String indexColumn) {
    PartLocator locator = new PartLocator(store.storage(), label, dir, snapshotDir);
    PartReader.IndexRange range = indexRange(indexColumn, pushdown); // the same for every part
    return part ->
        new PrefetchingSource(
            locator.open(
                part,
                file ->
                    PartReader.open(file, readSchema, mt -> Pushdown.build(pushdown, mt), range)));
  }

  /**
   * Cleans the item's directory: deletes replaced parts older than the retention period (never one
   * a snapshot still needs), deletes orphans (written, never committed) older than the grace
   * period, and puts parts a crashed writer left behind where they belong. Afterwards the visible
   * {@code *.parquet} files are exactly the live parts. Safe beside concurrent writers and readers
   * of versions younger than the retention period.
   *
   * @param retention how long replaced parts are kept for readers of older versions
   * @param orphanGrace how old an uncommitted part must be before it counts as orphaned
   * @param dryRun report only, change nothing
   * @return what was (or would be) done
   */
  public VacuumReport vacuum(Duration retention, Duration orphanGrace, boolean dryRun) {
    if (!deleted()) {
      state();
    }
    if (retention.isNegative()) {
      throw new IllegalArgumentException("the retention period must not be negative");
    }
    requireOrphanGrace(orphanGrace);
    return new Vacuum(store.storage(), this, label, log, collection)
        .run(retention, orphanGrace, dryRun);
  }

  /**
   * Checks an orphan grace period against {@link #MIN_ORPHAN_GRACE}.
   *
   * @param grace the period
   * @throws IllegalArgumentException when it is shorter
   */
  public static void requireOrphanGrace(Duration grace) {
    if (grace.compareTo(MIN_ORPHAN_GRACE) < 0) {
      throw new IllegalArgumentException(
          "the orphan grace period must be at least "
              + MIN_ORPHAN_GRACE.toMinutes()
              + " minutes, got "
              + grace
              + ": a part staged by a commit still under way would look orphaned and be deleted");
    }
  }

  /** Refuses a user metadata key the store keeps for itself. */
  private static void checkUserKey(String key) {
    if (key.startsWith("_")) {
      throw new InvalidDataException(
          "metadata key '"
              + key
              + "' is refused: keys starting with '_' are the store's own (such as _updated);"
              + " pick a name without the leading '_'");
    }
  }

  /**
   * Replaces some user metadata keys (others are kept), in one commit; none when nothing would
   * change.
   *
   * @param changes keys to set; a null value removes the key
   * @return the new version, or the current one when nothing would change
   */
  public long updateMetadata(Map<String, Object> changes) {
    changes.keySet().forEach(Item::checkUserKey);
    ItemState current = state();
    Map<String, Object> wanted = new LinkedHashMap<>(current.metadata());
    changes.forEach((k, v) -> wanted.compute(k, (key, old) -> v));
    if (wanted.equals(current.metadata())) {
      return current.version(); // nothing changes: no commit
    }
    ItemState after =
        log.commit(
            (latest, version) -> {
              if (latest == null) {
                throw new ItemNotFoundException(collection.name(), name);
              }
              Map<String, Object> m = new LinkedHashMap<>(latest.metadata());
              for (Map.Entry<String, Object> e : changes.entrySet()) {
                if (e.getValue() == null) {
                  m.remove(e.getKey());
                } else {
                  m.put(e.getKey(), e.getValue());
                }
              }
              return new LogEntry(
                  LogEntry.FORMAT,
                  version,
                  "metadata",
                  System.currentTimeMillis(),
                  CommitLog.writer(),
                  null,
                  null,
                  List.of(),
                  List.of(),
                  m,
                  null,
                  null);
            });
    files.writeMetadataFile(after);
    return after.version();
  }

  /** The user metadata of the latest version. */
  public Map<String, Object> metadata() {
    return state().metadata();
  }

  /**
   * Reads the latest version: every row, sorted and deduplicated.
   *
   * @return the rows; close the reader
   */
  public RowReader read() {
    return read(ReadOptions.all());
  }

  /**
   * Reads rows.
   *
   * @param opts range, columns, filters, version or snapshot, limit
   * @return the rows in index order, deduplicated by the item's policy; close the reader
   * @throws NotFoundException when the item, version or snapshot does not exist
   * @throws InvalidDataException for unknown columns or bad filters
   */
  public RowReader read(ReadOptions opts) {
    ItemState s;
    String snapshotDir = null;
    if (opts.snapshot() != null) {
      SnapshotFile snap = collection.snapshotFile(opts.snapshot());
      ItemState.Checkpoint c = snap.items().get(name);
      if (c == null) {
        throw new NotFoundException(
            "item '"
                + label
                + "' is not in snapshot '"
                + opts.snapshot()
                + "'; it was created after the snapshot");
      }
      s = ItemState.fromCheckpoint(c);
      snapshotDir =
          snap.materialized()
              ? Storage.join(collection.name(), PyCollection.SNAPSHOTS, opts.snapshot(), name)
              : null;
    } else if (opts.version() != null) {
      s = state(opts.version());
      ItemState latest = state();
      boolean partsGone =
          s.version() != latest.version() && !presentParts().containsAll(s.parts().keySet());
      if (partsGone) {
        snapshotDir = pinnedCopies().get(s.version()); // a snapshot's links keep the parts
      }
      if (partsGone && snapshotDir == null) {
        long oldest = latest.version();
        List<HistoryEntry> versions = history();
        for (int i = versions.size() - 1; i >= 0 && versions.get(i).readable(); i--) {
          oldest = versions.get(i).version(); // the readable run that ends at the latest
        }
        throw new VersionVacuumedException(label, s.version(), oldest, latest.version());
      }
    } else {
      s = state();
    }
    return read(s, opts, snapshotDir);
  }

  private RowReader read(ItemState s, ReadOptions opts, String snapshotDir) {
    Schema itemSchema = s.schema();
    ItemOptions o = s.options();
    String idx = o.indexColumn();
    IndexUnit unit = IndexUnit.of(itemSchema.getField(idx).schema());
    long from = opts.from() == null ? Long.MIN_VALUE : ceil(unit, opts.from());
    long to = opts.to() == null ? Long.MAX_VALUE : unit.fromInstant(opts.to());
    for (String c : opts.columns()) {
      if (itemSchema.getField(c) == null) {
        throw new InvalidDataException(
            "no column '" + c + "' in '" + label + "'; columns are " + Schemas.names(itemSchema));
      }
    }
    Set<String> out = new LinkedHashSet<>();
    out.add(idx);
    out.addAll(opts.columns().isEmpty() ? Schemas.names(itemSchema) : opts.columns());
    List<BoundPredicate> filters = new ArrayList<>();
    for (Predicate p : opts.filters()) {
      filters.add(BoundPredicate.bind(p, itemSchema));
    }
    Set<String> readCols = new LinkedHashSet<>(out);
    DedupePolicy policy = o.dedupe();
    List<BoundPredicate> pushdown = indexRange(idx, from, to);
    if (policy == DedupePolicy.EXACT) {
      readCols.addAll(Schemas.names(itemSchema));
    } else {
      readCols.addAll(o.keyColumns());
    }
    for (BoundPredicate f : filters) {
      readCols.add(f.column());
      boolean onKey = f.column().equals(idx) || o.keyColumns().contains(f.column());
      // last/first decide among rows of one key: only filters on the key may run before them
      if (onKey || policy == DedupePolicy.EXACT || policy == DedupePolicy.NONE) {
        pushdown.add(f);
      }
    }
    Schema readSchema = Schemas.project(itemSchema, readCols);
    Schema outSchema = Schemas.project(itemSchema, out);
    List<PartInfo> parts = new ArrayList<>();
    for (PartInfo p : s.parts().values()) {
      if (p.overlaps(from, to)) {
        parts.add(p);
      }
    }
    MergeReader.Spec spec =
        new MergeReader.Spec(
            s.version(),
            parts,
            readSchema,
            outSchema,
            idx,
            o.keyColumns(),
            policy,
            from,
            to,
            filters,
            opts.limit());
    return new MergeReader(spec, opener(snapshotDir, readSchema, pushdown, idx));
  }

  /**
   * The versions of this item that materialized snapshots pin, with the snapshot directory whose
   * hard links keep their parts after vacuum (the first snapshot, by name, for each version).
   */
  private Map<Long, String> pinnedCopies() {
    Map<Long, String> out = new HashMap<>();
    for (SnapshotInfo snap : collection.snapshots()) {
      Long v = snap.versions().get(name);
      if (v != null && snap.materialized()) {
        out.putIfAbsent(
            v, Storage.join(collection.name(), PyCollection.SNAPSHOTS, snap.name(), name));
      }
    }
    return out;
  }

  /** The names of the item's part files present anywhere a read finds them (one listing each). */
  private Set<String> presentParts() {
    Set<String> out = new java.util.HashSet<>();
    try {
      for (String d :
          List.of(
              dir,
              Storage.join(dir, PartLocator.STAGING),
              Storage.join(dir, PartLocator.REMOVED))) {
        for (FileInfo f : store.storage().list(d)) {
          out.add(f.name());
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + store.storage().describe(dir), e);
    }
    return out;
  }

  private static long ceil(IndexUnit unit, Instant t) {
    long v = unit.fromInstant(t);
    return unit.toInstant(v).isBefore(t) ? v + 1 : v;
  }

  /** The versions of the item, oldest first. */
  public List<HistoryEntry> history() {
    state();
    List<HistoryEntry> out = new ArrayList<>();
    Map<String, Long> rowsByPart = new HashMap<>();
    Set<String> present = presentParts();
    Map<Long, String> pinned = null; // looked up once a version lacks parts
    int gone = 0; // live parts of the version that vacuum deleted
    for (LogEntry e : log.entries()) {
      long added = 0;
      for (PartInfo p : e.add()) {
        added += p.rows();
      }
      long removedRows = 0;
      for (String r : e.remove()) {
        Long n = rowsByPart.remove(r);
        removedRows += n == null ? 0 : n;
        gone -= n != null && !present.contains(r) ? 1 : 0;
      }
      for (PartInfo p : e.add()) {
        rowsByPart.put(p.name(), p.rows());
        gone += present.contains(p.name()) ? 0 : 1;
      }
      if (ItemState.DELETE.equals(e.operation())) {
        rowsByPart.clear();
        gone = 0;
      }
      boolean readable = gone == 0;
      if (!readable) {
        pinned = pinned == null ? pinnedCopies() : pinned;
        readable = pinned.containsKey(e.version());
      }
      out.add(
          new HistoryEntry(
              e.version(),
              e.operation(),
              Instant.ofEpochMilli(e.timestamp()),
              added,
              removedRows,
              e.add().size(),
              e.remove().size(),
              e.writer(),
              readable));
    }
    return out;
  }

  /** A summary of the latest version. */
  public ItemInfo info() {
    return info(state());
  }

  /**
   * The summary of a state this item read ({@link #state()}), for callers that also look at its
   * parts: one read of the log, and figures that agree with the parts.
   */
  public ItemInfo info(ItemState s) {
    IndexUnit unit = IndexUnit.of(s.schema().getField(s.options().indexColumn()).schema());
    boolean empty = s.parts().isEmpty();
    return new ItemInfo(
        collection.name(),
        name,
        s.version(),
        s.rows(),
        s.parts().size(),
        s.bytes(),
        empty ? null : unit.toInstant(s.minIndex()),
        empty ? null : unit.toInstant(s.maxIndex()),
        s.schema().toString(),
        s.options(),
        s.metadata(),
        Instant.ofEpochMilli(s.created()),
        Instant.ofEpochMilli(s.updated()),
        s.lastCompacted() == 0 ? null : Instant.ofEpochMilli(s.lastCompacted()),
        s.duplicatesRemoved());
  }

  /** Where the live parts of a state are on disk now (a store on a local disk). */
  public Map<String, Path> locateParts(ItemState s) {
    Map<String, Path> out = new LinkedHashMap<>();
    partKeys(s.parts().values()).forEach((n, k) -> out.put(n, store.storage().localPath(k).get()));
    return out;
  }

  /**
   * Where some committed parts are in the store now.
   *
   * @param parts the parts
   * @return by part name, the key it is at
   * @throws CorruptPartException when one of them is nowhere
   */
  public Map<String, String> partKeys(Collection<PartInfo> parts) {
    PartLocator locator = new PartLocator(store.storage(), label, dir, null);
    Map<String, String> out = new LinkedHashMap<>();
    for (PartInfo p : parts) {
      out.put(p.name(), locator.locate(p));
    }
    return out;
  }

  /**
   * Checks some committed parts against their commit (size, checksum, footer), where they are now.
   *
   * @param parts the parts
   * @return by part name, what is wrong with it; parts that pass or moved meanwhile are absent
   */
  public Map<String, String> checkParts(Collection<PartInfo> parts) {
    Map<String, String> bad = new LinkedHashMap<>();
    Map<String, String> keys;
    try {
      keys = partKeys(parts);
    } catch (CorruptPartException e) {
      return bad; // a part moved or gone: whoever reads it tells a conflict from a loss
    }
    for (PartInfo p : parts) {
      String key = keys.get(p.name());
      String problem = key == null ? null : Verifier.checkFile(store.storage(), key, p);
      try {
        if (problem != null && store.storage().exists(key)) {
          bad.put(p.name(), problem);
        }
      } catch (java.io.IOException e) {
        // cannot tell; the merge reads it and reports
      }
    }
    return bad;
  }

  /**
   * Refuses an append from sources the item already holds rows of at or above {@code from}.
   *
   * @param latest the state the append commits on
   * @param from per source, the offset of the append's first row, or null
   * @param label the item, for the message
   * @throws StaleOffsetsException naming what the item holds
   */
  static void refuseHeld(ItemState latest, Map<String, Long> from, String label) {
    if (from == null) {
      return;
    }
    for (Map.Entry<String, Long> f : from.entrySet()) {
      Long held = latest.offsets().get(f.getKey());
      if (held != null && held > f.getValue()) {
        throw new StaleOffsetsException(label, latest.offsets());
      }
    }
  }

  /** The entry of an append: new parts, the schema when the batch widens it, offsets, figures. */
  private LogEntry appendEntry(
      ItemState latest,
      long version,
      Schema batchSchema,
      List<PartInfo> staged,
      Map<String, Long> offsets,
      Map<String, Object> info) {
    Schema unified =
        Schemas.unify(latest.schema(), batchSchema, latest.options().indexColumn(), label);
    return unifiedAppendEntry(latest, version, unified, staged, offsets, info);
  }

  /**
   * The entry of an append whose rows unify to {@code unified} with the item's schema.
   *
   * @param latest the state it commits on
   * @param version its version
   * @param unified the item's schema after it (the same object when unchanged)
   * @param staged its parts
   * @param offsets source offsets it makes durable, or null
   * @param info figures, or null
   * @return the entry
   */
  static LogEntry unifiedAppendEntry(
      ItemState latest,
      long version,
      Schema unified,
      List<PartInfo> staged,
      Map<String, Long> offsets,
      Map<String, Object> info) {
    return new LogEntry(
        LogEntry.FORMAT,
        version,
        "append",
        System.currentTimeMillis(),
        CommitLog.writer(),
        null,
        unified == latest.schema() ? null : unified.toString(),
        withSeq(staged, version),
        List.of(),
        null,
        offsets,
        info);
  }

  static List<PartInfo> withSeq(List<PartInfo> parts, long version) {
    List<PartInfo> out = new ArrayList<>(parts.size());
    for (PartInfo p : parts) {
      out.add(p.withSeq(version));
    }
    return out;
  }
}
