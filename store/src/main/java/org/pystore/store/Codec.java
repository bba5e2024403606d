package org.pystore.store;

import java.util.Locale;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** Compression of the Parquet parts. Snappy by default; zstd packs tighter. */
public enum Codec {
  SNAPPY(CompressionCodecName.SNAPPY),
  ZSTD(CompressionCodecName.ZSTD),
  GZIP(CompressionCodecName.GZIP),
  UNCOMPRESSED(CompressionCodecName.UNCOMPRESSED);

  private final CompressionCodecName parquet;

  Codec(CompressionCodecName parquet) {
    this.parquet = parquet;
  }

  /**
   * Parses a codec name, case-insensitively.
   *
   * @param name one of snappy, zstd, gzip, uncompressed
   * @return the codec
   * @throws InvalidDataException for any other name
   */
  public static Codec parse(String name) {
    for (Codec c : values()) {
      if (c.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return c;
      }
    }
    throw new InvalidDataException(
        "unknown codec '" + name + "'; use one of snappy, zstd, gzip, uncompressed");
  }

  /** The lower-case name used in files and on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The Parquet codec. */
  public CompressionCodecName parquetCodec() {
    return parquet;
  }
}
