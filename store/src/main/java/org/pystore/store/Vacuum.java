package org.pystore.store;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.PartInfo;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans one item's directory. Works from the latest state (read from a checkpoint) and, only when
 * a crash left files that state does not explain, from one replay of the whole log; it acts only on
 * files one of them explains, so it is safe beside concurrent writers:
 *
 * <ul>
 *   <li>a replaced part in {@code _removed/} is deleted once it was replaced longer ago than the
 *       retention period (its modification time, stamped when it was moved aside), unless a
 *       snapshot that has no hard link of its own still lists it;
 *   <li>a file in {@code _staging/} that no commit lists is an orphan (its writer crashed or gave
 *       up) and is deleted once older than the grace period; a committed one is moved into place;
 *   <li>a replaced part still under its final name (its writer crashed after committing) is moved
 *       to {@code _removed/}, so plain Parquet readers see exactly the live parts;
 *   <li>a Parquet file in the item directory that no commit ever listed is someone else's: it is
 *       reported, never touched.
 * </ul>
 */
final class Vacuum {
  private static final Logger LOG = LoggerFactory.getLogger(Vacuum.class);

  private final Item item;
  private final String label;
  private final CommitLog log;
  private final PyCollection collection;
  private final Storage storage;

  Vacuum(Storage storage, Item item, String label, CommitLog log, PyCollection collection) {
    this.storage = storage;
    this.item = item;
    this.label = label;
    this.log = log;
    this.collection = collection;
  }

  VacuumReport run(Duration retention, Duration orphanGrace, boolean dryRun) {
    long now = System.currentTimeMillis();
    // a transaction's undecided entry names staged parts that are no orphans until it is aborted;
    // one past its deadline is aborted here (its writer is gone), so its parts become orphans
    LogEntry undecided = log.undecided().orElse(null);
    if (undecided != null
        && !dryRun
        && undecided.txDeadline() != null
        && now > undecided.txDeadline()) {
      log.awaitUndecided();
      undecided = log.undecided().orElse(null);
    }
    Set<String> undecidedParts = new HashSet<>();
    if (undecided != null) {
      undecided.add().forEach(p -> undecidedParts.add(p.name()));
    }
    // the latest state (from a checkpoint: cheap) says which parts are live; only files it does
    // not explain, left by crashes, need the whole history
    java.util.Map<String, PartInfo> liveParts =
        log.head().map(ItemState::parts).orElse(java.util.Map.of());
    Set<String> live = new HashSet<>(liveParts.keySet());
    Set<String> pinned = snapshotPins();
    String dir = item.key();
    String staging = Storage.join(dir, PartLocator.STAGING);
    String removed = Storage.join(dir, PartLocator.REMOVED);
    Counts c = new Counts();
    try {
      List<FileInfo> strayParts = new ArrayList<>();
      for (FileInfo f : parquetFiles(storage, dir)) {
        if (!live.contains(f.name())) {
          strayParts.add(f);
        }
      }
      List<FileInfo> strayStaged = storage.list(staging);
      History history = null;
      if (!strayParts.isEmpty() || !strayStaged.isEmpty()) {
        history = replay();
      }
      for (FileInfo f : strayParts) {
        String n = f.name();
        if (history.live.contains(n)) {
          continue; // committed after the state above was read
        }
        if (history.replaced.contains(n)) {
          c.retired++;
          retire(Storage.join(dir, n), removed, dryRun);
        } else {
          c.foreign.add(n);
        }
      }
      for (FileInfo f : strayStaged) {
        String n = f.name();
        String key = Storage.join(staging, n);
        if (history.live.contains(n)) {
          PartInfo p = liveParts.get(n);
          String bad = p == null ? null : Verifier.checkFile(storage, key, p);
          if (bad != null && storage.exists(key)) {
            // never show plain readers a damaged file: leave it where only our readers look
            LOG.error(
                "{}: not moving committed part {} into place: {}; run 'pystore verify {}'",
                label,
                n,
                bad,
                label);
            continue;
          }
          c.published++;
          if (!dryRun) {
            storage.move(key, Storage.join(dir, n));
          }
        } else if (history.replaced.contains(n)) {
          c.retired++;
          retire(key, removed, dryRun);
        } else if (!undecidedParts.contains(n) && olderThan(f, now, orphanGrace)) {
          c.orphansDeleted++;
          c.bytesFreed += delete(key, f, dryRun);
        }
      }
      long later = System.currentTimeMillis(); // after any part retired above was stamped
      for (FileInfo f : storage.list(removed)) {
        String n = f.name();
        if (live.contains(n)) {
          continue; // replaced after the state above was read: a later vacuum decides
        }
        if (pinned.contains(n)) {
          c.keptForSnapshots++;
        } else if (!olderThan(f, later, retention)) {
          c.keptForRetention++; // stamped with its replacement time when moved aside
        } else {
          c.removedDeleted++;
          c.bytesFreed += delete(Storage.join(removed, n), f, dryRun);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot vacuum '" + label + "'", e);
    }
    VacuumReport report =
        new VacuumReport(
            label,
            c.removedDeleted,
            c.orphansDeleted,
            c.bytesFreed,
            c.published,
            c.retired,
            c.keptForSnapshots,
            c.keptForRetention,
            c.foreign);
    if (!c.foreign.isEmpty()) {
      LOG.warn(
          "{}: {} Parquet file(s) in the item directory are not in its commit log (written by"
              + " PyStore or another tool?); they were left untouched and readers of this store"
              + " ignore them: {}. `pystore import {}` adopts them into the item",
          label,
          c.foreign.size(),
          c.foreign,
          label);
    }
    return report;
  }

  /** What the whole log says: parts live at its end, and parts some commit replaced. */
  private record History(Set<String> live, Set<String> replaced) {}

  private History replay() {
    Set<String> live = new HashSet<>();
    Set<String> replaced = new HashSet<>();
    for (LogEntry e : log.entries()) {
      for (String r : e.remove()) {
        if (live.remove(r)) {
          replaced.add(r);
        }
      }
      for (PartInfo p : e.add()) {
        live.add(p.name());
      }
    }
    return new History(live, replaced);
  }

  private void retire(String key, String removed, boolean dryRun) throws IOException {
    if (dryRun) {
      return;
    }
    PartFiles.retire(storage, key, Storage.join(removed, Storage.name(key)));
  }

  /** Parts some snapshot lists and holds no hard link of its own for. */
  private Set<String> snapshotPins() {
    Set<String> out = new HashSet<>();
    for (SnapshotInfo s : collection.snapshots()) {
      SnapshotFile f = collection.snapshotFile(s.name());
      ItemState.Checkpoint cp = f.items().get(item.name());
      if (cp == null) {
        continue;
      }
      String own = Storage.join(collection.name(), PyCollection.SNAPSHOTS, s.name(), item.name());
      for (PartInfo p : cp.parts()) {
        try {
          if (!f.materialized() || !storage.exists(Storage.join(own, p.name()))) {
            out.add(p.name());
          }
        } catch (IOException e) {
          throw new StoreIOException("cannot read snapshot '" + s.name() + "'", e);
        }
      }
    }
    return out;
  }

  private static boolean olderThan(FileInfo f, long now, Duration age) {
    return now - f.modifiedMillis() >= age.toMillis();
  }

  private long delete(String key, FileInfo f, boolean dryRun) throws IOException {
    if (!dryRun) {
      item.hook().at(CommitStep.VACUUM_DELETE, label);
      storage.delete(key);
      LOG.debug("{}: deleted {}", label, key);
    }
    return f.size();
  }

  /** The {@code *.parquet} files directly in a directory (none when it is missing). */
  static List<FileInfo> parquetFiles(Storage storage, String dir) throws IOException {
    List<FileInfo> out = new ArrayList<>();
    for (FileInfo f : storage.list(dir)) {
      if (f.name().endsWith(".parquet")) {
        out.add(f);
      }
    }
    return out;
  }

  private static final class Counts {
    int removedDeleted;
    int orphansDeleted;
    long bytesFreed;
    int published;
    int retired;
    int keptForSnapshots;
    int keptForRetention;
    final List<String> foreign = new ArrayList<>();
  }
}
