package org.pystore.store.part;

/**
 * A part file once complete.
 *
 * @param bytes its size
 * @param checksum its CRC-32C as {@code crc32c:xxxxxxxx}, computed while it was written
 */
public record Written(long bytes, String checksum) {}
