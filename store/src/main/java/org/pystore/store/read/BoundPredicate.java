package org.pystore.store.read;

import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.IndexUnit;
import org.pystore.store.InvalidDataException;
import org.pystore.store.Predicate;
import org.pystore.store.Schemas;
import org.pystore.store.Timestamps;

/**
 * A {@link Predicate} typed against the item's schema: the literal converted to the column's type
 * (a Long, Double, Boolean or String), ready to test rows and to push down to Parquet.
 *
 * @param column the column
 * @param op the comparison
 * @param value the typed literal
 */
public record BoundPredicate(String column, Predicate.Op op, Object value) {

  /**
   * Types a predicate.
   *
   * @param p the predicate
   * @param schema the item's schema
   * @return the bound predicate
   * @throws InvalidDataException for an unknown column, an unsupported type or a bad literal
   */
  public static BoundPredicate bind(Predicate p, Schema schema) {
    Schema.Field f = schema.getField(p.column());
    if (f == null) {
      throw new InvalidDataException(
          "filter '"
              + p
              + "': no column '"
              + p.column()
              + "'; columns are "
              + Schemas.names(schema));
    }
    Schema type = Schemas.nonNull(f.schema());
    String lit = p.literal();
    try {
      IndexUnit unit = IndexUnit.of(type);
      if (unit != null) {
        return new BoundPredicate(p.column(), p.op(), unit.fromInstant(Timestamps.parse(lit)));
      }
      if (type.getLogicalType() == null) {
        switch (type.getType()) {
          case INT:
          case LONG:
            return new BoundPredicate(p.column(), p.op(), Long.parseLong(lit.trim()));
          case FLOAT:
          case DOUBLE:
            return new BoundPredicate(p.column(), p.op(), Double.parseDouble(lit.trim()));
          case BOOLEAN:
            if (!lit.equalsIgnoreCase("true") && !lit.equalsIgnoreCase("false")) {
              throw new NumberFormatException("not a boolean");
            }
            return new BoundPredicate(p.column(), p.op(), Boolean.parseBoolean(lit));
          case STRING:
          case ENUM:
            return new BoundPredicate(p.column(), p.op(), lit);
          default:
            break;
        }
      }
    } catch (NumberFormatException e) {
      throw new InvalidDataException(
          "filter '"
              + p
              + "': '"
              + lit
              + "' is not a value of column '"
              + p.column()
              + "' ("
              + Schemas.describe(f.schema())
              + ")");
    }
    throw new InvalidDataException(
        "filter '"
            + p
            + "': filters on column '"
            + p.column()
            + "' of type "
            + Schemas.describe(f.schema())
            + " are not supported; filter on numbers, booleans, strings or timestamps");
  }

  /** Whether a row passes. A null value never passes. */
  public boolean test(GenericRecord row) {
    Object v = row.get(column);
    if (v == null) {
      return false;
    }
    int cmp;
    if (value instanceof Long) {
      if (v instanceof Double || v instanceof Float) {
        cmp = Double.compare(((Number) v).doubleValue(), (Long) value);
      } else {
        cmp = Long.compare(((Number) v).longValue(), (Long) value);
      }
    } else if (value instanceof Double) {
      cmp = Double.compare(((Number) v).doubleValue(), (Double) value);
    } else if (value instanceof Boolean) {
      cmp = Boolean.compare((Boolean) v, (Boolean) value);
    } else if (v instanceof ByteBuffer) {
      return false;
    } else {
      cmp = v.toString().compareTo((String) value);
    }
    return op.test(cmp);
  }
}
