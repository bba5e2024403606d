package org.pystore.store;

import java.time.Instant;
import java.util.Locale;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/** The precision of an item's index column, from its Avro logical type. */
public enum IndexUnit {
  MILLIS("timestamp-millis", 1_000_000L),
  MICROS("timestamp-micros", 1_000L),
  NANOS("timestamp-nanos", 1L);

  private final String logicalType;
  private final long nanosPerUnit;

  IndexUnit(String logicalType, long nanosPerUnit) {
    this.logicalType = logicalType;
    this.nanosPerUnit = nanosPerUnit;
  }

  /**
   * The unit of a timestamp schema.
   *
   * @param schema a long schema with a timestamp logical type
   * @return the unit, or null when the schema is not a UTC timestamp
   */
  public static IndexUnit of(Schema schema) {
    if (schema.getType() != Schema.Type.LONG) {
      return null;
    }
    LogicalType lt = schema.getLogicalType();
    if (lt == null) {
      return null;
    }
    for (IndexUnit u : values()) {
      if (u.logicalType.equals(lt.getName())) {
        return u;
      }
    }
    return null;
  }

  /** A fresh long schema carrying this unit's logical type. */
  public Schema schema() {
    Schema s = Schema.create(Schema.Type.LONG);
    switch (this) {
      case MILLIS:
        return LogicalTypes.timestampMillis().addToSchema(s);
      case MICROS:
        return LogicalTypes.timestampMicros().addToSchema(s);
      default:
        return LogicalTypes.timestampNanos().addToSchema(s);
    }
  }

  /** Converts a value in this unit to epoch nanoseconds, refusing values outside that range. */
  public long toNanos(long value) {
    try {
      return Math.multiplyExact(value, nanosPerUnit);
    } catch (ArithmeticException e) {
      throw new InvalidDataException(
          "index value "
              + value
              + " ("
              + id()
              + ") is outside the nanosecond range (years 1677 to 2262) that pandas can hold");
    }
  }

  /** Converts epoch nanoseconds to this unit, rounding toward negative infinity. */
  public long fromNanos(long nanos) {
    return Math.floorDiv(nanos, nanosPerUnit);
  }

  /** Converts an instant to this unit (truncating finer precision). */
  public long fromInstant(Instant t) {
    long seconds = t.getEpochSecond();
    long unitsPerSecond = 1_000_000_000L / nanosPerUnit;
    try {
      return Math.addExact(Math.multiplyExact(seconds, unitsPerSecond), t.getNano() / nanosPerUnit);
    } catch (ArithmeticException e) {
      throw new InvalidDataException("instant " + t + " is outside the range of the index");
    }
  }

  /** Converts a value in this unit to an instant. */
  public Instant toInstant(long value) {
    long unitsPerSecond = 1_000_000_000L / nanosPerUnit;
    long seconds = Math.floorDiv(value, unitsPerSecond);
    long rest = Math.floorMod(value, unitsPerSecond);
    return Instant.ofEpochSecond(seconds, rest * nanosPerUnit);
  }

  /** The short name: ms, us or ns. */
  public String id() {
    switch (this) {
      case MILLIS:
        return "ms";
      case MICROS:
        return "us";
      default:
        return "ns";
    }
  }

  /** The Avro logical type name. */
  public String logicalTypeName() {
    return logicalType;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
