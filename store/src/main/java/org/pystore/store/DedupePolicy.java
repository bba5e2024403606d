package org.pystore.store;

import java.util.Locale;

/**
 * How a read (and compaction) treats rows that share an index.
 *
 * <ul>
 *   <li>{@link #EXACT}: drop a row only when its index and every value equal another row's. Two
 *       ticks at one timestamp with different prices both stay. The default.
 *   <li>{@link #LAST}: one row per key (index plus the item's key columns); the row from the later
 *       commit wins, then the later row within a commit (Kafka offset order).
 *   <li>{@link #FIRST}: like {@code LAST}, but the earliest row wins.
 *   <li>{@link #NONE}: keep every row.
 * </ul>
 */
public enum DedupePolicy {
  EXACT,
  LAST,
  FIRST,
  NONE;

  /**
   * Parses a policy name, case-insensitively.
   *
   * @param name one of exact, last, first, none
   * @return the policy
   * @throws InvalidDataException for any other name
   */
  public static DedupePolicy parse(String name) {
    for (DedupePolicy p : values()) {
      if (p.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return p;
      }
    }
    throw new InvalidDataException(
        "unknown dedupe policy '" + name + "'; use one of exact, last, first, none");
  }

  /** The lower-case name used in files and on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
