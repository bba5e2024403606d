package org.pystore.store;

/**
 * Observes the steps of every write. Used by tests to inject crashes between steps; production code
 * leaves it at {@link #NONE}.
 */
@FunctionalInterface
public interface CommitHook {
  /** A hook that does nothing. */
  CommitHook NONE = (step, item) -> {};

  /**
   * Called when a write reaches a step.
   *
   * @param step the step just reached
   * @param item the item, as {@code collection/item}
   */
  void at(CommitStep step, String item);
}
