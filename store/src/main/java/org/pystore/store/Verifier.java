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
import org.pystore.store.part.PartReader;

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
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(col.path(), Files::isDirectory)) {
      for (Path d : dirs) {
        String n = d.getFileName().toString();
        if (Names.isValid(n) && Files.isDirectory(d.resolve(Item.LOG_DIR))) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list collection '" + col.name() + "'", e);
    }
    out.sort(null);
    return out;
  }

  private void verifyItem(PyCollection col, String name) {
    items++;
    Item item = col.item(name);
    String label = col.name() + "/" + name;
    Path logDir = item.path().resolve(Item.LOG_DIR);
    TreeMap<Long, Path> entries = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(logDir, "*.json")) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        if (n.length() == 25 && n.chars().limit(20).allMatch(ch -> ch >= '0' && ch <= '9')) {
          entries.put(Long.parseLong(n.substring(0, 20)), f);
        }
      }
    } catch (NoSuchFileException e) {
      problem(label, "no-log", "the item has no commit log", "check the name; see 'pystore items'");
      return;
    } catch (IOException e) {
      throw new StoreIOException("cannot list the commit log of '" + label + "'", e);
    }
    ItemState s = null;
    Set<String> everAdded = new HashSet<>();
    Set<String> replaced = new HashSet<>();
    for (long v = 0; entries.isEmpty() ? false : v <= entries.lastKey(); v++) {
      Path f = entries.get(v);
      if (f == null) {
        problem(
            label,
            "log-hole",
            "commit log entry " + v + " is missing although " + entries.lastKey() + " exists",
            "restore " + logDir.resolve(String.format("%020d.json", v)) + " from a backup");
        return;
      }
      LogEntry e;
      try {
        e = Json.parse(Files.readAllBytes(f), LogEntry.class);
        if (e.version() != v) {
          throw new IOException("it says version " + e.version());
        }
        s = ItemState.apply(s, e);
      } catch (IOException | RuntimeException ex) {
        problem(
            label,
            "log-unreadable",
            "commit log entry " + f + " is unreadable or does not apply: " + ex.getMessage(),
            "restore it from a backup; without it the item cannot be read consistently");
        return;
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
    PartLocator locator = new PartLocator(label, item.path(), null);
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
      Path file;
      try {
        file = locator.locate(p);
      } catch (CorruptPartException e) {
        problem(label, "part-missing", e.getMessage(), "restore the part from a backup");
        continue;
      }
      String where = label + " " + p.name();
      String bad = checkFile(file, p);
      if (bad != null) {
        problem(where, "part-damaged", bad, "restore the part from a backup or a snapshot");
        continue;
      }
      if (file.getParent().getFileName().toString().equals(PartLocator.STAGING)) {
        problem(
            where,
            "part-unpublished",
            "a committed part is still under _staging/, invisible to pandas and DuckDB",
            "run 'pystore vacuum " + label + "', which moves it into place");
      }
      try (PartReader r = PartReader.open(file, indexOnly, null)) {
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
   * @param file the part file
   * @param p its record
   * @return null when it matches, else what differs
   */
  public static String checkFile(Path file, PartInfo p) {
    try {
      long size = Files.size(file);
      if (size != p.bytes()) {
        return file + " is " + size + " bytes, its commit recorded " + p.bytes();
      }
      if (p.checksum() != null) {
        String sum = Checksums.of(file);
        if (!sum.equals(p.checksum())) {
          return file + " has checksum " + sum + ", its commit recorded " + p.checksum();
        }
      }
      PartReader.footer(file);
      return null;
    } catch (IOException | RuntimeException e) {
      return file + " cannot be read: " + e.getMessage();
    }
  }

  private void verifyLeftovers(
      Item item, String label, ItemState s, Set<String> everAdded, Set<String> replaced) {
    long now = System.currentTimeMillis();
    try {
      for (Path f : parquet(item.path())) {
        String n = f.getFileName().toString();
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
      for (Path f : parquet(item.path().resolve(PartLocator.STAGING))) {
        String n = f.getFileName().toString();
        boolean old = now - Files.getLastModifiedTime(f).toMillis() > orphanGrace.toMillis();
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

  private static List<Path> parquet(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.parquet")) {
      files.forEach(out::add);
    } catch (NoSuchFileException e) {
      // none
    }
    return out;
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
      Path snapDir = col.path().resolve(PyCollection.SNAPSHOTS).resolve(snap.name());
      for (Map.Entry<String, ItemState.Checkpoint> e : file.items().entrySet()) {
        String where = col.name() + " snapshot " + snap.name() + " item " + e.getKey();
        ItemState s = ItemState.fromCheckpoint(e.getValue());
        PartLocator locator =
            new PartLocator(where, col.path().resolve(e.getKey()), snapDir.resolve(e.getKey()));
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
    Path sink = store.path().resolve("_sink");
    if (!Files.isDirectory(sink)) {
      return; // no sink wrote here
    }
    List<Path> files;
    try (java.util.stream.Stream<Path> walk = Files.walk(sink)) {
      files = walk.filter(f -> f.getFileName().toString().endsWith(".offset")).toList();
    } catch (IOException e) {
      throw new StoreIOException("cannot read sink checkpoints under " + sink, e);
    }
    for (Path f : files) {
      String text;
      try {
        text = Files.readString(f).trim();
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
            f.toString(),
            "sink-checkpoint",
            "holds '" + text + "', not an offset",
            "delete it: the task then resumes from the consumer group's offset and items"
                + " skip what they hold");
      }
    }
  }
}
