package org.pystore.store;

/**
 * Process-wide settings of a store handle.
 *
 * @param fsync force parts and log entries to disk before a commit returns (default true); off
 *     trades durability across power loss for speed, never atomicity
 * @param checkpointInterval write a checkpoint of an item's state every this many commits
 * @param hook observer of write steps (tests)
 */
public record StoreOptions(boolean fsync, int checkpointInterval, CommitHook hook) {
  public static final int DEFAULT_CHECKPOINT_INTERVAL = 100;

  /** Validates. */
  public StoreOptions {
    if (checkpointInterval < 1) {
      throw new InvalidDataException(
          "checkpointInterval must be at least 1, was " + checkpointInterval);
    }
    hook = hook == null ? CommitHook.NONE : hook;
  }

  /** Durable defaults. */
  public static StoreOptions defaults() {
    return new StoreOptions(true, DEFAULT_CHECKPOINT_INTERVAL, CommitHook.NONE);
  }

  public StoreOptions withFsync(boolean on) {
    return new StoreOptions(on, checkpointInterval, hook);
  }

  public StoreOptions withHook(CommitHook h) {
    return new StoreOptions(fsync, checkpointInterval, h);
  }

  public StoreOptions withCheckpointInterval(int n) {
    return new StoreOptions(fsync, n, hook);
  }
}
