package org.pystore.store.part;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.pystore.store.Codec;
import org.pystore.store.IndexUnit;
import org.pystore.store.Schemas;
import org.pystore.store.storage.Storage;

/**
 * Writes one sorted run of rows as a Parquet part with row-group statistics and pandas metadata.
 */
public final class PartWriter {
  /** Rows per row group cap, so a range read can skip most of a large part by statistics. */
  static final long ROW_GROUP_BYTES = 64L * 1024 * 1024;

  /**
   * Row group cap of parts written row by row (compaction): a writer holds one row group in memory,
   * and a compactor runs one writer per thread in a small heap.
   */
  static final long STREAM_ROW_GROUP_BYTES = 16L * 1024 * 1024;

  private PartWriter() {}

  /**
   * Settings for every part: standard 3-level lists, which pyarrow and DuckDB expect. A plain
   * configuration, not Hadoop's, which would parse its XML defaults for every file.
   */
  static ParquetConfiguration conf() {
    ParquetConfiguration conf = new PlainParquetConfiguration();
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    conf.setBoolean("parquet.avro.add-list-element-records", false);
    return conf;
  }

  /**
   * Writes rows {@code [from, to)} of a sorted list to a new file.
   *
   * @param storage where the file goes
   * @param key the file to create (a private name until published)
   * @param schema the rows' schema
   * @param rows rows sorted by the item's key
   * @param from first row
   * @param to one past the last row
   * @param codec compression
   * @param pandasJson the {@code pandas} metadata value
   * @param indexColumn the index column (written without dictionary encoding)
   * @return the file's size and checksum
   * @throws IOException when the file cannot be written (nothing is left under its key)
   */
  public static Written write(
      Storage storage,
      String key,
      Schema schema,
      List<? extends GenericRecord> rows,
      int from,
      int to,
      Codec codec,
      String pandasJson,
      String indexColumn)
      throws IOException {
    return write(
        storage, key, writeSupport(schema), rows, from, to, codec, pandasJson, indexColumn);
  }

  /** {@link #write} with the given record writer (tests compare them). */
  static Written write(
      Storage storage,
      String key,
      WriteSupport<GenericRecord> support,
      List<? extends GenericRecord> rows,
      int from,
      int to,
      Codec codec,
      String pandasJson,
      String indexColumn)
      throws IOException {
    StorageIO.Output out = new StorageIO.Output(storage.create(key));
    try (ParquetWriter<GenericRecord> writer =
        new Builder(out, support)
            .withConf(conf())
            .withCompressionCodec(codec.parquetCodec())
            .withRowGroupSize(ROW_GROUP_BYTES)
            .withDictionaryEncoding(
                indexColumn, false) // unique timestamps: a dictionary only costs
            .withWriteMode(ParquetFileWriter.Mode.CREATE)
            .withExtraMetaData(Map.of(PandasMetadata.KEY, pandasJson))
            .build()) {
      for (int i = from; i < to; i++) {
        writer.write(rows.get(i));
      }
    } catch (IOException | RuntimeException e) {
      out.abandon();
      throw e;
    }
    try {
      return out.finish();
    } catch (IOException | RuntimeException e) {
      out.abandon();
      throw e;
    }
  }

  /**
   * Opens a part for rows written one at a time (compaction streams rows it cannot hold).
   *
   * @param storage where the file goes
   * @param key the file to create (a private name until published)
   * @param schema the rows' schema
   * @param codec compression
   * @param pandasJson the {@code pandas} metadata value
   * @param indexColumn the index column (written without dictionary encoding)
   * @return the open part; close it to finish the file
   * @throws IOException when the file cannot be created
   */
  public static Streaming open(
      Storage storage,
      String key,
      Schema schema,
      Codec codec,
      String pandasJson,
      String indexColumn)
      throws IOException {
    StorageIO.Output out = new StorageIO.Output(storage.create(key));
    try {
      return new Streaming(
          out,
          new Builder(out, writeSupport(schema))
              .withConf(conf())
              .withCompressionCodec(codec.parquetCodec())
              .withRowGroupSize(STREAM_ROW_GROUP_BYTES)
              .withDictionaryEncoding(indexColumn, false)
              .withWriteMode(ParquetFileWriter.Mode.CREATE)
              .withExtraMetaData(Map.of(PandasMetadata.KEY, pandasJson))
              .build());
    } catch (IOException | RuntimeException e) {
      out.abandon();
      throw e;
    }
  }

  /**
   * Writes a new part made of the row groups of other parts, copied as they are (no decoding).
   * Every source must have {@link #parquetSchema(Schema) the schema} of {@code schema}, and the
   * sources must come in index order without overlapping.
   *
   * @param storage where the file goes
   * @param key the file to create (a private name until published)
   * @param schema the Avro schema of the sources
   * @param sources the parts to copy, in order
   * @param pandasJson the {@code pandas} metadata value
   * @return the file's size and checksum
   * @throws IOException when a source cannot be read or the file written
   */
  public static Written concat(
      Storage storage, String key, Schema schema, List<RowGroupCopy> sources, String pandasJson)
      throws IOException {
    StorageIO.Output out = new StorageIO.Output(storage.create(key));
    try {
      return concat(out, schema, sources, pandasJson);
    } catch (IOException | RuntimeException e) {
      out.abandon();
      throw e;
    }
  }

  private static Written concat(
      StorageIO.Output out, Schema schema, List<RowGroupCopy> sources, String pandasJson)
      throws IOException {
    ParquetFileWriter w =
        new ParquetFileWriter(
            out,
            parquetSchema(schema),
            ParquetFileWriter.Mode.CREATE,
            ROW_GROUP_BYTES,
            0,
            ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH,
            ParquetProperties.DEFAULT_STATISTICS_TRUNCATE_LENGTH,
            ParquetProperties.DEFAULT_PAGE_WRITE_CHECKSUM_ENABLED);
    w.start();
    for (RowGroupCopy src : sources) {
      src.appendTo(w);
    }
    Map<String, String> meta = new java.util.LinkedHashMap<>();
    meta.put("parquet.avro.schema", schema.toString());
    meta.put("writer.model.name", "avro");
    meta.put(PandasMetadata.KEY, pandasJson);
    w.end(meta);
    return out.finish();
  }

  /** Whether a part's row groups can be copied into a part of {@code schema}. */
  public static boolean copyable(RowGroupCopy part, MessageType schema) {
    return part.schema().equals(schema);
  }

  /** The Parquet schema parts of an Avro schema are written with. */
  public static MessageType fileSchema(Schema avro) {
    return parquetSchema(avro);
  }

  /** A part being written row by row. Not thread-safe. */
  public static final class Streaming implements AutoCloseable {
    private final StorageIO.Output out;
    private final ParquetWriter<GenericRecord> writer;
    private long rows;
    private boolean closed;
    private boolean finished;

    private Streaming(StorageIO.Output out, ParquetWriter<GenericRecord> writer) {
      this.out = out;
      this.writer = writer;
    }

    /** Adds one row; rows must come sorted by the item's key. */
    public void write(GenericRecord row) throws IOException {
      writer.write(row);
      rows++;
    }

    /** Rows written so far. */
    public long rows() {
      return rows;
    }

    /** Bytes written so far plus those buffered for the current row group (an estimate). */
    public long dataSize() {
      return writer.getDataSize();
    }

    /**
     * Finishes the file.
     *
     * @return the file's size and checksum
     */
    public Written finish() throws IOException {
      closeWriter();
      finished = true;
      return out.finish();
    }

    private void closeWriter() throws IOException {
      if (!closed) {
        closed = true;
        writer.close();
      }
    }

    /** Abandons the file unless finished: nothing is left under its key. */
    @Override
    public void close() throws IOException {
      if (!finished) {
        finished = true;
        try {
          closeWriter();
        } finally {
          out.abandon();
        }
      }
    }
  }

  /**
   * The Parquet schema of an Avro schema. parquet-avro leaves {@code timestamp-nanos} columns as
   * plain int64; we annotate them TIMESTAMP(NANOS, UTC) so pandas, pyarrow and DuckDB see
   * timestamps.
   */
  static MessageType parquetSchema(Schema avro) {
    MessageType plain = new AvroSchemaConverter(conf()).convert(avro);
    List<Type> fields = new ArrayList<>();
    for (Type t : plain.getFields()) {
      Schema.Field f = avro.getField(t.getName());
      if (f != null
          && t.isPrimitive()
          && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT64
          && IndexUnit.of(Schemas.nonNull(f.schema())) == IndexUnit.NANOS) {
        fields.add(
            Types.primitive(PrimitiveType.PrimitiveTypeName.INT64, t.getRepetition())
                .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.NANOS))
                .named(t.getName()));
      } else {
        fields.add(t);
      }
    }
    return new MessageType(plain.getName(), fields);
  }

  /** A writer of Avro records with our Parquet schema. */
  private static final class Builder extends ParquetWriter.Builder<GenericRecord, Builder> {
    private final WriteSupport<GenericRecord> support;

    Builder(OutputFile file, WriteSupport<GenericRecord> support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<GenericRecord> getWriteSupport(
        org.apache.hadoop.conf.Configuration conf) {
      return support;
    }

    @Override
    protected WriteSupport<GenericRecord> getWriteSupport(ParquetConfiguration conf) {
      return support;
    }
  }

  /**
   * Whether flat schemas are written by {@link FlatWriteSupport}; {@code
   * -Dpystore.parquetAvroWrites=true} turns it off, so that benchmarks can compare the two in one
   * build (the files are the same).
   */
  private static final boolean FLAT_WRITES = !Boolean.getBoolean("pystore.parquetAvroWrites");

  /**
   * How rows of {@code avro} become Parquet records: flat schemas (primitive columns) with {@link
   * FlatWriteSupport}, the same file parquet-avro writes, faster; everything else with
   * parquet-avro.
   */
  static WriteSupport<GenericRecord> writeSupport(Schema avro) {
    if (FLAT_WRITES && FlatWriteSupport.handles(avro)) {
      return new FlatWriteSupport(parquetSchema(avro), avro);
    }
    return parquetAvro(avro);
  }

  /** parquet-avro's record writer, with our Parquet schema. */
  static WriteSupport<GenericRecord> parquetAvro(Schema avro) {
    return new AvroWriteSupport<>(parquetSchema(avro), avro, GenericData.get());
  }
}
