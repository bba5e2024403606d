package org.pystore.store;

/** The store that was named does not exist (a mistyped path or prefix, most often). */
public class StoreNotFoundException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  public StoreNotFoundException(String location) {
    super(
        "store "
            + location
            + " does not exist; check --store (or PYSTORE_STORE), or create the store by"
            + " writing an item into it ('pystore write')");
  }
}
