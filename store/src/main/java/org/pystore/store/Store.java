package org.pystore.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.Json;
import org.pystore.store.storage.LocalStorage;
import org.pystore.store.storage.Storage;
import org.pystore.store.storage.StorageProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store: a directory of collections, each a directory of items, laid out as PyStore lays them
 * out. Entry point of the Java API. Thread-safe; share one instance per process.
 */
public final class Store {
  /** The version of this implementation, recorded in the files it writes. */
  public static final String VERSION = "0.1.0";

  private static final Logger LOG = LoggerFactory.getLogger(Store.class);

  private final Storage storage;
  private final StoreOptions options;
  private final Map<String, CommitLog> logs = new ConcurrentHashMap<>();
  private final Map<String, Transactions> transactions = new ConcurrentHashMap<>();

  /** Per collection, its entries' folded names, listed at most every few seconds. */
  private final Map<String, FoldedNames> folded = new ConcurrentHashMap<>();

  private static final long FOLDED_TTL_NANOS = 5_000_000_000L;

  /** A collection's directory names by {@link Names#folded} form, as listed at one time. */
  private record FoldedNames(long listedAtNanos, Map<String, String> byFolded) {}

  private Store(Storage storage, StoreOptions options) {
    this.storage = storage;
    this.options = options;
  }

  /**
   * Opens a store, creating its directory and {@code pystore_metadata.json} when missing.
   *
   * @param root the store directory
   * @return the store
   */
  public static Store open(Path root) {
    return open(root, StoreOptions.defaults());
  }

  /**
   * Opens a store with options.
   *
   * @param root the store directory
   * @param options fsync, checkpoint interval, hooks
   * @return the store
   * @throws StoreIOException when the directory cannot be created
   */
  public static Store open(Path root, StoreOptions options) {
    Path abs = root.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new InvalidDataException(
          "store path " + abs + " is a file, not a directory; point --store at a directory");
    }
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new StoreIOException("cannot open store " + abs, e);
    }
    return open(new LocalStorage(abs, options.fsync()), options);
  }

  /**
   * Opens a store at a location: a directory, or {@code s3://bucket/prefix} reached with the
   * settings the environment gives (pystore-store-s3 on the classpath).
   *
   * @param location a path or a {@code scheme://} URI
   * @param options fsync, checkpoint interval, hooks
   * @return the store
   */
  public static Store open(String location, StoreOptions options) {
    return open(location, options, Map.of());
  }

  /**
   * Opens a store at a location: a directory, or a URI whose scheme a {@link StorageProvider} on
   * the classpath serves ({@code s3://bucket/prefix}).
   *
   * @param location a path or a {@code scheme://} URI
   * @param options fsync, checkpoint interval, hooks
   * @param settings the backend's settings by key ({@code s3.endpoint}, ...; see the backend), over
   *     the environment's; ignored for a directory
   * @return the store
   * @throws StoreIOException when the location cannot hold a store (a missing bucket, an
   *     unreachable service, one that overwrites on conditional writes), saying why
   */
  public static Store open(String location, StoreOptions options, Map<String, String> settings) {
    if (StorageProvider.schemeOf(location) == null) {
      return open(Path.of(location), options);
    }
    try {
      return open(StorageProvider.openLocation(location, settings), options);
    } catch (IOException e) {
      throw new StoreIOException("cannot open store " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens a store that exists, creating and writing nothing: for readers, and for anything that
   * must not turn a mistyped location into a new store. A directory exists when it does (a PyStore
   * store, with no {@code pystore_metadata.json}, counts); a prefix on object storage when an
   * object lies under it.
   *
   * @param location a path or a {@code scheme://} URI
   * @param options fsync, checkpoint interval, hooks
   * @param settings the backend's settings by key, over the environment's
   * @return the store
   * @throws StoreNotFoundException when there is no store there
   */
  public static Store openExisting(
      String location, StoreOptions options, Map<String, String> settings) {
    if (StorageProvider.schemeOf(location) == null) {
      Path abs = Path.of(location).toAbsolutePath().normalize();
      if (Files.exists(abs) && !Files.isDirectory(abs)) {
        throw new InvalidDataException(
            "store path " + abs + " is a file, not a directory; point --store at a directory");
      }
      if (!Files.isDirectory(abs)) {
        throw new StoreNotFoundException(abs.toString());
      }
      return new Store(new LocalStorage(abs, options.fsync()), options);
    }
    Storage storage;
    try {
      storage = StorageProvider.openLocation(location, settings);
    } catch (IOException e) {
      throw new StoreIOException("cannot open store " + location + ": " + e.getMessage(), e);
    }
    try {
      if (!storage.isDirectory("")) {
        storage.close();
        throw new StoreNotFoundException(location);
      }
    } catch (IOException e) {
      storage.close();
      throw new StoreIOException("cannot open store " + location + ": " + e.getMessage(), e);
    }
    return new Store(storage, options);
  }

  /**
   * Opens a store on any storage (a local directory, object storage, a test's faulty storage),
   * creating its {@code pystore_metadata.json} when missing.
   *
   * @param storage where the store's files are
   * @param options checkpoint interval, hooks (fsync is the storage's business)
   * @return the store
   * @throws StoreIOException when the storage cannot be reached
   */
  public static Store open(Storage storage, StoreOptions options) {
    try {
      if (!storage.exists(Item.METADATA_FILE)) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_updated", Instant.now().toString());
        m.put("_engine", "pystore-connect " + VERSION);
        storage.replace(Item.METADATA_FILE, Json.prettyBytes(m));
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot open store " + storage.describe(""), e);
    }
    LOG.debug("opened store {}", storage.describe(""));
    return new Store(storage, options);
  }

  /**
   * The store directory, for a store on a local disk.
   *
   * @return the directory
   * @throws PyStoreException when the store is not on a local disk
   */
  public Path path() {
    return storage
        .localPath("")
        .orElseThrow(
            () ->
                new PyStoreException(
                    "store " + storage.describe("") + " is not on a local disk; this needs one"));
  }

  /** Where the store is: a directory, or an object storage URI. */
  public String location() {
    return storage.describe("");
  }

  /** The storage the store's files are on. */
  public Storage storage() {
    return storage;
  }

  public StoreOptions options() {
    return options;
  }

  /** The collections, sorted by name. */
  public List<String> collections() {
    return collections(false);
  }

  /**
   * The collections, sorted by name.
   *
   * @param withDeleted also the collections whose items are all deleted but not vacuumed yet (what
   *     vacuum still has to clean)
   * @return their names
   */
  public List<String> collections(boolean withDeleted) {
    List<String> out = new ArrayList<>();
    try {
      for (String n : storage.directories("")) {
        if (Names.isValid(n) && (withDeleted || new PyCollection(this, n).exists())) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list store " + location(), e);
    }
    Collections.sort(out);
    return out;
  }

  /**
   * A handle on a collection (which need not exist yet; writing an item creates it).
   *
   * @param name the collection's name
   * @return the handle
   * @throws InvalidNameException when the name breaks the rule of {@link Names}
   */
  public PyCollection collection(String name) {
    Names.check("collection", name);
    return new PyCollection(this, name);
  }

  /** Shorthand for {@code collection(c).item(i)}. */
  public Item item(String collection, String item) {
    return collection(collection).item(item);
  }

  /**
   * Deletes a collection with all its items and snapshots.
   *
   * @param name the collection
   * @throws CollectionNotFoundException when it does not exist
   */
  public void deleteCollection(String name) {
    PyCollection c = collection(name);
    if (!c.exists()) {
      throw new CollectionNotFoundException(name);
    }
    String doomed = "_deleting-" + name + "-" + UUID.randomUUID();
    try {
      if (storage.moveDirectory(name, doomed)) {
        logs.keySet().removeIf(k -> k.startsWith(name + "/"));
        transactions.remove(name);
        folded.remove(name);
        storage.deleteTree(doomed);
      } else {
        // no atomic rename here (object storage): every item's deletion is a commit its writers
        // meet, and the logs stay, so a writer with cached state finds the deletion, not a gap;
        // vacuum removes the parts after the retention period; the collection stays, empty
        for (String item : c.items()) {
          c.deleteItem(item);
        }
        storage.deleteTree(Storage.join(name, PyCollection.SNAPSHOTS));
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot delete collection '" + name + "'", e);
    }
    LOG.info("deleted collection {}", name);
  }

  Item item(PyCollection collection, String name) {
    String dir = Storage.join(collection.name(), name);
    CommitLog log =
        logs.computeIfAbsent(
            dir,
            d ->
                new CommitLog(
                    storage,
                    Storage.join(d, Item.LOG_DIR),
                    collection.name() + "/" + name,
                    options.checkpointInterval(),
                    options.hook(),
                    transactions(collection.name())));
    return new Item(this, collection, name, log);
  }

  /** How long a collection's rules are reused before writers read them again. */
  static final long RULES_TTL_NANOS = 5_000_000_000L;

  private record CachedRules(long readAtNanos, List<Rule> rules) {}

  private final Map<String, CachedRules> rules = new ConcurrentHashMap<>();

  List<Rule> collectionRules(PyCollection c) {
    CachedRules r = rules.get(c.name());
    if (r == null || System.nanoTime() - r.readAtNanos() > RULES_TTL_NANOS) {
      r = new CachedRules(System.nanoTime(), c.readRules());
      rules.put(c.name(), r);
    }
    return r.rules();
  }

  void forgetRules(String collection) {
    rules.remove(collection);
  }

  /** The decisions of a collection's transactions. */
  Transactions transactions(String collection) {
    return transactions.computeIfAbsent(collection, c -> new Transactions(storage, c));
  }

  void forget(String itemDir) {
    logs.remove(itemDir);
  }

  /**
   * A directory of the collection whose name differs from {@code name} only in case or Unicode
   * normalization. Listings are reused for a few seconds, so creating many items stays cheap; names
   * this process creates are added at once.
   */
  String twinOf(PyCollection c, String name) {
    String other = foldedNames(c).byFolded().putIfAbsent(Names.folded(name), name);
    return other == null || other.equals(name) ? null : other;
  }

  /** An item directory whose name differs from this one only in case or normalization, or null. */
  String nearName(PyCollection c, String name) {
    String other = foldedNames(c).byFolded().get(Names.folded(name));
    return other == null || other.equals(name) ? null : other;
  }

  private FoldedNames foldedNames(PyCollection c) {
    FoldedNames f = folded.get(c.name());
    if (f == null || System.nanoTime() - f.listedAtNanos() > FOLDED_TTL_NANOS) {
      Map<String, String> m = new ConcurrentHashMap<>();
      try {
        for (String n : storage.directories(c.name())) {
          if (Names.isValid(n)) {
            m.putIfAbsent(Names.folded(n), n);
          }
        }
      } catch (IOException e) {
        throw new StoreIOException("cannot list collection '" + c.name() + "'", e);
      }
      f = new FoldedNames(System.nanoTime(), m);
      folded.put(c.name(), f);
    }
    return f;
  }
}
