package org.pystore.store;

/**
 * The outcome of a write.
 *
 * @param version the version the write committed, or the unchanged latest version when it had
 *     nothing to commit
 * @param rows rows written
 * @param parts parts written
 * @param committed false when the write had nothing to commit (an empty append)
 */
public record CommitResult(long version, long rows, int parts, boolean committed) {}
