package org.pystore.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.log.ItemState;
import org.pystore.store.log.PartInfo;
import org.pystore.store.part.PandasMetadata;
import org.pystore.store.part.PartWriter;

/**
 * Writes a sorted stream of rows as new parts under {@code _staging/}, ready for {@link
 * Item#commitStaged}: one part per time bucket, a new part once the current one reaches the target
 * number of rows (or, as a backstop, the target size before compression). A part is cut only where
 * the index changes, so rows sharing an index stay in one part and keep their order. Nothing is
 * visible to readers until committed. Not thread-safe; use one stager per thread.
 */
public final class PartStager implements AutoCloseable {
  private final Path staging;
  private final String label;
  private final ItemOptions options;
  private final Schema schema;
  private final String pandas;
  private final boolean fsync;
  private final CommitHook hook;
  private final long targetBytes;
  private final long maxRows;
  private final IndexUnit unit;
  private final int indexPos;
  private final List<PartInfo> staged = new ArrayList<>();

  private PartWriter.Streaming current;
  private String currentName;
  private Bucketing.Bucket bucket;
  private long min;
  private long last;
  private boolean finished;

  PartStager(
      Path itemDir,
      String label,
      ItemState s,
      StoreOptions storeOptions,
      long targetBytes,
      long maxRows) {
    if (targetBytes <= 0 || maxRows <= 0) {
      throw new IllegalArgumentException(
          "target part size and rows must be positive: " + targetBytes + ", " + maxRows);
    }
    this.staging = itemDir.resolve(PartLocator.STAGING);
    this.label = label;
    this.options = s.options();
    this.schema = s.schema();
    List<String> indexColumns = new ArrayList<>();
    indexColumns.add(options.indexColumn());
    indexColumns.addAll(options.keyColumns());
    this.pandas = PandasMetadata.json(schema, indexColumns, Store.VERSION);
    this.fsync = storeOptions.fsync();
    this.hook = storeOptions.hook();
    this.targetBytes = targetBytes;
    this.maxRows = maxRows;
    Schema.Field idx = schema.getField(options.indexColumn());
    this.unit = IndexUnit.of(idx.schema());
    this.indexPos = idx.pos();
  }

  /** The schema rows must have (the item's schema at the state this stager was made for). */
  public Schema schema() {
    return schema;
  }

  /**
   * Adds one row. Rows must arrive sorted by the item's key.
   *
   * @param row a row in {@link #schema()}
   * @throws StoreIOException when the part cannot be written (staged parts are left for {@link
   *     #discard()})
   */
  public void add(GenericRecord row) {
    long index = (Long) row.get(indexPos);
    try {
      if (current != null && index != last) {
        // rows are the estimate that holds after compression; bytes catch a bad estimate
        boolean full = current.rows() >= maxRows || current.dataSize() >= targetBytes;
        if (full || !bucket.contains(unit.toNanos(index))) {
          closeCurrent();
        }
      }
      if (current == null) {
        bucket = options.bucket().bucketOf(unit.toNanos(index), options.zone());
        Files.createDirectories(staging);
        currentName = "part-" + bucket.label() + "-" + UUID.randomUUID() + ".parquet";
        current =
            PartWriter.open(
                staging.resolve(currentName),
                schema,
                options.codec(),
                pandas,
                options.indexColumn());
        min = index;
      }
      current.write(row);
      last = index;
    } catch (IOException e) {
      throw new StoreIOException("cannot write a new part of '" + label + "'", e);
    }
  }

  private void closeCurrent() throws IOException {
    long rows = current.rows();
    long bytes = current.finish(fsync);
    staged.add(new PartInfo(currentName, rows, bytes, min, last, bucket.label(), 0));
    current = null;
    currentName = null;
  }

  /**
   * Finishes the last part.
   *
   * @return every part written, in order; their {@code seq} is 0 until the caller sets it
   */
  public List<PartInfo> finish() {
    if (!finished) {
      finished = true;
      if (current != null) {
        try {
          closeCurrent();
        } catch (IOException e) {
          throw new StoreIOException("cannot finish a new part of '" + label + "'", e);
        }
      }
      if (!staged.isEmpty()) {
        hook.at(CommitStep.PARTS_STAGED, label);
      }
    }
    return List.copyOf(staged);
  }

  /** Deletes every part this stager wrote; for a change that will not be committed. */
  public void discard() {
    finished = true;
    if (current != null) {
      try {
        current.close();
      } catch (IOException | RuntimeException e) {
        // the file is deleted below anyway
      }
      deleteQuietly(staging.resolve(currentName));
      current = null;
    }
    for (PartInfo p : staged) {
      deleteQuietly(staging.resolve(p.name()));
    }
    staged.clear();
  }

  private static void deleteQuietly(Path f) {
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      // an uncommitted part is invisible; vacuum removes orphans later
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
