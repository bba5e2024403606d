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
import org.pystore.store.storage.LocalStorage;

/**
 * Compaction of one day bucket of tick rows spread over many sorted parts with duplicate rows,
 * beside DuckDB doing {@code COPY (SELECT DISTINCT * FROM read_parquet(...) ORDER BY ts) TO ...} on
 * the same files, both with two threads. Each side runs in its own JVM so its peak resident memory
 * (VmHWM) can be reported. Each JVM compacts a fresh copy of the input twice: the first run shows a
 * {@code --once} job in a fresh JVM, the second a long-lived worker. Our JVM maps the class-data
 * sharing archive that {@code ./pystore compactor} records on its first run; one fresh run without
 * it is shown too.
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

  /** Where the duplicate rows are. */
  enum Layout {
    /** Whole batches sent twice (a sink restarted from an older offset): 5% of parts repeat. */
    BATCHES("whole batches redelivered"),
    /** Every part repeats the tail of the one before: each part overlaps its neighbours. */
    TAILS("every part repeats its neighbour's tail");

    final String text;

    Layout(String text) {
      this.text = text;
    }
  }

  void run() throws Exception {
    for (Layout layout : Layout.values()) {
      run(layout);
    }
  }

  private void run(Layout layout) throws Exception {
    Files.createDirectories(dir);
    Path input = dir.resolve("input-" + layout.name().toLowerCase(Locale.ROOT));
    long rows = build(input, layout);
    System.out.printf(
        Locale.ROOT,
        "%n== compact one day bucket: %,d rows in %d sorted parts, %.0f%% duplicate rows, %s"
            + " (best of %d, each side in its own JVM, 2 threads) ==%n",
        rows,
        PARTS,
        DUP_FRACTION * 100,
        layout.text,
        rounds());
    Result plain = best("ours", input, List.of(), 1); // only its fresh-JVM figure is shown
    Path archive = archive(input);
    List<String> sharing =
        archive == null ? List.of() : List.of("-XX:SharedArchiveFile=" + archive);
    Result ours = best("ours", input, sharing, rounds());
    Result duck = best("duckdb", input, List.of(), rounds());
    System.out.printf(
        Locale.ROOT,
        "ours, fresh JVM without class-data sharing %8.1f ms (%,12.0f rows/s): %.2fx DuckDB's fresh"
            + " JVM%n",
        plain.coldMs,
        rows / (plain.coldMs / 1000),
        duck.coldMs / plain.coldMs);
    System.out.printf(
        Locale.ROOT,
        "ours   %8.1f ms (%,12.0f rows/s), fresh JVM %8.1f ms (%,12.0f rows/s), peak RSS %,5d MB"
            + " (%s), %,d rows out%n"
            + "DuckDB %8.1f ms (%,12.0f rows/s), fresh JVM %8.1f ms (%,12.0f rows/s), peak RSS %,5d MB,"
            + " %,d rows out%n"
            + "ours/DuckDB speed %.2fx (fresh JVMs %.2fx), peak memory %.2fx%n",
        ours.ms,
        rows / (ours.ms / 1000),
        ours.coldMs,
        rows / (ours.coldMs / 1000),
        ours.peakKb / 1024,
        OURS_HEAP,
        ours.rowsOut,
        duck.ms,
        rows / (duck.ms / 1000),
        duck.coldMs,
        rows / (duck.coldMs / 1000),
        duck.peakKb / 1024,
        duck.rowsOut,
        duck.ms / ours.ms,
        duck.coldMs / ours.coldMs,
        (double) ours.peakKb / duck.peakKb);
    if (ours.rowsOut != duck.rowsOut) {
      throw new IllegalStateException("ours and DuckDB disagree on the rows left after dedupe");
    }
  }

  /** Best of 3, or a single round at a tiny scale (the smoke test). */
  private int rounds() {
    return scale < 0.01 ? 1 : ROUNDS;
  }

  /** Writes the input store; returns the rows stored (duplicates included). */
  private long build(Path root, Layout layout) {
    return build(Store.open(root, StoreOptions.defaults().withFsync(false)), layout, scale, null);
  }

  /**
   * Writes the benchmark's bucket into a store, one commit per part.
   *
   * @param store where
   * @param layout where the duplicates are
   * @param scale the size
   * @param commitNanos if not null, receives each commit's duration
   * @return the rows stored (duplicates included)
   */
  static long build(Store store, Layout layout, double scale, List<Long> commitNanos) {
    Item item = store.item("bench", "day");
    item.write(TickData.SCHEMA, List.of(), ItemOptions.defaults(), Map.of(), false);
    long total = Math.max(PARTS * 20L, Math.round(5_000_000 * scale));
    int perPart = (int) (total / PARTS);
    Random rnd = new Random(3);
    if (layout == Layout.BATCHES) {
      int repeats = (int) Math.round(PARTS * DUP_FRACTION);
      int fresh = PARTS - repeats;
      long step = TickData.DAY / ((long) perPart * fresh + 1);
      List<List<GenericRecord>> sent = new ArrayList<>();
      for (int p = 0; p < fresh; p++) {
        List<GenericRecord> batch =
            TickData.ticks(rnd, TickData.T0 + (long) p * perPart * step, step, perPart);
        long t0 = System.nanoTime();
        item.append(batch);
        if (commitNanos != null) {
          commitNanos.add(System.nanoTime() - t0);
        }
        sent.add(batch);
        if ((p + 1) % (fresh / repeats) == 0 && sent.size() >= 3 && repeats-- > 0) {
          item.append(sent.get(sent.size() - 3)); // a batch from a little while ago, again
        }
      }
      return item.state().rows();
    }
    int dups = (int) Math.round(perPart * DUP_FRACTION);
    int fresh = perPart - dups;
    long step = TickData.DAY / ((long) fresh * PARTS + 1);
    List<GenericRecord> prev = List.of();
    for (int p = 0; p < PARTS; p++) {
      List<GenericRecord> rows =
          TickData.ticks(rnd, TickData.T0 + (long) p * fresh * step, step, fresh);
      List<GenericRecord> batch = new ArrayList<>(rows);
      // a redelivery: the tail of the previous part again, as the sink sees after a crash
      batch.addAll(prev.subList(Math.max(0, prev.size() - dups), prev.size()));
      long t0 = System.nanoTime();
      item.append(batch);
      if (commitNanos != null) {
        commitNanos.add(System.nanoTime() - t0);
      }
      prev = rows;
    }
    return item.state().rows();
  }

  /**
   * One side's figures.
   *
   * @param coldMs the first compaction in a fresh JVM (class loading and JIT included)
   * @param ms the second compaction in that JVM, on a fresh copy of the input (a long-lived worker)
   * @param peakKb peak resident memory of the JVM over both
   * @param rowsOut rows left after dedupe
   */
  record Result(double coldMs, double ms, long peakKb, long rowsOut) {}

  /** The heap the compactor runs in here; DuckDB allocates outside the Java heap. */
  static final String OURS_HEAP = "-Xmx128m";

  /**
   * The class-data sharing archive {@code ./pystore compactor} records on its first run, made the
   * same way: a compaction of the input in a JVM that writes the classes it loaded as it exits. The
   * fresh-JVM figures of our side use it, as every later {@code --once} job does. Null when the JVM
   * records none for this class path.
   */
  private Path archive(Path input) throws Exception {
    Path archive = dir.resolve("compactor.jsa");
    Files.deleteIfExists(archive);
    Path first = dir.resolve("cds-1");
    Path second = dir.resolve("cds-2");
    LocalStorage.deleteTree(first);
    LocalStorage.deleteTree(second);
    copyTree(input, first);
    copyTree(input, second);
    try {
      child(
          "ours",
          first,
          second,
          List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
    } catch (IllegalStateException e) {
      // the JVM records archives of jars only: a class path with directories (the build's own
      // classes, as in the test suite) is refused; the jar bench/target/pystore-bench.jar works
      System.out.println(
          "class-data sharing: the JVM recorded no archive on this class path (directories on"
              + " it?); the fresh-JVM figures below are without it");
      return null;
    }
    return Files.isRegularFile(archive) ? archive : null;
  }

  private Result best(String side, Path input, List<String> jvmOptions, int rounds)
      throws Exception {
    Result best = null;
    for (int i = 0; i < rounds; i++) {
      Path first = dir.resolve("round-" + side + "-1");
      Path second = dir.resolve("round-" + side + "-2");
      LocalStorage.deleteTree(first);
      LocalStorage.deleteTree(second);
      copyTree(input, first);
      copyTree(input, second);
      Result r = child(side, first, second, jvmOptions);
      if (best != null && r.rowsOut != best.rowsOut) {
        throw new IllegalStateException("row count changed between rounds");
      }
      if (best == null || r.ms < best.ms) {
        best = r;
      }
    }
    return best;
  }

  private static Result child(String side, Path first, Path second, List<String> jvmOptions)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add(side.equals("ours") ? OURS_HEAP : "-Xmx1g");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CompactBench.class.getName() + "$Child");
    cmd.add(side);
    cmd.add(first.toString());
    cmd.add(second.toString());
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
    return new Result(
        Double.parseDouble(f[1]),
        Double.parseDouble(f[2]),
        Long.parseLong(f[3]),
        Long.parseLong(f[4]));
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
      double[] ms = new double[2];
      long rowsOut = 0;
      for (int round = 0; round < 2; round++) {
        long start = System.nanoTime();
        rowsOut = once(args[0], Path.of(args[1 + round]));
        ms[round] = (System.nanoTime() - start) / 1e6;
      }
      System.out.println("RESULT " + ms[0] + " " + ms[1] + " " + peakKb() + " " + rowsOut);
    }

    private static long once(String side, Path work) throws Exception {
      if (side.equals("ours")) {
        Store store = Store.open(work, StoreOptions.defaults().withFsync(false));
        CompactionOptions o = CompactionOptions.defaults().withThreads(2).withVacuum(false);
        long rowsOut = 0;
        try (CompactionService s = new CompactionService(store, o)) {
          for (TaskResult t : s.compact(store.item("bench", "day"))) {
            rowsOut += t.rowsOut();
          }
        }
        return rowsOut;
      }
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
          return rs.getLong(1);
        }
      }
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
