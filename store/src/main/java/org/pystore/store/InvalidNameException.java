package org.pystore.store;

/** A collection, item or snapshot name breaks the naming rule (see {@link Names}). */
public class InvalidNameException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public InvalidNameException(String message) {
    super(message);
  }
}
