package org.pystore.store;

/** Base of every error the store raises. Messages say what happened and what to do about it. */
public class PyStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PyStoreException(String message) {
    super(message);
  }

  public PyStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
