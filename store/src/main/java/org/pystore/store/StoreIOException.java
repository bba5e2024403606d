package org.pystore.store;

import java.io.IOException;

/** The file system refused an operation (permissions, disk full, I/O error). */
public class StoreIOException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public StoreIOException(String what, IOException cause) {
    super(what + ": " + cause + "; check the store directory's permissions and free space", cause);
  }

  /**
   * A failure whose message already says what happened and what to do.
   *
   * @param message the whole message
   */
  public StoreIOException(String message) {
    super(message);
  }

  /** For subclasses: the whole message, and the failure behind it. */
  protected StoreIOException(Throwable cause, String message) {
    super(message, cause);
  }
}
