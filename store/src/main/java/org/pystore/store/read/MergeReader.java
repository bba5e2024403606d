package org.pystore.store.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.DedupePolicy;
import org.pystore.store.RowReader;
import org.pystore.store.log.PartInfo;
import org.pystore.store.part.RowSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merge on read: a k-way merge of sorted parts ordered by (index, key columns, data age, row
 * position), then the dedupe policy, then row filters, projection and limit, all streaming. A part
 * is opened only when the merge reaches its first index, so memory is bounded by the parts that
 * overlap, not by the item's size.
 */
public final class MergeReader implements RowReader {
  private static final Logger LOG = LoggerFactory.getLogger(MergeReader.class);

  /** Opens one part for this read. */
  @FunctionalInterface
  public interface PartOpener {
    /**
     * @param part the part to open
     * @return its reader
     */
    RowSource open(PartInfo part);
  }

  /**
   * What to read.
   *
   * @param version the pinned item version
   * @param parts the parts to merge
   * @param readSchema schema parts are read in (every column the read needs)
   * @param outSchema schema of returned rows (a projection of readSchema)
   * @param indexColumn the index column
   * @param keyColumns the key columns
   * @param policy the dedupe policy
   * @param from smallest index returned (inclusive, raw unit)
   * @param to largest index returned (inclusive, raw unit)
   * @param filters row filters applied after dedupe
   * @param limit most rows returned, or a negative number for all
   */
  public record Spec(
      long version,
      List<PartInfo> parts,
      Schema readSchema,
      Schema outSchema,
      String indexColumn,
      List<String> keyColumns,
      DedupePolicy policy,
      long from,
      long to,
      List<BoundPredicate> filters,
      long limit) {}

  private final Spec spec;
  private final PartOpener opener;
  private final List<PartInfo> pending;
  private int nextPart;
  private final PriorityQueue<Cursor> heap;
  private final Comparator<Cursor> order;
  private final int indexPos;
  private final int[] keyPos;
  private final Schema[] keySchemas;
  private final int[] outPos;
  private Cursor active;
  private Lookahead lookahead;

  /** The next part to merge, opened early so it decodes while the current one is consumed. */
  private record Lookahead(PartInfo part, RowSource source) {}

  private final List<Cursor> open = new ArrayList<>();

  private final Set<GenericRecord> sameIndex = new HashSet<>();
  private long sameIndexValue;
  private GenericRecord groupFirst;
  private GenericRecord held;
  private GenericRecord lastEmittedKeyRow;
  private GenericRecord nextRow;
  private long returned;
  private long dropped;
  private boolean closed;

  /**
   * Starts a read. Parts are opened lazily.
   *
   * @param spec what to read
   * @param opener how to open a part
   */
  @Override
  public String indexColumn() {
    return spec.indexColumn();
  }

  public MergeReader(Spec spec, PartOpener opener) {
    this.spec = spec;
    this.opener = opener;
    this.pending = new ArrayList<>(spec.parts());
    this.pending.sort(Comparator.comparingLong(PartInfo::minIndex));
    Schema rs = spec.readSchema();
    this.indexPos = rs.getField(spec.indexColumn()).pos();
    this.keyPos = new int[spec.keyColumns().size()];
    this.keySchemas = new Schema[keyPos.length];
    for (int i = 0; i < keyPos.length; i++) {
      Schema.Field f = rs.getField(spec.keyColumns().get(i));
      keyPos[i] = f.pos();
      keySchemas[i] = f.schema();
    }
    this.order =
        Comparator.<Cursor>comparingLong(c -> c.index)
            .thenComparing(this::compareKeys)
            .thenComparingLong(c -> c.seq)
            .thenComparingLong(c -> c.position);
    this.heap = new PriorityQueue<>(Math.max(1, pending.size()), order);
    if (spec.outSchema().equals(rs)) {
      this.outPos = null;
    } else {
      List<Schema.Field> out = spec.outSchema().getFields();
      this.outPos = new int[out.size()];
      for (int i = 0; i < outPos.length; i++) {
        outPos[i] = rs.getField(out.get(i).name()).pos();
      }
    }
  }

  @Override
  public Schema schema() {
    return spec.outSchema();
  }

  @Override
  public long version() {
    return spec.version();
  }

  @Override
  public long duplicatesDropped() {
    return dropped;
  }

  @Override
  public boolean hasNext() {
    if (nextRow == null && !closed) {
      nextRow = advance();
      if (nextRow == null) {
        close();
      }
    }
    return nextRow != null;
  }

  @Override
  public GenericRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more rows");
    }
    GenericRecord r = nextRow;
    nextRow = null;
    return r;
  }

  private GenericRecord advance() {
    if (spec.limit() >= 0 && returned >= spec.limit()) {
      return null;
    }
    while (true) {
      GenericRecord r = deduped();
      if (r == null) {
        return null;
      }
      if (passes(r)) {
        returned++;
        return project(r);
      }
    }
  }

  private boolean passes(GenericRecord r) {
    long idx = (Long) r.get(indexPos);
    if (idx < spec.from() || idx > spec.to()) {
      return false;
    }
    for (BoundPredicate p : spec.filters()) {
      if (!p.test(r)) {
        return false;
      }
    }
    return true;
  }

  private GenericRecord project(GenericRecord r) {
    if (outPos == null) {
      return r;
    }
    GenericData.Record out = new GenericData.Record(spec.outSchema());
    for (int i = 0; i < outPos.length; i++) {
      out.put(i, r.get(outPos[i]));
    }
    return out;
  }

  private GenericRecord deduped() {
    switch (spec.policy()) {
      case NONE:
        return merged();
      case EXACT:
        while (true) {
          GenericRecord r = merged();
          if (r == null) {
            return null;
          }
          long idx = (Long) r.get(indexPos);
          if (groupFirst == null || idx != sameIndexValue) {
            // a new index: most rows are alone at their index, so hash only when one is not
            groupFirst = r;
            sameIndexValue = idx;
            sameIndex.clear();
            return r;
          }
          if (sameIndex.isEmpty()) {
            sameIndex.add(groupFirst);
          }
          if (sameIndex.add(r)) {
            return r;
          }
          dropped++;
        }
      case FIRST:
        while (true) {
          GenericRecord r = merged();
          if (r == null) {
            return null;
          }
          if (lastEmittedKeyRow != null && sameKey(lastEmittedKeyRow, r)) {
            dropped++;
            continue;
          }
          lastEmittedKeyRow = r;
          return r;
        }
      default: // LAST
        while (true) {
          GenericRecord r = merged();
          if (r == null) {
            GenericRecord last = held;
            held = null;
            return last;
          }
          if (held == null) {
            held = r;
            continue;
          }
          if (sameKey(held, r)) {
            held = r;
            dropped++;
            continue;
          }
          GenericRecord out = held;
          held = r;
          return out;
        }
    }
  }

  private boolean sameKey(GenericRecord a, GenericRecord b) {
    if (!a.get(indexPos).equals(b.get(indexPos))) {
      return false;
    }
    for (int i = 0; i < keyPos.length; i++) {
      if (GenericData.get().compare(a.get(keyPos[i]), b.get(keyPos[i]), keySchemas[i]) != 0) {
        return false;
      }
    }
    return true;
  }

  private int compareKeys(Cursor a, Cursor b) {
    for (int i = 0; i < keyPos.length; i++) {
      int c = GenericData.get().compare(a.row.get(keyPos[i]), b.row.get(keyPos[i]), keySchemas[i]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** The next row of the k-way merge, or null when all parts are done. */
  private GenericRecord merged() {
    if (active == null) {
      while (nextPart < pending.size()
          && (heap.isEmpty() || pending.get(nextPart).minIndex() <= heap.peek().index)) {
        openPart(pending.get(nextPart++));
      }
      active = heap.poll();
      if (active == null) {
        return null;
      }
      if (lookahead == null && nextPart < pending.size()) {
        PartInfo next = pending.get(nextPart);
        lookahead = new Lookahead(next, opener.open(next));
      }
    }
    GenericRecord r = active.row;
    if (!active.advance()) {
      active.close();
      active = null;
    } else if ((!heap.isEmpty() && order.compare(heap.peek(), active) < 0)
        || (nextPart < pending.size() && pending.get(nextPart).minIndex() <= active.index)) {
      heap.add(active);
      active = null;
    }
    return r;
  }

  private void openPart(PartInfo part) {
    RowSource reader =
        lookahead != null && lookahead.part == part ? lookahead.source : opener.open(part);
    lookahead = null;
    Cursor c = new Cursor(part, reader);
    open.add(c);
    if (c.advance()) {
      heap.add(c);
    } else {
      c.close();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Cursor c : open) {
      c.close();
    }
    if (lookahead != null) {
      try {
        lookahead.source().close();
      } catch (IOException e) {
        LOG.warn("could not close part {}", lookahead.part().name(), e);
      }
      lookahead = null;
    }
    open.clear();
    heap.clear();
    active = null;
  }

  /** One open part and its current row. */
  private final class Cursor {
    private final PartInfo part;
    private final RowSource reader;
    private final long seq;
    private GenericRecord row;
    private long index;
    private long position = -1;
    private boolean done;

    Cursor(PartInfo part, RowSource reader) {
      this.part = part;
      this.reader = reader;
      this.seq = part.seq();
    }

    boolean advance() {
      try {
        row = reader.next();
      } catch (IOException | RuntimeException e) {
        close();
        throw new org.pystore.store.CorruptPartException(
            "part "
                + part.name()
                + " is unreadable after row "
                + position
                + " ("
                + e.getMessage()
                + "); restore it from a backup or a snapshot; the file was left untouched",
            e);
      }
      if (row == null) {
        return false;
      }
      index = (Long) row.get(indexPos);
      position++;
      return true;
    }

    void close() {
      if (done) {
        return;
      }
      done = true;
      try {
        reader.close();
      } catch (IOException e) {
        // nothing was written through this reader, so nothing can be lost by a failed close
        LOG.warn("could not close part {}", part.name(), e);
      }
    }
  }
}
