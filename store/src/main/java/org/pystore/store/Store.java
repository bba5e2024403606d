package org.pystore.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
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
import org.pystore.store.fs.AtomicFiles;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.Json;
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

  private final Path root;
  private final StoreOptions options;
  private final Map<Path, CommitLog> logs = new ConcurrentHashMap<>();

  /** Per collection directory, its entries' folded names, listed at most every few seconds. */
  private final Map<Path, FoldedNames> folded = new ConcurrentHashMap<>();

  private static final long FOLDED_TTL_NANOS = 5_000_000_000L;

  /** A collection's directory names by {@link Names#folded} form, as listed at one time. */
  private record FoldedNames(long listedAtNanos, Map<String, String> byFolded) {}

  private Store(Path root, StoreOptions options) {
    this.root = root;
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
      Path meta = abs.resolve(Item.METADATA_FILE);
      if (!Files.exists(meta)) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_updated", Instant.now().toString());
        m.put("_engine", "pystore-connect " + VERSION);
        AtomicFiles.replace(meta, Json.prettyBytes(m), false);
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot open store " + abs, e);
    }
    LOG.debug("opened store {}", abs);
    return new Store(abs, options);
  }

  /** The store directory. */
  public Path path() {
    return root;
  }

  public StoreOptions options() {
    return options;
  }

  /** The collections, sorted by name. */
  public List<String> collections() {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
      for (Path d : dirs) {
        String n = d.getFileName().toString();
        if (Names.isValid(n)) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list store " + root, e);
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
    Path doomed = root.resolve("_deleting-" + name + "-" + UUID.randomUUID());
    try {
      AtomicFiles.moveAtomically(c.path(), doomed);
      logs.keySet().removeIf(p -> p.startsWith(c.path()));
      folded.remove(c.path());
      AtomicFiles.deleteTree(doomed);
    } catch (IOException e) {
      throw new StoreIOException("cannot delete collection '" + name + "'", e);
    }
    LOG.info("deleted collection {}", name);
  }

  Item item(PyCollection collection, String name) {
    Path dir = collection.path().resolve(name);
    CommitLog log =
        logs.computeIfAbsent(
            dir,
            d ->
                new CommitLog(
                    d.resolve(Item.LOG_DIR),
                    collection.name() + "/" + name,
                    options.fsync(),
                    options.checkpointInterval(),
                    options.hook()));
    return new Item(this, collection, name, log);
  }

  void forget(Path itemDir) {
    logs.remove(itemDir);
  }

  /**
   * A directory of the collection whose name differs from {@code name} only in case or Unicode
   * normalization. Listings are reused for a few seconds, so creating many items stays cheap; names
   * this process creates are added at once.
   */
  String twinOf(PyCollection c, String name) {
    String key = Names.folded(name);
    FoldedNames f = folded.get(c.path());
    if (f == null || System.nanoTime() - f.listedAtNanos() > FOLDED_TTL_NANOS) {
      Map<String, String> m = new ConcurrentHashMap<>();
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(c.path(), Files::isDirectory)) {
        for (Path d : dirs) {
          String n = d.getFileName().toString();
          if (Names.isValid(n)) {
            m.putIfAbsent(Names.folded(n), n);
          }
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // a new collection: no twin
      } catch (IOException e) {
        throw new StoreIOException("cannot list collection '" + c.name() + "'", e);
      }
      f = new FoldedNames(System.nanoTime(), m);
      folded.put(c.path(), f);
    }
    String other = f.byFolded().putIfAbsent(key, name);
    return other == null || other.equals(name) ? null : other;
  }
}
