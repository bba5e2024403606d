package org.pystore.store.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a store keeps its files: the one seam between the store and a backend (a local directory,
 * S3 or an S3-compatible service). Files are named by keys relative to the store's root, with
 * {@code /} between names ({@code ticks/AAPL/_log/00000000000000000007.json}); a "directory" is a
 * key prefix and exists while a file lies under it.
 *
 * <p>The store's only synchronisation primitive is {@link #createIfAbsent}: of several processes
 * racing to create one key exactly one wins, and readers see the file absent or complete. A backend
 * that cannot do that atomically must refuse to open, never fall back.
 *
 * <p>Methods throw {@link java.nio.file.NoSuchFileException} where a file that must exist does not,
 * {@link StorageTransientException} for a failure worth retrying (a timeout, throttling) and other
 * {@link IOException}s for the rest. Implementations are thread-safe.
 */
public interface Storage extends AutoCloseable {

  /**
   * Where a key lives, for messages and for other tools: a path, or an {@code s3://} URI.
   *
   * @param key a key ("" for the root)
   * @return the location
   */
  String describe(String key);

  /**
   * Opens a file for positioned reads. The open file keeps reading the same content even when a
   * writer moves or deletes it meanwhile, as far as the backend allows (a local file does; an
   * object read by ranges fails with {@link java.nio.file.NoSuchFileException} once deleted).
   *
   * @param key the file
   * @return the open file
   * @throws java.nio.file.NoSuchFileException when absent
   */
  ReadableFile open(String key) throws IOException;

  /**
   * Starts a new file. It may be partly visible while written on a local disk, so callers write
   * only under private ({@code _}-prefixed) names and publish with {@link #move}; on object storage
   * it appears only once {@link NewFile#finish} returns.
   *
   * @param key the file; replaced if it exists
   * @return the file to write
   */
  NewFile create(String key) throws IOException;

  /**
   * Creates a file with the given content only if no file has that key, atomically.
   *
   * @param key the file
   * @param data its content
   * @return true when this call created it, false when it existed
   * @throws IOException when the outcome is not known to be either (the caller must look)
   */
  boolean createIfAbsent(String key, byte[] data) throws IOException;

  /**
   * Writes a file whole, replacing any earlier content atomically: readers see the old content or
   * the new, never a mix.
   *
   * @param key the file
   * @param data its content
   */
  void replace(String key, byte[] data) throws IOException;

  /**
   * Reads a whole (small) file.
   *
   * @param key the file
   * @return its content
   * @throws java.nio.file.NoSuchFileException when absent
   */
  byte[] read(String key) throws IOException;

  /**
   * What is known of a file.
   *
   * @param key the file
   * @return its size and modification time, or empty when absent
   */
  Optional<FileInfo> stat(String key) throws IOException;

  /**
   * Whether a file exists.
   *
   * @param key the file
   * @return true when it exists
   */
  default boolean exists(String key) throws IOException {
    return stat(key).isPresent();
  }

  /**
   * The files directly under a directory, in name order.
   *
   * @param dir the directory's key ("" for the root)
   * @return its files (not its subdirectories); empty when the directory does not exist
   */
  default List<FileInfo> list(String dir) throws IOException {
    return list(dir, null);
  }

  /**
   * The files directly under a directory whose names sort after {@code startAfter}, in name order:
   * a listing whose cost does not grow with what comes before.
   *
   * @param dir the directory's key
   * @param startAfter a file name, or null for all
   * @return the files
   */
  List<FileInfo> list(String dir, String startAfter) throws IOException;

  /**
   * The subdirectories directly under a directory, in name order.
   *
   * @param dir the directory's key ("" for the root)
   * @return their names; empty when the directory does not exist
   */
  List<String> directories(String dir) throws IOException;

  /**
   * Whether a directory exists (holds a file, at any depth).
   *
   * @param dir the directory's key
   * @return true when it exists
   */
  boolean isDirectory(String dir) throws IOException;

  /**
   * Deletes a file; a file already gone is fine.
   *
   * @param key the file
   */
  void delete(String key) throws IOException;

  /**
   * Moves a file, replacing the target: atomically on a local disk; as a server-side copy followed
   * by a delete on object storage, where the file is briefly under both names.
   *
   * @param from the file
   * @param to its new key
   * @return false when {@code from} did not exist (another writer moved it)
   */
  boolean move(String from, String to) throws IOException;

  /**
   * Renames a directory with everything under it in one atomic step, where the backend can (a local
   * file system); object storage cannot, and callers then do without.
   *
   * @param from the directory
   * @param to its new key; must not exist
   * @return false when this backend cannot rename directories (nothing was done)
   * @throws java.nio.file.NoSuchFileException when {@code from} does not exist
   */
  boolean moveDirectory(String from, String to) throws IOException;

  /**
   * Makes a second name for a file without copying it, where the backend can (hard links).
   *
   * @param existing the file
   * @param link the new key; must not exist
   * @return false when this backend has no links (nothing was done)
   */
  boolean link(String existing, String link) throws IOException;

  /**
   * Sets a file's modification time to now (vacuum counts retention from it); on object storage,
   * where a move already rewrites the time, this does nothing.
   *
   * @param key the file; a missing file is fine
   */
  void touch(String key) throws IOException;

  /**
   * Deletes a directory and everything under it; files that vanish meanwhile are fine.
   *
   * @param dir the directory's key
   */
  void deleteTree(String dir) throws IOException;

  /**
   * Makes the entries of a directory durable before anything names them (fsync of a directory on a
   * local disk; nothing to do on object storage).
   *
   * @param dir the directory's key
   */
  void sync(String dir);

  /**
   * The local path of a key, for backends on a local file system.
   *
   * @param key a key
   * @return the path, or empty when the store is not on a local disk
   */
  Optional<Path> localPath(String key);

  /** Releases connections; the default does nothing. */
  @Override
  default void close() {}

  /**
   * Joins keys with {@code /}, skipping empty ones.
   *
   * @param parts keys or names
   * @return the joined key
   */
  static String join(String... parts) {
    StringBuilder sb = new StringBuilder();
    for (String p : parts) {
      if (p == null || p.isEmpty()) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(p);
    }
    return sb.toString();
  }

  /**
   * The last name of a key.
   *
   * @param key a key
   * @return what follows its last {@code /}
   */
  static String name(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }
}
