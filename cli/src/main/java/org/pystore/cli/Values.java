package org.pystore.cli;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.Base64;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.pystore.store.IndexUnit;
import org.pystore.store.Schemas;

/**
 * Turns stored values into text that parses back to the same value: timestamps as {@link
 * java.time.Instant#toString()}, numbers by their shortest round-tripping form, decimals in plain
 * notation, bytes in base64, nested values as JSON.
 */
final class Values {
  private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();

  private Values() {}

  /** The text of a value, or null for null. */
  static String text(Object v, Schema type) {
    if (v == null) {
      return null;
    }
    Schema t = Schemas.nonNull(type);
    IndexUnit unit = IndexUnit.of(t);
    if (unit != null) {
      return unit.toInstant((Long) v).toString();
    }
    if (t.getLogicalType() instanceof LogicalTypes.Date) {
      return LocalDate.ofEpochDay((Integer) v).toString();
    }
    if (t.getLogicalType() instanceof LogicalTypes.Decimal) {
      return decimal(v, t).toPlainString();
    }
    switch (t.getType()) {
      case BYTES:
        ByteBuffer b = ((ByteBuffer) v).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
      case FIXED:
        return Base64.getEncoder().encodeToString(((GenericFixed) v).bytes());
      case RECORD:
      case ARRAY:
      case MAP:
        return GenericData.get().toString(v);
      default:
        return v.toString();
    }
  }

  /** The value as a JSON-ready Java object: numbers and booleans stay typed, the rest is text. */
  static Object json(Object v, Schema type) {
    if (v == null) {
      return null;
    }
    Schema t = Schemas.nonNull(type);
    if (t.getLogicalType() == null) {
      switch (t.getType()) {
        case INT:
        case LONG:
        case FLOAT:
        case DOUBLE:
        case BOOLEAN:
          return v;
        default:
          break;
      }
    }
    if (t.getLogicalType() instanceof LogicalTypes.Decimal) {
      return decimal(v, t);
    }
    return text(v, type);
  }

  static BigDecimal decimal(Object v, Schema t) {
    LogicalTypes.Decimal d = (LogicalTypes.Decimal) t.getLogicalType();
    return v instanceof ByteBuffer
        ? DECIMALS.fromBytes(((ByteBuffer) v).duplicate(), t, d)
        : DECIMALS.fromFixed((GenericFixed) v, t, d);
  }
}
