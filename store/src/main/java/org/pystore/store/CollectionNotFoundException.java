package org.pystore.store;

/** The collection does not exist. */
public class CollectionNotFoundException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  public CollectionNotFoundException(String collection) {
    super(
        "collection '"
            + collection
            + "' does not exist; list the existing ones with 'pystore collections'");
  }
}
