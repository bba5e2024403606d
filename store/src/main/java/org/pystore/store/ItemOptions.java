package org.pystore.store;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;

/**
 * How an item is laid out and read: its index column, key columns, dedupe policy, time bucket and
 * zone, and the codec of its parts. Fixed when the item is created (or overwritten).
 *
 * @param indexColumn the timestamp column that orders the rows; null means the first timestamp
 *     column of the schema
 * @param keyColumns columns that, with the index, form the row key (PyStore's MultiIndex); used for
 *     sorting and by the {@code last}/{@code first} dedupe policies
 * @param dedupe the dedupe policy applied on read and by compaction
 * @param bucket the time bucket each part lies inside
 * @param timezone the zone whose calendar cuts the buckets (an IANA id, default UTC)
 * @param codec the compression of new parts
 */
public record ItemOptions(
    String indexColumn,
    List<String> keyColumns,
    DedupePolicy dedupe,
    Bucketing bucket,
    String timezone,
    Codec codec) {

  /** Fills defaults and validates. */
  public ItemOptions {
    keyColumns = keyColumns == null ? List.of() : List.copyOf(keyColumns);
    dedupe = dedupe == null ? DedupePolicy.EXACT : dedupe;
    bucket = bucket == null ? Bucketing.DAY : bucket;
    timezone = timezone == null || timezone.isBlank() ? "UTC" : timezone;
    codec = codec == null ? Codec.SNAPPY : codec;
    try {
      ZoneId.of(timezone);
    } catch (DateTimeException e) {
      throw new InvalidDataException(
          "unknown time zone '" + timezone + "'; use an IANA id such as UTC or America/New_York");
    }
  }

  /** The defaults: first timestamp column as index, exact dedupe, day buckets in UTC, snappy. */
  public static ItemOptions defaults() {
    return new ItemOptions(null, List.of(), null, null, null, null);
  }

  public ItemOptions withIndexColumn(String column) {
    return new ItemOptions(column, keyColumns, dedupe, bucket, timezone, codec);
  }

  public ItemOptions withKeyColumns(List<String> columns) {
    return new ItemOptions(indexColumn, columns, dedupe, bucket, timezone, codec);
  }

  public ItemOptions withDedupe(DedupePolicy policy) {
    return new ItemOptions(indexColumn, keyColumns, policy, bucket, timezone, codec);
  }

  public ItemOptions withBucket(Bucketing bucketing) {
    return new ItemOptions(indexColumn, keyColumns, dedupe, bucketing, timezone, codec);
  }

  public ItemOptions withTimezone(String zone) {
    return new ItemOptions(indexColumn, keyColumns, dedupe, bucket, zone, codec);
  }

  public ItemOptions withCodec(Codec compression) {
    return new ItemOptions(indexColumn, keyColumns, dedupe, bucket, timezone, compression);
  }

  /** The bucket zone. */
  @JsonIgnore
  public ZoneId zone() {
    return ZoneId.of(timezone);
  }
}
