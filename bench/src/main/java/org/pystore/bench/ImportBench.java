package org.pystore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.pystore.store.Store;
import org.pystore.store.migrate.PyStoreImport;
import org.pystore.store.storage.LocalStorage;

/**
 * {@code pystore import} of a PyStore item against DuckDB doing the same rewrite (read every part,
 * sort by the index, write one file) on a copy of the same files. The item is written the way
 * pyarrow writes PyStore parts: nullable columns, a naive nanosecond index last, the {@code pandas}
 * metadata; one part in ten is unsorted.
 */
final class ImportBench {
  private static final int PARTS = 20;
  private static final long T0 = 1_704_067_200_000_000_000L; // 2024-01-01, ns
  private static final MessageType SCHEMA =
      Types.buildMessage()
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("symbol")
          .optional(PrimitiveTypeName.DOUBLE)
          .named("price")
          .optional(PrimitiveTypeName.INT64)
          .named("size")
          .optional(PrimitiveTypeName.DOUBLE)
          .named("bid")
          .optional(PrimitiveTypeName.DOUBLE)
          .named("ask")
          .optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.NANOS))
          .named("Date")
          .named("schema");
  private static final String PANDAS =
      "{\"index_columns\": [\"Date\"], \"columns\": [{\"name\": \"Date\", \"field_name\":"
          + " \"Date\", \"pandas_type\": \"datetime\", \"numpy_type\": \"datetime64[ns]\"}],"
          + " \"creator\": {\"library\": \"pyarrow\", \"version\": \"17.0.0\"}}";

  private final Path dir;
  private final long rows;

  ImportBench(Path dir, double scale) {
    this.dir = dir;
    this.rows = Math.max(PARTS * 10, (long) (2_000_000 * scale));
  }

  void run() throws Exception {
    Path source = dir.resolve("source").resolve("stocks").resolve("AAPL");
    long written = writeItem(source);
    System.out.printf(
        Locale.ROOT,
        "%nimport of a PyStore item: %,d rows in %d pyarrow-style parts (%,d bytes)%n",
        rows,
        PARTS,
        written);
    double best = Double.MAX_VALUE;
    double duckBest = Double.MAX_VALUE;
    for (int round = 0; round < 3; round++) {
      Path ours = dir.resolve("ours-" + round);
      LocalStorage.deleteTree(ours);
      copy(dir.resolve("source"), ours);
      long t0 = System.nanoTime();
      PyStoreImport.ItemReport r =
          new PyStoreImport(Store.open(ours), PyStoreImport.Options.defaults(), null)
              .importItem("stocks", "AAPL");
      double ms = (System.nanoTime() - t0) / 1e6;
      if (r.rows() != rows) {
        throw new IllegalStateException("import read " + r.rows() + " rows, expected " + rows);
      }
      best = Math.min(best, ms);
      LocalStorage.deleteTree(ours);

      Path out = dir.resolve("duck-" + round + ".parquet");
      long t1 = System.nanoTime();
      long duckRows = duck(source, out);
      double duckMs = (System.nanoTime() - t1) / 1e6;
      if (duckRows != rows) {
        throw new IllegalStateException("DuckDB wrote " + duckRows + " rows, expected " + rows);
      }
      duckBest = Math.min(duckBest, duckMs);
      Files.deleteIfExists(out);
    }
    System.out.printf(
        Locale.ROOT,
        "  import: ours %,.0f ms (%,.0f rows/s), DuckDB COPY ... ORDER BY %,.0f ms: %.2fx DuckDB's"
            + " rows/s (best of 3)%n",
        best,
        rows / best * 1000,
        duckBest,
        duckBest / best);
  }

  private long writeItem(Path item) throws Exception {
    Files.createDirectories(item);
    Random rnd = new Random(7);
    long perPart = rows / PARTS;
    long bytes = 0;
    long n = 0;
    for (int p = 0; p < PARTS; p++) {
      long count = p == PARTS - 1 ? rows - n : perPart;
      Path file = item.resolve("part." + p + ".parquet");
      try (ParquetWriter<Group> w =
          ExampleParquetWriter.builder(new LocalOutputFile(file))
              .withConf(new PlainParquetConfiguration())
              .withType(SCHEMA)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withExtraMetaData(Map.of("pandas", PANDAS))
              .build()) {
        SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
        boolean unsorted = p % 10 == 3;
        for (long i = 0; i < count; i++) {
          long k = n + (unsorted ? count - 1 - i : i);
          double price = 100 + rnd.nextGaussian();
          w.write(
              f.newGroup()
                  .append("symbol", "AAPL")
                  .append("price", price)
                  .append("size", 1 + (long) rnd.nextInt(500))
                  .append("bid", price - 0.01)
                  .append("ask", price + 0.01)
                  .append("Date", T0 + k * 17_000_000L)); // 17 ms apart: several days
        }
      }
      n += count;
      bytes += Files.size(file);
    }
    return bytes;
  }

  private static long duck(Path item, Path out) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement()) {
      st.execute("SET threads=2");
      st.execute(
          "COPY (SELECT * FROM read_parquet('"
              + item.resolve("*.parquet")
              + "') ORDER BY \"Date\") TO '"
              + out
              + "' (FORMAT parquet, COMPRESSION snappy)");
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + out + "')")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void copy(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
