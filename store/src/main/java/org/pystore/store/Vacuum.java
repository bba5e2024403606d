package org.pystore.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.PartInfo;
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

  Vacuum(Item item, String label, CommitLog log, PyCollection collection) {
    this.item = item;
    this.label = label;
    this.log = log;
    this.collection = collection;
  }

  VacuumReport run(Duration retention, Duration orphanGrace, boolean dryRun) {
    long now = System.currentTimeMillis();
    // the latest state (from a checkpoint: cheap) says which parts are live; only files it does
    // not explain, left by crashes, need the whole history
    java.util.Map<String, PartInfo> liveParts =
        log.head().map(ItemState::parts).orElse(java.util.Map.of());
    Set<String> live = new HashSet<>(liveParts.keySet());
    Set<String> pinned = snapshotPins();
    Path dir = item.path();
    Path staging = dir.resolve(PartLocator.STAGING);
    Path removed = dir.resolve(PartLocator.REMOVED);
    Counts c = new Counts();
    try {
      List<Path> strayParts = new ArrayList<>();
      for (Path f : parquetFiles(dir)) {
        if (!live.contains(f.getFileName().toString())) {
          strayParts.add(f);
        }
      }
      List<Path> strayStaged = files(staging);
      History history = null;
      if (!strayParts.isEmpty() || !strayStaged.isEmpty()) {
        history = replay();
      }
      for (Path f : strayParts) {
        String n = f.getFileName().toString();
        if (history.live.contains(n)) {
          continue; // committed after the state above was read
        }
        if (history.replaced.contains(n)) {
          c.retired++;
          retire(f, removed, dryRun);
        } else {
          c.foreign.add(n);
        }
      }
      for (Path f : strayStaged) {
        String n = f.getFileName().toString();
        if (history.live.contains(n)) {
          PartInfo p = liveParts.get(n);
          String bad = p == null ? null : Verifier.checkFile(f, p);
          if (bad != null && Files.exists(f)) {
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
            PartFiles.moveIfPresent(f, dir.resolve(n));
          }
        } else if (history.replaced.contains(n)) {
          c.retired++;
          retire(f, removed, dryRun);
        } else if (olderThan(f, now, orphanGrace)) {
          c.orphansDeleted++;
          c.bytesFreed += delete(f, dryRun);
        }
      }
      long later = System.currentTimeMillis(); // after any part retired above was stamped
      for (Path f : files(removed)) {
        String n = f.getFileName().toString();
        if (live.contains(n)) {
          continue; // replaced after the state above was read: a later vacuum decides
        }
        if (pinned.contains(n)) {
          c.keptForSnapshots++;
        } else if (!olderThan(f, later, retention)) {
          c.keptForRetention++; // stamped with its replacement time when moved aside
        } else {
          c.removedDeleted++;
          c.bytesFreed += delete(f, dryRun);
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

  private static void retire(Path f, Path removed, boolean dryRun) throws IOException {
    if (dryRun) {
      return;
    }
    Files.createDirectories(removed);
    Path to = removed.resolve(f.getFileName().toString());
    PartFiles.moveIfPresent(f, to);
    PartFiles.markReplaced(to);
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
      Path own =
          collection.path().resolve(PyCollection.SNAPSHOTS).resolve(s.name()).resolve(item.name());
      for (PartInfo p : cp.parts()) {
        if (!f.materialized() || !Files.exists(own.resolve(p.name()))) {
          out.add(p.name());
        }
      }
    }
    return out;
  }

  private static boolean olderThan(Path f, long now, Duration age) throws IOException {
    try {
      return now - Files.getLastModifiedTime(f).toMillis() >= age.toMillis();
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private long delete(Path f, boolean dryRun) throws IOException {
    long size;
    try {
      size = Files.size(f);
    } catch (NoSuchFileException e) {
      return 0;
    }
    if (!dryRun) {
      item.hook().at(CommitStep.VACUUM_DELETE, label);
      Files.deleteIfExists(f);
      LOG.debug("{}: deleted {}", label, f);
    }
    return size;
  }

  /** The regular {@code *.parquet} files directly in a directory (none when it is missing). */
  static List<Path> parquetFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.parquet")) {
      for (Path f : s) {
        if (Files.isRegularFile(f)) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private static List<Path> files(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path f : s) {
        if (Files.isRegularFile(f)) {
          out.add(f);
        }
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
