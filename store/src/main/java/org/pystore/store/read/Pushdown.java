package org.pystore.store.read;

import java.util.List;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.pystore.store.Predicate;

/**
 * Turns bound predicates into a Parquet filter for one file, using the file's own column types (a
 * widened column may still be int32 in an older part). Predicates that do not fit the file are left
 * to the row-level check, which always runs.
 */
public final class Pushdown {
  private Pushdown() {}

  /** The filter for one file, or null when nothing can be pushed down. */
  public static FilterPredicate build(List<BoundPredicate> predicates, MessageType file) {
    FilterPredicate all = null;
    for (BoundPredicate p : predicates) {
      FilterPredicate one = toParquet(p, file);
      if (one != null) {
        all = all == null ? one : FilterApi.and(all, one);
      }
    }
    return all;
  }

  private static FilterPredicate toParquet(BoundPredicate p, MessageType file) {
    if (!file.containsField(p.column())) {
      return null;
    }
    Type t = file.getType(p.column());
    if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
      return null;
    }
    PrimitiveType prim = t.asPrimitiveType();
    Object v = p.value();
    switch (prim.getPrimitiveTypeName()) {
      case INT32:
        if (v instanceof Long
            && (Long) v >= Integer.MIN_VALUE
            && (Long) v <= Integer.MAX_VALUE
            && prim.getLogicalTypeAnnotation() == null) {
          return compare(FilterApi.intColumn(p.column()), p.op(), ((Long) v).intValue());
        }
        return null;
      case INT64:
        if (v instanceof Long) {
          return compare(FilterApi.longColumn(p.column()), p.op(), (Long) v);
        }
        return null;
      case FLOAT:
        return null; // a double literal does not map exactly onto float statistics
      case DOUBLE:
        if (v instanceof Double) {
          return compare(FilterApi.doubleColumn(p.column()), p.op(), (Double) v);
        }
        return null;
      case BOOLEAN:
        if (v instanceof Boolean && (p.op() == Predicate.Op.EQ)) {
          return FilterApi.eq(FilterApi.booleanColumn(p.column()), (Boolean) v);
        }
        return null;
      case BINARY:
        if (v instanceof String
            && prim.getLogicalTypeAnnotation()
                instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
          return compare(FilterApi.binaryColumn(p.column()), p.op(), Binary.fromString((String) v));
        }
        return null;
      default:
        return null;
    }
  }

  private static <T extends Comparable<T>, C extends Operators.Column<T> & Operators.SupportsLtGt>
      FilterPredicate compare(C column, Predicate.Op op, T value) {
    switch (op) {
      case EQ:
        return FilterApi.eq(column, value);
      case NE:
        // parquet treats null != v as true; the row-level check drops nulls afterwards
        return FilterApi.notEq(column, value);
      case LT:
        return FilterApi.lt(column, value);
      case LE:
        return FilterApi.ltEq(column, value);
      case GT:
        return FilterApi.gt(column, value);
      default:
        return FilterApi.gtEq(column, value);
    }
  }
}
