package org.pystore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.ItemOptions;
import org.pystore.store.PyCollection;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Transaction;

/**
 * What a transaction costs: one batch appended to each of N items as one transaction, beside the
 * same batches appended item by item (N commits, no atomicity), and what pinning the collection
 * costs beside reading each item's state.
 */
final class TransactionBench {
  static final int ROWS = 100;
  private final Path dir;
  private final double scale;

  TransactionBench(Path dir, double scale) {
    this.dir = dir;
    this.scale = scale;
  }

  void run() throws Exception {
    Files.createDirectories(dir);
    Store store = Store.open(dir.resolve("store"), StoreOptions.defaults());
    Random rnd = new Random(3);
    System.out.printf(
        Locale.ROOT, "%n== transactions: %d rows to each of N items (fsync on) ==%n", ROWS);
    for (int n : new int[] {10, (int) Math.max(20, Math.round(1000 * scale))}) {
      PyCollection c = store.collection("tx" + n);
      List<String> items = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String name = String.format(Locale.ROOT, "SYM%05d", i);
        items.add(name);
        store
            .item(c.name(), name)
            .write(TickData.SCHEMA, List.of(), ItemOptions.defaults(), Map.of(), false);
      }
      long ts = TickData.T0;
      double[] single = new double[3];
      double[] tx = new double[3];
      for (int round = 0; round < 3; round++) {
        List<List<GenericRecord>> batches = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          batches.add(TickData.ticks(rnd, ts, 1_000_000, ROWS));
        }
        ts += (long) ROWS * 1_000_000 + 1;
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
          store.item(c.name(), items.get(i)).append(batches.get(i));
        }
        single[round] = (System.nanoTime() - t) / 1e6;
        List<List<GenericRecord>> more = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          more.add(TickData.ticks(rnd, ts, 1_000_000, ROWS));
        }
        ts += (long) ROWS * 1_000_000 + 1;
        t = System.nanoTime();
        try (Transaction x = c.transaction()) {
          for (int i = 0; i < n; i++) {
            x.append(items.get(i), more.get(i));
          }
          x.commit();
        }
        tx[round] = (System.nanoTime() - t) / 1e6;
      }
      double s = TickData.median(single);
      double x = TickData.median(tx);
      long t = System.nanoTime();
      for (String name : items) {
        store.item(c.name(), name).state();
      }
      double states = (System.nanoTime() - t) / 1e6;
      t = System.nanoTime();
      c.pin();
      double pin = (System.nanoTime() - t) / 1e6;
      System.out.printf(
          Locale.ROOT,
          "N=%,5d: one transaction %.1f ms, item by item %.1f ms (%.2fx); pin %.1f ms, states one"
              + " by one %.1f ms (%.2fx)%n",
          n,
          x,
          s,
          s / x,
          pin,
          states,
          states / pin);
    }
  }
}
