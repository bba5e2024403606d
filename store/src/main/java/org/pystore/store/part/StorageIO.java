package org.pystore.store.part;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.CRC32C;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.SeekableInputStream;
import org.pystore.store.fs.Checksums;
import org.pystore.store.storage.NewFile;
import org.pystore.store.storage.ReadableFile;

/** Parquet's file interfaces over the storage SPI. */
public final class StorageIO {
  private StorageIO() {}

  /** A Parquet input over one open file; streams have their own positions. */
  public static final class Input implements InputFile, AutoCloseable {
    private final ReadableFile file;

    /**
     * A Parquet input over an open file, closed with it.
     *
     * @param file the file
     */
    public Input(ReadableFile file) {
      this.file = file;
    }

    @Override
    public long getLength() {
      return file.length();
    }

    @Override
    public SeekableInputStream newStream() {
      return new Stream(file);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }

    @Override
    public String toString() {
      return file.describe();
    }
  }

  private static final class Stream extends SeekableInputStream {
    private final ReadableFile file;
    private final long length;
    private long pos;

    Stream(ReadableFile file) {
      this.file = file;
      this.length = file.length();
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) {
      pos = newPos;
    }

    @Override
    public int read() throws IOException {
      if (pos >= length) {
        return -1;
      }
      ByteBuffer one = ByteBuffer.allocate(1);
      file.readFully(pos, one);
      pos++;
      return one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos >= length) {
        return -1;
      }
      int n = (int) Math.min(len, length - pos);
      file.readFully(pos, ByteBuffer.wrap(b, off, n));
      pos += n;
      return n;
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      if (!buf.hasRemaining()) {
        return 0;
      }
      if (pos >= length) {
        return -1;
      }
      int n = (int) Math.min(buf.remaining(), length - pos);
      ByteBuffer slice = buf.slice();
      slice.limit(n);
      file.readFully(pos, slice);
      buf.position(buf.position() + n);
      pos += n;
      return n;
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      readFully(ByteBuffer.wrap(bytes));
    }

    @Override
    public void readFully(byte[] bytes, int start, int len) throws IOException {
      readFully(ByteBuffer.wrap(bytes, start, len));
    }

    @Override
    public void readFully(ByteBuffer buf) throws IOException {
      if (pos + buf.remaining() > length) {
        throw new EOFException("unexpected end of " + file.describe() + " at byte " + length);
      }
      int n = buf.remaining();
      file.readFully(pos, buf);
      pos += n;
    }

    @Override
    public long skip(long n) {
      long skipped = Math.max(0, Math.min(n, length - pos));
      pos += skipped;
      return skipped;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(0, length - pos));
    }
  }

  /**
   * A Parquet output into a new file, buffered, with a running CRC-32C of what was written. Parquet
   * closes the stream when done; the file is completed by {@link #finish}, not by that close.
   */
  static final class Output implements OutputFile {
    private final NewFile file;
    private final CRC32C crc = new CRC32C();
    private final byte[] buffer = new byte[1 << 16];
    private int buffered;

    Output(NewFile file) {
      this.file = file;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return stream();
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return stream();
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }

    @Override
    public String getPath() {
      return file.describe();
    }

    private PositionOutputStream stream() {
      return new PositionOutputStream() {
        @Override
        public long getPos() {
          return file.position() + buffered;
        }

        @Override
        public void write(int b) throws IOException {
          if (buffered == buffer.length) {
            drain();
          }
          buffer[buffered++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          if (len >= buffer.length) {
            drain();
            crc.update(b, off, len);
            file.write(b, off, len);
            return;
          }
          if (buffered + len > buffer.length) {
            drain();
          }
          System.arraycopy(b, off, buffer, buffered, len);
          buffered += len;
        }

        @Override
        public void flush() throws IOException {
          drain();
        }

        @Override
        public void close() throws IOException {
          drain();
        }
      };
    }

    private void drain() throws IOException {
      if (buffered > 0) {
        crc.update(buffer, 0, buffered);
        file.write(buffer, 0, buffered);
        buffered = 0;
      }
    }

    /**
     * Completes the file.
     *
     * @return its size and checksum
     */
    Written finish() throws IOException {
      drain();
      long size = file.finish();
      return new Written(
          size, Checksums.CRC32C_PREFIX + String.format(Locale.ROOT, "%08x", crc.getValue()));
    }

    /** Abandons the file unless finished. */
    void abandon() {
      try {
        file.close();
      } catch (IOException e) {
        // an unfinished file under a private name; vacuum removes it
      }
    }
  }
}
