package org.pystore.store;

import java.util.List;

/**
 * What a vacuum of one item did (or, in a dry run, would do).
 *
 * @param item the item, as {@code collection/item}
 * @param removedDeleted replaced parts deleted from {@code _removed/}
 * @param orphansDeleted parts written but never committed, deleted from {@code _staging/}
 * @param bytesFreed bytes of the deleted files
 * @param published committed parts a crashed writer left in {@code _staging/}, moved into place
 * @param retired replaced parts a crashed writer left visible, moved to {@code _removed/}
 * @param keptForSnapshots replaced parts kept because a snapshot without its own copy needs them
 * @param keptForRetention replaced parts kept because they were replaced less than the retention
 *     period ago (readers of older versions may still open them)
 * @param foreign Parquet files in the item directory the commit log does not know (written by
 *     another tool); left untouched and reported
 */
public record VacuumReport(
    String item,
    int removedDeleted,
    int orphansDeleted,
    long bytesFreed,
    int published,
    int retired,
    int keptForSnapshots,
    int keptForRetention,
    List<String> foreign) {

  public VacuumReport {
    foreign = List.copyOf(foreign);
  }

  /** Files deleted. */
  public int deleted() {
    return removedDeleted + orphansDeleted;
  }
}
