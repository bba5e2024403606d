package org.pystore.store.log;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One immutable Parquet part as the commit log records it.
 *
 * @param name file name inside the item directory (ends in {@code .parquet})
 * @param rows number of rows
 * @param bytes file size
 * @param minIndex smallest index value, in the item's index unit
 * @param maxIndex largest index value, in the item's index unit
 * @param bucket label of the time bucket the part lies inside
 * @param seq data age: the version that first committed the part's rows (for a merged part, the
 *     newest of its inputs). Orders equal keys for the {@code last}/{@code first} policies.
 * @param duplicates rows of this part alone that the item's dedupe policy drops (one write that
 *     held the same row twice); compaction rewrites such a part even when it overlaps no other
 * @param checksum the file's checksum as {@code crc32c:<8 hex digits>}, checked by {@code pystore
 *     verify} and before compaction reads the part; null in entries written before it was recorded
 *     (those parts are checked by size only)
 */
public record PartInfo(
    String name,
    long rows,
    long bytes,
    long minIndex,
    long maxIndex,
    String bucket,
    long seq,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long duplicates,
    @JsonInclude(JsonInclude.Include.NON_NULL) String checksum) {

  /** A part without a recorded checksum. */
  public PartInfo(
      String name,
      long rows,
      long bytes,
      long minIndex,
      long maxIndex,
      String bucket,
      long seq,
      long duplicates) {
    this(name, rows, bytes, minIndex, maxIndex, bucket, seq, duplicates, null);
  }

  /** A part without duplicates of its own. */
  public PartInfo(
      String name, long rows, long bytes, long minIndex, long maxIndex, String bucket, long seq) {
    this(name, rows, bytes, minIndex, maxIndex, bucket, seq, 0);
  }

  /** Whether the part can hold index values in {@code [from, to]}. */
  public boolean overlaps(long from, long to) {
    return maxIndex >= from && minIndex <= to;
  }

  /** The same part with another data age. */
  public PartInfo withSeq(long newSeq) {
    return new PartInfo(
        name, rows, bytes, minIndex, maxIndex, bucket, newSeq, duplicates, checksum);
  }

  /** The same part with its file's checksum. */
  public PartInfo withChecksum(String sum) {
    return new PartInfo(name, rows, bytes, minIndex, maxIndex, bucket, seq, duplicates, sum);
  }
}
