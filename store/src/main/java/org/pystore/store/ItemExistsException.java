package org.pystore.store;

/** A write would replace an existing item but overwrite was not asked for. */
public class ItemExistsException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public ItemExistsException(String collection, String item) {
    super(
        "item '"
            + collection
            + "/"
            + item
            + "' already exists; append adds rows to it, and writing with overwrite (pystore"
            + " write --overwrite) replaces it");
  }
}
