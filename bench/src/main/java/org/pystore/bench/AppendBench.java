package org.pystore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;

/**
 * Append cost against item size: appending 10,000 rows to items holding 0, 1M and 10M rows, beside
 * a raw Parquet write of the same 10,000 rows. PyStore rewrites the whole item on append; we should
 * cost the same whatever the item holds.
 */
final class AppendBench {
  static final int BATCH = 10_000;
  static final int ROUNDS = 15;
  private final Path dir;
  private final double scale;

  AppendBench(Path dir, double scale) {
    this.dir = dir;
    this.scale = scale;
  }

  void run() throws Exception {
    Files.createDirectories(dir);
    Store store = Store.open(dir.resolve("store"), StoreOptions.defaults());
    Random rnd = new Random(1);
    long[] sizes = {0, Math.round(1_000_000 * scale), Math.round(10_000_000 * scale)};
    System.out.printf(
        Locale.ROOT, "%n== append %,d rows (median of %d, fsync on) ==%n", BATCH, ROUNDS);
    double raw = rawWrite(rnd);
    System.out.printf(
        Locale.ROOT, "reference: raw parquet-avro write of %,d rows: %.2f ms%n", BATCH, raw);
    double base = 0;
    for (long size : sizes) {
      Item item = store.item("bench", "size" + size);
      long end = fill(item, size, rnd);
      double[] ms = new double[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        List<GenericRecord> batch = TickData.ticks(rnd, end + 1_000_000, 1_000_000, BATCH);
        end += (long) BATCH * 1_000_000 + 1_000_000;
        long t = System.nanoTime();
        item.append(batch);
        ms[r] = (System.nanoTime() - t) / 1e6;
      }
      double median = TickData.median(ms);
      if (size == 0) {
        base = median;
      }
      System.out.printf(
          Locale.ROOT,
          "item of %,11d rows: append %.2f ms  (%.2fx the empty item, %.2fx raw parquet)%n",
          size,
          median,
          median / base,
          median / raw);
    }
  }

  /** Lets the JIT compile the write path before anything is measured. */
  private void warmUp(Store store, Random rnd) throws Exception {
    Item item = store.item("bench", "warmup");
    long end = fill(item, 0, rnd);
    for (int r = 0; r < 3 * ROUNDS; r++) {
      item.append(TickData.ticks(rnd, end, 1_000_000, BATCH));
      end += (long) BATCH * 1_000_000;
    }
    rawWrite(rnd);
    store.collection("bench").deleteItem("warmup");
  }

  /** Writes {@code rows} ticks over the days before the append point; returns the last index. */
  private long fill(Item item, long rows, Random rnd) {
    item.write(TickData.SCHEMA, List.of(), ItemOptions.defaults(), Map.of(), false);
    long step = 2_000_000_000L; // 2 s apart: 43,200 rows a day
    long ts = TickData.T0;
    long left = rows;
    long start = System.nanoTime();
    while (left > 0) {
      int n = (int) Math.min(left, 1_000_000);
      item.append(TickData.ticks(rnd, ts, step, n));
      ts += n * step;
      left -= n;
    }
    if (rows > 0) {
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT, "(filled %,d rows in %.1f s: %,.0f rows/s)%n", rows, s, rows / s);
    }
    return ts;
  }

  private double rawWrite(Random rnd) throws Exception {
    List<GenericRecord> rows = TickData.ticks(rnd, TickData.T0, 1_000_000, BATCH);
    double[] ms = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      Path f = dir.resolve("raw-" + r + ".parquet");
      long t = System.nanoTime();
      try (ParquetWriter<GenericRecord> w =
          AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(f))
              .withConf(new PlainParquetConfiguration())
              .withSchema(TickData.SCHEMA)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .build()) {
        for (GenericRecord row : rows) {
          w.write(row);
        }
      }
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
        ch.force(true); // as the store forces its parts
      }
      ms[r] = (System.nanoTime() - t) / 1e6;
      Files.delete(f);
    }
    return TickData.median(ms);
  }
}
