package org.pystore.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Shared record factories for tests: a tick schema and helpers to build rows. */
public final class Ticks {
  /** ts (timestamp-nanos), sym, price, size. */
  public static final Schema SCHEMA =
      SchemaBuilder.record("Tick")
          .namespace("test")
          .fields()
          .name("ts")
          .type(IndexUnit.NANOS.schema())
          .noDefault()
          .requiredString("sym")
          .requiredDouble("price")
          .requiredLong("size")
          .endRecord();

  /** 2024-01-02T00:00:00Z in epoch nanoseconds. */
  public static final long T0 =
      Instant.parse("2024-01-02T00:00:00Z").getEpochSecond() * 1_000_000_000L;

  private Ticks() {}

  public static GenericRecord tick(long ts, String sym, double price, long size) {
    GenericData.Record r = new GenericData.Record(SCHEMA);
    r.put("ts", ts);
    r.put("sym", sym);
    r.put("price", price);
    r.put("size", size);
    return r;
  }

  /** n ticks one second apart from T0 + offsetSeconds, prices 100 + i. */
  public static List<GenericRecord> series(int n, long offsetSeconds) {
    List<GenericRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long ts = T0 + (offsetSeconds + i) * 1_000_000_000L;
      out.add(tick(ts, "AAPL", 100 + i, i));
    }
    return out;
  }

  /** The {@code *.parquet} files directly in a directory: what pandas and DuckDB read. */
  public static List<String> visibleParquet(java.nio.file.Path dir) {
    try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).toList();
    } catch (java.nio.file.NoSuchFileException e) {
      return List.of();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Reads all rows of an item, in order. */
  public static List<GenericRecord> readAll(Item item) {
    return readAll(item, ReadOptions.all());
  }

  public static List<GenericRecord> readAll(Item item, ReadOptions opts) {
    List<GenericRecord> out = new ArrayList<>();
    try (RowReader r = item.read(opts)) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  /** A row as a compact string for assertions: ts|sym|price|size. */
  public static String key(GenericRecord r) {
    StringBuilder sb = new StringBuilder();
    for (Schema.Field f : r.getSchema().getFields()) {
      if (sb.length() > 0) {
        sb.append('|');
      }
      sb.append(r.get(f.pos()));
    }
    return sb.toString();
  }

  public static List<String> keys(List<GenericRecord> rows) {
    List<String> out = new ArrayList<>();
    for (GenericRecord r : rows) {
      out.add(key(r));
    }
    return out;
  }
}
