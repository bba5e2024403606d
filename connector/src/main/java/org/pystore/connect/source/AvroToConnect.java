package org.pystore.connect.source;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.pystore.store.Schemas;

/**
 * Turns stored rows into Connect {@code Struct}s. Timestamps of the index (and other micro- and
 * nanosecond columns) stay plain int64 in their own unit, so no precision is lost; millisecond
 * timestamps, dates, times and decimals take Connect's logical types.
 */
final class AvroToConnect {
  private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();
  private final Map<org.apache.avro.Schema, Schema> cache = new IdentityHashMap<>();

  Schema schema(org.apache.avro.Schema avro) {
    Schema s = cache.get(avro);
    if (s == null) {
      s = convert(avro, false);
      cache.put(avro, s);
    }
    return s;
  }

  private static Schema convert(org.apache.avro.Schema avro, boolean optional) {
    if (Schemas.isNullable(avro) && avro.getType() == org.apache.avro.Schema.Type.UNION) {
      return convert(Schemas.nonNull(avro), true);
    }
    LogicalType lt = avro.getLogicalType();
    SchemaBuilder b;
    if (lt instanceof LogicalTypes.Decimal) {
      b =
          Decimal.builder(((LogicalTypes.Decimal) lt).getScale())
              .parameter(
                  "connect.decimal.precision",
                  String.valueOf(((LogicalTypes.Decimal) lt).getPrecision()));
    } else if (lt instanceof LogicalTypes.Date) {
      b = org.apache.kafka.connect.data.Date.builder();
    } else if (lt instanceof LogicalTypes.TimeMillis) {
      b = Time.builder();
    } else if (lt instanceof LogicalTypes.TimestampMillis) {
      b = Timestamp.builder();
    } else {
      switch (avro.getType()) {
        case INT:
          b = SchemaBuilder.int32();
          break;
        case LONG:
          b = SchemaBuilder.int64();
          break;
        case FLOAT:
          b = SchemaBuilder.float32();
          break;
        case DOUBLE:
          b = SchemaBuilder.float64();
          break;
        case BOOLEAN:
          b = SchemaBuilder.bool();
          break;
        case STRING:
        case ENUM:
          b = SchemaBuilder.string();
          break;
        case BYTES:
        case FIXED:
          b = SchemaBuilder.bytes();
          break;
        case ARRAY:
          b = SchemaBuilder.array(convert(avro.getElementType(), false));
          break;
        case MAP:
          b = SchemaBuilder.map(Schema.STRING_SCHEMA, convert(avro.getValueType(), false));
          break;
        case RECORD:
          b = SchemaBuilder.struct().name(avro.getFullName());
          for (org.apache.avro.Schema.Field f : avro.getFields()) {
            b.field(f.name(), convert(f.schema(), false));
          }
          break;
        default:
          throw new DataException("Avro type " + avro.getType() + " has no Connect counterpart");
      }
    }
    return optional ? b.optional().build() : b.build();
  }

  /** The row as a Struct of {@link #schema}. */
  Struct struct(GenericRecord row) {
    Schema s = schema(row.getSchema());
    return (Struct) value(row, row.getSchema(), s);
  }

  private static Object value(Object v, org.apache.avro.Schema avro, Schema connect) {
    if (v == null) {
      return null;
    }
    org.apache.avro.Schema t = Schemas.nonNull(avro);
    LogicalType lt = t.getLogicalType();
    if (lt instanceof LogicalTypes.Decimal) {
      return v instanceof ByteBuffer
          ? DECIMALS.fromBytes(((ByteBuffer) v).duplicate(), t, lt)
          : DECIMALS.fromFixed((GenericFixed) v, t, lt);
    }
    if (lt instanceof LogicalTypes.Date) {
      return new java.util.Date((Integer) v * 86_400_000L);
    }
    if (lt instanceof LogicalTypes.TimeMillis) {
      return new java.util.Date((Integer) v);
    }
    if (lt instanceof LogicalTypes.TimestampMillis) {
      return new java.util.Date((Long) v);
    }
    switch (t.getType()) {
      case STRING:
      case ENUM:
        return v.toString();
      case BYTES:
        ByteBuffer b = ((ByteBuffer) v).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
      case FIXED:
        return ((GenericFixed) v).bytes();
      case ARRAY:
        List<Object> list = new ArrayList<>();
        for (Object e : (List<?>) v) {
          list.add(value(e, t.getElementType(), connect.valueSchema()));
        }
        return list;
      case MAP:
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          map.put(
              e.getKey().toString(), value(e.getValue(), t.getValueType(), connect.valueSchema()));
        }
        return map;
      case RECORD:
        GenericRecord r = (GenericRecord) v;
        Struct st = new Struct(connect);
        for (Field f : connect.fields()) {
          st.put(f, value(r.get(f.name()), t.getField(f.name()).schema(), f.schema()));
        }
        return st;
      default:
        return v; // Integer, Long, Float, Double, Boolean
    }
  }
}
