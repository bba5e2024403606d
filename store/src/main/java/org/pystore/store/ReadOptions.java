package org.pystore.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a read returns: a time range (inclusive at both ends, as pandas {@code .loc}), columns,
 * filters, a limit, and the version to pin (latest by default, a version number, or a snapshot).
 *
 * @param from first instant returned, or null
 * @param to last instant returned, or null
 * @param columns columns to return besides the index, or empty for all
 * @param filters row filters, all of which must hold
 * @param version the version to read, or null for the latest
 * @param snapshot the snapshot to read, or null
 * @param limit most rows returned, or -1 for all
 */
public record ReadOptions(
    Instant from,
    Instant to,
    List<String> columns,
    List<Predicate> filters,
    Long version,
    String snapshot,
    long limit) {

  /** Validates. */
  public ReadOptions {
    columns = columns == null ? List.of() : List.copyOf(columns);
    filters = filters == null ? List.of() : List.copyOf(filters);
    if (from != null && to != null && from.isAfter(to)) {
      throw new InvalidDataException(
          "the time range is empty: from " + from + " is after to " + to + "; swap them");
    }
    if (version != null && snapshot != null) {
      throw new InvalidDataException("read either at a version or at a snapshot, not both");
    }
    if (version != null && version < 0) {
      throw new InvalidDataException("version must be 0 or more, was " + version);
    }
    if (limit < -1) {
      throw new InvalidDataException("limit must be 0 or more, was " + limit);
    }
  }

  /** Every row of the latest version. */
  public static ReadOptions all() {
    return new ReadOptions(null, null, List.of(), List.of(), null, null, -1);
  }

  public ReadOptions from(Instant t) {
    return new ReadOptions(t, to, columns, filters, version, snapshot, limit);
  }

  public ReadOptions to(Instant t) {
    return new ReadOptions(from, t, columns, filters, version, snapshot, limit);
  }

  public ReadOptions columns(List<String> names) {
    return new ReadOptions(from, to, names, filters, version, snapshot, limit);
  }

  /** Adds a filter. */
  public ReadOptions where(Predicate p) {
    List<Predicate> more = new ArrayList<>(filters);
    more.add(p);
    return new ReadOptions(from, to, columns, more, version, snapshot, limit);
  }

  public ReadOptions atVersion(long v) {
    return new ReadOptions(from, to, columns, filters, v, snapshot, limit);
  }

  public ReadOptions atSnapshot(String name) {
    return new ReadOptions(from, to, columns, filters, version, name, limit);
  }

  public ReadOptions limit(long n) {
    return new ReadOptions(from, to, columns, filters, version, snapshot, n);
  }
}
