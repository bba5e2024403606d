package org.pystore.store;

/** A collection, item, snapshot or version that was asked for does not exist. */
public class NotFoundException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }
}
