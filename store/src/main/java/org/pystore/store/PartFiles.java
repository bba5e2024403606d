package org.pystore.store;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.PartInfo;
import org.pystore.store.part.PandasMetadata;
import org.pystore.store.part.PartWriter;
import org.pystore.store.part.Written;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one item around a commit: parts written under {@code _staging/} before it, discarded
 * when it fails, moved into place (and replaced parts aside) after it, and the {@code
 * pystore_metadata.json} view refreshed.
 */
final class PartFiles {
  private static final Logger LOG = LoggerFactory.getLogger(PartFiles.class);
  private static final DateTimeFormatter PYSTORE_UPDATED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final Storage storage;
  private final String dir;
  private final String staging;
  private final String label;
  private final StoreOptions storeOptions;
  private final CommitLog log;

  /** Replaced parts a failed finish left visible; the next finish here moves them aside. */
  private final java.util.Set<String> asideLater =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  PartFiles(Storage storage, String dir, String label, StoreOptions options, CommitLog log) {
    this.storage = storage;
    this.dir = dir;
    this.staging = Storage.join(dir, PartLocator.STAGING);
    this.label = label;
    this.storeOptions = options;
    this.log = log;
  }

  /** Writes a batch's runs as parts under {@code _staging/}; nothing is committed. */
  List<PartInfo> stage(Batch batch, ItemOptions options) {
    List<PartInfo> staged = new ArrayList<>();
    if (batch.runs.isEmpty()) {
      return staged;
    }
    List<String> indexColumns = new ArrayList<>();
    indexColumns.add(options.indexColumn());
    indexColumns.addAll(options.keyColumns());
    String pandas = PandasMetadata.json(batch.schema, indexColumns, Store.VERSION);
    String current = null;
    try {
      for (Batch.Run run : batch.runs) {
        String file = "part-" + run.bucket() + "-" + UUID.randomUUID() + ".parquet";
        current = Storage.join(staging, file);
        Written written;
        try {
          written =
              PartWriter.write(
                  storage,
                  current,
                  batch.schema,
                  batch.rows,
                  run.from(),
                  run.to(),
                  options.codec(),
                  pandas,
                  options.indexColumn());
        } catch (RuntimeException e) {
          throw explain(batch, run, e);
        }
        staged.add(
            new PartInfo(
                file,
                run.to() - run.from(),
                written.bytes(),
                run.min(),
                run.max(),
                run.bucket(),
                0,
                batch.duplicates(run, options),
                written.checksum()));
        current = null;
      }
    } catch (IOException e) {
      discardQuietly(current);
      discard(staged);
      throw new StoreIOException("cannot write a part of '" + label + "'", e);
    } catch (RuntimeException e) {
      discardQuietly(current);
      discard(staged);
      throw e;
    }
    // the log entry that names these parts must never be durable before their directory entries
    storage.sync(staging);
    storeOptions.hook().at(CommitStep.PARTS_STAGED, label);
    return staged;
  }

  private RuntimeException explain(Batch batch, Batch.Run run, RuntimeException cause) {
    for (int i = run.from(); i < run.to(); i++) {
      GenericRecord r = batch.rows.get(i);
      for (Schema.Field f : batch.schema.getFields()) {
        if (!GenericData.get().validate(f.schema(), r.get(f.pos()))) {
          Object v = r.get(f.pos());
          return new InvalidDataException(
              "a row for '"
                  + label
                  + "' holds "
                  + (v == null ? "null" : "a " + v.getClass().getSimpleName() + " (" + v + ")")
                  + " in column '"
                  + f.name()
                  + "', which is "
                  + Schemas.describe(f.schema())
                  + "; nothing was written",
              cause);
        }
      }
    }
    return new InvalidDataException(
        "cannot write the rows for '" + label + "': " + cause + "; nothing was written", cause);
  }

  /** Removes staged parts of a write that did not commit. */
  void discard(List<PartInfo> staged) {
    for (PartInfo p : staged) {
      discardQuietly(Storage.join(staging, p.name()));
    }
  }

  private void discardQuietly(String file) {
    if (file == null) {
      return;
    }
    try {
      storage.delete(file);
    } catch (IOException e) {
      // an uncommitted part is invisible to readers; vacuum removes it later
      LOG.warn(
          "{}: could not remove uncommitted part {} (vacuum will)",
          label,
          storage.describe(file),
          e);
    }
  }

  /** After a commit: parts under final names, replaced ones aside, metadata file refreshed. */
  void finish(ItemState after, List<PartInfo> added, Collection<String> removed) {
    String aside = Storage.join(dir, PartLocator.REMOVED);
    try {
      for (PartInfo p : added) {
        storage.move(Storage.join(staging, p.name()), Storage.join(dir, p.name()));
      }
      asideLater.addAll(removed);
      for (String r : List.copyOf(asideLater)) {
        if (after.parts().containsKey(r)) {
          asideLater.remove(r); // live again? never: names are unique; be safe anyway
          continue;
        }
        storeOptions.hook().at(CommitStep.REMOVED_ASIDE, label);
        retire(storage, Storage.join(dir, r), Storage.join(aside, r));
        asideLater.remove(r);
      }
      List<String> placed = new ArrayList<>();
      for (PartInfo p : added) {
        placed.add(p.name());
      }
      placed.addAll(publishLeftovers(after));
      retireReplacedMeanwhile(after, placed, aside);
      storeOptions.hook().at(CommitStep.PUBLISHED, label);
    } catch (IOException | RuntimeException e) {
      // The commit is durable and readers find parts wherever they are; only plain Parquet
      // readers (pandas, DuckDB) miss a part left in _staging until the next write moves it.
      // Failing the write now would make its caller retry a change that is already committed.
      LOG.warn(
          "{}: version {} is committed but a part could not be moved into place or aside ({});"
              + " the next write to this item from this process, or vacuum, finishes it",
          label,
          after.version(),
          e.toString());
    }
    writeMetadataFile(after);
  }

  /**
   * Moves a replaced part aside (unless another writer did) and stamps it with the time it was
   * replaced: vacuum counts the retention period from a file's modification time, so it never needs
   * to replay the whole log.
   */
  static void retire(Storage storage, String from, String to) throws IOException {
    if (storage.move(from, to)) {
      storage.touch(to);
    }
  }

  /**
   * Moves aside the parts just put into place that a later commit already replaced: that commit's
   * writer found them still under {@code _staging/} (a transaction publishes only after its
   * decision) and had nothing to move. It committed before its move, so this check, made after
   * ours, sees it.
   */
  private void retireReplacedMeanwhile(ItemState after, List<String> placed, String aside)
      throws IOException {
    if (placed.isEmpty()) {
      return;
    }
    ItemState latest = log.head().orElse(after);
    if (latest.version() <= after.version()) {
      return;
    }
    for (String p : placed) {
      if (!latest.parts().containsKey(p)) {
        retire(storage, Storage.join(dir, p), Storage.join(aside, p));
      }
    }
  }

  /**
   * Moves committed parts a crashed or slower writer left in {@code _staging/} into place.
   *
   * @return the parts this call moved
   */
  private List<String> publishLeftovers(ItemState s) throws IOException {
    List<String> moved = new ArrayList<>();
    for (FileInfo f : storage.list(staging)) {
      String n = f.name();
      if (n.endsWith(".parquet")
          && s.parts().containsKey(n)
          && storage.move(Storage.join(staging, n), Storage.join(dir, n))) {
        moved.add(n);
      }
    }
    return moved;
  }

  /** The store's own figures in {@code pystore_metadata.json}, beside the user's keys. */
  static final String STATS_KEY = "_stats";

  /** The store's figures about a state: what {@code pystore info} shows, for other tools. */
  static Map<String, Object> stats(ItemState s) {
    IndexUnit unit = IndexUnit.of(s.schema().getField(s.options().indexColumn()).schema());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", s.version());
    m.put("rows", s.rows());
    m.put("parts", s.parts().size());
    m.put("bytes", s.bytes());
    m.put("start", s.parts().isEmpty() ? null : unit.toInstant(s.minIndex()).toString());
    m.put("end", s.parts().isEmpty() ? null : unit.toInstant(s.maxIndex()).toString());
    m.put(
        "last_compaction",
        s.lastCompacted() == 0 ? null : Instant.ofEpochMilli(s.lastCompacted()).toString());
    m.put("duplicates_removed", s.duplicatesRemoved());
    return m;
  }

  /** Rewrites pystore_metadata.json from a state (a view; the commit log is the truth). */
  void writeMetadataFile(ItemState s) {
    ItemState current = s;
    for (int round = 0; round < 3; round++) {
      try {
        storeOptions.hook().at(CommitStep.METADATA_FILE, label);
        String file = Storage.join(dir, Item.METADATA_FILE);
        if (current.deleted()) {
          storage.delete(file); // PyStore must not see metadata of a deleted item
        } else {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("_updated", PYSTORE_UPDATED.format(Instant.ofEpochMilli(current.updated())));
          m.put(STATS_KEY, stats(current));
          m.putAll(current.metadata());
          storage.replace(file, org.pystore.store.log.Json.prettyBytes(m));
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "{}: could not refresh {} (the next commit retries)", label, Item.METADATA_FILE, e);
        return;
      }
      ItemState latest = log.head().orElse(current);
      if (latest.version() <= current.version()) {
        return;
      }
      current = latest; // a concurrent commit may have written an older view last
    }
  }
}
