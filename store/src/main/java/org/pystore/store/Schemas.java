package org.pystore.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/** Schema rules of items: the index column, nullability, unification on append, projection. */
public final class Schemas {
  private Schemas() {}

  /** The non-null branch of a nullable union, or the schema itself. */
  public static Schema nonNull(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      for (Schema branch : s.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return branch;
        }
      }
    }
    return s;
  }

  /** Whether a column may hold null. */
  public static boolean isNullable(Schema s) {
    if (s.getType() == Schema.Type.NULL) {
      return true;
    }
    if (s.getType() == Schema.Type.UNION) {
      for (Schema branch : s.getTypes()) {
        if (branch.getType() == Schema.Type.NULL) {
          return true;
        }
      }
    }
    return false;
  }

  /** The union {@code [null, s]}. */
  public static Schema nullable(Schema s) {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), nonNull(s));
  }

  /**
   * Resolves and checks the index column of a schema.
   *
   * @param schema a record schema
   * @param requested the column asked for, or null for the first timestamp column
   * @return the index column's name
   * @throws IncompatibleSchemaException when there is no suitable column
   */
  public static String indexColumn(Schema schema, String requested) {
    requireRecord(schema);
    if (requested == null) {
      for (Schema.Field f : schema.getFields()) {
        if (IndexUnit.of(f.schema()) != null) {
          return f.name();
        }
      }
      throw new IncompatibleSchemaException(
          "the rows have no timestamp column to use as the index; add a long column with a"
              + " timestamp-millis, timestamp-micros or timestamp-nanos logical type, or name one");
    }
    Schema.Field f = schema.getField(requested);
    if (f == null) {
      throw new IncompatibleSchemaException(
          "index column '" + requested + "' is not among the columns " + names(schema));
    }
    if (IndexUnit.of(f.schema()) == null) {
      throw new IncompatibleSchemaException(
          "index column '"
              + requested
              + "' has type "
              + describe(f.schema())
              + "; it must be a non-null long with a timestamp-millis/-micros/-nanos logical type");
    }
    return requested;
  }

  /**
   * Checks that an item can be created with a schema and options.
   *
   * @param schema the schema
   * @param options the options (key columns must exist)
   * @return the item schema: the same columns, nullable ones as {@code [null, T]} default null
   */
  public static Schema forNewItem(Schema schema, ItemOptions options) {
    indexColumn(schema, options.indexColumn());
    for (String key : options.keyColumns()) {
      if (schema.getField(key) == null) {
        throw new IncompatibleSchemaException(
            "key column '" + key + "' is not among the columns " + names(schema));
      }
    }
    for (Schema.Field f : schema.getFields()) {
      checkColumnType(f);
    }
    return normalize(schema);
  }

  private static void checkColumnType(Schema.Field f) {
    Schema s = f.schema();
    if (s.getType() == Schema.Type.UNION) {
      int nonNull = 0;
      for (Schema b : s.getTypes()) {
        if (b.getType() != Schema.Type.NULL) {
          nonNull++;
        }
      }
      if (nonNull != 1) {
        throw new IncompatibleSchemaException(
            "column '"
                + f.name()
                + "' is a union of "
                + describe(s)
                + "; pandas and other Parquet readers need one type per column (optionally"
                + " nullable): split it into several columns");
      }
    }
  }

  private static Schema normalize(Schema schema) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      fields.add(copy(f, f.schema()));
    }
    return record(schema, fields);
  }

  /**
   * Unifies the item's schema with the schema of new rows.
   *
   * <p>Accepted: new columns (null in older rows), missing nullable columns, a column becoming
   * nullable, int to long, and int, long or float to double (either way round; the wider type wins;
   * long to double loses precision beyond 2^53, as in pandas). Everything else is refused.
   *
   * @param item the item's schema
   * @param batch the new rows' schema
   * @param indexColumn the item's index column
   * @param label the item, for messages
   * @return the unified schema (equal to {@code item} when nothing changes)
   * @throws IncompatibleSchemaException naming the column and both types
   */
  public static Schema unify(Schema item, Schema batch, String indexColumn, String label) {
    requireRecord(batch);
    Schema.Field batchIndex = batch.getField(indexColumn);
    if (batchIndex == null) {
      throw new IncompatibleSchemaException(
          "the new rows for '" + label + "' lack the index column '" + indexColumn + "'");
    }
    IndexUnit want = IndexUnit.of(item.getField(indexColumn).schema());
    if (IndexUnit.of(batchIndex.schema()) != want) {
      throw new IncompatibleSchemaException(
          "index column '"
              + indexColumn
              + "' of '"
              + label
              + "': the item has "
              + describe(item.getField(indexColumn).schema())
              + ", the new rows have "
              + describe(batchIndex.schema())
              + "; convert the new rows' index to "
              + want.logicalTypeName());
    }
    Map<String, Schema.Field> out = new LinkedHashMap<>();
    boolean changed = false;
    for (Schema.Field f : item.getFields()) {
      Schema.Field other = batch.getField(f.name());
      if (other == null) {
        if (!isNullable(f.schema())) {
          throw new IncompatibleSchemaException(
              "column '"
                  + f.name()
                  + "' of '"
                  + label
                  + "' is required ("
                  + describe(f.schema())
                  + ") but missing from the new rows; add it to the rows");
        }
        out.put(f.name(), copy(f, f.schema()));
        continue;
      }
      Schema unified = unifyColumn(f.name(), f.schema(), other.schema(), label);
      if (!unified.equals(f.schema())) {
        changed = true;
      }
      out.put(f.name(), copy(f, unified));
    }
    for (Schema.Field f : batch.getFields()) {
      if (!out.containsKey(f.name())) {
        checkColumnType(f);
        out.put(f.name(), copy(f, nullable(f.schema())));
        changed = true;
      }
    }
    if (!changed) {
      return item;
    }
    return record(item, new ArrayList<>(out.values()));
  }

  private static Schema unifyColumn(String column, Schema a, Schema b, String label) {
    Schema na = nonNull(a);
    Schema nb = nonNull(b);
    boolean nullable = isNullable(a) || isNullable(b);
    Schema wide = widen(na, nb);
    if (wide == null) {
      throw new IncompatibleSchemaException(
          "column '"
              + column
              + "' of '"
              + label
              + "': the item has "
              + describe(a)
              + ", the new rows have "
              + describe(b)
              + "; only new columns, nullability and widening (int to long, int, long or float"
              + " to double) are accepted: convert the column, or write a new item");
    }
    return nullable ? nullable(wide) : wide;
  }

  private static Schema widen(Schema a, Schema b) {
    if (a.equals(b)) {
      return a;
    }
    if (a.getLogicalType() != null || b.getLogicalType() != null) {
      return null;
    }
    Schema.Type ta = a.getType();
    Schema.Type tb = b.getType();
    if (isPair(ta, tb, Schema.Type.INT, Schema.Type.LONG)) {
      return Schema.create(Schema.Type.LONG);
    }
    if (isPair(ta, tb, Schema.Type.INT, Schema.Type.DOUBLE)
        || isPair(ta, tb, Schema.Type.LONG, Schema.Type.DOUBLE)
        || isPair(ta, tb, Schema.Type.FLOAT, Schema.Type.DOUBLE)) {
      return Schema.create(Schema.Type.DOUBLE);
    }
    return null;
  }

  private static boolean isPair(Schema.Type a, Schema.Type b, Schema.Type x, Schema.Type y) {
    return (a == x && b == y) || (a == y && b == x);
  }

  /**
   * A record schema with only some columns, in the given schema's order.
   *
   * @param schema a record schema
   * @param columns the columns to keep
   * @return the projection
   */
  public static Schema project(Schema schema, java.util.Collection<String> columns) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      if (columns.contains(f.name())) {
        fields.add(copy(f, f.schema()));
      }
    }
    return record(schema, fields);
  }

  private static Schema.Field copy(Schema.Field f, Schema type) {
    if (isNullable(type)) {
      Schema union = nullable(type);
      return new Schema.Field(f.name(), union, f.doc(), JsonProperties.NULL_VALUE);
    }
    return new Schema.Field(f.name(), type, f.doc(), (Object) null);
  }

  private static Schema record(Schema like, List<Schema.Field> fields) {
    Schema r = Schema.createRecord(like.getName(), like.getDoc(), like.getNamespace(), false);
    r.setFields(fields);
    return r;
  }

  private static void requireRecord(Schema schema) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IncompatibleSchemaException(
          "rows must be Avro records, not " + schema.getType().getName());
    }
  }

  /** Column names of a record schema. */
  public static List<String> names(Schema schema) {
    List<String> out = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      out.add(f.name());
    }
    return out;
  }

  /** A short human description of a column type, e.g. {@code long (timestamp-nanos), nullable}. */
  public static String describe(Schema s) {
    Schema n = nonNull(s);
    StringBuilder sb = new StringBuilder(n.getType().getName());
    if (n.getLogicalType() != null) {
      sb.append(" (").append(n.getLogicalType().getName()).append(')');
    }
    if (s.getType() == Schema.Type.UNION && s.getTypes().size() > 2) {
      return s.getTypes().toString();
    }
    if (isNullable(s)) {
      sb.append(", nullable");
    }
    return sb.toString();
  }
}
