package org.pystore.store.part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
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
 * decoded column by column, {@value #CHUNK} rows at a time, into primitive arrays (no record
 * assembly, no boxing while decoding, one {@code String} per dictionary entry), then rows are made
 * from the arrays. The rows equal what parquet-avro's reader returns for the same read schema
 * ({@link #handles} says when that holds; everything else goes to parquet-avro): columns the file
 * lacks take the field's default, narrower numbers are widened as parquet-avro widens them, strings
 * are {@code String}, bytes a fresh {@code ByteBuffer} per row. Filters are applied to row groups
 * (statistics, dictionaries) only: callers filter rows themselves.
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

  /** Rows decoded at a time, per column. */
  static final int CHUNK = 4096;

  private Column[] batch;
  private ColumnReader[] readers;
  private long groupLeft;
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
        if (groupLeft == 0 && !nextGroup()) {
          return null;
        }
        decodeChunk();
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
    return batch[fileColumn[rangeField]].longWithin(r, from, to);
  }

  /** The default of a column the file lacks; a copy per row when it could be changed (a Utf8). */
  private Object absent(int i) {
    Object d = defaults[i];
    return d instanceof org.apache.avro.util.Utf8 u ? new org.apache.avro.util.Utf8(u) : d;
  }

  /** Starts the next row group; false after the last. */
  private boolean nextGroup() throws IOException {
    PageReadStore pages = file.readNextRowGroup();
    if (pages == null) {
      return false;
    }
    long count = pages.getRowCount();
    int capacity = (int) Math.min(CHUNK, count);
    Column[] cols = new Column[requested.getFieldCount()];
    for (int i = 0; i < kinds.length; i++) {
      if (fileColumn[i] >= 0) {
        cols[fileColumn[i]] = new Column(kinds[i], capacity);
      }
    }
    ColumnReadStoreImpl store =
        new ColumnReadStoreImpl(pages, new Root(cols), requested, createdBy);
    readers = new ColumnReader[cols.length];
    for (int c = 0; c < cols.length; c++) {
      readers[c] = store.getColumnReader(requested.getColumns().get(c));
    }
    batch = cols;
    groupLeft = count;
    rows = 0;
    pos = 0;
    return true;
  }

  /**
   * Decodes the next rows of the row group, at most {@value #CHUNK} of each column: memory stays
   * bounded by the chunk whatever the size of the row group (the compressed pages of the row group
   * are held, as by any Parquet reader).
   */
  private void decodeChunk() {
    int n = (int) Math.min(CHUNK, groupLeft);
    for (int c = 0; c < batch.length; c++) {
      ColumnReader reader = readers[c];
      Column col = batch[c];
      col.clearNulls(n);
      int maxDef = requested.getColumns().get(c).getMaxDefinitionLevel();
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
    groupLeft -= n;
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

    /** Forgets the nulls of the previous chunk. */
    void clearNulls(int n) {
      if (nulls != null) {
        java.util.Arrays.fill(nulls, 0, n, false);
      }
    }

    void setNull(int r) {
      if (nulls == null) {
        nulls = new boolean[size];
      }
      nulls[r] = true;
    }

    /** Whether a row of a long column is not null and within bounds (no boxing: a hot path). */
    boolean longWithin(int r, long lo, long hi) {
      return (nulls == null || !nulls[r]) && longs[r] >= lo && longs[r] <= hi;
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
