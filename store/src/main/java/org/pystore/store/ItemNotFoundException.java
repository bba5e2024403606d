package org.pystore.store;

/** The item does not exist (or has no commit yet). */
public class ItemNotFoundException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  public ItemNotFoundException(String collection, String item) {
    super(
        "item '"
            + collection
            + "/"
            + item
            + "' does not exist; create it with write (append only adds to an existing item)");
  }
}
