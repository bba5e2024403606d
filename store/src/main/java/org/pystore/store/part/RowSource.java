package org.pystore.store.part;

import java.io.IOException;
import org.apache.avro.generic.GenericRecord;

/** Rows of one part, in file order. */
public interface RowSource extends AutoCloseable {
  /** The next row, or null at the end. */
  GenericRecord next() throws IOException;

  @Override
  void close() throws IOException;
}
