package org.pystore.store;

/** An entry of an item's commit log is missing or unreadable. */
public class CorruptLogException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public CorruptLogException(String message, Throwable cause) {
    super(message, cause);
  }
}
