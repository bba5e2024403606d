package org.pystore.store;

/** Rows whose schema cannot be unified with the item's schema. */
public class IncompatibleSchemaException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public IncompatibleSchemaException(String message) {
    super(message);
  }
}
