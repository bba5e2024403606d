package org.pystore.store;

import java.time.Instant;
import java.util.Map;

/**
 * A summary of an item at one version.
 *
 * @param collection the collection
 * @param item the item
 * @param version the latest version
 * @param rows rows stored over all live parts (before dedupe)
 * @param parts number of live parts
 * @param bytes bytes of live parts
 * @param first smallest index, null when empty
 * @param last largest index, null when empty
 * @param schema the Avro schema (JSON)
 * @param options the item's options
 * @param metadata user metadata
 * @param created time of the first commit
 * @param updated time of the latest commit
 * @param lastCompacted time of the latest compaction, null when never compacted
 * @param duplicatesRemoved rows compactions dropped by the dedupe policy, over the item's history
 */
public record ItemInfo(
    String collection,
    String item,
    long version,
    long rows,
    int parts,
    long bytes,
    Instant first,
    Instant last,
    String schema,
    ItemOptions options,
    Map<String, Object> metadata,
    Instant created,
    Instant updated,
    Instant lastCompacted,
    long duplicatesRemoved) {}
