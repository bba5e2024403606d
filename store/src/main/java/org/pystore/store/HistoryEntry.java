package org.pystore.store;

import java.time.Instant;

/**
 * One version of an item, as {@code history} shows it.
 *
 * @param version the version
 * @param operation create, overwrite, append, metadata, compact
 * @param time commit time
 * @param rowsAdded rows in parts added
 * @param rowsRemoved rows in parts removed
 * @param partsAdded parts added
 * @param partsRemoved parts removed
 * @param writer process that committed
 * @param readable whether the version can still be read (false once vacuum deleted parts it needs)
 */
public record HistoryEntry(
    long version,
    String operation,
    Instant time,
    long rowsAdded,
    long rowsRemoved,
    int partsAdded,
    int partsRemoved,
    String writer,
    boolean readable) {}
