package org.pystore.compactor;

import java.time.Duration;

/**
 * How the compactor chooses and does its work. Every field has a documented default; see {@link
 * CompactorConfig} for the property names.
 *
 * @param targetBytes size of the parts compaction writes (a part is closed once it reaches this)
 * @param minParts a run of small, non-overlapping parts in one bucket is merged once it holds at
 *     least this many parts
 * @param smallFraction a part is small when it is below this fraction of {@code targetBytes}
 * @param threads threads that merge one bucket, each over its own slice of the time range
 * @param retention how long vacuum keeps replaced parts for readers of older versions
 * @param orphanGrace how old an uncommitted part must be before vacuum deletes it
 * @param vacuum whether a compaction pass ends with a vacuum of the items it visited
 */
public record CompactionOptions(
    long targetBytes,
    int minParts,
    double smallFraction,
    int threads,
    Duration retention,
    Duration orphanGrace,
    boolean vacuum) {

  /** 128 MiB parts: large enough for fast scans, small enough to prune by row group. */
  public static final long DEFAULT_TARGET_BYTES = 128L * 1024 * 1024;

  public static final int DEFAULT_MIN_PARTS = 4;
  public static final double DEFAULT_SMALL_FRACTION = 0.5;
  public static final int DEFAULT_THREADS = 2;

  /** One day: readers of older versions (long replays, version reads) have a day to finish. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);

  /** One day: no writer takes that long between writing a part and committing it. */
  public static final Duration DEFAULT_ORPHAN_GRACE = Duration.ofDays(1);

  public CompactionOptions {
    if (targetBytes < 1024) {
      throw new IllegalArgumentException(
          "the target part size must be at least 1024 bytes, got " + targetBytes);
    }
    if (minParts < 2) {
      throw new IllegalArgumentException("min parts must be at least 2, got " + minParts);
    }
    if (!(smallFraction > 0 && smallFraction <= 1)) {
      throw new IllegalArgumentException(
          "the small part fraction must be in (0, 1], got " + smallFraction);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (retention.isNegative()) {
      throw new IllegalArgumentException("the retention period must not be negative");
    }
    org.pystore.store.Item.requireOrphanGrace(orphanGrace);
  }

  /** The defaults. */
  public static CompactionOptions defaults() {
    return new CompactionOptions(
        DEFAULT_TARGET_BYTES,
        DEFAULT_MIN_PARTS,
        DEFAULT_SMALL_FRACTION,
        DEFAULT_THREADS,
        DEFAULT_RETENTION,
        DEFAULT_ORPHAN_GRACE,
        true);
  }

  public CompactionOptions withTargetBytes(long bytes) {
    return new CompactionOptions(
        bytes, minParts, smallFraction, threads, retention, orphanGrace, vacuum);
  }

  public CompactionOptions withMinParts(int n) {
    return new CompactionOptions(
        targetBytes, n, smallFraction, threads, retention, orphanGrace, vacuum);
  }

  public CompactionOptions withSmallFraction(double f) {
    return new CompactionOptions(targetBytes, minParts, f, threads, retention, orphanGrace, vacuum);
  }

  public CompactionOptions withThreads(int n) {
    return new CompactionOptions(
        targetBytes, minParts, smallFraction, n, retention, orphanGrace, vacuum);
  }

  public CompactionOptions withRetention(Duration d) {
    return new CompactionOptions(
        targetBytes, minParts, smallFraction, threads, d, orphanGrace, vacuum);
  }

  public CompactionOptions withOrphanGrace(Duration d) {
    return new CompactionOptions(
        targetBytes, minParts, smallFraction, threads, retention, d, vacuum);
  }

  public CompactionOptions withVacuum(boolean on) {
    return new CompactionOptions(
        targetBytes, minParts, smallFraction, threads, retention, orphanGrace, on);
  }

  /** Parts below this size are small. */
  long smallBytes() {
    return (long) (targetBytes * smallFraction);
  }
}
