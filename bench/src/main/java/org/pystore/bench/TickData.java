package org.pystore.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.IndexUnit;

/** An 8-column tick, the shape ENVIRONMENT.md measured raw Parquet with. */
final class TickData {
  static final Schema SCHEMA =
      SchemaBuilder.record("Tick")
          .fields()
          .name("ts")
          .type(IndexUnit.NANOS.schema())
          .noDefault()
          .requiredString("sym")
          .requiredDouble("bid")
          .requiredDouble("ask")
          .requiredDouble("price")
          .requiredLong("size")
          .requiredInt("venue")
          .requiredBoolean("buy")
          .endRecord();

  static final long T0 = Instant.parse("2023-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
  static final long DAY = 86_400_000_000_000L;

  private TickData() {}

  /** n ticks evenly spaced from {@code start}, {@code step} nanoseconds apart. */
  static List<GenericRecord> ticks(Random rnd, long start, long step, int n) {
    List<GenericRecord> out = new ArrayList<>(n);
    double p = 100;
    for (int i = 0; i < n; i++) {
      p += rnd.nextGaussian() * 0.01;
      GenericData.Record r = new GenericData.Record(SCHEMA);
      r.put(0, start + i * step);
      r.put(1, "AAPL");
      r.put(2, p - 0.01);
      r.put(3, p + 0.01);
      r.put(4, p);
      r.put(5, (long) rnd.nextInt(1000));
      r.put(6, rnd.nextInt(16));
      r.put(7, rnd.nextBoolean());
      out.add(r);
    }
    return out;
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }
}
