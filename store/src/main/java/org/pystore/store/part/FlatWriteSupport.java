package org.pystore.store.part;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.pystore.store.Schemas;

/**
 * Writes rows of a flat schema (every column a primitive, or a nullable primitive) with one
 * prepared writer per column: the same file, bit for bit, that parquet-avro's {@code
 * AvroWriteSupport} writes, without resolving each value's schema again (its union, its logical
 * type, its conversion), where a profile of the sink's committer put a third of its samples.
 * Schemas with records, arrays, maps, enums, fixed or uuid columns go to {@code AvroWriteSupport}
 * ({@link #handles(Schema)}).
 */
final class FlatWriteSupport extends WriteSupport<GenericRecord> {
  /** How one column's values go to Parquet (and come back: {@link FlatReader}). */
  enum Kind {
    BOOLEAN,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    STRING,
    BYTES
  }

  private final MessageType parquet;
  private final Schema avro;
  private final String[] names;
  private final int[] avroPos;
  private final Kind[] kinds;
  private final boolean[] optional;
  private RecordConsumer consumer;

  FlatWriteSupport(MessageType parquet, Schema avro) {
    this.parquet = parquet;
    this.avro = avro;
    int n = parquet.getFieldCount();
    this.names = new String[n];
    this.avroPos = new int[n];
    this.kinds = new Kind[n];
    this.optional = new boolean[n];
    for (int i = 0; i < n; i++) {
      String name = parquet.getType(i).getName();
      Schema.Field f = avro.getField(name);
      names[i] = name;
      avroPos[i] = f.pos();
      optional[i] = Schemas.isNullable(f.schema());
      kinds[i] = kind(Schemas.nonNull(f.schema()));
    }
    this.recentStrings = new String[n][];
    this.recentBinaries = new Binary[n][];
    for (int i = 0; i < n; i++) {
      if (kinds[i] == Kind.STRING) {
        recentStrings[i] = new String[STRING_SLOTS];
        recentBinaries[i] = new Binary[STRING_SLOTS];
      }
    }
  }

  /** Whether rows of {@code avro} can be written here: a record of primitive columns. */
  static boolean handles(Schema avro) {
    if (avro.getType() != Schema.Type.RECORD) {
      return false;
    }
    for (Schema.Field f : avro.getFields()) {
      Schema u = f.schema();
      // a column is T or a [null, T] / [T, null] union: other unions go to parquet-avro
      if (u.getType() == Schema.Type.UNION
          && (u.getTypes().size() != 2 || !Schemas.isNullable(u))) {
        return false;
      }
      Schema s = Schemas.nonNull(u);
      if (kind(s) == null || "uuid".equals(s.getProp("logicalType"))) {
        return false; // parquet-avro may write a uuid string as 16 bytes: leave it to parquet-avro
      }
    }
    return true;
  }

  /** The kind of a non-null column schema, or null when it is not a primitive. */
  static Kind kind(Schema s) {
    switch (s.getType()) {
      case BOOLEAN:
        return Kind.BOOLEAN;
      case INT:
        return Kind.INT;
      case LONG:
        return Kind.LONG;
      case FLOAT:
        return Kind.FLOAT;
      case DOUBLE:
        return Kind.DOUBLE;
      case STRING:
        return Kind.STRING;
      case BYTES:
        return Kind.BYTES;
      default:
        return null;
    }
  }

  @Override
  public String getName() {
    return "avro"; // what parquet-avro records as writer.model.name: readers treat the file alike
  }

  @Override
  public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
    return context();
  }

  @Override
  public WriteContext init(ParquetConfiguration configuration) {
    return context();
  }

  private WriteContext context() {
    return new WriteContext(parquet, Map.of("parquet.avro.schema", avro.toString()));
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(GenericRecord row) {
    RecordConsumer c = consumer;
    c.startMessage();
    for (int i = 0; i < names.length; i++) {
      Object v = row.get(avroPos[i]);
      if (v == null) {
        if (!optional[i]) {
          throw new RuntimeException("Null-value for required field: " + names[i]);
        }
        continue;
      }
      c.startField(names[i], i);
      switch (kinds[i]) {
        case BOOLEAN:
          c.addBoolean((Boolean) v);
          break;
        case INT:
          c.addInteger(v instanceof Character ch ? ch : ((Number) v).intValue());
          break;
        case LONG:
          c.addLong(((Number) v).longValue());
          break;
        case FLOAT:
          c.addFloat(((Number) v).floatValue());
          break;
        case DOUBLE:
          c.addDouble(((Number) v).doubleValue());
          break;
        case STRING:
          c.addBinary(v instanceof String str ? cached(i, str) : string(v));
          break;
        case BYTES:
          c.addBinary(bytes(v));
          break;
        default:
          throw new IllegalStateException("no writer for " + kinds[i]);
      }
      c.endField(names[i], i);
    }
    c.endMessage();
  }

  /** Slots per string column of {@link #cached}. */
  private static final int STRING_SLOTS = 64;

  /** Per string column: recent {@code String} instances and their UTF-8 bytes. */
  private final String[][] recentStrings;

  private final Binary[][] recentBinaries;

  /**
   * The UTF-8 bytes of a string, encoded once per instance seen recently: rows read from a
   * dictionary-encoded column share one {@code String} per distinct value, and encoding it again
   * for every row cost the compactor a tenth of its time.
   */
  private Binary cached(int column, String s) {
    int slot = System.identityHashCode(s) & (STRING_SLOTS - 1);
    String[] strings = recentStrings[column];
    if (strings[slot] == s) {
      return recentBinaries[column][slot];
    }
    Binary b = Binary.fromConstantByteArray(s.getBytes(StandardCharsets.UTF_8));
    strings[slot] = s;
    recentBinaries[column][slot] = b;
    return b;
  }

  private static Binary string(Object v) {
    if (v instanceof Utf8 u) {
      return Binary.fromReusedByteArray(u.getBytes(), 0, u.getByteLength());
    }
    if (v instanceof String str) {
      return Binary.fromString(str);
    }
    if (v instanceof CharSequence cs) {
      return Binary.fromCharSequence(cs);
    }
    return Binary.fromString(v.toString());
  }

  private static Binary bytes(Object v) {
    if (v instanceof byte[] b) {
      return Binary.fromReusedByteArray(b);
    }
    return Binary.fromReusedByteBuffer((ByteBuffer) v);
  }
}
