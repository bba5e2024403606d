package org.pystore.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
import org.pystore.store.fs.AtomicFiles;
import org.pystore.store.fs.Checksums;
import org.pystore.store.log.CommitLog;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.PartInfo;
import org.pystore.store.part.PandasMetadata;
import org.pystore.store.part.PartWriter;
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

  private final Path dir;
  private final String label;
  private final StoreOptions storeOptions;
  private final CommitLog log;

  /** Replaced parts a failed finish left visible; the next finish here moves them aside. */
  private final java.util.Set<String> asideLater =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  PartFiles(Path dir, String label, StoreOptions options, CommitLog log) {
    this.dir = dir;
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
    Path staging = dir.resolve(PartLocator.STAGING);
    List<String> indexColumns = new ArrayList<>();
    indexColumns.add(options.indexColumn());
    indexColumns.addAll(options.keyColumns());
    String pandas = PandasMetadata.json(batch.schema, indexColumns, Store.VERSION);
    Path current = null;
    try {
      Files.createDirectories(staging);
      for (Batch.Run run : batch.runs) {
        String file = "part-" + run.bucket() + "-" + UUID.randomUUID() + ".parquet";
        current = staging.resolve(file);
        long bytes;
        try {
          bytes =
              PartWriter.write(
                  current,
                  batch.schema,
                  batch.rows,
                  run.from(),
                  run.to(),
                  options.codec(),
                  pandas,
                  options.indexColumn(),
                  storeOptions.fsync());
        } catch (RuntimeException e) {
          throw explain(batch, run, e);
        }
        staged.add(
            new PartInfo(
                file,
                run.to() - run.from(),
                bytes,
                run.min(),
                run.max(),
                run.bucket(),
                0,
                batch.duplicates(run, options),
                Checksums.of(current)));
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
    if (storeOptions.fsync()) {
      // the log entry that names these parts must never be durable before their directory entries
      AtomicFiles.fsyncDirectory(staging);
    }
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
    Path staging = dir.resolve(PartLocator.STAGING);
    for (PartInfo p : staged) {
      discardQuietly(staging.resolve(p.name()));
    }
  }

  private void discardQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // an uncommitted part is invisible to readers; vacuum removes it later
      LOG.warn("{}: could not remove uncommitted part {} (vacuum will)", label, file, e);
    }
  }

  /** After a commit: parts under final names, replaced ones aside, metadata file refreshed. */
  void finish(ItemState after, List<PartInfo> added, Collection<String> removed) {
    Path staging = dir.resolve(PartLocator.STAGING);
    Path aside = dir.resolve(PartLocator.REMOVED);
    try {
      for (PartInfo p : added) {
        moveIfPresent(staging.resolve(p.name()), dir.resolve(p.name()));
      }
      asideLater.addAll(removed);
      if (!asideLater.isEmpty()) {
        Files.createDirectories(aside);
        for (String r : List.copyOf(asideLater)) {
          if (after.parts().containsKey(r)) {
            asideLater.remove(r); // live again? never: names are unique; be safe anyway
            continue;
          }
          storeOptions.hook().at(CommitStep.REMOVED_ASIDE, label);
          moveIfPresent(dir.resolve(r), aside.resolve(r));
          markReplaced(aside.resolve(r));
          asideLater.remove(r);
        }
      }
      publishLeftovers(after);
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
   * Stamps a part moved aside with the time it was replaced: vacuum counts the retention period
   * from a file's modification time, so it never needs to replay the whole log.
   */
  static void markReplaced(Path file) throws IOException {
    try {
      Files.setLastModifiedTime(
          file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
    } catch (NoSuchFileException e) {
      // still under _staging (a crashed publish) or already vacuumed
    }
  }

  /** Moves a file unless another writer already did. */
  static void moveIfPresent(Path from, Path to) throws IOException {
    try {
      AtomicFiles.moveAtomically(from, to);
    } catch (NoSuchFileException e) {
      // another writer already moved it
    }
  }

  /** Moves committed parts a crashed writer left in {@code _staging/} into place. */
  private void publishLeftovers(ItemState s) throws IOException {
    Path staging = dir.resolve(PartLocator.STAGING);
    if (!Files.isDirectory(staging)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(staging, "*.parquet")) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        if (s.parts().containsKey(n)) {
          moveIfPresent(f, dir.resolve(n));
        }
      }
    }
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
        Path file = dir.resolve(Item.METADATA_FILE);
        if (current.deleted()) {
          Files.deleteIfExists(file); // PyStore must not see metadata of a deleted item
        } else {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("_updated", PYSTORE_UPDATED.format(Instant.ofEpochMilli(current.updated())));
          m.put(STATS_KEY, stats(current));
          m.putAll(current.metadata());
          AtomicFiles.replace(file, org.pystore.store.log.Json.prettyBytes(m), false);
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
