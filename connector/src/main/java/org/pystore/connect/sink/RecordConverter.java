package org.pystore.connect.sink;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Conversions;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.pystore.store.IndexUnit;
import org.pystore.store.InvalidDataException;
import org.pystore.store.InvalidNameException;
import org.pystore.store.Names;
import org.pystore.store.Schemas;
import org.pystore.store.Timestamps;
import org.pystore.store.log.Json;

/**
 * Turns sink records into rows: a Connect {@code Struct} with its schema (from any converter: JSON
 * with schemas, Avro, Protobuf), or a schemaless {@code Map} whose schema is inferred. The index
 * column comes first, in nanoseconds.
 */
final class RecordConverter {
  private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();
  private static final int CACHE = 1000;

  private final String collection;
  private final String itemField;
  private final String indexField;
  private final String indexUnit;
  private final String indexColumn;
  private final boolean failOnNull;
  private final Map<org.apache.kafka.connect.data.Schema, Plan> byIdentity =
      new IdentityHashMap<>();
  private final Map<org.apache.kafka.connect.data.Schema, Plan> byValue = new HashMap<>();
  private final Map<String, Schema> inferred = new HashMap<>();
  private final Map<String, String> topicCollections = new HashMap<>();

  /** Item names by the text they encode: most topics carry few items, each name checked once. */
  private final Map<String, String> itemNames = new HashMap<>();

  private TopicPartition lastPartition;

  /**
   * Whether rows keep their record, for a dead letter queue to receive it as it came should the
   * item refuse the row at commit time. Without a queue such a refusal fails the task, and only the
   * record's topic, partition and offset are needed to say which.
   */
  private boolean retainRecords = true;

  /** The last schemaless shape seen: its keys and value kinds in map order, and its schema. */
  private String[] shapeKeys = new String[0];

  private char[] shapeKinds = new char[0];
  private Schema shapeSchema;

  RecordConverter(PyStoreSinkConfig config) {
    this.collection = config.collection();
    this.itemField = config.itemField();
    this.indexField = config.indexField();
    this.indexUnit = config.indexUnit();
    this.indexColumn = config.indexColumn();
    this.failOnNull = config.failOnNullValues();
  }

  /**
   * Converts one record.
   *
   * @return the row, or null for a null value that is to be ignored
   * @throws DataException naming topic, partition, offset and what is wrong
   */
  SinkRow convert(SinkRecord r) {
    try {
      Object value = r.value();
      if (value == null) {
        if (failOnNull) {
          throw new DataException(
              "the value is null (a tombstone) and behavior.on.null.values=fail");
        }
        return null;
      }
      String coll =
          collection != null
              ? collection
              : topicCollections.computeIfAbsent(r.topic(), Names::encode);
      TopicPartition tp = topicPartition(r);
      if (value instanceof Struct) {
        Struct s = (Struct) value;
        Plan plan = plan(s.schema());
        long[] size = {64};
        GenericData.Record row =
            plan.convert(
                s, index(r, s.schema().field(indexField) == null ? null : s.get(indexField)), size);
        return new SinkRow(
            coll,
            item(r, s.schema().field(itemField) == null ? null : s.get(itemField)),
            tp,
            r.kafkaOffset(),
            row,
            retainRecords ? size[0] + SinkRow.RECORD_OVERHEAD : size[0],
            retainRecords ? r : null);
      }
      if (value instanceof Map) {
        Map<?, ?> m = (Map<?, ?>) value;
        long[] size = {64};
        GenericData.Record row =
            inferRow(m, index(r, indexField == null ? null : m.get(indexField)), size);
        return new SinkRow(
            coll,
            item(r, itemField == null ? null : m.get(itemField)),
            tp,
            r.kafkaOffset(),
            row,
            retainRecords ? size[0] + SinkRow.RECORD_OVERHEAD : size[0],
            retainRecords ? r : null);
      }
      throw new DataException(
          "the value is a "
              + value.getClass().getSimpleName()
              + "; the sink needs a Struct (a converter with schemas) or a Map (schemaless JSON)");
    } catch (DataException
        | InvalidDataException
        | InvalidNameException
        | ArithmeticException
        | ClassCastException e) {
      throw refused(r.topic(), r.kafkaPartition(), r.kafkaOffset(), e.getMessage(), e);
    }
  }

  /** Sets whether rows keep their record (they do unless told otherwise). */
  void retainRecords(boolean retain) {
    this.retainRecords = retain;
  }

  /**
   * The record's topic-partition: one instance per run of records from one partition, so the maps
   * keyed by it compare by identity and hash once.
   */
  TopicPartition topicPartition(SinkRecord r) {
    TopicPartition last = lastPartition;
    if (last == null || last.partition() != r.kafkaPartition() || !last.topic().equals(r.topic())) {
      last = new TopicPartition(r.topic(), r.kafkaPartition());
      lastPartition = last;
    }
    return last;
  }

  /** A bad record's error: which record, and why it cannot be stored. */
  static DataException refused(
      String topic, int partition, long offset, String why, Throwable cause) {
    return new DataException(
        "record " + topic + "/" + partition + "@" + offset + " cannot be stored: " + why, cause);
  }

  private String item(SinkRecord r, Object fieldValue) {
    Object raw;
    if (itemField != null) {
      if (fieldValue == null) {
        throw new DataException("item field '" + itemField + "' is missing or null");
      }
      raw = fieldValue;
    } else {
      raw = r.key();
      if (raw == null) {
        throw new DataException(
            "the record has no key to name its item; give records keys or set item.field");
      }
      if (raw instanceof Struct || raw instanceof Map || raw instanceof Collection) {
        throw new DataException(
            "the record key is a "
                + raw.getClass().getSimpleName()
                + "; set item.field, or use a string key");
      }
    }
    // bytes are named byte for byte: a lossy UTF-8 decoding would merge distinct keys
    if (raw instanceof byte[]) {
      return Names.encode((byte[]) raw);
    }
    String text = String.valueOf(raw);
    String name = itemNames.get(text);
    if (name == null) {
      name = Names.encode(text); // throws for a bad name, which is then not cached
      if (itemNames.size() >= CACHE) {
        itemNames.clear();
      }
      itemNames.put(text, name);
    }
    return name;
  }

  private long index(SinkRecord r, Object fieldValue) {
    if (indexField == null) {
      if (r.timestamp() == null) {
        throw new DataException(
            "the record has no timestamp; set index.field to a value field holding one");
      }
      return Math.multiplyExact(r.timestamp(), 1_000_000L);
    }
    if (fieldValue == null) {
      throw new DataException("index field '" + indexField + "' is missing or null");
    }
    if (fieldValue instanceof java.util.Date) {
      return Math.multiplyExact(((java.util.Date) fieldValue).getTime(), 1_000_000L);
    }
    if (fieldValue instanceof Long
        || fieldValue instanceof Integer
        || fieldValue instanceof Short
        || fieldValue instanceof Byte) {
      return epochNanos(((Number) fieldValue).longValue());
    }
    if (fieldValue instanceof Number) {
      java.time.Instant t = Timestamps.parseEpoch(fieldValue.toString(), indexUnit);
      return IndexUnit.NANOS.fromInstant(t);
    }
    if (fieldValue instanceof CharSequence) {
      return IndexUnit.NANOS.fromInstant(Timestamps.parse(fieldValue.toString()));
    }
    throw new DataException(
        "index field '"
            + indexField
            + "' holds a "
            + fieldValue.getClass().getSimpleName()
            + ", not a timestamp, number or ISO-8601 string");
  }

  /** An integral epoch value in {@code index.unit}, in nanoseconds. */
  private long epochNanos(long v) {
    long perUnit;
    switch (indexUnit) {
      case "s":
        perUnit = 1_000_000_000L;
        break;
      case "ms":
        perUnit = 1_000_000L;
        break;
      case "us":
        perUnit = 1_000L;
        break;
      case "ns":
        return v;
      default:
        throw new InvalidDataException(
            "unknown epoch unit '" + indexUnit + "'; use s, ms, us or ns");
    }
    try {
      return Math.multiplyExact(v, perUnit);
    } catch (ArithmeticException e) {
      throw new InvalidDataException(
          "index value " + v + " " + indexUnit + " is outside the range of the index");
    }
  }

  // ---- records with a Connect schema ----

  private Plan plan(org.apache.kafka.connect.data.Schema schema) {
    Plan p = byIdentity.get(schema);
    if (p == null) {
      p = byValue.get(schema);
      if (p == null) {
        p = new Plan(schema);
        if (byValue.size() > CACHE) {
          byValue.clear();
        }
        byValue.put(schema, p);
      }
      if (byIdentity.size() > CACHE) {
        byIdentity.clear();
      }
      byIdentity.put(schema, p);
    }
    return p;
  }

  /** How to turn Structs of one Connect schema into rows of one Avro schema. */
  private final class Plan {
    final Schema avro;
    final List<Field> fields = new ArrayList<>();
    final List<Schema> types = new ArrayList<>();

    Plan(org.apache.kafka.connect.data.Schema schema) {
      if (schema.type() != org.apache.kafka.connect.data.Schema.Type.STRUCT) {
        throw new DataException(
            "the value schema is " + schema.type() + "; the sink needs a STRUCT");
      }
      Set<String> taken = new HashSet<>();
      Set<String> recordNames = new HashSet<>();
      List<Schema.Field> out = new ArrayList<>();
      taken.add(indexColumn);
      out.add(new Schema.Field(indexColumn, IndexUnit.NANOS.schema(), null, (Object) null));
      for (Field f : schema.fields()) {
        if (f.name().equals(indexField)) {
          continue;
        }
        if (indexField == null && f.name().equals(indexColumn)) {
          throw new DataException(
              "the value has a field '"
                  + indexColumn
                  + "', the index column's name; set index.column to another name, or index.field to this field");
        }
        Schema t = avroType(f.schema(), "Row_" + f.name(), recordNames);
        out.add(field(AvroNames.sanitize(f.name(), taken), t));
        fields.add(f);
        types.add(t);
      }
      Schema rec = Schema.createRecord("Row", null, null, false);
      rec.setFields(out);
      this.avro = rec;
      this.plain = new boolean[fields.size()];
      for (int i = 0; i < plain.length; i++) {
        org.apache.kafka.connect.data.Schema fs = fields.get(i).schema();
        switch (fs.type()) {
          case INT64:
          case FLOAT32:
          case FLOAT64:
          case BOOLEAN:
            plain[i] = fs.name() == null; // Timestamp is an INT64 with a name
            break;
          default:
            plain[i] = false;
        }
      }
    }

    GenericData.Record convert(Struct s, long index, long[] size) {
      GenericData.Record row = new GenericData.Record(avro);
      row.put(0, index);
      for (int i = 0; i < fields.size(); i++) {
        Field f = fields.get(i);
        Object v = s.get(f);
        if (plain[i] && v != null) {
          size[0] += 16; // a number or boolean, stored as Connect holds it
          row.put(i + 1, v);
        } else {
          row.put(i + 1, value(v, f.schema(), types.get(i), size));
        }
      }
      return row;
    }

    /**
     * Per field, whether its values are stored as they are: numbers and booleans, no logical type.
     */
    private final boolean[] plain;
  }

  private static Schema.Field field(String name, Schema type) {
    return Schemas.isNullable(type)
        ? new Schema.Field(name, type, null, JsonProperties.NULL_VALUE)
        : new Schema.Field(name, type, null, (Object) null);
  }

  private static Schema avroType(
      org.apache.kafka.connect.data.Schema s, String path, Set<String> recordNames) {
    Schema t = avroTypeNonNull(s, path, recordNames);
    return s.isOptional() ? Schemas.nullable(t) : t;
  }

  private static Schema avroTypeNonNull(
      org.apache.kafka.connect.data.Schema s, String path, Set<String> recordNames) {
    String logical = s.name();
    if (Decimal.LOGICAL_NAME.equals(logical)) {
      int scale = Integer.parseInt(s.parameters().get(Decimal.SCALE_FIELD));
      String p = s.parameters() == null ? null : s.parameters().get("connect.decimal.precision");
      int precision = p != null ? Integer.parseInt(p) : Math.max(38, scale);
      return LogicalTypes.decimal(precision, scale).addToSchema(Schema.create(Schema.Type.BYTES));
    }
    if (org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(logical)) {
      return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
    }
    if (Time.LOGICAL_NAME.equals(logical)) {
      return LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT));
    }
    if (Timestamp.LOGICAL_NAME.equals(logical)) {
      return LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    }
    switch (s.type()) {
      case INT8:
      case INT16:
      case INT32:
        return Schema.create(Schema.Type.INT);
      case INT64:
        return Schema.create(Schema.Type.LONG);
      case FLOAT32:
        return Schema.create(Schema.Type.FLOAT);
      case FLOAT64:
        return Schema.create(Schema.Type.DOUBLE);
      case BOOLEAN:
        return Schema.create(Schema.Type.BOOLEAN);
      case STRING:
        return Schema.create(Schema.Type.STRING); // enums from AvroConverter arrive as strings
      case BYTES:
        return Schema.create(Schema.Type.BYTES);
      case ARRAY:
        return Schema.createArray(avroType(s.valueSchema(), path + "_item", recordNames));
      case MAP:
        return Schema.createMap(avroType(s.valueSchema(), path + "_value", recordNames));
      case STRUCT:
        Set<String> taken = new HashSet<>();
        List<Schema.Field> fs = new ArrayList<>();
        for (Field f : s.fields()) {
          fs.add(
              field(
                  AvroNames.sanitize(f.name(), taken),
                  avroType(f.schema(), path + "_" + f.name(), recordNames)));
        }
        Schema rec = Schema.createRecord(AvroNames.sanitize(path, recordNames), null, null, false);
        rec.setFields(fs);
        return rec;
      default:
        throw new DataException("Connect type " + s.type() + " is not supported");
    }
  }

  private static Object value(
      Object v, org.apache.kafka.connect.data.Schema s, Schema avro, long[] size) {
    if (v == null) {
      if (!s.isOptional()) {
        throw new DataException("a required field holds null");
      }
      return null;
    }
    Schema t = Schemas.nonNull(avro);
    size[0] += 16;
    String logical = s.name();
    if (Decimal.LOGICAL_NAME.equals(logical)) {
      BigDecimal d = (BigDecimal) v;
      return DECIMALS.toBytes(d, t, t.getLogicalType());
    }
    if (org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(logical)) {
      return (int) Math.floorDiv(((java.util.Date) v).getTime(), 86_400_000L);
    }
    if (Time.LOGICAL_NAME.equals(logical)) {
      return (int) Math.floorMod(((java.util.Date) v).getTime(), 86_400_000L);
    }
    if (Timestamp.LOGICAL_NAME.equals(logical)) {
      return ((java.util.Date) v).getTime();
    }
    switch (s.type()) {
      case INT8:
      case INT16:
      case INT32:
        return ((Number) v).intValue();
      case STRING:
        size[0] += 2L * ((String) v).length();
        return v;
      case BYTES:
        ByteBuffer b = v instanceof byte[] ? ByteBuffer.wrap((byte[]) v) : (ByteBuffer) v;
        size[0] += b.remaining();
        return b;
      case ARRAY:
        List<Object> list = new ArrayList<>();
        for (Object e : (List<?>) v) {
          list.add(value(e, s.valueSchema(), t.getElementType(), size));
        }
        return list;
      case MAP:
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          map.put(
              String.valueOf(e.getKey()),
              value(e.getValue(), s.valueSchema(), t.getValueType(), size));
        }
        return map;
      case STRUCT:
        Struct st = (Struct) v;
        GenericData.Record rec = new GenericData.Record(t);
        int i = 0;
        for (Field f : s.fields()) {
          rec.put(i, value(st.get(f), f.schema(), t.getFields().get(i).schema(), size));
          i++;
        }
        return rec;
      default:
        return v; // Long, Float, Double, Boolean as they are
    }
  }

  // ---- schemaless values ----

  private GenericData.Record inferRow(Map<?, ?> m, long index, long[] size) {
    GenericData.Record same = sameShape(m, index, size);
    if (same != null) {
      return same;
    }
    // the map's own order: maps of one shape iterate alike, so one signature per shape
    StringBuilder signature = new StringBuilder(64);
    List<Object> values = new ArrayList<>(m.size());
    for (Map.Entry<?, ?> e : m.entrySet()) {
      Object k = e.getKey();
      Object v = e.getValue();
      if (v == null || (indexField != null && indexField.equals(k))) {
        continue;
      }
      if (indexField == null && indexColumn.equals(k)) {
        throw new DataException(
            "the value has a field '"
                + indexColumn
                + "', the index column's name; set index.column to another name, or index.field to this field");
      }
      signature.append(k).append('\u0000').append(kind(v));
      values.add(v);
    }
    Schema schema = inferred.get(signature.toString());
    if (schema == null) {
      if (inferred.size() > CACHE) {
        inferred.clear();
      }
      LinkedHashMap<String, Object> fields = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() != null && !(indexField != null && indexField.equals(e.getKey()))) {
          fields.put(String.valueOf(e.getKey()), e.getValue());
        }
      }
      schema = inferSchema(fields);
      inferred.put(signature.toString(), schema);
    }
    GenericData.Record row = new GenericData.Record(schema);
    row.put(0, index);
    int i = 1;
    String[] keys = new String[values.size()];
    char[] kinds = new char[values.size()];
    int k = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      Object v = e.getValue();
      if (v != null && !(indexField != null && indexField.equals(e.getKey()))) {
        keys[k] = String.valueOf(e.getKey());
        kinds[k++] = kind(v);
      }
    }
    for (Object v : values) {
      row.put(i++, inferValue(v, size));
    }
    shapeKeys = keys;
    shapeKinds = kinds;
    shapeSchema = schema;
    return row;
  }

  /**
   * The row when the map has the last shape seen (same keys with values of the same kinds, in the
   * same order), which consecutive records of a topic mostly do; else null.
   */
  private GenericData.Record sameShape(Map<?, ?> m, long index, long[] size) {
    Schema schema = shapeSchema;
    if (schema == null) {
      return null;
    }
    String[] keys = shapeKeys;
    char[] kinds = shapeKinds;
    Object[] values = new Object[keys.length];
    int n = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      Object k = e.getKey();
      Object v = e.getValue();
      if (v == null || (indexField != null && indexField.equals(k))) {
        continue;
      }
      if (n == keys.length || !keys[n].equals(k) || kinds[n] != kind(v)) {
        return null;
      }
      values[n++] = v;
    }
    if (n != keys.length) {
      return null;
    }
    GenericData.Record row = new GenericData.Record(schema);
    row.put(0, index);
    for (int i = 0; i < n; i++) {
      row.put(i + 1, inferValue(values[i], size));
    }
    return row;
  }

  private Schema inferSchema(Map<String, Object> fields) {
    Set<String> taken = new HashSet<>();
    taken.add(indexColumn);
    List<Schema.Field> out = new ArrayList<>();
    out.add(new Schema.Field(indexColumn, IndexUnit.NANOS.schema(), null, (Object) null));
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      Schema.Type t;
      switch (kind(e.getValue())) {
        case 'b':
          t = Schema.Type.BOOLEAN;
          break;
        case 'l':
          t = Schema.Type.LONG;
          break;
        case 'd':
          t = Schema.Type.DOUBLE;
          break;
        case 'y':
          t = Schema.Type.BYTES;
          break;
        default:
          t = Schema.Type.STRING;
          break;
      }
      out.add(field(AvroNames.sanitize(e.getKey(), taken), Schemas.nullable(Schema.create(t))));
    }
    Schema rec = Schema.createRecord("Row", null, null, false);
    rec.setFields(out);
    return rec;
  }

  private static char kind(Object v) {
    if (v instanceof Boolean) {
      return 'b';
    }
    if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger) {
      return 'l';
    }
    if (v instanceof Number) {
      return 'd';
    }
    if (v instanceof byte[] || v instanceof ByteBuffer) {
      return 'y';
    }
    return 's';
  }

  private static Object inferValue(Object v, long[] size) {
    size[0] += 16;
    switch (kind(v)) {
      case 'b':
        return v;
      case 'l':
        if (v instanceof Long) {
          return v;
        }
        return v instanceof BigInteger
            ? ((BigInteger) v).longValueExact()
            : ((Number) v).longValue();
      case 'd':
        return v instanceof Double ? v : ((Number) v).doubleValue();
      case 'y':
        return v instanceof byte[] ? ByteBuffer.wrap((byte[]) v) : v;
      default:
        String s =
            v instanceof CharSequence
                ? v.toString()
                : new String(Json.bytes(v), StandardCharsets.UTF_8);
        size[0] += 2L * s.length();
        return s;
    }
  }
}
