package org.pystore.store;

/** Rows or arguments that cannot be stored as given (no index value, wrong type, bad option). */
public class InvalidDataException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public InvalidDataException(String message) {
    super(message);
  }

  public InvalidDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
