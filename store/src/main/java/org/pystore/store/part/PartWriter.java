package org.pystore.store.part;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.pystore.store.Codec;
import org.pystore.store.fs.AtomicFiles;

/**
 * Writes one sorted run of rows as a Parquet part with row-group statistics and pandas metadata.
 */
public final class PartWriter {
  /** Rows per row group cap, so a range read can skip most of a large part by statistics. */
  static final long ROW_GROUP_BYTES = 64L * 1024 * 1024;

  private PartWriter() {}

  /** Hadoop settings for every part: standard 3-level lists, which pyarrow and DuckDB expect. */
  static Configuration conf() {
    Configuration conf = new Configuration(false);
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    conf.setBoolean("parquet.avro.add-list-element-records", false);
    return conf;
  }

  /**
   * Writes rows {@code [from, to)} of a sorted list to a new file.
   *
   * @param file the file to create; must not exist
   * @param schema the rows' schema
   * @param rows rows sorted by the item's key
   * @param from first row
   * @param to one past the last row
   * @param codec compression
   * @param pandasJson the {@code pandas} metadata value
   * @param fsync force the file to disk
   * @return the file's size in bytes
   * @throws IOException when the file cannot be written
   */
  public static long write(
      Path file,
      Schema schema,
      List<? extends GenericRecord> rows,
      int from,
      int to,
      Codec codec,
      String pandasJson,
      boolean fsync)
      throws IOException {
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withConf(conf())
            .withSchema(schema)
            .withDataModel(GenericData.get())
            .withCompressionCodec(codec.parquetCodec())
            .withRowGroupSize(ROW_GROUP_BYTES)
            .withWriteMode(ParquetFileWriter.Mode.CREATE)
            .withExtraMetaData(Map.of(PandasMetadata.KEY, pandasJson))
            .build()) {
      for (int i = from; i < to; i++) {
        writer.write(rows.get(i));
      }
    }
    if (fsync) {
      AtomicFiles.fsync(file);
    }
    return Files.size(file);
  }
}
