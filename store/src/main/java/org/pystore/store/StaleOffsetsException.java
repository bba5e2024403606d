package org.pystore.store;

import java.util.Map;

/**
 * A guarded append found that the item already holds some of the source offsets it was about to
 * commit (another writer, e.g. a task that owned the partition before a rebalance, committed them
 * first). Nothing was committed; drop the rows the item already holds and append the rest.
 */
public class StaleOffsetsException extends PyStoreException {
  private static final long serialVersionUID = 1L;
  private final transient Map<String, Long> held;

  public StaleOffsetsException(String item, Map<String, Long> held) {
    super(
        "item '"
            + item
            + "' already holds source offsets up to "
            + held
            + "; drop the rows below them and append again");
    this.held = Map.copyOf(held);
  }

  /** The item's offsets when the append was refused: source to next offset not yet held. */
  public Map<String, Long> held() {
    return held;
  }
}
