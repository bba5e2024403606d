package org.pystore.store;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.fs.Checksums;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.Json;
import org.pystore.store.log.LogEntry;
import org.pystore.store.log.PartInfo;
import org.pystore.store.log.TxDecisions;
import org.pystore.store.part.PartReader;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.ReadableFile;
import org.pystore.store.storage.Storage;

/**
 * Checks a store against what its commit logs say, reading everything: the log chains, every live
 * part (size, checksum, footer, rows sorted and inside the part's bucket and recorded range),
 * schemas, snapshots, sink checkpoints, and files no commit explains. Changes nothing.
 */
public final class Verifier {
  /**
   * One problem found.
   *
   * @param where the item, snapshot or file concerned
   * @param kind a short, stable name of the check that failed
   * @param detail what is wrong
   * @param action what to do about it
   */
  public record Problem(String where, String kind, String detail, String action) {}

  /**
   * What a verification found.
   *
   * @param items items checked
   * @param parts live parts checked
   * @param rows rows read from them
   * @param problems the problems, in the order found
   */
  public record Report(int items, int parts, long rows, List<Problem> problems) {
    /** Whether nothing is wrong. */
    public boolean clean() {
      return problems.isEmpty();
    }
  }

  private final Store store;
  private final Storage storage;
  private final Duration orphanGrace;
  private final List<Problem> problems = new ArrayList<>();
  private int items;
  private int parts;
  private long rows;

  /**
   * @param store the store
   * @param orphanGrace files under {@code _staging/} no commit names are listed once this old
   */
  public Verifier(Store store, Duration orphanGrace) {
    this.store = store;
    this.storage = store.storage();
    this.orphanGrace = orphanGrace;
  }

  /**
   * Verifies the store, a collection or one item.
   *
   * @param collection the collection, or null for all
   * @param item one item of that collection, or null for all
   * @param progress receives one line per item checked
   * @return the report
   */
  public Report verify(String collection, String item, Consumer<String> progress) {
    List<String> collections = collection == null ? store.collections() : List.of(collection);
    for (String c : collections) {
      PyCollection col = store.collection(c);
      if (!col.exists()) {
        throw new CollectionNotFoundException(c);
      }
      List<String> names = item == null ? itemDirs(col) : List.of(item);
      for (String name : names) {
        verifyItem(col, name);
        progress.accept(c + "/" + name + ": checked");
      }
      if (item == null) {
        verifySnapshots(col);
      }
    }
    if (collection == null) {
      verifySinkCheckpoints();
    }
    return new Report(items, parts, rows, List.copyOf(problems));
  }

  private void problem(String where, String kind, String detail, String action) {
    problems.add(new Problem(where, kind, detail, action));
  }

  /** Every directory of the collection that holds a commit log (deleted items included). */
  private List<String> itemDirs(PyCollection col) {
    List<String> out = new ArrayList<>();
    try {
      for (String n : storage.directories(col.name())) {
        if (Names.isValid(n) && storage.isDirectory(Storage.join(col.name(), n, Item.LOG_DIR))) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list collection '" + col.name() + "'", e);
    }
    out.sort(null);
    return out;
  }

  /** Reports a transaction's entry left undecided past its deadline, or one followed by others. */
  private void undecided(String label, LogEntry e, boolean last) {
    if (!last) {
      problem(
          label,
          "tx-undecided",
          "commit log entry "
              + e.version()
              + " belongs to transaction "
              + e.tx()
              + ", which is undecided, yet later entries exist (written by a tool that ignores"
              + " transactions?)",
          "restore the log from a backup, or decide the transaction by running 'pystore vacuum "
              + label
              + "' after its deadline");
    } else if (e.txDeadline() != null && System.currentTimeMillis() > e.txDeadline()) {
      problem(
          label,
          "tx-undecided",
          "transaction "
              + e.tx()
              + " (version "
              + e.version()
              + ") is still undecided past its deadline: its writer stopped before committing it;"
              + " writers of this item wait for it",
          "run 'pystore vacuum " + label + "', which aborts it (nothing of it is visible)");
    }
  }

  private void verifyItem(PyCollection col, String name) {
    items++;
    Item item = col.item(name);
    String label = col.name() + "/" + name;
    String logDir = Storage.join(item.key(), Item.LOG_DIR);
    TreeMap<Long, String> entries = new TreeMap<>();
    try {
      for (FileInfo f : storage.list(logDir)) {
        String n = f.name();
        if (n.length() == 25
            && n.endsWith(".json")
            && n.chars().limit(20).allMatch(ch -> ch >= '0' && ch <= '9')) {
          entries.put(Long.parseLong(n.substring(0, 20)), Storage.join(logDir, n));
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list the commit log of '" + label + "'", e);
    }
    if (entries.isEmpty()) {
      problem(label, "no-log", "the item has no commit log", "check the name; see 'pystore items'");
      return;
    }
    ItemState s = null;
    TxDecisions decisions = store.transactions(col.name());
    TxDecisions.Outcome outcome = null;
    Set<String> everAdded = new HashSet<>();
    Set<String> replaced = new HashSet<>();
    for (long v = 0; entries.isEmpty() ? false : v <= entries.lastKey(); v++) {
      String f = entries.get(v);
      if (f == null) {
        problem(
            label,
            "log-hole",
            "commit log entry " + v + " is missing although " + entries.lastKey() + " exists",
            "restore "
                + storage.describe(Storage.join(logDir, String.format("%020d.json", v)))
                + " from a backup");
        return;
      }
      LogEntry e;
      try {
        e = Json.parse(storage.read(f), LogEntry.class);
        if (e.version() != v) {
          throw new IOException("it says version " + e.version());
        }
        outcome = e.tx() == null ? TxDecisions.Outcome.COMMITTED : decisions.outcome(e.tx());
        if (outcome == TxDecisions.Outcome.ABORTED) {
          s = ItemState.unchanged(s, e);
        } else if (outcome == TxDecisions.Outcome.COMMITTED) {
          s = ItemState.apply(s, e);
        }
      } catch (IOException | RuntimeException ex) {
        problem(
            label,
            "log-unreadable",
            "commit log entry "
                + storage.describe(f)
                + " is unreadable or does not apply: "
                + ex.getMessage(),
            "restore it from a backup; without it the item cannot be read consistently");
        return;
      }
      if (outcome == TxDecisions.Outcome.PENDING) {
        undecided(label, e, v == entries.lastKey());
        for (PartInfo p : e.add()) {
          everAdded.add(p.name()); // staged for a transaction under way: no orphans
        }
        break;
      }
      if (outcome == TxDecisions.Outcome.ABORTED) {
        continue; // its parts are orphans, which vacuum deletes
      }
      for (PartInfo p : e.add()) {
        everAdded.add(p.name());
      }
      replaced.addAll(e.remove());
    }
    if (s == null) {
      problem(label, "no-log", "the commit log has no entry", "delete the empty directory");
      return;
    }
    if (!s.deleted()) {
      verifyParts(item, label, s);
    }
    verifyLeftovers(item, label, s, everAdded, replaced);
  }

  private void verifyParts(Item item, String label, ItemState s) {
    PartLocator locator = new PartLocator(storage, label, item.key(), null);
    String index = s.options().indexColumn();
    Schema.Field indexField = s.schema().getField(index);
    IndexUnit unit = IndexUnit.of(indexField.schema());
    Schema indexOnly =
        Schema.createRecord(
            s.schema().getName(),
            null,
            s.schema().getNamespace(),
            false,
            List.of(new Schema.Field(index, indexField.schema())));
    for (PartInfo p : s.parts().values()) {
      parts++;
      String file;
      try {
        file = locator.locate(p);
      } catch (CorruptPartException e) {
        problem(label, "part-missing", e.getMessage(), "restore the part from a backup");
        continue;
      }
      String where = label + " " + p.name();
      String bad = checkFile(storage, file, p);
      if (bad != null) {
        problem(where, "part-damaged", bad, "restore the part from a backup or a snapshot");
        continue;
      }
      if (file.equals(Storage.join(item.key(), PartLocator.STAGING, p.name()))) {
        problem(
            where,
            "part-unpublished",
            "a committed part is still under _staging/, invisible to pandas and DuckDB",
            "run 'pystore vacuum " + label + "', which moves it into place");
      }
      try (PartReader r = PartReader.open(storage.open(file), indexOnly, null)) {
        long n = 0;
        long prev = Long.MIN_VALUE;
        long first = 0;
        GenericRecord g;
        while ((g = r.next()) != null) {
          long v = (Long) g.get(0);
          if (n == 0) {
            first = v;
          } else if (v < prev) {
            problem(where, "part-unsorted", "row " + n + " is out of index order", "restore it");
            break;
          }
          prev = v;
          n++;
        }
        rows += n;
        if (n != p.rows()) {
          problem(where, "part-rows", n + " rows, the log says " + p.rows(), "restore it");
        } else if (n > 0 && (first != p.minIndex() || prev != p.maxIndex())) {
          problem(
              where,
              "part-range",
              "index runs "
                  + first
                  + ".."
                  + prev
                  + ", the log says "
                  + p.minIndex()
                  + ".."
                  + p.maxIndex(),
              "restore it");
        } else if (n > 0) {
          String b1 =
              s.options().bucket().bucketOf(unit.toNanos(first), s.options().zone()).label();
          String b2 = s.options().bucket().bucketOf(unit.toNanos(prev), s.options().zone()).label();
          if (!b1.equals(p.bucket()) || !b2.equals(p.bucket())) {
            problem(
                where,
                "part-bucket",
                "rows fall in buckets "
                    + b1
                    + ".."
                    + b2
                    + ", the part is recorded in "
                    + p.bucket(),
                "restore it");
          }
        }
      } catch (IOException | RuntimeException e) {
        problem(where, "part-unreadable", "cannot read it: " + e.getMessage(), "restore it");
      }
    }
  }

  /**
   * Checks a part file against its record: its size, and its checksum when the log holds one.
   *
   * @param storage the store's storage
   * @param key the part file
   * @param p its record
   * @return null when it matches, else what differs
   */
  public static String checkFile(Storage storage, String key, PartInfo p) {
    String file = storage.describe(key);
    try {
      try (ReadableFile f = storage.open(key)) {
        long size = f.length();
        if (size != p.bytes()) {
          return file + " is " + size + " bytes, its commit recorded " + p.bytes();
        }
        if (p.checksum() != null) {
          String sum = Checksums.of(f);
          if (!sum.equals(p.checksum())) {
            return file + " has checksum " + sum + ", its commit recorded " + p.checksum();
          }
        }
      }
      PartReader.footer(storage.open(key));
      return null;
    } catch (IOException | RuntimeException e) {
      return file + " cannot be read: " + e.getMessage();
    }
  }

  private void verifyLeftovers(
      Item item, String label, ItemState s, Set<String> everAdded, Set<String> replaced) {
    long now = System.currentTimeMillis();
    try {
      for (FileInfo f : Vacuum.parquetFiles(storage, item.key())) {
        String n = f.name();
        if (s.parts().containsKey(n)) {
          continue;
        }
        if (replaced.contains(n)) {
          problem(
              label + " " + n,
              "replaced-visible",
              "a replaced part is still visible to pandas and DuckDB, which would read its rows"
                  + " twice",
              "run 'pystore vacuum " + label + "', which moves it aside");
        } else if (!everAdded.contains(n)) {
          problem(
              label + " " + n,
              "foreign-file",
              "a Parquet file no commit names (written by PyStore or another tool?)",
              "run 'pystore import " + label + "' to adopt it, or move it away");
        }
      }
      for (FileInfo f :
          Vacuum.parquetFiles(storage, Storage.join(item.key(), PartLocator.STAGING))) {
        String n = f.name();
        boolean old = now - f.modifiedMillis() > orphanGrace.toMillis();
        if (!everAdded.contains(n) && old) {
          problem(
              label + " " + n,
              "orphan",
              "a part written but never committed, older than " + orphanGrace,
              "run 'pystore vacuum " + label + "', which deletes it");
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list item '" + label + "'", e);
    }
  }

  private void verifySnapshots(PyCollection col) {
    for (SnapshotInfo snap : col.snapshots()) {
      SnapshotFile file;
      try {
        file = col.snapshotFile(snap.name());
      } catch (PyStoreException e) {
        problem(
            col.name() + " snapshot " + snap.name(),
            "snapshot-unreadable",
            e.getMessage(),
            "delete the snapshot and take it again");
        continue;
      }
      String snapDir = Storage.join(col.name(), PyCollection.SNAPSHOTS, snap.name());
      for (Map.Entry<String, ItemState.Checkpoint> e : file.items().entrySet()) {
        String where = col.name() + " snapshot " + snap.name() + " item " + e.getKey();
        ItemState s = ItemState.fromCheckpoint(e.getValue());
        PartLocator locator =
            new PartLocator(
                storage,
                where,
                Storage.join(col.name(), e.getKey()),
                file.materialized() ? Storage.join(snapDir, e.getKey()) : null);
        for (PartInfo p : s.parts().values()) {
          try {
            locator.locate(p);
          } catch (CorruptPartException ex) {
            problem(
                where,
                "snapshot-part-missing",
                "part " + p.name() + " of version " + s.version() + " is gone",
                "restore it from a backup, or delete the snapshot");
          }
        }
      }
    }
  }

  private void verifySinkCheckpoints() {
    List<String> files = new ArrayList<>();
    try {
      collectOffsets("_sink", files);
    } catch (IOException e) {
      throw new StoreIOException(
          "cannot read sink checkpoints under " + storage.describe("_sink"), e);
    }
    for (String f : files) {
      String text;
      try {
        text = new String(storage.read(f), java.nio.charset.StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        text = "(unreadable: " + e.getMessage() + ")";
      }
      boolean ok;
      try {
        ok = Long.parseLong(text) >= 0;
      } catch (NumberFormatException e) {
        ok = false;
      }
      if (!ok) {
        problem(
            storage.describe(f),
            "sink-checkpoint",
            "holds '" + text + "', not an offset",
            "delete it: the task then resumes from the consumer group's offset and items"
                + " skip what they hold");
      }
    }
  }

  private void collectOffsets(String dir, List<String> out) throws IOException {
    for (FileInfo f : storage.list(dir)) {
      if (f.name().endsWith(".offset")) {
        out.add(Storage.join(dir, f.name()));
      }
    }
    for (String d : storage.directories(dir)) {
      collectOffsets(Storage.join(dir, d), out);
    }
  }
}
