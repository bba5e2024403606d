package org.pystore.cli;

import java.util.List;
import org.pystore.store.Bucketing;
import org.pystore.store.Codec;
import org.pystore.store.DedupePolicy;
import org.pystore.store.ItemOptions;
import picocli.CommandLine.Option;

/** The options of items a command creates: dedupe, buckets, time zone and compression. */
final class LayoutOptions {
  @Option(
      names = "--dedupe",
      paramLabel = "exact|last|first|none",
      description = "Dedupe policy (default: exact).")
  DedupePolicy dedupe = DedupePolicy.EXACT;

  @Option(
      names = "--bucket",
      paramLabel = "day|hour|month|none",
      description = "Time bucket of parts (default: day).")
  Bucketing bucket = Bucketing.DAY;

  @Option(
      names = "--timezone",
      paramLabel = "ZONE",
      description = "Zone whose calendar cuts buckets (default: UTC).")
  String timezone = "UTC";

  @Option(
      names = "--codec",
      paramLabel = "snappy|zstd|gzip|uncompressed",
      description = "Part compression (default: snappy).")
  Codec codec = Codec.SNAPPY;

  /** The item options, with an index column (null: the first timestamp column) and keys. */
  ItemOptions options(String index, List<String> keys) {
    return new ItemOptions(index, keys, dedupe, bucket, timezone, codec);
  }
}
