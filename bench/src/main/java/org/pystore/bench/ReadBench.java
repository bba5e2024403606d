package org.pystore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.ReadOptions;
import org.pystore.store.RowReader;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;

/**
 * Full read and one-day range read of a one-year item, beside DuckDB reading the same files through
 * JDBC in the same run. Both sides hand every column of every row to Java.
 */
final class ReadBench {
  static final int ROUNDS = 3;
  private final Path dir;
  private final double scale;

  ReadBench(Path dir, double scale) {
    this.dir = dir;
    this.scale = scale;
  }

  void run() throws Exception {
    Files.createDirectories(dir);
    Store store = Store.open(dir.resolve("store"), StoreOptions.defaults().withFsync(false));
    Item item = store.item("bench", "year");
    int perDay = (int) Math.max(1, Math.round(13_700 * scale));
    Random rnd = new Random(2);
    item.write(TickData.SCHEMA, List.of(), ItemOptions.defaults(), Map.of(), false);
    long step = TickData.DAY / perDay;
    List<GenericRecord> batch = new ArrayList<>();
    for (int d = 0; d < 365; d++) {
      batch.addAll(TickData.ticks(rnd, TickData.T0 + d * TickData.DAY, step, perDay));
      if (batch.size() >= 500_000 || d == 364) {
        item.append(batch); // a month or so per append: one part per day
        batch = new ArrayList<>();
      }
    }
    long rows = item.state().rows();
    System.out.printf(
        Locale.ROOT,
        "%n== read a one-year item: %,d rows in %d parts (best of %d) ==%n",
        rows,
        item.state().parts().size(),
        ROUNDS);
    String glob = item.path().toString().replace('\\', '/') + "/*.parquet";
    Instant from = Instant.parse("2023-07-01T00:00:00Z");
    Instant to = Instant.parse("2023-07-01T23:59:59.999999999Z");
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement st = db.createStatement()) {
        st.execute("SET threads=2");
      }
      String all =
          "SELECT epoch_ns(ts), sym, bid, ask, price, size, venue, buy FROM read_parquet('"
              + glob
              + "')";
      String day =
          all
              + " WHERE ts BETWEEN TIMESTAMPTZ '2023-07-01 00:00:00+00' AND TIMESTAMPTZ '2023-07-01 23:59:59.999999+00'";
      double oursFull = best(() -> ours(item, ReadOptions.all()));
      double duckFull = best(() -> duck(db, all));
      double oursDay = best(() -> ours(item, ReadOptions.all().from(from).to(to)));
      double duckDay = best(() -> duck(db, day));
      report("full read", rows, oursFull, duckFull);
      report("one-day range", perDay, oursDay, duckDay);
    }
  }

  private static void report(String what, long rows, double ours, double duck) {
    System.out.printf(
        Locale.ROOT,
        "%-14s ours %8.1f ms (%,12.0f rows/s) | DuckDB %8.1f ms (%,12.0f rows/s) | ours/DuckDB speed %.2fx%n",
        what,
        ours,
        rows / (ours / 1000),
        duck,
        rows / (duck / 1000),
        duck / ours);
  }

  interface Timed {
    long run() throws Exception;
  }

  private static double best(Timed t) throws Exception {
    double best = Double.MAX_VALUE;
    long expect = -1;
    for (int i = 0; i < ROUNDS; i++) {
      long start = System.nanoTime();
      long n = t.run();
      best = Math.min(best, (System.nanoTime() - start) / 1e6);
      if (expect >= 0 && n != expect) {
        throw new IllegalStateException("row count changed between rounds: " + expect + " vs " + n);
      }
      expect = n;
    }
    return best;
  }

  private static long ours(Item item, ReadOptions opts) {
    long n = 0;
    long sink = 0;
    try (RowReader r = item.read(opts)) {
      while (r.hasNext()) {
        GenericRecord g = r.next();
        sink +=
            (Long) g.get(0)
                + g.get(1).hashCode()
                + (long) (double) (Double) g.get(4)
                + (Long) g.get(5);
        n++;
      }
    }
    if (sink == 42) {
      System.out.print("");
    }
    return n;
  }

  private static long duck(Connection db, String sql) throws Exception {
    long n = 0;
    long sink = 0;
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        sink += rs.getLong(1) + rs.getString(2).hashCode() + (long) rs.getDouble(5) + rs.getLong(6);
        rs.getDouble(3);
        rs.getDouble(4);
        rs.getInt(7);
        rs.getBoolean(8);
        n++;
      }
    }
    if (sink == 42) {
      System.out.print("");
    }
    return n;
  }
}
