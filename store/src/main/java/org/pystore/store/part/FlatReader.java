package org.pystore.store.part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.pystore.store.Schemas;
import org.pystore.store.part.FlatWriteSupport.Kind;

/**
 * Reads the rows of a part whose columns are all primitives a column at a time: each row group is
 * decoded column by column into primitive arrays (no record assembly, no boxing while decoding, one
 * {@code String} per dictionary entry), then rows are made from the arrays. The rows equal what
 * parquet-avro's reader returns for the same read schema ({@link #handles} says when that holds;
 * everything else goes to parquet-avro): columns the file lacks take the field's default, narrower
 * numbers are widened as parquet-avro widens them, strings are {@code String}, bytes a fresh {@code
 * ByteBuffer} per row. Filters are applied to row groups (statistics, dictionaries) only: callers
 * filter rows themselves.
 */
final class FlatReader {
  private final ParquetFileReader file;
  private final Schema schema;
  private final MessageType requested;
  private final String createdBy;

  /** Per read field: how its values are held; null for a column the file lacks. */
  private final Kind[] kinds;

  private final int[] fileColumn;
  private final Object[] defaults;

  /** The read field of the index range rows must be within, or -1. */
  private final int rangeField;

  private final long from;
  private final long to;

  private Column[] batch;
  private int rows;
  private int pos;

  /**
   * @param file the open part, its row groups already filtered; this reader reads from it
   * @param schema the read schema, which {@link #handles} accepted for this file
   */
  FlatReader(ParquetFileReader file, Schema schema, PartReader.IndexRange range) {
    this.file = file;
    this.schema = schema;
    boolean bounded =
        range != null && (range.from() != Long.MIN_VALUE || range.to() != Long.MAX_VALUE);
    this.rangeField = bounded ? schema.getField(range.column()).pos() : -1;
    this.from = range == null ? Long.MIN_VALUE : range.from();
    this.to = range == null ? Long.MAX_VALUE : range.to();
    MessageType fileSchema = file.getFooter().getFileMetaData().getSchema();
    this.createdBy = file.getFooter().getFileMetaData().getCreatedBy();
    int n = schema.getFields().size();
    this.kinds = new Kind[n];
    this.fileColumn = new int[n];
    this.defaults = new Object[n];
    List<Type> keep = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      int i = f.pos();
      if (!fileSchema.containsField(f.name())) {
        kinds[i] = null;
        fileColumn[i] = -1;
        defaults[i] = defaultOf(f);
      } else {
        kinds[i] = FlatWriteSupport.kind(Schemas.nonNull(f.schema()));
        fileColumn[i] = keep.size();
        keep.add(fileSchema.getType(f.name()));
      }
    }
    this.requested = new MessageType(fileSchema.getName(), keep);
    file.setRequestedSchema(requested);
  }

  /**
   * Whether rows of {@code read} from a file of {@code fileSchema} can be read here, equal to what
   * parquet-avro returns: every field a primitive (or a nullable one) with a plain file column of a
   * matching or narrower type, or absent from the file with an immutable default.
   */
  static boolean handles(Schema read, MessageType fileSchema) {
    if (!FlatWriteSupport.handles(read)) {
      return false; // the same columns as the flat writer's: primitives, maybe nullable, no uuid
    }
    for (Schema.Field f : read.getFields()) {
      Kind k = FlatWriteSupport.kind(Schemas.nonNull(f.schema()));
      if (!fileSchema.containsField(f.name())) {
        if (!f.hasDefaultValue()) {
          return false;
        }
        Object d = GenericData.get().getDefaultValue(f);
        if (d != null
            && !(d instanceof Number || d instanceof Boolean || d instanceof CharSequence)) {
          return false;
        }
        continue;
      }
      Type t = fileSchema.getType(f.name());
      if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
        return false;
      }
      if (!readable(t.asPrimitiveType().getPrimitiveTypeName(), k)) {
        return false;
      }
    }
    return true;
  }

  /** The file types parquet-avro reads into a field of a kind, and so do we. */
  private static boolean readable(PrimitiveType.PrimitiveTypeName file, Kind k) {
    return switch (k) {
      case BOOLEAN -> file == PrimitiveType.PrimitiveTypeName.BOOLEAN;
      case INT -> file == PrimitiveType.PrimitiveTypeName.INT32;
      case LONG ->
          file == PrimitiveType.PrimitiveTypeName.INT64
              || file == PrimitiveType.PrimitiveTypeName.INT32;
      case FLOAT -> file == PrimitiveType.PrimitiveTypeName.FLOAT;
      case DOUBLE ->
          file == PrimitiveType.PrimitiveTypeName.DOUBLE
              || file == PrimitiveType.PrimitiveTypeName.FLOAT;
      case STRING, BYTES -> file == PrimitiveType.PrimitiveTypeName.BINARY;
      default -> false;
    };
  }

  private static Object defaultOf(Schema.Field f) {
    Object d = GenericData.get().getDefaultValue(f);
    return d == null ? null : GenericData.get().deepCopy(f.schema(), d);
  }

  /** The next row, or null after the last. */
  GenericRecord next() throws IOException {
    int r;
    do {
      while (pos == rows) {
        PageReadStore pages = file.readNextRowGroup();
        if (pages == null) {
          return null;
        }
        decode(pages);
      }
      r = pos++;
    } while (rangeField >= 0 && !within(r));
    GenericData.Record out = new GenericData.Record(schema);
    for (int i = 0; i < kinds.length; i++) {
      out.put(i, fileColumn[i] < 0 ? absent(i) : batch[fileColumn[i]].get(r));
    }
    return out;
  }

  /**
   * Whether a row's index is within the range, as Parquet's record filter judges it: a null index
   * (or an index column the file lacks) is not.
   */
  private boolean within(int r) {
    if (fileColumn[rangeField] < 0) {
      return false;
    }
    Object v = batch[fileColumn[rangeField]].get(r);
    if (!(v instanceof Long idx)) {
      return false;
    }
    return idx >= from && idx <= to;
  }

  /** The default of a column the file lacks; a copy per row when it could be changed (a Utf8). */
  private Object absent(int i) {
    Object d = defaults[i];
    return d instanceof org.apache.avro.util.Utf8 u ? new org.apache.avro.util.Utf8(u) : d;
  }

  private void decode(PageReadStore pages) {
    long count = pages.getRowCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a row group of " + count + " rows is too large to decode");
    }
    int n = (int) count;
    Column[] cols = new Column[requested.getFieldCount()];
    for (int i = 0; i < kinds.length; i++) {
      if (fileColumn[i] >= 0) {
        cols[fileColumn[i]] = new Column(kinds[i], n);
      }
    }
    ColumnReadStoreImpl store =
        new ColumnReadStoreImpl(pages, new Root(cols), requested, createdBy);
    for (int c = 0; c < cols.length; c++) {
      ColumnDescriptor d = requested.getColumns().get(c);
      ColumnReader reader = store.getColumnReader(d);
      Column col = cols[c];
      int maxDef = d.getMaxDefinitionLevel();
      for (int r = 0; r < n; r++) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          col.row = r;
          reader.writeCurrentValueToConverter();
        } else {
          col.setNull(r);
        }
        reader.consume();
      }
    }
    batch = cols;
    rows = n;
    pos = 0;
  }

  /** The converters of the requested columns, in their order. */
  private static final class Root extends GroupConverter {
    private final Column[] columns;

    Root(Column[] columns) {
      this.columns = columns;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return columns[fieldIndex];
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }

  /** One column of a row group: its values in a primitive array, nulls aside. */
  private static final class Column extends PrimitiveConverter {
    private final Kind kind;
    private final int size;
    private boolean[] booleans;
    private int[] ints;
    private long[] longs;
    private float[] floats;
    private double[] doubles;
    private Object[] objects;
    private boolean[] nulls;
    private String[] dictionary;
    int row;

    Column(Kind kind, int n) {
      this.kind = kind;
      this.size = n;
      switch (kind) {
        case BOOLEAN -> booleans = new boolean[n];
        case INT -> ints = new int[n];
        case LONG -> longs = new long[n];
        case FLOAT -> floats = new float[n];
        case DOUBLE -> doubles = new double[n];
        default -> objects = new Object[n];
      }
    }

    void setNull(int r) {
      if (nulls == null) {
        nulls = new boolean[size];
      }
      nulls[r] = true;
    }

    /** The value of a row as parquet-avro gives it. */
    Object get(int r) {
      if (nulls != null && nulls[r]) {
        return null;
      }
      return switch (kind) {
        case BOOLEAN -> booleans[r];
        case INT -> ints[r];
        case LONG -> longs[r];
        case FLOAT -> floats[r];
        case DOUBLE -> doubles[r];
        case STRING -> objects[r];
        case BYTES -> ByteBuffer.wrap((byte[]) objects[r]); // a buffer of its own per row
        default -> throw new IllegalStateException(kind.toString());
      };
    }

    @Override
    public boolean hasDictionarySupport() {
      return kind == Kind.STRING;
    }

    @Override
    public void setDictionary(Dictionary d) {
      dictionary = new String[d.getMaxId() + 1];
      for (int i = 0; i < dictionary.length; i++) {
        dictionary[i] = d.decodeToBinary(i).toStringUsingUTF8();
      }
    }

    @Override
    public void addValueFromDictionary(int id) {
      objects[row] = dictionary[id];
    }

    @Override
    public void addBinary(Binary value) {
      objects[row] = kind == Kind.STRING ? value.toStringUsingUTF8() : value.getBytes();
    }

    @Override
    public void addBoolean(boolean value) {
      booleans[row] = value;
    }

    @Override
    public void addInt(int value) {
      if (kind == Kind.LONG) {
        longs[row] = value;
      } else {
        ints[row] = value;
      }
    }

    @Override
    public void addLong(long value) {
      longs[row] = value;
    }

    @Override
    public void addFloat(float value) {
      if (kind == Kind.DOUBLE) {
        doubles[row] = value;
      } else {
        floats[row] = value;
      }
    }

    @Override
    public void addDouble(double value) {
      doubles[row] = value;
    }
  }
}
