package org.pystore.store;

import java.util.Map;
import org.pystore.store.log.ItemState;

/**
 * The file {@code _snapshots/<name>/_snapshot.json}: each item's full state at the snapshot, so a
 * snapshot reads the same even after its items were overwritten or deleted.
 *
 * @param format file format version
 * @param name the snapshot's name
 * @param created creation time, epoch ms
 * @param materialized whether item directories of hard links exist beside this file
 * @param items each item's state
 */
record SnapshotFile(
    int format,
    String name,
    long created,
    boolean materialized,
    Map<String, ItemState.Checkpoint> items) {
  static final String FILE = "_snapshot.json";
}
