package org.pystore.store.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A file open for positioned reads; safe for one reader thread at a time per position. */
public interface ReadableFile extends AutoCloseable {
  /** The file's length in bytes, as it was when opened. */
  long length();

  /**
   * Fills {@code into} with the bytes from {@code position} on.
   *
   * @param position where to start
   * @param into the buffer to fill up to its limit
   * @throws java.io.EOFException when the file ends first
   */
  void readFully(long position, ByteBuffer into) throws IOException;

  /** Where the file lives, for messages. */
  String describe();

  @Override
  void close() throws IOException;
}
