package org.pystore.store;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Checks batches against validation rules. Rules see the rows as written, before any part is
 * staged; the first rule a batch breaks refuses it whole, naming the rule, the column and the first
 * offending row.
 */
public final class Rules {
  private static volatile Map<String, Validator> validators;

  private Rules() {}

  /**
   * Checks a batch.
   *
   * @param rules the rules, collection's first
   * @param rows the batch, in arrival order
   * @param indexColumn the item's index column
   * @param itemEnd the item's largest index before this batch (raw unit), or {@code Long.MIN_VALUE}
   *     when it has no rows
   * @param label the item as {@code collection/item}, for messages
   * @throws ValidationException for the first rule broken
   */
  public static void check(
      List<Rule> rules,
      List<? extends GenericRecord> rows,
      String indexColumn,
      long itemEnd,
      String label) {
    if (rules.isEmpty() || rows.isEmpty()) {
      return;
    }
    Schema schema = rows.get(0).getSchema();
    for (Rule r : rules) {
      Validator.Violation v = first(r, rows, schema, indexColumn, itemEnd);
      if (v != null) {
        throw refusal(r, v, rows, indexColumn, label);
      }
    }
  }

  /**
   * Checks one row on its own against the rules that look at single rows (all but increasing-index,
   * max-lateness and custom ones): what the sink checks per record, before it buffers it, so a bad
   * record goes to the dead letter queue alone.
   *
   * @return the refusal, or null when the row passes
   */
  public static ValidationException checkRow(
      List<Rule> rules, GenericRecord row, String indexColumn, String label) {
    List<GenericRecord> one = List.of(row);
    for (Rule r : rules) {
      if (r.kind().equals("increasing-index")
          || r.kind().equals("max-lateness")
          || r.kind().equals("custom")) {
        continue;
      }
      Validator.Violation v = first(r, one, row.getSchema(), indexColumn, Long.MIN_VALUE);
      if (v != null) {
        ValidationException e = refusal(r, v, one, indexColumn, label);
        return new ValidationException(e.reason(), r, 0, e.reason());
      }
    }
    return null;
  }

  /**
   * Checks that rules can apply to an item's schema (their columns exist with a fitting type).
   *
   * @throws InvalidDataException naming the rule and the column
   */
  public static void checkAgainst(List<Rule> rules, Schema schema, String label) {
    for (Rule r : rules) {
      if (r.kind().equals("custom")) {
        validator(r); // refuses a name no validator has
        continue;
      }
      if (r.column() == null || r.kind().equals("required")) {
        continue;
      }
      Schema.Field f = schema.getField(r.column());
      if (f == null) {
        throw new InvalidDataException(
            "rule "
                + r
                + " names column '"
                + r.column()
                + "', which '"
                + label
                + "' does not have; its columns are "
                + columns(schema));
      }
      Schema t = Schemas.nonNull(f.schema());
      boolean numeric = number(t);
      if ((r.kind().equals("range") && !numeric)
          || (r.kind().equals("finite")
              && t.getType() != Schema.Type.DOUBLE
              && t.getType() != Schema.Type.FLOAT)) {
        throw new InvalidDataException(
            "rule "
                + r
                + " cannot apply to column '"
                + r.column()
                + "' of '"
                + label
                + "', which is "
                + Schemas.describe(f.schema()));
      }
    }
  }

  private static List<String> columns(Schema schema) {
    List<String> out = new ArrayList<>();
    schema.getFields().forEach(f -> out.add(f.name()));
    return out;
  }

  private static boolean number(Schema t) {
    return switch (t.getType()) {
      case INT, LONG, FLOAT, DOUBLE -> true;
      case BYTES, FIXED -> t.getLogicalType() instanceof LogicalTypes.Decimal;
      default -> false;
    };
  }

  private static Validator.Violation first(
      Rule r, List<? extends GenericRecord> rows, Schema schema, String indexColumn, long end) {
    switch (r.kind()) {
      case "required":
        return schema.getField(r.column()) == null
            ? new Validator.Violation(0, r.column(), "the rows have no column '" + r.column() + "'")
            : null;
      case "increasing-index":
        {
          Schema.Field idx = schema.getField(indexColumn);
          for (int i = 1; i < rows.size(); i++) {
            long prev = (Long) rows.get(i - 1).get(idx.pos());
            long cur = (Long) rows.get(i).get(idx.pos());
            if (cur <= prev) {
              return new Validator.Violation(
                  i,
                  indexColumn,
                  "its "
                      + indexColumn
                      + " is not after the row before it ("
                      + describeIndex(idx, prev)
                      + ")");
            }
          }
          return null;
        }
      case "max-lateness":
        {
          if (end == Long.MIN_VALUE) {
            return null;
          }
          Schema.Field idx = schema.getField(indexColumn);
          IndexUnit unit = IndexUnit.of(idx.schema());
          long late = unit.fromInstant(java.time.Instant.EPOCH.plus(Rule.lateness(r.argument())));
          for (int i = 0; i < rows.size(); i++) {
            long v = (Long) rows.get(i).get(idx.pos());
            if (v < end - late) {
              return new Validator.Violation(
                  i,
                  indexColumn,
                  "it is older than the item's end ("
                      + describeIndex(idx, end)
                      + ") by more than "
                      + r.argument());
            }
          }
          return null;
        }
      case "custom":
        {
          Validator.Violation v = validator(r).validate(rows, r.argument());
          if (v != null && (v.row() < 0 || v.row() >= rows.size())) {
            return new Validator.Violation(0, v.column(), v.problem());
          }
          return v;
        }
      default:
        break;
    }
    Schema.Field f = schema.getField(r.column());
    if (f == null) {
      return r.kind().equals("not-null")
          ? new Validator.Violation(0, r.column(), "the rows have no column '" + r.column() + "'")
          : null; // a rule of a column the rows lack: only not-null and required object
    }
    BigDecimal[] bounds = r.kind().equals("range") ? Rule.range(r.argument(), r.toString()) : null;
    Set<String> allowed = r.kind().equals("allowed") ? r.allowedValues() : null;
    for (int i = 0; i < rows.size(); i++) {
      Object v = rows.get(i).get(f.pos());
      String problem =
          switch (r.kind()) {
            case "not-null" -> v == null ? "its " + f.name() + " is null" : null;
            case "finite" ->
                v instanceof Double d && (d.isNaN() || d.isInfinite())
                        || v instanceof Float x && (x.isNaN() || x.isInfinite())
                    ? "its " + f.name() + " is " + v
                    : null;
            case "range" -> outOfRange(f, v, bounds);
            case "allowed" ->
                v != null && !allowed.contains(v.toString())
                    ? "its " + f.name() + " is '" + v + "', not one of " + allowed
                    : null;
            default -> null;
          };
      if (problem != null) {
        return new Validator.Violation(i, f.name(), problem);
      }
    }
    return null;
  }

  private static String outOfRange(Schema.Field f, Object v, BigDecimal[] bounds) {
    if (v == null) {
      return null; // not-null says whether a null is allowed
    }
    BigDecimal x;
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) {
        return "its " + f.name() + " is NaN";
      }
      if (Double.isInfinite(d)) {
        return (d > 0 ? bounds[1] != null : bounds[0] != null)
            ? "its " + f.name() + " is " + v
            : null;
      }
      x = v instanceof Float ? new BigDecimal(v.toString()) : BigDecimal.valueOf(d);
    } else if (v instanceof Integer || v instanceof Long) {
      x = BigDecimal.valueOf(((Number) v).longValue());
    } else if (v instanceof BigDecimal b) {
      x = b;
    } else if (v instanceof ByteBuffer || v instanceof GenericFixed) {
      Schema t = Schemas.nonNull(f.schema());
      Conversions.DecimalConversion c = new Conversions.DecimalConversion();
      x =
          v instanceof ByteBuffer bb
              ? c.fromBytes(bb.duplicate(), t, t.getLogicalType())
              : c.fromFixed((GenericFixed) v, t, t.getLogicalType());
    } else {
      return "its " + f.name() + " is '" + v + "', not a number";
    }
    if ((bounds[0] != null && x.compareTo(bounds[0]) < 0)
        || (bounds[1] != null && x.compareTo(bounds[1]) > 0)) {
      return "its " + f.name() + " is " + v;
    }
    return null;
  }

  private static ValidationException refusal(
      Rule r,
      Validator.Violation v,
      List<? extends GenericRecord> rows,
      String indexColumn,
      String label) {
    GenericRecord row = rows.get(v.row());
    Schema.Field idx = row.getSchema().getField(indexColumn);
    Object t = idx == null ? null : row.get(idx.pos());
    String at =
        "row "
            + (v.row() + 1)
            + " of "
            + rows.size()
            + (t instanceof Long l ? " (" + indexColumn + " " + describeIndex(idx, l) + ")" : "");
    return new ValidationException(
        "rule "
            + r
            + " of '"
            + label
            + "' refuses "
            + at
            + (v.column() == null ? "" : ", column " + v.column())
            + ": "
            + v.problem()
            + "; nothing was written (see the rules with 'pystore rules "
            + label
            + "')",
        r,
        v.row(),
        "it breaks rule "
            + r
            + " of '"
            + label
            + "'"
            + (v.column() == null ? "" : " (column " + v.column() + ")")
            + ": "
            + v.problem());
  }

  private static String describeIndex(Schema.Field idx, long v) {
    try {
      return IndexUnit.of(idx.schema()).toInstant(v).toString();
    } catch (RuntimeException e) {
      return Long.toString(v);
    }
  }

  /** Whether the rules hold one that depends on the item's end (max-lateness). */
  static boolean lateness(List<Rule> rules) {
    for (Rule r : rules) {
      if (r.kind().equals("max-lateness")) {
        return true;
      }
    }
    return false;
  }

  /** The validator a custom rule names. */
  static Validator validator(Rule r) {
    Map<String, Validator> all = validators;
    if (all == null) {
      Map<String, Validator> found = new HashMap<>();
      for (Validator v : ServiceLoader.load(Validator.class, Rules.class.getClassLoader())) {
        found.putIfAbsent(v.name(), v);
      }
      validators = all = found;
    }
    Validator v = all.get(r.column());
    if (v == null) {
      throw new InvalidDataException(
          "rule "
              + r
              + " names validator '"
              + r.column()
              + "', which is not on this writer's classpath (found: "
              + new java.util.TreeSet<>(all.keySet())
              + "); add the jar that provides it, listed in"
              + " META-INF/services/org.pystore.store.Validator, to every writer of the item;"
              + " nothing was written");
    }
    return v;
  }
}
