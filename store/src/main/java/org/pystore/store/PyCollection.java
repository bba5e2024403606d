package org.pystore.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.pystore.store.fs.AtomicFiles;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.Json;
import org.pystore.store.log.LogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A collection: a directory of items, and its snapshots. */
public final class PyCollection {
  static final String SNAPSHOTS = "_snapshots";
  private static final Logger LOG = LoggerFactory.getLogger(PyCollection.class);

  private final Store store;
  private final String name;
  private final Path dir;

  PyCollection(Store store, String name) {
    this.store = store;
    this.name = name;
    this.dir = store.path().resolve(name);
  }

  public String name() {
    return name;
  }

  /** The collection's directory. */
  public Path path() {
    return dir;
  }

  /** Whether the collection directory exists. */
  public boolean exists() {
    return Files.isDirectory(dir);
  }

  /**
   * The items, sorted by name.
   *
   * @return item names
   * @throws CollectionNotFoundException when the collection does not exist
   */
  public List<String> items() {
    requireExists();
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir)) {
      for (Path d : dirs) {
        String n = d.getFileName().toString();
        Path log = d.resolve(Item.LOG_DIR);
        if (Names.isValid(n)
            && Files.exists(log.resolve(String.format("%020d.json", 0)))
            && !CommitLog.endsInDeletion(log)) {
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
    requireExists();
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir)) {
      for (Path d : dirs) {
        String n = d.getFileName().toString();
        if (Names.isValid(n) && CommitLog.endsInDeletion(d.resolve(Item.LOG_DIR))) {
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
    Path root = dir.resolve(SNAPSHOTS);
    Path target = root.resolve(snapshot);
    if (Files.exists(target)) {
      throw new PyStoreException(
          "snapshot '"
              + snapshot
              + "' of '"
              + name
              + "' already exists; delete it or pick another name");
    }
    Path tmp = root.resolve("." + snapshot + "." + UUID.randomUUID() + ".tmp");
    boolean materialized = true;
    Map<String, ItemState.Checkpoint> states = new LinkedHashMap<>();
    try {
      Files.createDirectories(tmp);
      for (String itemName : items()) {
        Item item = item(itemName);
        ItemState s = item.state();
        states.put(itemName, s.toCheckpoint());
        if (materialized) {
          materialized = link(item, s, tmp.resolve(itemName));
        }
      }
      if (!materialized) {
        for (String itemName : states.keySet()) {
          AtomicFiles.deleteTree(tmp.resolve(itemName));
        }
      }
      SnapshotFile file =
          new SnapshotFile(
              LogEntry.FORMAT, snapshot, System.currentTimeMillis(), materialized, states);
      Files.write(tmp.resolve(SnapshotFile.FILE), Json.prettyBytes(file));
      try {
        Files.move(tmp, target);
      } catch (FileAlreadyExistsException e) {
        throw new PyStoreException(
            "snapshot '"
                + snapshot
                + "' of '"
                + name
                + "' was just created by someone else; pick another name");
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot create snapshot '" + snapshot + "' of '" + name + "'", e);
    } finally {
      try {
        AtomicFiles.deleteTree(tmp);
      } catch (IOException e) {
        LOG.warn("could not remove temporary snapshot directory {}", tmp, e);
      }
    }
    LOG.info("snapshot {} of {} pins {} items", snapshot, name, states.size());
    return info(snapshotFile(snapshot));
  }

  private boolean link(Item item, ItemState s, Path into) throws IOException {
    Files.createDirectories(into);
    for (Map.Entry<String, Path> part : item.locateParts(s).entrySet()) {
      try {
        Files.createLink(into.resolve(part.getKey()), part.getValue());
      } catch (NoSuchFileException e) {
        // moved between locate and link (published or retired): locate again
        Path again = item.locateParts(s).get(part.getKey());
        Files.createLink(into.resolve(part.getKey()), again);
      } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
        if (e instanceof NoSuchFileException) {
          throw (NoSuchFileException) e;
        }
        LOG.info(
            "no hard links on this file system ({}); snapshot pins versions only", e.toString());
        return false;
      }
    }
    Path meta = item.path().resolve(Item.METADATA_FILE);
    if (Files.exists(meta)) {
      Files.copy(meta, into.resolve(Item.METADATA_FILE));
    }
    return true;
  }

  /** The snapshots, sorted by name. */
  public List<SnapshotInfo> snapshots() {
    Path root = dir.resolve(SNAPSHOTS);
    List<SnapshotInfo> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String n = d.getFileName().toString();
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
    Path target = dir.resolve(SNAPSHOTS).resolve(snapshot);
    if (!Files.isDirectory(target)) {
      throw snapshotMissing(snapshot);
    }
    Path doomed = dir.resolve(SNAPSHOTS).resolve(".deleting-" + snapshot + "-" + UUID.randomUUID());
    try {
      AtomicFiles.moveAtomically(target, doomed);
      AtomicFiles.deleteTree(doomed);
    } catch (IOException e) {
      throw new StoreIOException("cannot delete snapshot '" + snapshot + "' of '" + name + "'", e);
    }
  }

  SnapshotFile snapshotFile(String snapshot) {
    Names.check("snapshot", snapshot);
    Path f = dir.resolve(SNAPSHOTS).resolve(snapshot).resolve(SnapshotFile.FILE);
    try {
      return Json.parse(Files.readAllBytes(f), SnapshotFile.class);
    } catch (NoSuchFileException e) {
      throw snapshotMissing(snapshot);
    } catch (IOException e) {
      throw new CorruptLogException(
          "snapshot file "
              + f
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

  private void requireExists() {
    if (!exists()) {
      throw new CollectionNotFoundException(name);
    }
  }
}
