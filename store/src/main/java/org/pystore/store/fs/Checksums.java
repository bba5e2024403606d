package org.pystore.store.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.CRC32C;

/** The checksum the commit log records for each part: CRC32C of the whole file. */
public final class Checksums {
  /** The prefix naming the algorithm in a recorded checksum. */
  public static final String CRC32C_PREFIX = "crc32c:";

  private Checksums() {}

  /**
   * The checksum of a file.
   *
   * @param file the file
   * @return {@code crc32c:} and eight lowercase hex digits
   * @throws IOException when the file cannot be read
   */
  public static String of(org.pystore.store.storage.ReadableFile file) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long pos = 0;
    long length = file.length();
    while (pos < length) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), length - pos));
      file.readFully(pos, buf);
      buf.flip();
      pos += buf.remaining();
      crc.update(buf);
    }
    return CRC32C_PREFIX + String.format(Locale.ROOT, "%08x", crc.getValue());
  }
}
