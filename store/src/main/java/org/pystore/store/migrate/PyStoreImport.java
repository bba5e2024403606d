package org.pystore.store.migrate;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.pystore.store.CollectionNotFoundException;
import org.pystore.store.CommitHook;
import org.pystore.store.CommitStep;
import org.pystore.store.ConcurrentCommitException;
import org.pystore.store.InvalidDataException;
import org.pystore.store.Item;
import org.pystore.store.ItemNotFoundException;
import org.pystore.store.ItemOptions;
import org.pystore.store.NotFoundException;
import org.pystore.store.PyStoreException;
import org.pystore.store.Schemas;
import org.pystore.store.StaleOffsetsException;
import org.pystore.store.Store;
import org.pystore.store.StoreIOException;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.Json;
import org.pystore.store.log.PartInfo;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adopts items written by PyStore (pandas + dask, through pyarrow or fastparquet) into the commit
 * log, in place.
 *
 * <p>Every PyStore part is read and written again as store parts (sorted, cut at bucket boundaries,
 * in the store's physical layout) and all of them are committed at once: until that commit the
 * PyStore files are not touched, so a failed import leaves the item as it was. After it, the
 * PyStore parts and dask's {@code _metadata} files move to {@code _pystore_originals/}, where plain
 * Parquet readers no longer see them (the rows now live in the store's parts). The commit records
 * each imported file by name and size, so an import run again, or after a crash, imports nothing
 * twice; files PyStore writes into an adopted item later are found the same way and imported by the
 * next run.
 */
public final class PyStoreImport {
  /** Where the PyStore files of an adopted item are kept. */
  public static final String ORIGINALS = "_pystore_originals";

  static final String KEY_PREFIX = "pystore-import:";
  private static final Logger LOG = LoggerFactory.getLogger(PyStoreImport.class);
  private static final List<String> DASK_FILES = List.of("_metadata", "_common_metadata");
  private static final List<String> METADATA_FILES = List.of(Item.METADATA_FILE, "metadata.json");
  private static final Pattern NUMBER = Pattern.compile("(\\d+)");

  /**
   * How to import.
   *
   * @param indexColumn the column to use as the index, or null for each file's pandas index
   * @param epochUnit the unit of an integer index (s, ms, us, ns), or null to guess it from the
   *     magnitude of the first value
   * @param options layout and dedupe of items the import creates (the index column is found)
   * @param dryRun report what would be imported; change nothing
   */
  public record Options(String indexColumn, String epochUnit, ItemOptions options, boolean dryRun) {
    /** Validates. */
    public Options {
      if (epochUnit != null) {
        PandasFile.EpochUnit.parse(epochUnit);
      }
      options = options == null ? ItemOptions.defaults() : options;
    }

    /** Each file's pandas index, a guessed epoch unit, the store's default item options. */
    public static Options defaults() {
      return new Options(null, null, ItemOptions.defaults(), false);
    }
  }

  /**
   * What an import did to one item.
   *
   * @param label collection/item
   * @param created whether the import created the item (false: appended to an adopted one)
   * @param version the version committed, or -1 when nothing was committed
   * @param files PyStore files imported
   * @param recovered files an earlier, interrupted run had already committed (now moved aside)
   * @param rows rows imported
   * @param parts store parts written
   * @param unsorted files whose rows were not in index order
   * @param spanning files whose rows spanned several buckets (split into one part per bucket)
   * @param notes how columns and the index were converted
   * @param error why the item was not imported, or null
   */
  public record ItemReport(
      String label,
      boolean created,
      long version,
      int files,
      int recovered,
      long rows,
      int parts,
      List<String> unsorted,
      List<String> spanning,
      List<String> notes,
      String error) {

    static ItemReport failed(String label, String error) {
      return new ItemReport(label, false, -1, 0, 0, 0, 0, List.of(), List.of(), List.of(), error);
    }
  }

  private final Store store;
  private final Storage storage;
  private final Options options;
  private final Consumer<String> progress;

  /**
   * An importer into a store (the PyStore store itself, on a local disk or copied to object
   * storage: adoption is in place).
   *
   * @param store the store
   * @param options how to import
   * @param progress receives one line per file read
   */
  public PyStoreImport(Store store, Options options, Consumer<String> progress) {
    this.store = store;
    this.storage = store.storage();
    this.options = options;
    this.progress = progress == null ? line -> {} : progress;
  }

  /**
   * Imports every PyStore item of every collection. An item that fails is reported and the others
   * go on.
   */
  public List<ItemReport> importStore() {
    List<ItemReport> out = new ArrayList<>();
    for (String c : subdirs("")) {
      out.addAll(importCollection(c));
    }
    return out;
  }

  /** Imports every PyStore item of a collection; an item that fails is reported, others go on. */
  public List<ItemReport> importCollection(String collection) {
    if (!isDirectory(collection)) {
      throw new CollectionNotFoundException(collection);
    }
    List<ItemReport> out = new ArrayList<>();
    for (String item : subdirs(collection)) {
      String itemDir = Storage.join(collection, item);
      if (parquetFiles(itemDir).isEmpty() && !isDirectory(Storage.join(itemDir, Item.LOG_DIR))) {
        continue; // neither a PyStore item nor one of ours
      }
      try {
        out.add(importItem(collection, item));
      } catch (PyStoreException e) {
        LOG.warn("{}/{}: not imported: {}", collection, item, e.getMessage());
        out.add(ItemReport.failed(collection + "/" + item, e.getMessage()));
      }
    }
    return out;
  }

  /**
   * Imports one item: the PyStore files its commit log does not hold yet.
   *
   * @return what was done
   * @throws NotFoundException when the item directory does not exist
   * @throws InvalidDataException when a file cannot be imported (nothing is committed then)
   */
  public ItemReport importItem(String collection, String itemName) {
    Item item = store.item(collection, itemName);
    String label = collection + "/" + itemName;
    String dir = item.key();
    if (!isDirectory(dir)) {
      throw new ItemNotFoundException(collection, itemName);
    }
    ItemState state = item.exists() ? item.state() : null;
    Pending pending = pending(dir, state);
    List<String> notes = new ArrayList<>();
    if (pending.files.isEmpty()) {
      if (!options.dryRun) {
        moveAside(dir, pending.recovered, null, store.options().hook());
      }
      if (state == null && pending.recovered.isEmpty()) {
        throw new InvalidDataException(
            "no Parquet files in " + item.location() + " to import: is it a PyStore item?");
      }
      return new ItemReport(
          label,
          false,
          -1,
          0,
          pending.recovered.size(),
          0,
          0,
          List.of(),
          List.of(),
          List.of(),
          null);
    }
    if (options.dryRun) {
      long rows = 0;
      for (String f : pending.files) {
        try {
          rows += PandasFile.open(storage, Storage.join(dir, f), options.indexColumn).rows;
        } catch (IOException e) {
          throw unreadable(storage.describe(Storage.join(dir, f)), e.getMessage());
        } catch (PyStoreException e) {
          throw e;
        } catch (RuntimeException e) { // a damaged footer: what the import itself reports
          throw unreadable(storage.describe(Storage.join(dir, f)), e.getMessage());
        }
      }
      return new ItemReport(
          label,
          state == null,
          -1,
          pending.files.size(),
          pending.recovered.size(),
          rows,
          0,
          List.of(),
          List.of(),
          List.of("dry run: nothing changed"),
          null);
    }
    PandasFile.EpochUnit epoch =
        options.epochUnit == null ? null : PandasFile.EpochUnit.parse(options.epochUnit);
    ItemOptions itemOptions = state == null ? null : state.options();
    Schema schema = state == null ? null : state.schema();
    List<PartInfo> staged = new ArrayList<>();
    Map<String, Long> offsets = new LinkedHashMap<>();
    Set<String> creators = new TreeSet<>();
    Set<String> renamed = new LinkedHashSet<>();
    List<String> unsorted = new ArrayList<>();
    List<String> spanning = new ArrayList<>();
    long rows = 0;
    // read before anything is staged: an unreadable metadata file fails the item untouched
    Map<String, byte[]> originalsMeta = new LinkedHashMap<>();
    Map<String, Object> metadata = state == null ? userMetadata(dir, originalsMeta) : null;
    String current = null;
    try {
      for (String name : pending.files) {
        current = Storage.join(dir, name);
        PandasFile pf = PandasFile.open(storage, current, options.indexColumn);
        PandasFile.Rows r = pf.read(epoch, itemOptions == null ? null : itemOptions.indexColumn());
        if (pf.epochIndex() && epoch == null) {
          epoch = r.epoch();
          notes.add(
              "integer index '"
                  + pf.indexSource()
                  + "' read as epoch "
                  + epoch.id()
                  + " (guessed from its magnitude; --epoch-unit sets it)");
        }
        creators.add(pf.creator);
        renamed.addAll(pf.renamed());
        if (itemOptions == null) {
          String index = r.schema().getFields().get(0).name();
          itemOptions = options.options.withIndexColumn(index);
        }
        schema =
            schema == null
                ? r.schema()
                : Schemas.unify(schema, r.schema(), itemOptions.indexColumn(), label);
        item.checkRules(r.rows(), itemOptions.indexColumn(), state, false);
        List<PartInfo> parts = item.stageRows(r.rows(), r.schema(), itemOptions);
        staged.addAll(parts);
        if (!r.sorted()) {
          unsorted.add(name);
        }
        if (parts.stream().map(PartInfo::bucket).distinct().count() > 1) {
          spanning.add(name);
        }
        rows += r.rows().size();
        offsets.put(pending.keys.get(name), (long) r.rows().size());
        progress.accept(
            String.format(
                "%s: %s, %d rows%s%s",
                label,
                name,
                r.rows().size(),
                r.sorted() ? "" : ", unsorted",
                spanning.contains(name) ? ", spans buckets" : ""));
      }
    } catch (IOException e) {
      item.discardStaged(staged);
      if (current != null && !exists(current)) {
        throw new ConcurrentCommitException(
            label
                + ": "
                + Storage.name(current)
                + " disappeared while importing (moved by another import?); nothing was"
                + " committed by this one: run the import again to pick up what is left");
      }
      throw new InvalidDataException(label + ": cannot read a PyStore file: " + e.getMessage());
    } catch (PyStoreException e) {
      item.discardStaged(staged);
      throw e;
    } catch (RuntimeException e) { // a damaged file, an epoch index beyond what nanoseconds hold
      item.discardStaged(staged);
      throw new InvalidDataException(
          label
              + ": cannot read "
              + storage.describe(current)
              + " ("
              + e.getMessage()
              + "); nothing was imported: fix or remove that file, then import again");
    }
    if (!renamed.isEmpty()) {
      notes.add("columns renamed to names Avro accepts: " + String.join(", ", renamed));
    }
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("import", "pystore");
    info.put("files", pending.files.size());
    info.put("rows", rows);
    info.put("creators", new ArrayList<>(creators));
    ItemState after;
    try {
      after = item.commitImport(itemOptions, schema, staged, metadata, offsets, info);
    } catch (StaleOffsetsException e) {
      throw new ConcurrentCommitException(
          label
              + ": another import committed some of these PyStore files meanwhile; nothing was"
              + " committed by this one: run the import again to pick up what is left");
    }
    List<String> imported = new ArrayList<>(pending.files);
    imported.addAll(pending.recovered);
    moveAside(dir, imported, originalsMeta, store.options().hook());
    LOG.info(
        "{}: imported {} rows from {} PyStore files as version {} ({} parts)",
        label,
        rows,
        pending.files.size(),
        after.version(),
        staged.size());
    return new ItemReport(
        label,
        state == null,
        after.version(),
        pending.files.size(),
        pending.recovered.size(),
        rows,
        staged.size(),
        unsorted,
        spanning,
        notes,
        null);
  }

  /**
   * Parquet files in an item's directory that its commit log does not hold and no import recorded:
   * files PyStore (or another tool) wrote behind the store's back. {@code pystore import
   * COLLECTION/ITEM} adopts them.
   *
   * @param item the item
   * @return file names, in part order
   */
  public static List<String> pendingFiles(Item item) {
    PyStoreImport lister = new PyStoreImport(item.store(), Options.defaults(), null);
    return lister.pending(item.key(), item.exists() ? item.state() : null).files;
  }

  /**
   * Files to import, files an interrupted import committed but did not move aside (names in the
   * item's directory), and the name under which a commit records each file, taken when the files
   * are listed.
   */
  private record Pending(List<String> files, List<String> recovered, Map<String, String> keys) {}

  private Pending pending(String dir, ItemState state) {
    List<String> files = new ArrayList<>();
    List<String> recovered = new ArrayList<>();
    Map<String, String> keys = new LinkedHashMap<>();
    for (FileInfo f : parquetFiles(dir)) {
      if (state != null && state.parts().containsKey(f.name())) {
        continue;
      }
      String key = KEY_PREFIX + f.name() + ":" + f.size();
      keys.put(f.name(), key);
      if (state != null && state.offsets().containsKey(key)) {
        recovered.add(f.name());
      } else {
        files.add(f.name());
      }
    }
    return new Pending(files, recovered, keys);
  }

  /** PyStore's user metadata (keys not starting with '_'); the files' bytes are kept. */
  private Map<String, Object> userMetadata(String dir, Map<String, byte[]> keep) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : METADATA_FILES) {
      String f = Storage.join(dir, name);
      byte[] bytes;
      try {
        bytes = storage.read(f);
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException e) {
        throw new StoreIOException("cannot read " + storage.describe(f), e);
      }
      keep.put(name, bytes);
      if (out.isEmpty()) {
        try {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = Json.parse(bytes, Map.class);
          m.forEach(
              (k, v) -> {
                if (!k.startsWith("_")) {
                  out.put(k, v);
                }
              });
        } catch (IOException e) {
          throw new InvalidDataException(
              storage.describe(f)
                  + " is not readable JSON ("
                  + e.getMessage()
                  + "); fix or remove it and import again");
        }
      }
    }
    return out;
  }

  /** After the commit: PyStore's parts and dask's summary files go where readers don't look. */
  private void moveAside(
      String dir, List<String> parts, Map<String, byte[]> metadata, CommitHook hook) {
    String originals = Storage.join(dir, ORIGINALS);
    try {
      List<String> move = new ArrayList<>(parts);
      for (String n : DASK_FILES) {
        if (storage.exists(Storage.join(dir, n))) {
          move.add(n);
        }
      }
      for (String n : move) {
        hook.at(CommitStep.IMPORT_MOVE, storage.describe(dir));
        // false: another run moved it already
        storage.move(Storage.join(dir, n), free(Storage.join(originals, n)));
      }
      if (metadata != null) {
        for (Map.Entry<String, byte[]> m : metadata.entrySet()) {
          storage.replace(free(Storage.join(originals, m.getKey())), m.getValue());
        }
      }
    } catch (IOException | RuntimeException e) {
      // committed: the next import run (or vacuum's report) finds the files still in place
      LOG.warn(
          "{}: imported, but moving the PyStore files to {} failed ({}); run the import again to"
              + " finish",
          storage.describe(dir),
          ORIGINALS,
          e.toString());
    }
  }

  /** A name in the originals folder not taken yet (a file PyStore rewrote is kept twice). */
  private String free(String key) throws IOException {
    String candidate = key;
    for (int n = 1; storage.exists(candidate); n++) {
      candidate = key + "." + n;
    }
    return candidate;
  }

  private static InvalidDataException unreadable(String where, String why) {
    return new InvalidDataException(
        where
            + " is not a readable Parquet file ("
            + why
            + "); fix or remove that file, then import again");
  }

  /** Top-level {@code *.parquet} files PyStore and dask wrote, in part order (part.2 < part.10). */
  private List<FileInfo> parquetFiles(String dir) {
    List<FileInfo> out = new ArrayList<>();
    try {
      for (FileInfo f : storage.list(dir)) {
        String n = f.name();
        if (n.endsWith(".parquet") && !n.startsWith("_") && !n.startsWith(".")) {
          out.add(f);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + storage.describe(dir), e);
    }
    out.sort(
        Comparator.comparing((FileInfo f) -> partNumber(f.name())).thenComparing(FileInfo::name));
    return out;
  }

  private static long partNumber(String name) {
    Matcher m = NUMBER.matcher(name);
    long last = -1;
    while (m.find()) {
      try {
        last = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        last = Long.MAX_VALUE;
      }
    }
    return last;
  }

  /** The subdirectories of a directory, but private ones; a name the store refuses is reported. */
  private List<String> subdirs(String dir) {
    List<String> out = new ArrayList<>();
    try {
      for (String n : storage.directories(dir)) {
        if (!n.startsWith("_") && !n.startsWith(".")) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + storage.describe(dir), e);
    }
    return out;
  }

  private boolean isDirectory(String dir) {
    try {
      return storage.isDirectory(dir);
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + storage.describe(dir), e);
    }
  }

  private boolean exists(String key) {
    try {
      return storage.exists(key);
    } catch (IOException e) {
      throw new StoreIOException("cannot read " + storage.describe(key), e);
    }
  }
}
