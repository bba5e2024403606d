package org.pystore.store.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.pystore.store.IndexUnit;
import org.pystore.store.InvalidDataException;
import org.pystore.store.Schemas;
import org.pystore.store.log.Json;
import org.pystore.store.part.StorageIO;
import org.pystore.store.storage.Storage;

/**
 * One Parquet file written by pandas through pyarrow or fastparquet (a PyStore/dask part), read
 * column by column into Avro rows of the store: the pandas index becomes the item's timestamp index
 * (a {@code datetime} index as it is; an integer-epoch index converted from its unit), column names
 * that Avro cannot hold are renamed, and timezone-naive timestamps are taken as UTC.
 */
final class PandasFile {
  private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> UNNAMED_INDEX =
      Set.of("__index_level_0__", "__null_dask_index__");
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;

  /** How the file's integer index counts time since the epoch. */
  enum EpochUnit {
    S(IndexUnit.MILLIS, 1000),
    MS(IndexUnit.MILLIS, 1),
    US(IndexUnit.MICROS, 1),
    NS(IndexUnit.NANOS, 1);

    final IndexUnit unit;
    final long factor;

    EpochUnit(IndexUnit unit, long factor) {
      this.unit = unit;
      this.factor = factor;
    }

    static EpochUnit parse(String text) {
      for (EpochUnit u : values()) {
        if (u.name().equalsIgnoreCase(text.trim())) {
          return u;
        }
      }
      throw new InvalidDataException("unknown epoch unit '" + text + "'; use one of s, ms, us, ns");
    }

    /** The unit a value of today's magnitude is in (1e9 s, 1e12 ms, 1e15 us, 1e18 ns). */
    static EpochUnit guess(long value) {
      long v = Math.abs(value);
      if (v >= 100_000_000_000_000_000L) {
        return NS;
      } else if (v >= 100_000_000_000_000L) {
        return US;
      } else if (v >= 100_000_000_000L) {
        return MS;
      }
      return S;
    }

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Storage storage;
  private final String key;

  /** Where the file is, for messages. */
  final String file;

  final MessageType parquet;
  final long rows;

  /** The creator named in the pandas metadata (pyarrow, fastparquet), or "unknown". */
  final String creator;

  private final String indexSource;
  private final String indexName;
  private final List<String> renamed = new ArrayList<>();

  private PandasFile(
      Storage storage,
      String key,
      MessageType parquet,
      long rows,
      String creator,
      String indexSource,
      String name) {
    this.storage = storage;
    this.key = key;
    this.file = storage.describe(key);
    this.parquet = parquet;
    this.rows = rows;
    this.creator = creator;
    this.indexSource = indexSource;
    this.indexName = name;
  }

  /**
   * Reads a file's footer and finds its index column.
   *
   * @param storage where the file is
   * @param key the Parquet file
   * @param indexColumn the column to use as the index, or null for the pandas index
   * @return the file, not yet read
   * @throws InvalidDataException when the file names no usable index
   * @throws IOException when the file is not readable Parquet
   */
  static PandasFile open(Storage storage, String key, String indexColumn) throws IOException {
    String file = storage.describe(key);
    MessageType schema;
    long rows;
    Map<String, String> kv;
    try (StorageIO.Input in = new StorageIO.Input(storage.open(key));
        ParquetFileReader r = ParquetFileReader.open(in, ParquetReadOptions.builder().build())) {
      schema = r.getFooter().getFileMetaData().getSchema();
      kv = r.getFooter().getFileMetaData().getKeyValueMetaData();
      rows = r.getRecordCount();
    }
    String creator = "unknown";
    String source = indexColumn;
    String name = indexColumn;
    String pandas = kv.get("pandas");
    if (pandas != null) {
      JsonNode meta = Json.MAPPER.readTree(pandas);
      creator = meta.path("creator").path("library").asText("unknown");
      if (source == null) {
        JsonNode first = meta.path("index_columns").path(0);
        if (first.isTextual()) {
          source = first.asText();
          name = source;
          for (JsonNode c : meta.path("columns")) {
            if (source.equals(c.path("field_name").asText(c.path("name").asText()))) {
              name = c.path("name").isTextual() ? c.path("name").asText() : null;
            }
          }
        }
      }
    }
    if (source == null) {
      throw new InvalidDataException(
          file
              + " has no stored pandas index (no 'pandas' metadata, or a RangeIndex that was not"
              + " written); name the index column with --index COLUMN");
    }
    if (!schema.containsField(source)) {
      throw new InvalidDataException(
          file
              + " has no column '"
              + source
              + "' to use as the index; its columns: "
              + names(schema));
    }
    if (name == null || UNNAMED_INDEX.contains(name)) {
      name = "index";
    }
    return new PandasFile(storage, key, schema, rows, creator, source, name);
  }

  private static List<String> names(MessageType schema) {
    List<String> out = new ArrayList<>();
    for (Type t : schema.getFields()) {
      out.add(t.getName());
    }
    return out;
  }

  /** The file's index column as written. */
  String indexSource() {
    return indexSource;
  }

  /** Columns renamed so Avro can hold them ("Adj Close -> Adj_Close"). */
  List<String> renamed() {
    return renamed;
  }

  /** Whether the index is stored as plain integers (epoch time) rather than timestamps. */
  boolean epochIndex() {
    Type t = parquet.getType(indexSource);
    return t.isPrimitive()
        && t.asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.INT96
        && !(t.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation);
  }

  /**
   * Reads every row.
   *
   * @param epoch the unit of an integer index, or null to guess it from the first value
   * @param indexAs the name the index takes (an adopted item's index column), or null for its
   *     pandas name ("index" when unnamed)
   * @return the rows (in file order) and how they were converted
   */
  Rows read(EpochUnit epoch, String indexAs) throws IOException {
    String indexName = indexAs == null ? this.indexName : indexAs;
    renamed.clear();
    List<Column> columns = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    taken.add(indexName);
    for (Type t : parquet.getFields()) {
      if (t.getName().equals(indexSource)) {
        continue;
      }
      String name = avroName(t.getName(), taken);
      if (!name.equals(t.getName())) {
        renamed.add(t.getName() + " -> " + name);
      }
      columns.add(column(t, name));
    }
    PrimitiveType index = indexType();
    int indexPos = parquet.getFieldIndex(indexSource);
    boolean int96 = index.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96;
    LogicalTypeAnnotation lt = index.getLogicalTypeAnnotation();
    IndexUnit stored =
        int96
            ? IndexUnit.NANOS
            : lt instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
                ? unit(ts.getUnit())
                : null;
    EpochUnit resolved = stored == null ? epoch : null;
    Schema schema = null;
    List<GenericRecord> out = new ArrayList<>((int) Math.min(rows, Integer.MAX_VALUE));
    long previous = Long.MIN_VALUE;
    boolean sorted = true;
    try (StorageIO.Input in = new StorageIO.Input(storage.open(key));
        ParquetReader<Group> reader = new GroupReader(in).build()) {
      int r = 0;
      for (Group g = reader.read(); g != null; g = reader.read(), r++) {
        if (g.getFieldRepetitionCount(indexPos) == 0) {
          throw new InvalidDataException(
              file + ": row " + r + " has no index value; PyStore items need one on every row");
        }
        long idx = int96 ? int96Nanos(g.getInt96(indexPos, 0)) : indexLong(g, indexPos, index);
        if (schema == null) {
          if (stored == null && resolved == null) {
            resolved = EpochUnit.guess(idx); // from the first value's magnitude
          }
          schema = schema(indexName, stored != null ? stored : resolved.unit, columns);
        }
        if (resolved != null) {
          idx = Math.multiplyExact(idx, resolved.factor);
        }
        sorted &= idx >= previous;
        previous = idx;
        GenericData.Record rec = new GenericData.Record(schema);
        rec.put(0, idx);
        for (int c = 0; c < columns.size(); c++) {
          rec.put(c + 1, columns.get(c).value(g));
        }
        out.add(rec);
      }
    }
    if (schema == null) { // no rows
      if (stored == null && resolved == null) {
        resolved = EpochUnit.NS;
      }
      schema = schema(indexName, stored != null ? stored : resolved.unit, columns);
    }
    return new Rows(schema, out, sorted, resolved);
  }

  private static Schema schema(String indexName, IndexUnit unit, List<Column> columns) {
    List<Schema.Field> fields = new ArrayList<>();
    fields.add(new Schema.Field(indexName, unit.schema(), null, (Object) null));
    for (Column c : columns) {
      fields.add(
          c.optional
              ? new Schema.Field(
                  c.name, Schemas.nullable(c.avro), null, Schema.Field.NULL_DEFAULT_VALUE)
              : new Schema.Field(c.name, c.avro, null, (Object) null));
    }
    return Schema.createRecord("pystore_import", null, null, false, fields);
  }

  /** A file's rows as store rows. */
  record Rows(Schema schema, List<GenericRecord> rows, boolean sorted, EpochUnit epoch) {}

  private PrimitiveType indexType() {
    Type t = parquet.getType(indexSource);
    if (!t.isPrimitive()) {
      throw unsupportedIndex(t);
    }
    PrimitiveType p = t.asPrimitiveType();
    switch (p.getPrimitiveTypeName()) {
      case INT96:
        return p;
      case INT64:
      case INT32:
        LogicalTypeAnnotation lt = p.getLogicalTypeAnnotation();
        if (lt == null
            || lt instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
            || lt instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation) {
          return p;
        }
        throw unsupportedIndex(t);
      default:
        throw unsupportedIndex(t);
    }
  }

  private InvalidDataException unsupportedIndex(Type t) {
    return new InvalidDataException(
        file
            + ": index column '"
            + indexSource
            + "' has type "
            + t
            + "; the store needs a datetime index or an integer epoch index (name another column"
            + " with --index)");
  }

  private static long indexLong(Group g, int pos, PrimitiveType type) {
    return type.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT32
        ? g.getInteger(pos, 0)
        : g.getLong(pos, 0);
  }

  private static IndexUnit unit(LogicalTypeAnnotation.TimeUnit u) {
    switch (u) {
      case MILLIS:
        return IndexUnit.MILLIS;
      case MICROS:
        return IndexUnit.MICROS;
      default:
        return IndexUnit.NANOS;
    }
  }

  /** INT96 timestamps (Impala, old fastparquet): nanoseconds of the day, then the Julian day. */
  static long int96Nanos(Binary b) {
    ByteBuffer buf = b.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = buf.getLong();
    long julianDay = Integer.toUnsignedLong(buf.getInt());
    return Math.addExact(
        Math.multiplyExact(julianDay - JULIAN_EPOCH_DAY, NANOS_PER_DAY), nanosOfDay);
  }

  private static String avroName(String raw, Set<String> taken) {
    String name = raw;
    if (!AVRO_NAME.matcher(name).matches()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < raw.length(); i++) {
        char ch = raw.charAt(i);
        boolean ok = ch == '_' || (ch < 128 && Character.isLetterOrDigit(ch));
        sb.append(ok ? ch : '_');
      }
      if (sb.length() == 0 || Character.isDigit(sb.charAt(0))) {
        sb.insert(0, '_');
      }
      name = sb.toString();
    }
    String candidate = name;
    for (int n = 2; !taken.add(candidate); n++) {
      candidate = name + "_" + n;
    }
    return candidate;
  }

  private Column column(Type t, String name) {
    boolean optional = t.getRepetition() != Type.Repetition.REQUIRED;
    if (!t.isPrimitive() || t.getRepetition() == Type.Repetition.REPEATED) {
      throw unsupported(t, "a nested (list or struct) column");
    }
    PrimitiveType p = t.asPrimitiveType();
    LogicalTypeAnnotation lt = p.getLogicalTypeAnnotation();
    int pos = parquet.getFieldIndex(t.getName());
    switch (p.getPrimitiveTypeName()) {
      case BOOLEAN:
        return new Column(
            name, optional, Schema.create(Schema.Type.BOOLEAN), g -> g.getBoolean(pos, 0), pos);
      case INT32:
        if (lt == null
            || lt instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
                && (i.isSigned() || i.getBitWidth() < 32)) {
          return new Column(
              name, optional, Schema.create(Schema.Type.INT), g -> g.getInteger(pos, 0), pos);
        }
        if (lt instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation) {
          return new Column(
              name,
              optional,
              Schema.create(Schema.Type.LONG),
              g -> Integer.toUnsignedLong(g.getInteger(pos, 0)),
              pos);
        }
        throw unsupported(t, "an int32 " + lt + " column");
      case INT64:
        if (lt instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
          return new Column(
              name, optional, unit(ts.getUnit()).schema(), g -> g.getLong(pos, 0), pos);
        }
        if (lt == null || lt instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation) {
          return new Column(
              name, optional, Schema.create(Schema.Type.LONG), g -> g.getLong(pos, 0), pos);
        }
        throw unsupported(t, "an int64 " + lt + " column");
      case INT96:
        return new Column(
            name, optional, IndexUnit.NANOS.schema(), g -> int96Nanos(g.getInt96(pos, 0)), pos);
      case FLOAT:
        return new Column(
            name, optional, Schema.create(Schema.Type.FLOAT), g -> g.getFloat(pos, 0), pos);
      case DOUBLE:
        return new Column(
            name, optional, Schema.create(Schema.Type.DOUBLE), g -> g.getDouble(pos, 0), pos);
      case BINARY:
      case FIXED_LEN_BYTE_ARRAY:
        if (lt instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            || lt instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
            || lt instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
          return new Column(
              name,
              optional,
              Schema.create(Schema.Type.STRING),
              g -> g.getBinary(pos, 0).toStringUsingUTF8(),
              pos);
        }
        if (lt == null) {
          return new Column(
              name,
              optional,
              Schema.create(Schema.Type.BYTES),
              g -> ByteBuffer.wrap(g.getBinary(pos, 0).getBytes()),
              pos);
        }
        throw unsupported(t, "a " + lt + " column");
      default:
        throw unsupported(t, "a " + p.getPrimitiveTypeName() + " column");
    }
  }

  private InvalidDataException unsupported(Type t, String what) {
    return new InvalidDataException(
        file
            + ": column '"
            + t.getName()
            + "' is "
            + what
            + ", which the store cannot hold; convert it in pandas (e.g. to float or str) and"
            + " write the item again with PyStore before importing");
  }

  /** One value column: its Avro name and type, and how to read it from a row. */
  private record Column(String name, boolean optional, Schema avro, Getter getter, int pos) {
    Object value(Group g) {
      return g.getFieldRepetitionCount(pos) == 0 ? null : getter.get(g);
    }
  }

  @FunctionalInterface
  private interface Getter {
    Object get(Group g);
  }

  /** A Parquet reader of example Groups over a plain (non-Hadoop) configuration. */
  private static final class GroupReader extends ParquetReader.Builder<Group> {
    GroupReader(InputFile file) {
      super(file, conf());
    }

    private static ParquetConfiguration conf() {
      return new PlainParquetConfiguration();
    }

    @Override
    protected ReadSupport<Group> getReadSupport() {
      return new GroupReadSupport();
    }
  }
}
