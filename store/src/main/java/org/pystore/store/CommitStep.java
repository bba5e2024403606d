package org.pystore.store;

/** The steps of a write, in order; a {@link CommitHook} sees each one. */
public enum CommitStep {
  /** New parts are fully written under {@code _staging/}; nothing is committed. */
  PARTS_STAGED,
  /** The log entry is written to a private temporary file; nothing is committed. */
  ENTRY_STAGED,
  /** The log entry is in place: the commit is durable. Parts are not yet under final names. */
  COMMITTED,
  /** New parts are under their final names and replaced parts moved aside. */
  PUBLISHED
}
