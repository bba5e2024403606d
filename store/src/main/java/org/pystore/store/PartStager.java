package org.pystore.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.schema.MessageType;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.PartInfo;
import org.pystore.store.part.PandasMetadata;
import org.pystore.store.part.PartWriter;
import org.pystore.store.part.RowGroupCopy;
import org.pystore.store.part.Written;
import org.pystore.store.storage.Storage;

/**
 * Writes new parts under {@code _staging/}, ready for {@link Item#commitStaged}, from a sorted
 * stream of pieces: rows one at a time ({@link #add}) and whole existing parts whose row groups are
 * copied as they are ({@link #addPart}, no decoding). One part per time bucket; a new part once the
 * current one holds the target number of rows (or, as a backstop for rows, the target size before
 * compression). A part is cut only between pieces or where the index changes, so rows sharing an
 * index stay in one part and keep their order. Nothing is visible to readers until committed. Not
 * thread-safe; use one stager per thread.
 */
public final class PartStager implements AutoCloseable {
  private final Storage storage;
  private final String staging;
  private final String label;
  private final ItemOptions options;
  private final Schema schema;
  private final MessageType fileSchema;
  private final String pandas;
  private final CommitHook hook;
  private final long targetBytes;
  private final long maxRows;
  private final IndexUnit unit;
  private final int indexPos;
  private final PartLocator locator;
  private final List<PartInfo> staged = new ArrayList<>();

  /** One piece of the part being built: a part to copy, or rows this stager wrote. */
  private record Piece(
      RowGroupCopy source, String temp, Written written, long rows, long min, long max) {}

  private final List<Piece> pieces = new ArrayList<>();
  private long pendingRows;
  private Bucketing.Bucket bucket;

  private PartWriter.Streaming rowsWriter;
  private String rowsFile;
  private long rowsMin;
  private long last;
  private boolean finished;

  /** Rows between two looks at the size of the rows part. */
  static final int SIZE_CHECK_ROWS = 256;

  /** When the size of the rows part is looked at next, in its rows. */
  private long nextSizeCheck;

  PartStager(
      Storage storage,
      String itemDir,
      String label,
      ItemState s,
      StoreOptions storeOptions,
      long targetBytes,
      long maxRows) {
    if (targetBytes <= 0 || maxRows <= 0) {
      throw new IllegalArgumentException(
          "target part size and rows must be positive: " + targetBytes + ", " + maxRows);
    }
    this.storage = storage;
    this.staging = Storage.join(itemDir, PartLocator.STAGING);
    this.label = label;
    this.options = s.options();
    this.schema = s.schema();
    this.fileSchema = PartWriter.fileSchema(schema);
    List<String> indexColumns = new ArrayList<>();
    indexColumns.add(options.indexColumn());
    indexColumns.addAll(options.keyColumns());
    this.pandas = PandasMetadata.json(schema, indexColumns, Store.VERSION);
    this.hook = storeOptions.hook();
    this.targetBytes = targetBytes;
    this.maxRows = maxRows;
    Schema.Field idx = schema.getField(options.indexColumn());
    this.unit = IndexUnit.of(idx.schema());
    this.indexPos = idx.pos();
    this.locator = new PartLocator(storage, label, itemDir, null);
  }

  /** The schema rows must have (the item's schema at the state this stager was made for). */
  public Schema schema() {
    return schema;
  }

  /**
   * Adds one row. Rows and parts must arrive sorted by the item's key.
   *
   * @param row a row in {@link #schema()}
   * @throws StoreIOException when a part cannot be written (staged files are left for {@link
   *     #discard()})
   */
  public void add(GenericRecord row) {
    long index = (Long) row.get(indexPos);
    try {
      if (rowsWriter != null && index != last) {
        boolean full = pendingRows + rowsWriter.rows() >= maxRows || bytesReached();
        if (full || !bucket.contains(unit.toNanos(index))) {
          flushPart();
        }
      } else if (rowsWriter == null
          && !pieces.isEmpty()
          && (pendingRows >= maxRows || !bucket.contains(unit.toNanos(index)))) {
        flushPart();
      }
      if (bucket == null) {
        bucket = options.bucket().bucketOf(unit.toNanos(index), options.zone());
      }
      if (rowsWriter == null) {
        rowsFile = Storage.join(staging, "piece-" + UUID.randomUUID() + ".parquet");
        rowsWriter =
            PartWriter.open(
                storage, rowsFile, schema, options.codec(), pandas, options.indexColumn());
        rowsMin = index;
        nextSizeCheck = 0;
      }
      rowsWriter.write(row);
      last = index;
    } catch (IOException e) {
      throw new StoreIOException("cannot write a new part of '" + label + "'", e);
    }
  }

  /**
   * Whether the rows part reached the target size. Asking the writer sums the buffers of every
   * column, so it is asked once per {@value #SIZE_CHECK_ROWS} rows: the size is a backstop, and a
   * part may pass it by that many rows.
   */
  private boolean bytesReached() {
    if (rowsWriter.rows() < nextSizeCheck) {
      return false;
    }
    nextSizeCheck = rowsWriter.rows() + SIZE_CHECK_ROWS;
    return rowsWriter.dataSize() >= targetBytes;
  }

  /**
   * Adds a whole committed part of the item by copying its row groups, if its file has the schema
   * new parts are written with. It must not overlap the rows or parts added before or after it.
   *
   * @param part a live part of the state this stager was made for
   * @return true when added; false when its schema differs (add its rows instead)
   * @throws CorruptPartException when the part is missing or unreadable
   */
  public boolean addPart(PartInfo part) {
    RowGroupCopy src = locator.open(part, RowGroupCopy::open);
    if (!PartWriter.copyable(src, fileSchema)) {
      closeQuietly(src);
      return false;
    }
    try {
      closeRows();
      if (!pieces.isEmpty() && (pendingRows >= maxRows || !bucket.label().equals(part.bucket()))) {
        flushPart();
      }
      if (bucket == null) {
        bucket = options.bucket().bucketOf(unit.toNanos(part.minIndex()), options.zone());
      }
      pieces.add(new Piece(src, null, null, src.rows(), part.minIndex(), part.maxIndex()));
      pendingRows += src.rows();
      if (pendingRows >= maxRows) {
        flushPart();
      }
      return true;
    } catch (IOException e) {
      throw new StoreIOException("cannot write a new part of '" + label + "'", e);
    }
  }

  /** Ends the rows piece being written, if any. */
  private void closeRows() throws IOException {
    if (rowsWriter == null) {
      return;
    }
    long rows = rowsWriter.rows();
    Written w = rowsWriter.finish();
    pieces.add(new Piece(null, rowsFile, w, rows, rowsMin, last));
    pendingRows += rows;
    rowsWriter = null;
    rowsFile = null;
  }

  /** Turns the pending pieces into one staged part. */
  private void flushPart() throws IOException {
    closeRows();
    if (pieces.isEmpty()) {
      return;
    }
    String name = "part-" + bucket.label() + "-" + UUID.randomUUID() + ".parquet";
    String target = Storage.join(staging, name);
    Written written;
    if (pieces.size() == 1 && pieces.get(0).temp() != null) {
      // one piece of rows: it is the part (a rename here; a server-side copy on object storage)
      storage.move(pieces.get(0).temp(), target);
      written = pieces.get(0).written();
    } else {
      List<RowGroupCopy> sources = new ArrayList<>();
      try {
        for (Piece p : pieces) {
          sources.add(p.source() != null ? p.source() : RowGroupCopy.open(storage.open(p.temp())));
        }
        written = PartWriter.concat(storage, target, schema, sources, pandas);
      } finally {
        for (RowGroupCopy s : sources) {
          closeQuietly(s);
        }
        for (Piece p : pieces) {
          closeQuietly(p.source());
          if (p.temp() != null) {
            storage.delete(p.temp());
          }
        }
      }
    }
    long min = pieces.get(0).min();
    long max = pieces.get(pieces.size() - 1).max();
    staged.add(
        new PartInfo(
            name,
            pendingRows,
            written.bytes(),
            min,
            max,
            bucket.label(),
            0,
            0,
            written.checksum()));
    pieces.clear();
    pendingRows = 0;
    bucket = null;
  }

  /**
   * Finishes the last part.
   *
   * @return every part written, in order; their {@code seq} is 0 until the caller sets it
   */
  public List<PartInfo> finish() {
    if (!finished) {
      finished = true;
      try {
        flushPart();
      } catch (IOException e) {
        throw new StoreIOException("cannot finish a new part of '" + label + "'", e);
      }
      if (!staged.isEmpty()) {
        storage.sync(staging); // before any log entry names these parts
        hook.at(CommitStep.PARTS_STAGED, label);
      }
    }
    return List.copyOf(staged);
  }

  /** Deletes every file this stager wrote; for a change that will not be committed. */
  public void discard() {
    finished = true;
    if (rowsWriter != null) {
      try {
        rowsWriter.close();
      } catch (IOException | RuntimeException e) {
        // the file is deleted below anyway
      }
      deleteQuietly(rowsFile);
      rowsWriter = null;
    }
    for (Piece p : pieces) {
      closeQuietly(p.source());
      if (p.temp() != null) {
        deleteQuietly(p.temp());
      }
    }
    pieces.clear();
    for (PartInfo p : staged) {
      deleteQuietly(Storage.join(staging, p.name()));
    }
    staged.clear();
  }

  private static void closeQuietly(RowGroupCopy c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // read-only handle
    }
  }

  private void deleteQuietly(String f) {
    try {
      storage.delete(f);
    } catch (IOException e) {
      // an uncommitted file is invisible; vacuum removes orphans later
    }
  }

  /** Discards the parts unless {@link #finish()} was called. */
  @Override
  public void close() {
    if (!finished) {
      discard();
    }
  }
}
