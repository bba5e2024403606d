package org.pystore.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
import org.pystore.store.log.ItemState;
import org.pystore.store.log.Json;
import org.pystore.store.log.PartInfo;
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
  private final Options options;
  private final Consumer<String> progress;

  /**
   * An importer into a store (the PyStore store directory itself: adoption is in place).
   *
   * @param store the store
   * @param options how to import
   * @param progress receives one line per file read
   */
  public PyStoreImport(Store store, Options options, Consumer<String> progress) {
    this.store = store;
    this.options = options;
    this.progress = progress == null ? line -> {} : progress;
  }

  /**
   * Imports every PyStore item of every collection. An item that fails is reported and the others
   * go on.
   */
  public List<ItemReport> importStore() {
    List<ItemReport> out = new ArrayList<>();
    for (String c : subdirs(store.path())) {
      out.addAll(importCollection(c));
    }
    return out;
  }

  /** Imports every PyStore item of a collection; an item that fails is reported, others go on. */
  public List<ItemReport> importCollection(String collection) {
    Path dir = store.path().resolve(collection);
    if (!Files.isDirectory(dir)) {
      throw new CollectionNotFoundException(collection);
    }
    List<ItemReport> out = new ArrayList<>();
    for (String item : subdirs(dir)) {
      Path itemDir = dir.resolve(item);
      if (parquetFiles(itemDir).isEmpty() && !Files.isDirectory(itemDir.resolve(Item.LOG_DIR))) {
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
    Path dir = item.path();
    if (!Files.isDirectory(dir)) {
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
            "no Parquet files in " + dir + " to import: is it a PyStore item?");
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
      for (Path f : pending.files) {
        try {
          rows += PandasFile.open(f, options.indexColumn).rows;
        } catch (IOException e) {
          throw unreadable(f, e);
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
    Path current = null;
    try {
      for (Path f : pending.files) {
        current = f;
        String name = f.getFileName().toString();
        PandasFile pf = PandasFile.open(f, options.indexColumn);
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
        List<PartInfo> parts = item.stageRows(r.rows(), r.schema(), itemOptions);
        staged.addAll(parts);
        if (!r.sorted()) {
          unsorted.add(name);
        }
        if (parts.stream().map(PartInfo::bucket).distinct().count() > 1) {
          spanning.add(name);
        }
        rows += r.rows().size();
        offsets.put(pending.keys.get(f), (long) r.rows().size());
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
      if (current != null && !Files.exists(current)) {
        throw new ConcurrentCommitException(
            label
                + ": "
                + current.getFileName()
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
              + current
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
    List<Path> imported = new ArrayList<>(pending.files);
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
    if (!Files.isDirectory(item.path())) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Path p : pending(item.path(), item.exists() ? item.state() : null).files) {
      out.add(p.getFileName().toString());
    }
    return out;
  }

  /**
   * Files to import, files an interrupted import committed but did not move aside, and the name
   * under which a commit records each file, taken when the files are listed.
   */
  private record Pending(List<Path> files, List<Path> recovered, Map<Path, String> keys) {}

  private static Pending pending(Path dir, ItemState state) {
    List<Path> files = new ArrayList<>();
    List<Path> recovered = new ArrayList<>();
    Map<Path, String> keys = new LinkedHashMap<>();
    for (Path f : parquetFiles(dir)) {
      String n = f.getFileName().toString();
      if (state != null && state.parts().containsKey(n)) {
        continue;
      }
      String key = key(f);
      if (key == null) {
        continue; // moved away since listed (another import)
      }
      keys.put(f, key);
      if (state != null && state.offsets().containsKey(key)) {
        recovered.add(f);
      } else {
        files.add(f);
      }
    }
    return new Pending(files, recovered, keys);
  }

  /** The name under which a commit records an imported file (its name and size), or null. */
  private static String key(Path f) {
    try {
      return KEY_PREFIX + f.getFileName() + ":" + Files.size(f);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new StoreIOException("cannot read the size of " + f, e);
    }
  }

  /** PyStore's user metadata (keys not starting with '_'); the files' bytes are kept. */
  private static Map<String, Object> userMetadata(Path dir, Map<String, byte[]> keep) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : METADATA_FILES) {
      Path f = dir.resolve(name);
      if (!Files.isRegularFile(f)) {
        continue;
      }
      try {
        byte[] bytes = Files.readAllBytes(f);
        keep.put(name, bytes);
        if (out.isEmpty()) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = Json.parse(bytes, Map.class);
          m.forEach(
              (k, v) -> {
                if (!k.startsWith("_")) {
                  out.put(k, v);
                }
              });
        }
      } catch (IOException e) {
        throw new InvalidDataException(
            f
                + " is not readable JSON ("
                + e.getMessage()
                + "); fix or remove it and import again");
      }
    }
    return out;
  }

  /** After the commit: PyStore's parts and dask's summary files go where readers don't look. */
  private static void moveAside(
      Path dir, List<Path> parts, Map<String, byte[]> metadata, CommitHook hook) {
    Path originals = dir.resolve(ORIGINALS);
    try {
      List<Path> move = new ArrayList<>(parts);
      for (String n : DASK_FILES) {
        if (Files.exists(dir.resolve(n))) {
          move.add(dir.resolve(n));
        }
      }
      if (move.isEmpty() && (metadata == null || metadata.isEmpty())) {
        return;
      }
      Files.createDirectories(originals);
      for (Path p : move) {
        hook.at(CommitStep.IMPORT_MOVE, dir.toString());
        try {
          Files.move(p, free(originals.resolve(p.getFileName().toString())));
        } catch (java.nio.file.NoSuchFileException gone) {
          // another run moved it already
        }
      }
      if (metadata != null) {
        for (Map.Entry<String, byte[]> m : metadata.entrySet()) {
          Files.write(free(originals.resolve(m.getKey())), m.getValue());
        }
      }
    } catch (IOException | RuntimeException e) {
      // committed: the next import run (or vacuum's report) finds the files still in place
      LOG.warn(
          "{}: imported, but moving the PyStore files to {} failed ({}); run the import again to"
              + " finish",
          dir,
          ORIGINALS,
          e.toString());
    }
  }

  /** A name in the originals folder not taken yet (a file PyStore rewrote is kept twice). */
  private static Path free(Path p) {
    Path candidate = p;
    for (int n = 1; Files.exists(candidate); n++) {
      candidate = p.resolveSibling(p.getFileName() + "." + n);
    }
    return candidate;
  }

  private static InvalidDataException unreadable(Path f, IOException e) {
    return new InvalidDataException(
        f + " is not a readable Parquet file (" + e.getMessage() + "); nothing was imported");
  }

  /** Top-level {@code *.parquet} files PyStore and dask wrote, in part order (part.2 < part.10). */
  static List<Path> parquetFiles(Path dir) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.parquet")) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!n.startsWith("_") && !n.startsWith(".") && Files.isRegularFile(p)) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + dir, e);
    }
    out.sort(Comparator.comparing((Path p) -> partNumber(p)).thenComparing(Path::toString));
    return out;
  }

  /** Whether an item directory holds Parquet files of its own (a PyStore item not imported). */
  static boolean hasParquetFiles(org.pystore.store.storage.Storage storage, String dir) {
    try {
      for (org.pystore.store.storage.FileInfo f : Vacuum.parquetFiles(storage, dir)) {
        if (!f.name().startsWith("_") && !f.name().startsWith(".")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + storage.describe(dir), e);
    }
  }

  private static long partNumber(Path p) {
    Matcher m = NUMBER.matcher(p.getFileName().toString());
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

  private static List<String> subdirs(Path dir) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!n.startsWith("_") && !n.startsWith(".")) {
          out.add(n); // a name the store refuses is reported by the import, not skipped
        }
      }
    } catch (IOException e) {
      throw new StoreIOException("cannot list " + dir, e);
    }
    out.sort(null);
    return out;
  }
}
