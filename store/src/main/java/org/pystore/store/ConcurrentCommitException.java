package org.pystore.store;

/**
 * A commit lost a race it cannot retry: a part it replaces was already removed, or it kept losing
 * to other writers.
 */
public class ConcurrentCommitException extends PyStoreException {
  private static final long serialVersionUID = 1L;

  public ConcurrentCommitException(String message) {
    super(message);
  }
}
