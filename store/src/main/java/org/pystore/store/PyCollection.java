package org.pystore.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.Json;
import org.pystore.store.log.LogEntry;
import org.pystore.store.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A collection: a directory of items, and its snapshots. */
public final class PyCollection {
  static final String SNAPSHOTS = "_snapshots";
  private static final Logger LOG = LoggerFactory.getLogger(PyCollection.class);

  private final Store store;
  private final String name;
  private final Storage storage;

  PyCollection(Store store, String name) {
    this.store = store;
    this.name = name;
    this.storage = store.storage();
  }

  public String name() {
    return name;
  }

  /**
   * The collection's directory, for a store on a local disk.
   *
   * @return the directory
   * @throws PyStoreException when the store is not on a local disk
   */
  public Path path() {
    return store.path().resolve(name);
  }

  /** Where the collection is: a directory, or an object storage URI. */
  public String location() {
    return storage.describe(name);
  }

  /**
   * Whether the collection exists: it holds an item that is not deleted (one of ours, or a PyStore
   * item not imported yet) or a snapshot. A collection whose items were all deleted is gone, even
   * where the deleted items' logs remain until vacuum (on object storage, which cannot rename the
   * collection away).
   */
  public boolean exists() {
    try {
      for (String n : storage.directories(name)) {
        if (n.equals(SNAPSHOTS)) {
          return true;
        }
        if (!n.startsWith("_")
            && !n.startsWith(".")
            && !CommitLog.endsInDeletion(
                storage, Storage.join(name, n, Item.LOG_DIR), decisions())) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new StoreIOException("cannot look up collection '" + name + "'", e);
    }
  }

  /**
   * The items, sorted by name.
   *
   * @return item names
   * @throws CollectionNotFoundException when the collection does not exist (see {@link #exists})
   */
  public List<String> items() {
    requireExists();
    List<String> out = new ArrayList<>();
    try {
      for (String n : storage.directories(name)) {
        String log = Storage.join(name, n, Item.LOG_DIR);
        if (Names.isValid(n)
            && storage.exists(Storage.join(log, String.format("%020d.json", 0)))
            && !CommitLog.endsInDeletion(storage, log, decisions())) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list collection '" + name + "'", e);
    }
    Collections.sort(out);
    return out;
  }

  /**
   * Every item directory, sorted: the items, deleted items not vacuumed yet, and PyStore items no
   * import adopted yet.
   *
   * @return their names
   */
  public List<String> itemDirectories() {
    List<String> out = new ArrayList<>();
    try {
      for (String n : storage.directories(name)) {
        if (Names.isValid(n)) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list collection '" + name + "'", e);
    }
    Collections.sort(out);
    return out;
  }

  /**
   * The items whose metadata holds every given key with the given value (PyStore's {@code
   * list_items(**kwargs)}). A value matches a string equal to it, or a number or boolean whose JSON
   * text equals it.
   *
   * @param where key to required value
   * @return matching item names, sorted
   */
  public List<String> items(Map<String, String> where) {
    List<String> out = new ArrayList<>();
    for (String item : items()) {
      Map<String, Object> meta = item(item).metadata();
      boolean all = true;
      for (Map.Entry<String, String> w : where.entrySet()) {
        Object v = meta.get(w.getKey());
        String text =
            v == null
                ? null
                : v instanceof String
                    ? (String) v
                    : new String(Json.bytes(v), java.nio.charset.StandardCharsets.UTF_8);
        if (!Objects.equals(text, w.getValue())) {
          all = false;
          break;
        }
      }
      if (all) {
        out.add(item);
      }
    }
    return out;
  }

  /**
   * A handle on an item (which need not exist yet).
   *
   * @param item the item's name
   * @return the handle
   * @throws InvalidNameException when the name breaks the rule of {@link Names}
   */
  public Item item(String item) {
    Names.check("item", item);
    return store.item(this, item);
  }

  /**
   * Deletes an item, as a commit in its log (see {@link Item#delete}): a sink or any other writer
   * that cached its state meets the deletion. Its history stays readable by version and by snapshot
   * until vacuum removes the parts after the retention period.
   *
   * @param item the item
   * @throws ItemNotFoundException when it does not exist
   */
  public void deleteItem(String item) {
    Item it = item(item);
    if (!it.exists()) {
      throw new ItemNotFoundException(name, item);
    }
    it.delete();
    LOG.info("deleted item {}/{}", name, item);
  }

  /**
   * Items whose latest commit deleted them; vacuum still has their replaced parts to clean.
   *
   * @return names, sorted
   */
  public List<String> deletedItems() {
    List<String> out = new ArrayList<>();
    try {
      for (String n : storage.directories(name)) {
        if (Names.isValid(n)
            && CommitLog.endsInDeletion(
                storage, Storage.join(name, n, Item.LOG_DIR), decisions())) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list collection '" + name + "'", e);
    }
    Collections.sort(out);
    return out;
  }

  /**
   * An existing item (or item directory) whose name differs from the given one only in case or
   * Unicode normalization: on macOS and Windows both would share one directory, so the store
   * refuses to create the second on every platform.
   *
   * @param item a name
   * @return the other name, or null when there is none
   */
  public String twinOf(String item) {
    return store.twinOf(this, item);
  }

  // ---- transactions and pinned reads ----

  /**
   * Starts a transaction over items of this collection, with the {@linkplain
   * Transaction#DEFAULT_TIMEOUT default timeout}.
   *
   * @return a transaction; commit it, or close it to discard what it staged
   */
  public Transaction transaction() {
    return transaction(Transaction.DEFAULT_TIMEOUT);
  }

  /**
   * Starts a transaction over items of this collection.
   *
   * @param timeout the longest its commit may take before others may abort it; writers of its items
   *     wait at most this long after a crash of its writer
   * @return a transaction; commit it, or close it to discard what it staged
   */
  public Transaction transaction(Duration timeout) {
    return new Transaction(this, timeout);
  }

  /**
   * Pins every item at one point: the latest versions, such that every transaction is seen whole
   * (all its items at or past its entries) or not at all. Reads through the pin see that point
   * however the items change later, until vacuum removes what the versions need (a snapshot keeps
   * them: {@link #createSnapshot}).
   *
   * @return the pin
   */
  public CollectionPin pin() {
    return new CollectionPin(this, pinnedStates());
  }

  /**
   * The latest state of every item, made consistent across transactions. Reading the items one by
   * one can meet a transaction decided in between (seen in one item, not in another); every such
   * transaction is among the decisions that appeared during the reads, so each item it touched is
   * raised to its entry.
   */
  Map<String, ItemState> pinnedStates() {
    Transactions tx = decisions();
    java.util.Set<String> before = tx.decidedIds();
    Map<String, ItemState> states = new java.util.TreeMap<>();
    for (String itemName : items()) {
      states.put(itemName, item(itemName).state());
    }
    java.util.Set<String> during = tx.decidedIds();
    during.removeAll(before);
    for (String id : new java.util.TreeSet<>(during)) {
      Transactions.Decision d = tx.decision(id);
      if (d == null || !d.committed() || d.items() == null) {
        continue;
      }
      for (Map.Entry<String, Long> e : d.items().entrySet()) {
        ItemState s = states.get(e.getKey());
        if (s == null || s.version() < e.getValue()) {
          ItemState raised = item(e.getKey()).stateOrDeletion(e.getValue());
          if (raised.deleted()) {
            states.remove(e.getKey());
          } else {
            states.put(e.getKey(), raised);
          }
        }
      }
    }
    return states;
  }

  Store store() {
    return store;
  }

  // ---- validation rules ----

  /** The file of the collection's rules (private: invisible to pandas). */
  static final String RULES_FILE = "_rules.json";

  /**
   * The collection's file of rules.
   *
   * @param format file format version
   * @param rules the rules, in the order they are checked
   * @param updated when they were set, epoch milliseconds
   */
  record RulesFile(int format, List<Rule> rules, long updated) {}

  /**
   * The collection's validation rules: every write to any of its items is checked against them,
   * then against the item's own. Writers reread them at most every few seconds.
   *
   * @return the rules, in the order they are checked
   */
  public List<Rule> rules() {
    return store.collectionRules(this);
  }

  /** Reads the rules file (no cache). */
  List<Rule> readRules() {
    String f = Storage.join(name, RULES_FILE);
    try {
      RulesFile r = Json.parse(storage.read(f), RulesFile.class);
      return r.rules() == null ? List.of() : List.copyOf(r.rules());
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | RuntimeException e) {
      throw new CorruptLogException(
          "the rules of collection '"
              + name
              + "' ("
              + storage.describe(f)
              + ") are unreadable ("
              + e.getMessage()
              + "); writers refuse to write unchecked rows: set them again with 'pystore rules "
              + name
              + " --set ...' or '--clear'",
          e);
    }
  }

  /**
   * Replaces the collection's validation rules. A rule naming a column must fit that column in
   * every item that has it (a range needs numbers); items without the column are only held to
   * {@code required} and {@code not-null}.
   *
   * @param rules the rules, in the order they are checked; empty clears them
   * @throws InvalidDataException naming a rule that cannot apply
   */
  public void setRules(List<Rule> rules) {
    List<Rule> wanted = List.copyOf(rules);
    for (String itemName : exists() ? items() : List.<String>of()) {
      ItemState s = item(itemName).state();
      List<Rule> applicable = new ArrayList<>();
      for (Rule r : wanted) {
        if (r.column() == null
            || s.schema().getField(r.column()) != null
            || r.kind().equals("custom")) {
          applicable.add(r);
        }
      }
      Rules.checkAgainst(applicable, s.schema(), name + "/" + itemName);
    }
    String f = Storage.join(name, RULES_FILE);
    try {
      if (wanted.isEmpty()) {
        storage.delete(f);
      } else {
        storage.replace(
            f,
            Json.prettyBytes(new RulesFile(LogEntry.FORMAT, wanted, System.currentTimeMillis())));
      }
    } catch (NoSuchFileException e) {
      // no rules to clear
    } catch (IOException e) {
      throw new StoreIOException("cannot write the rules of collection '" + name + "'", e);
    }
    store.forgetRules(name);
    LOG.info("rules of collection {} set to {}", name, wanted);
  }

  // ---- snapshots ----

  /**
   * Takes a snapshot: every item's current version, pinned. No data is copied; where the file
   * system has hard links, {@code _snapshots/<name>/<item>/} holds links to the parts, readable by
   * PyStore as a plain item.
   *
   * @param snapshot the snapshot's name
   * @return what was taken
   * @throws PyStoreException when a snapshot of that name exists
   */
  public SnapshotInfo createSnapshot(String snapshot) {
    Names.check("snapshot", snapshot);
    requireExists();
    String root = Storage.join(name, SNAPSHOTS);
    String target = Storage.join(root, snapshot);
    try {
      if (storage.isDirectory(target)) {
        throw snapshotExists(snapshot);
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot create snapshot '" + snapshot + "' of '" + name + "'", e);
    }
    String tmp = Storage.join(root, "." + snapshot + "." + UUID.randomUUID() + ".tmp");
    boolean materialized = true;
    Map<String, ItemState.Checkpoint> states = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, ItemState> pinned : pinnedStates().entrySet()) {
        String itemName = pinned.getKey();
        Item item = item(itemName);
        ItemState s = pinned.getValue();
        states.put(itemName, s.toCheckpoint());
        if (materialized) {
          materialized = link(item, s, Storage.join(tmp, itemName));
        }
      }
      if (!materialized) {
        storage.deleteTree(tmp);
      }
      SnapshotFile file =
          new SnapshotFile(
              LogEntry.FORMAT, snapshot, System.currentTimeMillis(), materialized, states);
      byte[] json = Json.prettyBytes(file);
      if (materialized) {
        storage.replace(Storage.join(tmp, SnapshotFile.FILE), json);
        try {
          storage.moveDirectory(tmp, target);
        } catch (java.nio.file.FileAlreadyExistsException
            | java.nio.file.DirectoryNotEmptyException e) {
          throw snapshotJustTaken(snapshot);
        }
      } else if (!storage.createIfAbsent(Storage.join(target, SnapshotFile.FILE), json)) {
        throw snapshotJustTaken(snapshot);
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot create snapshot '" + snapshot + "' of '" + name + "'", e);
    } finally {
      try {
        storage.deleteTree(tmp);
      } catch (IOException e) {
        LOG.warn("could not remove temporary snapshot directory {}", storage.describe(tmp), e);
      }
    }
    LOG.info("snapshot {} of {} pins {} items", snapshot, name, states.size());
    return info(snapshotFile(snapshot));
  }

  private PyStoreException snapshotExists(String snapshot) {
    return new PyStoreException(
        "snapshot '"
            + snapshot
            + "' of '"
            + name
            + "' already exists; delete it or pick another name");
  }

  private PyStoreException snapshotJustTaken(String snapshot) {
    return new PyStoreException(
        "snapshot '"
            + snapshot
            + "' of '"
            + name
            + "' was just created by someone else; pick another name");
  }

  /**
   * Links an item's parts into a snapshot directory; false when the storage has no links (then the
   * snapshot pins versions only).
   */
  private boolean link(Item item, ItemState s, String into) throws IOException {
    for (Map.Entry<String, String> part : item.partKeys(s.parts().values()).entrySet()) {
      String link = Storage.join(into, part.getKey());
      boolean linked;
      try {
        linked = storage.link(part.getValue(), link);
      } catch (NoSuchFileException e) {
        // moved between locate and link (published or retired): locate again
        String again = item.partKeys(List.of(s.parts().get(part.getKey()))).get(part.getKey());
        linked = storage.link(again, link);
      }
      if (!linked) {
        LOG.info("no hard links on {}; snapshot pins versions only", storage.describe(""));
        return false;
      }
    }
    String meta = Storage.join(item.key(), Item.METADATA_FILE);
    try {
      storage.replace(Storage.join(into, Item.METADATA_FILE), storage.read(meta));
    } catch (NoSuchFileException e) {
      // no metadata file (yet): PyStore reads the item without one
    }
    return true;
  }

  /** The snapshots, sorted by name. */
  public List<SnapshotInfo> snapshots() {
    String root = Storage.join(name, SNAPSHOTS);
    List<SnapshotInfo> out = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try {
      for (String n : storage.directories(root)) {
        if (Names.isValid(n)) {
          names.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list snapshots of '" + name + "'", e);
    }
    Collections.sort(names);
    for (String n : names) {
      out.add(info(snapshotFile(n)));
    }
    return out;
  }

  /**
   * Deletes a snapshot. The items are untouched.
   *
   * @param snapshot the snapshot
   * @throws NotFoundException when it does not exist
   */
  public void deleteSnapshot(String snapshot) {
    Names.check("snapshot", snapshot);
    String target = Storage.join(name, SNAPSHOTS, snapshot);
    String doomed =
        Storage.join(name, SNAPSHOTS, ".deleting-" + snapshot + "-" + UUID.randomUUID());
    try {
      if (!storage.isDirectory(target)) {
        throw snapshotMissing(snapshot);
      }
      // the snapshot file goes first: a half-deleted snapshot is no snapshot
      if (storage.moveDirectory(target, doomed)) {
        storage.deleteTree(doomed);
      } else {
        storage.delete(Storage.join(target, SnapshotFile.FILE));
        storage.deleteTree(target);
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot delete snapshot '" + snapshot + "' of '" + name + "'", e);
    }
  }

  SnapshotFile snapshotFile(String snapshot) {
    Names.check("snapshot", snapshot);
    String f = Storage.join(name, SNAPSHOTS, snapshot, SnapshotFile.FILE);
    try {
      return Json.parse(storage.read(f), SnapshotFile.class);
    } catch (NoSuchFileException e) {
      throw snapshotMissing(snapshot);
    } catch (IOException e) {
      throw new CorruptLogException(
          "snapshot file "
              + storage.describe(f)
              + " is unreadable ("
              + e.getMessage()
              + "); delete the snapshot and take it again",
          e);
    }
  }

  private NotFoundException snapshotMissing(String snapshot) {
    return new NotFoundException(
        "snapshot '"
            + snapshot
            + "' of '"
            + name
            + "' does not exist; list them with 'pystore snapshot list "
            + name
            + "'");
  }

  private static SnapshotInfo info(SnapshotFile f) {
    Map<String, Long> versions = new LinkedHashMap<>();
    f.items().forEach((k, v) -> versions.put(k, v.version()));
    return new SnapshotInfo(
        f.name(), Instant.ofEpochMilli(f.created()), versions, f.materialized());
  }

  Transactions decisions() {
    return store.transactions(name);
  }

  private void requireExists() {
    if (!exists()) {
      throw new CollectionNotFoundException(name);
    }
  }
}
