package org.pystore.store;

/** The item does not exist (or has no commit yet). */
public class ItemNotFoundException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  public ItemNotFoundException(String collection, String item) {
    super(message(collection, item));
  }

  /** A missing item with the name of one that differs only in case or Unicode normalization. */
  static ItemNotFoundException near(String collection, String item, String twin) {
    return new ItemNotFoundException(
        "item '"
            + collection
            + "/"
            + item
            + "' does not exist; did you mean '"
            + collection
            + "/"
            + twin
            + "'? (names are case-sensitive)");
  }

  /** An item directory with Parquet files but no commit log: written by PyStore. */
  static ItemNotFoundException pystoreItem(String collection, String item) {
    return new ItemNotFoundException(
        "item '"
            + collection
            + "/"
            + item
            + "' holds PyStore files but has no commit log yet; adopt it with `pystore import "
            + collection
            + "/"
            + item
            + "` (the files stay as they are until the import commits)");
  }

  private ItemNotFoundException(String message) {
    super(message);
  }

  private static String message(String collection, String item) {
    return ("item '"
        + collection
        + "/"
        + item
        + "' does not exist; create it with write (append only adds to an existing item)");
  }
}
