package org.pystore.store.part;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.pystore.store.Schemas;
import org.pystore.store.storage.LocalStorage;
import org.pystore.store.storage.ReadableFile;

/**
 * Reads the rows of one part into the item's (unified, projected) schema: columns the part lacks
 * come back null, narrower numeric types are widened.
 */
public final class PartReader implements RowSource {
  private static final String AVRO_SCHEMA_KEY = "parquet.avro.schema";
  // AvroReadSupport.setAvroReadSchema takes only a Hadoop Configuration; same key, plain config
  private static final String AVRO_READ_SCHEMA_KEY = "parquet.avro.read.schema";

  private final StorageIO.Input input;
  private final ParquetReader<GenericRecord> reader;
  private final FlatReader flat;
  private final ParquetFileReader flatFile;

  private PartReader(StorageIO.Input input, ParquetReader<GenericRecord> reader) {
    this.input = input;
    this.reader = reader;
    this.flat = null;
    this.flatFile = null;
  }

  private PartReader(StorageIO.Input input, ParquetFileReader file, FlatReader flat) {
    this.input = input;
    this.reader = null;
    this.flat = flat;
    this.flatFile = file;
  }

  /** Read options from our plain configuration, never Hadoop's. */
  static ParquetReadOptions readOptions() {
    return ParquetReadOptions.builder(PartWriter.conf()).build();
  }

  /** What a part says about itself in its footer. */
  public record Footer(MessageType parquetSchema, Schema avroSchema, FileMetaData metadata) {}

  /** Reads the footer of a part. */
  public static Footer footer(Path file) throws IOException {
    return footer(LocalStorage.openFile(file));
  }

  /** Reads the footer of an open part and closes it. */
  public static Footer footer(ReadableFile file) throws IOException {
    try (StorageIO.Input in = new StorageIO.Input(file)) {
      return footer(in);
    }
  }

  private static Footer footer(StorageIO.Input in) throws IOException {
    // plain read options: the defaults would build (and parse the XML of) a Hadoop configuration
    try (ParquetFileReader fr = ParquetFileReader.open(in, readOptions())) {
      return footer(fr);
    }
  }

  private static Footer footer(ParquetFileReader fr) {
    FileMetaData md = fr.getFooter().getFileMetaData();
    String avro = md.getKeyValueMetaData().get(AVRO_SCHEMA_KEY);
    Schema schema =
        avro != null
            ? new Schema.Parser().parse(avro)
            : new AvroSchemaConverter(PartWriter.conf()).convert(md.getSchema());
    return new Footer(md.getSchema(), schema, md);
  }

  /**
   * Opens a part.
   *
   * @param file the open part file; the reader owns it (and closes it on failure)
   * @param readSchema the schema rows are returned in
   * @param filter a builder of the Parquet filter for this file's column types, may return null
   * @return the reader
   * @throws IOException when the file is missing or unreadable
   */
  public static PartReader open(
      ReadableFile file,
      Schema readSchema,
      java.util.function.Function<MessageType, FilterPredicate> filter)
      throws IOException {
    return open(file, readSchema, filter, null, COLUMNAR);
  }

  /**
   * Bounds on the index column, inclusive: the whole of a filter, which a reader may then apply to
   * each row itself.
   *
   * @param column the index column
   * @param from smallest index kept
   * @param to largest index kept
   */
  public record IndexRange(String column, long from, long to) {}

  /**
   * Opens a part like {@link #open(ReadableFile, Schema, java.util.function.Function)}, told that
   * the filter is exactly an index range (or there is none): a part of primitive columns is then
   * decoded a column at a time ({@link FlatReader}), with the range applied to each row as Parquet
   * would.
   *
   * @param range what the filter is, or null when it is more than an index range
   */
  public static PartReader open(
      ReadableFile file,
      Schema readSchema,
      java.util.function.Function<MessageType, FilterPredicate> filter,
      IndexRange range)
      throws IOException {
    return open(file, readSchema, filter, range, COLUMNAR);
  }

  /** {@link #open}, choosing whether flat parts are decoded a column at a time. */
  static PartReader open(
      ReadableFile file,
      Schema readSchema,
      java.util.function.Function<MessageType, FilterPredicate> filter,
      IndexRange range,
      boolean columnar)
      throws IOException {
    StorageIO.Input in = new StorageIO.Input(file);
    try {
      // a filter of more than an index range filters rows in ways only parquet-avro's reader
      // reproduces (dedupe depends on which rows reach it): leave such reads to it
      boolean exact = filter == null || range != null;
      Footer footer;
      ParquetFileReader fr = ParquetFileReader.open(in, readOptions());
      try {
        MessageType fileSchema = fr.getFooter().getFileMetaData().getSchema();
        if (columnar && exact && flat(readSchema, fileSchema, range)) {
          FilterPredicate pred = filter == null ? null : filter.apply(fileSchema);
          if (pred != null) {
            // reopen with the filter: the reader drops the row groups it rules out as it opens
            fr.close();
            fr =
                ParquetFileReader.open(
                    in,
                    ParquetReadOptions.builder(PartWriter.conf())
                        .withRecordFilter(FilterCompat.get(pred))
                        .build());
          }
          return new PartReader(in, fr, new FlatReader(fr, readSchema, range));
        }
        footer = footer(fr);
      } catch (IOException | RuntimeException e) {
        fr.close();
        throw e;
      }
      fr.close();
      ParquetConfiguration conf = PartWriter.conf();
      conf.set(AVRO_READ_SCHEMA_KEY, readSchema.toString());
      Set<String> wanted = new LinkedHashSet<>(Schemas.names(readSchema));
      FilterPredicate pred = filter == null ? null : filter.apply(footer.parquetSchema());
      ParquetReader<GenericRecord> reader =
          new Builder(in, conf, new Projection(wanted))
              .withFilter(pred == null ? FilterCompat.NOOP : FilterCompat.get(pred))
              .build();
      return new PartReader(in, reader);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** Whether {@link FlatReader} reads this part for this read, and the range on its index. */
  private static boolean flat(Schema readSchema, MessageType fileSchema, IndexRange range) {
    if (range != null) {
      Schema.Field idx = readSchema.getField(range.column());
      if (idx == null || Schemas.nonNull(idx.schema()).getType() != Schema.Type.LONG) {
        return false;
      }
    }
    return FlatReader.handles(readSchema, fileSchema);
  }

  /**
   * Whether flat parts are decoded a column at a time ({@link FlatReader}); the system property
   * {@code pystore.columnar.read=false} sends every part to parquet-avro (for comparison).
   */
  static final boolean COLUMNAR =
      !"false".equals(System.getProperty("pystore.columnar.read", "true"));

  /**
   * Reads only the wanted top-level columns the file has, by name; columns the file lacks come back
   * as their default (null) from the Avro read schema.
   */
  private static final class Projection extends AvroReadSupport<GenericRecord> {
    private final Set<String> columns;

    Projection(Set<String> columns) {
      super(GenericData.get());
      this.columns = columns;
    }

    @Override
    public ReadContext init(InitContext context) {
      ReadContext full = super.init(context);
      MessageType file = context.getFileSchema();
      List<Type> keep = new ArrayList<>();
      for (Type t : file.getFields()) {
        if (columns.contains(t.getName())) {
          keep.add(t);
        }
      }
      return new ReadContext(new MessageType(file.getName(), keep), full.getReadSupportMetadata());
    }
  }

  /** A reader builder with our read support. */
  private static final class Builder extends ParquetReader.Builder<GenericRecord> {
    private final ReadSupport<GenericRecord> support;

    Builder(InputFile file, ParquetConfiguration conf, ReadSupport<GenericRecord> support) {
      super(file, conf);
      this.support = support;
    }

    @Override
    protected ReadSupport<GenericRecord> getReadSupport() {
      return support;
    }
  }

  @Override
  public GenericRecord next() throws IOException {
    return flat != null ? flat.next() : reader.read();
  }

  @Override
  public void close() throws IOException {
    try {
      if (flat != null) {
        flatFile.close();
      } else {
        reader.close();
      }
    } finally {
      input.close();
    }
  }
}
