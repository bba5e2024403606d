package org.pystore.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.IndexUnit;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.PyCollection;
import org.pystore.store.RowReader;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Generates ticks for many symbols (random-walk prices, some exact duplicates, some out-of-order
 * and some late ticks), appends them in batches as a sink would, snapshots, reads everything back
 * and prints a summary that must add up.
 */
@Command(
    name = "demo",
    description =
        "Generate ticks into a store (default ./demo-store), append, snapshot, read back, summarize.")
final class DemoCommand implements Callable<Integer> {
  static final String COLLECTION = "demo";
  static final Schema TICK =
      SchemaBuilder.record("Tick")
          .fields()
          .name("ts")
          .type(IndexUnit.NANOS.schema())
          .noDefault()
          .requiredDouble("price")
          .requiredLong("size")
          .endRecord();

  @ParentCommand PyStoreCli top;

  @Option(names = "--symbols", description = "Number of symbols (default: ${DEFAULT-VALUE}).")
  int symbols = 20;

  @Option(names = "--ticks", description = "Ticks per symbol (default: ${DEFAULT-VALUE}).")
  int ticks = 50_000;

  @Option(
      names = "--batches",
      description = "Append batches per symbol (default: ${DEFAULT-VALUE}).")
  int batches = 20;

  @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  /** The figures the demo ends with. */
  record Summary(
      long rowsIn,
      long duplicatesSent,
      long rowsStored,
      long rowsRead,
      long parts,
      long versions) {}

  @Override
  public Integer call() {
    if (symbols < 1 || ticks < 1 || batches < 1 || batches > ticks) {
      throw new UserException(
          "--symbols, --ticks and --batches must be positive, and --batches at most --ticks");
    }
    Path dir = top.store != null ? top.store : Path.of("demo-store");
    Summary s = run(Store.open(dir, StoreOptions.defaults().withFsync(false)));
    System.out.printf(
        "%nrows in: %,d (of which %,d exact duplicates)%nrows stored: %,d in %,d parts over %,d commits%n"
            + "rows read back: %,d (duplicates removed on read: %,d)%n",
        s.rowsIn(),
        s.duplicatesSent(),
        s.rowsStored(),
        s.parts(),
        s.versions(),
        s.rowsRead(),
        s.rowsIn() - s.rowsRead());
    System.out.printf("%nLook at the result:%n");
    System.out.printf("  ./pystore --store %s items %s%n", dir, COLLECTION);
    System.out.printf("  ./pystore --store %s read %s/SYM000 --limit 5%n", dir, COLLECTION);
    System.out.printf("  ./pystore --store %s info %s/SYM000%n", dir, COLLECTION);
    System.out.printf(
        "  duckdb -c \"SELECT count(*), min(ts), max(ts) FROM read_parquet('%s/%s/SYM000/*.parquet')\"%n",
        dir, COLLECTION);
    Path abs = dir.toAbsolutePath().normalize();
    System.out.printf(
        "  python -c \"import pystore; pystore.set_path('%s'); print(pystore.store('%s').collection('%s').item('SYM000').to_pandas().tail())\"%n",
        abs.getParent(), abs.getFileName(), COLLECTION);
    System.out.printf(
        "  python -c \"import pandas as pd; print(pd.read_parquet('%s/%s/SYM000').tail())\"%n",
        dir, COLLECTION);
    return s.rowsRead() + s.duplicatesSent() == s.rowsIn() ? 0 : 1;
  }

  Summary run(Store store) {
    PyCollection c = store.collection(COLLECTION);
    if (c.exists()) {
      store.deleteCollection(COLLECTION);
    }
    Random rnd = new Random(seed);
    long start = System.nanoTime();
    long t0 = java.time.Instant.parse("2024-01-02T14:30:00Z").getEpochSecond() * 1_000_000_000L;
    List<List<GenericRecord>> series = new ArrayList<>();
    for (int s = 0; s < symbols; s++) {
      Item item = c.item(String.format("SYM%03d", s));
      item.write(
          TICK,
          List.of(),
          ItemOptions.defaults(),
          Map.of("symbol", String.format("SYM%03d", s), "source", "demo"),
          false);
      series.add(walk(rnd, t0, ticks));
    }
    long rowsIn = 0;
    long dups = 0;
    int per = ticks / batches;
    for (int b = 0; b < batches; b++) {
      for (int s = 0; s < symbols; s++) {
        List<GenericRecord> all = series.get(s);
        int from = b * per;
        int to = b == batches - 1 ? all.size() : from + per;
        List<GenericRecord> batch = new ArrayList<>(all.subList(from, to));
        if (b > 0) { // resend about 1% of the previous batch: at-least-once delivery
          for (int i = 0; i < Math.max(1, per / 100); i++) {
            batch.add(all.get(from - 1 - rnd.nextInt(Math.min(per, from))));
            dups++;
          }
        }
        for (int i = 0; i < batch.size() / 20; i++) { // about 5% out of order
          Collections.swap(batch, rnd.nextInt(batch.size()), rnd.nextInt(batch.size()));
        }
        c.item(String.format("SYM%03d", s)).append(batch);
        rowsIn += batch.size();
      }
      double secs = (System.nanoTime() - start) / 1e9;
      System.err.printf(
          "\r[demo] batch %d/%d: %,d rows appended (%,.0f rows/s)   ",
          b + 1, batches, rowsIn, rowsIn / secs);
    }
    System.err.println();
    c.createSnapshot("demo-end");
    long stored = 0;
    long read = 0;
    long parts = 0;
    long versions = 0;
    for (String name : c.items()) {
      Item item = c.item(name);
      stored += item.state().rows();
      parts += item.state().parts().size();
      versions += item.state().version() + 1;
      try (RowReader r = item.read()) {
        while (r.hasNext()) {
          r.next();
          read++;
        }
      }
    }
    System.err.printf("[demo] done in %.1f s%n", (System.nanoTime() - start) / 1e9);
    return new Summary(rowsIn, dups, stored, read, parts, versions);
  }

  private static List<GenericRecord> walk(Random rnd, long t0, int n) {
    List<GenericRecord> out = new ArrayList<>(n);
    long ts = t0 + rnd.nextInt(1_000_000_000);
    double price = 50 + rnd.nextDouble() * 100;
    for (int i = 0; i < n; i++) {
      ts += 1 + (long) (rnd.nextDouble() * 10e9); // up to 10 s apart: a few days of ticks
      price = Math.max(0.01, price + rnd.nextGaussian() * 0.05);
      GenericData.Record r = new GenericData.Record(TICK);
      r.put("ts", ts);
      r.put("price", Math.round(price * 100) / 100.0);
      r.put("size", 1L + rnd.nextInt(1000));
      out.add(r);
    }
    return out;
  }
}
