package org.pystore.store;

import java.util.Iterator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Rows of one read, in index order and deduplicated by the item's policy. Holds open files: close
 * it. Not thread-safe.
 */
public interface RowReader extends Iterator<GenericRecord>, AutoCloseable {
  /** The schema of the rows returned (the item's unified schema, projected). */
  Schema schema();

  /** The item's index column (at the version read), always among the rows' fields. */
  String indexColumn();

  /** The item version this read is pinned to. */
  long version();

  /** Rows the dedupe policy dropped so far. */
  long duplicatesDropped();

  /** Closes every open part. Never fails for I/O reasons that lose data. */
  @Override
  void close();
}
