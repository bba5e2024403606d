package org.pystore.store.storage;

/**
 * A file as a listing shows it.
 *
 * @param name its name within its directory
 * @param size its length in bytes
 * @param modifiedMillis its modification time (epoch milliseconds)
 */
public record FileInfo(String name, long size, long modifiedMillis) {}
