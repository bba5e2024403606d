package org.pystore.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.pystore.compactor.CompactionOptions;
import org.pystore.compactor.CompactionService;
import org.pystore.compactor.TaskResult;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.fs.AtomicFiles;

/**
 * Compaction of one day bucket of tick rows spread over many sorted parts with duplicate rows,
 * beside DuckDB doing {@code COPY (SELECT DISTINCT * FROM read_parquet(...) ORDER BY ts) TO ...} on
 * the same files, both with two threads. Each side runs in its own JVM so its peak resident memory
 * (VmHWM) can be reported; each round starts from a fresh copy of the input.
 */
final class CompactBench {
  static final int PARTS = 200;
  static final double DUP_FRACTION = 0.05;
  static final int ROUNDS = 3;

  private final Path dir;
  private final double scale;

  CompactBench(Path dir, double scale) {
    this.dir = dir;
    this.scale = scale;
  }

  void run() throws Exception {
    Files.createDirectories(dir);
    Path input = dir.resolve("input");
    long rows = build(input);
    System.out.printf(
        Locale.ROOT,
        "%n== compact one day bucket: %,d rows in %d sorted parts, %.0f%% duplicate rows"
            + " (best of %d, each side in its own JVM, 2 threads) ==%n",
        rows,
        PARTS,
        DUP_FRACTION * 100,
        ROUNDS);
    Result ours = best("ours", input, rows);
    Result duck = best("duckdb", input, rows);
    System.out.printf(
        Locale.ROOT,
        "ours   %8.1f ms (%,12.0f rows/s) peak RSS %,6d MB%n"
            + "DuckDB %8.1f ms (%,12.0f rows/s) peak RSS %,6d MB%n"
            + "ours/DuckDB speed %.2fx, memory %.2fx%n",
        ours.ms,
        rows / (ours.ms / 1000),
        ours.peakKb / 1024,
        duck.ms,
        rows / (duck.ms / 1000),
        duck.peakKb / 1024,
        duck.ms / ours.ms,
        (double) ours.peakKb / duck.peakKb);
  }

  /** Writes the input store; returns the rows stored (duplicates included). */
  private long build(Path root) {
    Store store = Store.open(root, StoreOptions.defaults().withFsync(false));
    Item item = store.item("bench", "day");
    item.write(TickData.SCHEMA, List.of(), ItemOptions.defaults(), Map.of(), false);
    long total = Math.max(PARTS * 20L, Math.round(5_000_000 * scale));
    int perPart = (int) (total / PARTS);
    int dups = (int) Math.round(perPart * DUP_FRACTION);
    int fresh = perPart - dups;
    long step = TickData.DAY / ((long) fresh * PARTS + 1);
    Random rnd = new Random(3);
    List<GenericRecord> prev = List.of();
    for (int p = 0; p < PARTS; p++) {
      List<GenericRecord> rows =
          TickData.ticks(rnd, TickData.T0 + (long) p * fresh * step, step, fresh);
      List<GenericRecord> batch = new ArrayList<>(rows);
      // a redelivery: the tail of the previous part again, as the sink sees after a crash
      batch.addAll(prev.subList(Math.max(0, prev.size() - dups), prev.size()));
      item.append(batch);
      prev = rows;
    }
    return item.state().rows();
  }

  record Result(double ms, long peakKb, long rowsOut) {}

  private Result best(String side, Path input, long rows) throws Exception {
    Result best = null;
    for (int i = 0; i < ROUNDS; i++) {
      Path work = dir.resolve("round-" + side);
      AtomicFiles.deleteTree(work);
      copyTree(input, work);
      Result r = child(side, work);
      if (best != null && r.rowsOut != best.rowsOut) {
        throw new IllegalStateException("row count changed between rounds");
      }
      if (best == null || r.ms < best.ms) {
        best = r;
      }
    }
    return best;
  }

  private static Result child(String side, Path work) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx" + (side.equals("ours") ? "256m" : "1g"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CompactBench.class.getName() + "$Child");
    cmd.add(side);
    cmd.add(work.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String last = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          last = line;
        } else if (!line.isBlank()) {
          System.out.println("  [" + side + "] " + line);
        }
      }
    }
    if (p.waitFor() != 0 || last == null) {
      throw new IllegalStateException(side + " child failed (exit " + p.exitValue() + ")");
    }
    String[] f = last.split(" ");
    return new Result(Double.parseDouble(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  /** One side, in its own JVM: prints {@code RESULT ms peakKb rowsOut}. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      Path work = Path.of(args[1]);
      long start = System.nanoTime();
      long rowsOut;
      if (args[0].equals("ours")) {
        Store store = Store.open(work, StoreOptions.defaults().withFsync(false));
        CompactionOptions o = CompactionOptions.defaults().withThreads(2).withVacuum(false);
        try (CompactionService s = new CompactionService(store, o)) {
          rowsOut = 0;
          for (TaskResult t : s.compact(store.item("bench", "day"))) {
            rowsOut += t.rowsOut();
          }
        }
      } else {
        String glob = work.resolve("bench/day").toString().replace('\\', '/') + "/*.parquet";
        String out = work.resolve("duck.parquet").toString().replace('\\', '/');
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
            Statement st = db.createStatement()) {
          st.execute("SET threads=2");
          st.execute(
              "COPY (SELECT DISTINCT * FROM read_parquet('"
                  + glob
                  + "') ORDER BY ts) TO '"
                  + out
                  + "' (FORMAT parquet, COMPRESSION snappy)");
          try (ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + out + "')")) {
            rs.next();
            rowsOut = rs.getLong(1);
          }
        }
      }
      double ms = (System.nanoTime() - start) / 1e6;
      System.out.println("RESULT " + ms + " " + peakKb() + " " + rowsOut);
    }

    /** Peak resident set size of this process, from /proc (0 where there is none). */
    static long peakKb() throws IOException {
      Path status = Path.of("/proc/self/status");
      if (!Files.exists(status)) {
        return 0;
      }
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      return 0;
    }
  }
}
