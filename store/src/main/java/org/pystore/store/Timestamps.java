package org.pystore.store;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * Parses timestamps as users write them: ISO-8601 with up to nine fraction digits and {@code Z} or
 * an offset; without an offset the time is UTC; a bare date means its midnight UTC (a year, a month
 * or an hour its first instant); a space may stand for the {@code T}. As an inclusive upper bound
 * ({@link #parseEnd}) a partial timestamp means the end of the period it names.
 */
public final class Timestamps {
  private static final DateTimeFormatter LOCAL =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .appendLiteral('T')
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .toFormatter();

  private Timestamps() {}

  /**
   * Parses a timestamp.
   *
   * @param text e.g. {@code 2024-01-05T09:30:00.123456789Z}, {@code 2024-01-05 09:30}, {@code
   *     2024-01-05T09:30:00+01:00}, {@code 2024-01-05}
   * @return the instant
   * @throws InvalidDataException when the text is no such timestamp
   */
  public static Instant parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.length() > 10 && t.charAt(10) == ' ') {
      t = t.substring(0, 10) + 'T' + t.substring(11);
    }
    if (t.matches("\\d{4}")) {
      t = t + "-01-01"; // a year or a month stands for its first day, as in pandas
    } else if (t.matches("\\d{4}-\\d{2}")) {
      t = t + "-01";
    } else if (t.matches("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}([Zz]|[+-].*)?")) {
      t = t.substring(0, 13) + ":00" + t.substring(13); // an hour: its first minute
    }
    try {
      if (t.length() == 10) {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      if (t.endsWith("Z") || t.endsWith("z")) {
        return LocalDateTime.parse(t.substring(0, t.length() - 1), LOCAL).toInstant(ZoneOffset.UTC);
      }
      int sign = Math.max(t.lastIndexOf('+'), t.lastIndexOf('-'));
      if (sign > 10) {
        LocalDateTime local = LocalDateTime.parse(t.substring(0, sign), LOCAL);
        ZoneOffset offset = ZoneOffset.of(t.substring(sign));
        return OffsetDateTime.of(local, offset).toInstant();
      }
      return LocalDateTime.parse(t, LOCAL).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      throw new InvalidDataException(
          "cannot parse timestamp '"
              + text
              + "'; use ISO-8601 such as 2024-01-05T09:30:00.123456789Z (no offset means UTC)");
    }
  }

  /**
   * The last instant of the period a timestamp names, for an inclusive upper bound as pandas'
   * {@code .loc} reads it: {@code 2024-01-03} is the whole day, {@code 2024-01} the month, {@code
   * 2024} the year, {@code 2024-01-03T10} the hour, {@code 2024-01-03T10:30} the minute, {@code
   * ...:15} the second; a timestamp with a fraction is that instant.
   *
   * @param text a timestamp, complete or partial, with or without an offset
   * @return the period's last nanosecond
   * @throws InvalidDataException when the text is no such timestamp
   */
  public static Instant parseEnd(String text) {
    String t = text == null ? "" : text.trim();
    if (t.length() > 10 && t.charAt(10) == ' ') {
      t = t.substring(0, 10) + 'T' + t.substring(11);
    }
    String zone = "";
    if (t.endsWith("Z") || t.endsWith("z")) {
      zone = "Z";
      t = t.substring(0, t.length() - 1);
    } else {
      int sign = Math.max(t.lastIndexOf('+'), t.lastIndexOf('-'));
      if (sign > 10) {
        zone = t.substring(sign);
        t = t.substring(0, sign);
      }
    }
    String complete;
    java.time.temporal.TemporalAmount period;
    if (t.matches("\\d{4}")) {
      complete = t + "-01-01T00:00:00";
      period = java.time.Period.ofYears(1);
    } else if (t.matches("\\d{4}-\\d{2}")) {
      complete = t + "-01T00:00:00";
      period = java.time.Period.ofMonths(1);
    } else if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
      complete = t + "T00:00:00";
      period = java.time.Period.ofDays(1);
    } else if (t.matches("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}")) {
      complete = t + ":00:00";
      period = java.time.Duration.ofHours(1);
    } else if (t.matches("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}")) {
      complete = t + ":00";
      period = java.time.Duration.ofMinutes(1);
    } else if (t.matches("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}")) {
      complete = t;
      period = java.time.Duration.ofSeconds(1);
    } else {
      return parse(text); // a fraction, or not a timestamp (parse says why)
    }
    try {
      LocalDateTime start = LocalDateTime.parse(complete, LOCAL);
      LocalDateTime end = start.plus(period).minusNanos(1);
      return zone.isEmpty() || zone.equals("Z")
          ? end.toInstant(ZoneOffset.UTC)
          : OffsetDateTime.of(end, ZoneOffset.of(zone)).toInstant();
    } catch (DateTimeException e) {
      return parse(text); // says why
    }
  }

  /**
   * Converts an epoch number in a unit to an instant.
   *
   * @param text an integer, or a decimal for unit s
   * @param unit s, ms, us or ns
   * @return the instant
   * @throws InvalidDataException when the text is not a number or the unit unknown
   */
  public static Instant parseEpoch(String text, String unit) {
    String t = text == null ? "" : text.trim();
    try {
      switch (unit) {
        case "s":
          java.math.BigDecimal s = new java.math.BigDecimal(t);
          java.math.BigDecimal nanos = s.movePointRight(9);
          long n = nanos.setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
          return Instant.ofEpochSecond(
              Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
        case "ms":
          return Instant.ofEpochMilli(Long.parseLong(t));
        case "us":
          long us = Long.parseLong(t);
          return Instant.ofEpochSecond(
              Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000);
        case "ns":
          long ns = Long.parseLong(t);
          return Instant.ofEpochSecond(
              Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
        default:
          throw new InvalidDataException("unknown epoch unit '" + unit + "'; use s, ms, us or ns");
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new InvalidDataException(
          "cannot read '" + text + "' as an epoch number in " + unit + "; write an integer");
    }
  }
}
