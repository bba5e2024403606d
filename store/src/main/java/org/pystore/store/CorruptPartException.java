package org.pystore.store;

/** A Parquet part that the commit log lists is missing or unreadable. */
public class CorruptPartException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public CorruptPartException(String message, Throwable cause) {
    super(message, cause);
  }
}
