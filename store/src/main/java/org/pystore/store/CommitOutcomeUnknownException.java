package org.pystore.store;

/**
 * A commit failed at a point where the store cannot tell whether its log entry was created (the
 * storage stopped answering). The new parts are kept, so that the commit is whole if it was made;
 * retrying is safe for writers that record source offsets (the sink), and vacuum removes the parts
 * after the orphan grace period if the commit was not made.
 */
public class CommitOutcomeUnknownException extends StoreIOException {
  private static final long serialVersionUID = 1L;

  public CommitOutcomeUnknownException(String message, Throwable cause) {
    super(cause, message);
  }
}
