package org.pystore.store.part;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.generic.GenericRecord;

/**
 * Decodes a part on a background thread, a few batches ahead of the merge, so decoding (the bulk of
 * a read's work) runs beside the merge on another core. Memory per part is bounded by {@code DEPTH}
 * batches of {@code BATCH} rows.
 */
public final class PrefetchingSource implements RowSource {
  static final int BATCH = 2048;
  static final int DEPTH = 4;
  private static final Object END = new Object();
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService DECODERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "pystore-decoder-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(DEPTH);
  private volatile boolean closed;
  private GenericRecord[] batch;
  private int pos;
  private int size;
  private boolean ended;

  /**
   * Starts decoding.
   *
   * @param source the part's rows; closed by the background thread when done
   */
  public PrefetchingSource(RowSource source) {
    DECODERS.execute(() -> decode(source));
  }

  private void decode(RowSource source) {
    try (source) {
      while (!closed) {
        GenericRecord[] b = new GenericRecord[BATCH];
        int n = 0;
        GenericRecord r = null;
        while (n < BATCH && (r = source.next()) != null) {
          b[n++] = r;
        }
        if (n > 0 && !put(n == BATCH ? b : java.util.Arrays.copyOf(b, n))) {
          return;
        }
        if (r == null) {
          put(END);
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      put(e);
    }
  }

  private boolean put(Object o) {
    try {
      while (!closed) {
        if (queue.offer(o, 50, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  @Override
  public GenericRecord next() throws IOException {
    if (pos < size) {
      return batch[pos++];
    }
    if (ended) {
      return null;
    }
    Object o;
    try {
      o = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading a part");
    }
    if (o == END) {
      ended = true;
      return null;
    }
    if (o instanceof IOException) {
      throw (IOException) o;
    }
    if (o instanceof RuntimeException) {
      throw (RuntimeException) o;
    }
    batch = (GenericRecord[]) o;
    size = batch.length;
    pos = 1;
    return batch[0];
  }

  @Override
  public void close() {
    closed = true;
    queue.clear(); // lets a blocked producer see the flag and close its source
  }
}
