package org.pystore.store;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** The time bucket every part lies inside: one day (default), hour, month, or no bucketing. */
public enum Bucketing {
  DAY(DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT)),
  HOUR(DateTimeFormatter.ofPattern("yyyyMMddHH", Locale.ROOT)),
  MONTH(DateTimeFormatter.ofPattern("yyyyMM", Locale.ROOT)),
  NONE(null);

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private final DateTimeFormatter label;

  Bucketing(DateTimeFormatter label) {
    this.label = label;
  }

  /**
   * Parses a bucketing name, case-insensitively.
   *
   * @param name one of day, hour, month, none
   * @return the bucketing
   * @throws InvalidDataException for any other name
   */
  public static Bucketing parse(String name) {
    for (Bucketing b : values()) {
      if (b.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return b;
      }
    }
    throw new InvalidDataException(
        "unknown bucket '" + name + "'; use one of day, hour, month, none");
  }

  /** The lower-case name used in files and on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The bucket holding an instant.
   *
   * @param epochNanos the instant, in nanoseconds since the epoch (UTC)
   * @param zone the zone whose calendar cuts the buckets
   * @return the bucket, with its label and half-open bounds in epoch nanoseconds
   */
  public Bucket bucketOf(long epochNanos, ZoneId zone) {
    if (this == NONE) {
      return new Bucket("all", Long.MIN_VALUE, Long.MAX_VALUE);
    }
    Instant instant = Instant.ofEpochSecond(Math.floorDiv(epochNanos, NANOS_PER_SECOND));
    ZonedDateTime t = instant.atZone(zone);
    ZonedDateTime start;
    ZonedDateTime end;
    switch (this) {
      case HOUR:
        start = t.truncatedTo(ChronoUnit.HOURS);
        end = start.plusHours(1);
        break;
      case MONTH:
        LocalDate first = t.toLocalDate().withDayOfMonth(1);
        start = first.atStartOfDay(zone);
        end = first.plusMonths(1).atStartOfDay(zone);
        break;
      default:
        start = t.toLocalDate().atStartOfDay(zone);
        end = t.toLocalDate().plusDays(1).atStartOfDay(zone);
        break;
    }
    return new Bucket(label.format(start), toNanos(start), toNanos(end));
  }

  private static long toNanos(ZonedDateTime t) {
    Instant i = t.toInstant();
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), NANOS_PER_SECOND), i.getNano());
  }

  /**
   * One time bucket.
   *
   * @param label the bucket's name in part file names (e.g. 20240105)
   * @param startNanos first instant inside, epoch nanoseconds
   * @param endNanos first instant after, epoch nanoseconds
   */
  public record Bucket(String label, long startNanos, long endNanos) {
    /** Whether an instant (epoch nanoseconds) lies inside. */
    public boolean contains(long epochNanos) {
      return epochNanos >= startNanos && epochNanos < endNanos;
    }
  }
}
