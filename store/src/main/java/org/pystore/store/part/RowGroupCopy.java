package org.pystore.store.part;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.schema.MessageType;
import org.pystore.store.storage.LocalStorage;
import org.pystore.store.storage.ReadableFile;

/**
 * An open part whose row groups can be appended to a new part as they are: no decoding, no
 * re-encoding. Holds the file open, so the part may be moved or deleted meanwhile.
 */
public final class RowGroupCopy implements AutoCloseable {
  private final StorageIO.Input in;
  private final ParquetFileReader reader;

  private RowGroupCopy(StorageIO.Input in, ParquetFileReader reader) {
    this.in = in;
    this.reader = reader;
  }

  /**
   * Opens a part and reads its footer.
   *
   * @param file the part
   * @return the open part
   * @throws IOException when it is missing or unreadable
   */
  public static RowGroupCopy open(Path file) throws IOException {
    return open(LocalStorage.openFile(file));
  }

  /**
   * Reads the footer of an open part; the result owns the file.
   *
   * @param file the open part (closed here on failure)
   * @return the open part
   * @throws IOException when it is unreadable
   */
  public static RowGroupCopy open(ReadableFile file) throws IOException {
    StorageIO.Input in = new StorageIO.Input(file);
    try {
      return new RowGroupCopy(in, ParquetFileReader.open(in, PartReader.readOptions()));
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** The file's Parquet schema. */
  public MessageType schema() {
    return reader.getFooter().getFileMetaData().getSchema();
  }

  /** Rows in the file. */
  public long rows() {
    return reader.getRecordCount();
  }

  void appendTo(ParquetFileWriter writer) throws IOException {
    reader.appendTo(writer);
  }

  @Override
  public void close() throws IOException {
    try {
      reader.close();
    } finally {
      in.close();
    }
  }
}
