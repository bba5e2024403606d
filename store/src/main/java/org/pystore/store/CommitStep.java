package org.pystore.store;

/**
 * The steps of a write, in order; a {@link CommitHook} sees each one just before (or, for {@link
 * #COMMITTED}, just after) it happens. A hook that throws there stands for a failure of that step:
 * the store must then lose nothing that was committed and show nothing that was not.
 */
public enum CommitStep {
  /** New parts are fully written under {@code _staging/}; nothing is committed. */
  PARTS_STAGED,
  /** The log entry is about to be created; nothing is committed. */
  ENTRY_STAGED,
  /** The log entry is in place: the commit is durable. Parts are not yet under final names. */
  COMMITTED,
  /** A part the commit replaced is about to be moved to {@code _removed/}. */
  REMOVED_ASIDE,
  /** New parts are under their final names and replaced parts moved aside. */
  PUBLISHED,
  /** {@code pystore_metadata.json}, a view of the log, is about to be rewritten. */
  METADATA_FILE,
  /** A checkpoint of the log (a cache of its replay) is about to be written. */
  LOG_CHECKPOINT,
  /** A sink checkpoint (the offset a task resumes at) is about to be written. */
  SINK_CHECKPOINT,
  /** Vacuum is about to delete a file. */
  VACUUM_DELETE,
  /** An import is about to move one of PyStore's original files aside. */
  IMPORT_MOVE,
  /**
   * One item's entry of a transaction is in its log, undecided: invisible, and nothing is committed
   * until the decision (after {@link #ENTRY_STAGED} and instead of {@link #COMMITTED}).
   */
  TX_PREPARED,
  /** Every item's entry of a transaction is in place; its decision is about to be created. */
  TX_DECIDED,
  /**
   * A transaction's decision file says committed: all its items changed at once. Their parts are
   * not yet under final names ({@link #PUBLISHED} follows, item by item).
   */
  TX_COMMITTED;

  /** Whether a failure at this step comes after the write's commit is durable. */
  public boolean afterCommit() {
    return (ordinal() >= COMMITTED.ordinal() && ordinal() <= LOG_CHECKPOINT.ordinal())
        || this == TX_COMMITTED;
  }
}
