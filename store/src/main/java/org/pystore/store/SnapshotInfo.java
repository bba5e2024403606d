package org.pystore.store;

import java.time.Instant;
import java.util.Map;

/**
 * A named, collection-wide point in time.
 *
 * @param name the snapshot's name
 * @param created when it was taken
 * @param versions each item's pinned version
 * @param materialized whether a PyStore-readable copy made of hard links exists under {@code
 *     _snapshots/<name>/<item>/}
 */
public record SnapshotInfo(
    String name, Instant created, Map<String, Long> versions, boolean materialized) {}
