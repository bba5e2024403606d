package org.pystore.store;

import java.util.Map;

/**
 * What a {@link Transaction} committed.
 *
 * @param id the transaction's id (its decision file is {@code <collection>/_tx/<id>.json}), null
 *     when it had nothing to commit
 * @param versions the version it made in each item, by item name
 * @param rows rows written over all items
 * @param parts parts written over all items
 * @param committed false when the transaction held no change
 */
public record TransactionResult(
    String id, Map<String, Long> versions, long rows, int parts, boolean committed) {
  /** Copies the map. */
  public TransactionResult {
    versions = Map.copyOf(versions);
  }
}
