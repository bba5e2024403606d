package org.pystore.store.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A file being written: bytes go in order, {@link #finish} makes it whole (durable on a local disk
 * when the store fsyncs, uploaded on object storage); {@link #close} without {@code finish}
 * abandons it and removes what was written.
 */
public abstract class NewFile extends OutputStream {
  /** Bytes written so far. */
  public abstract long position();

  /**
   * Completes the file.
   *
   * @return its length in bytes
   */
  public abstract long finish() throws IOException;

  /** Where the file will live, for messages. */
  public abstract String describe();
}
