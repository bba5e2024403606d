package org.pystore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.pystore.store.storage.LocalStorage;

/**
 * Runs the store benchmarks, each beside a reference measured in the same run, and prints ratios.
 *
 * <pre>
 * java -jar bench/target/pystore-bench.jar [append|read|compact|import|sink|sink-items|source|s3|transactions|all] [--scale F] [--dir DIR]
 * </pre>
 *
 * {@code --scale 1} is the full size of the issue (items of 0, 1M and 10M rows; a one-year item of
 * about 5M rows); smaller scales shrink every item for a quick look.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    String what = "all";
    double scale = 1.0;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale":
          scale = Double.parseDouble(args[++i]);
          break;
        case "--dir":
          dir = Path.of(args[++i]);
          break;
        case "append":
        case "read":
        case "sink":
        case "sink-items":
        case "source":
        case "compact":
        case "import":
        case "s3":
        case "transactions":
        case "all":
          what = args[i];
          break;
        default:
          System.err.println(
              "usage: Bench [append|read|compact|import|sink|sink-items|source|s3|transactions|all] [--scale F] [--dir DIR]");
          System.exit(2);
      }
    }
    Path work =
        dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("pystore-bench");
    System.out.printf(
        Locale.ROOT,
        "PyStore Connect benchmarks, scale %.3f, %d cores, Java %s, in %s%n",
        scale,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        work);
    try {
      if (what.equals("append") || what.equals("all")) {
        new AppendBench(work.resolve("append"), scale).run();
      }
      if (what.equals("read") || what.equals("all")) {
        new ReadBench(work.resolve("read"), scale).run();
      }
      if (what.equals("compact") || what.equals("all")) {
        new CompactBench(work.resolve("compact"), scale).run();
      }
      if (what.equals("import") || what.equals("all")) {
        new ImportBench(work.resolve("import"), scale).run();
      }
      if (what.equals("sink") || what.equals("all")) {
        new SinkBench(work.resolve("sink"), scale).run();
      }
      if (what.equals("sink-items") || what.equals("all")) {
        new ManyItemsSinkBench(work.resolve("sink-items"), scale).run();
      }
      if (what.equals("source") || what.equals("all")) {
        new SourceBench(work.resolve("source"), scale).run();
      }
      if (what.equals("transactions") || what.equals("all")) {
        new TransactionBench(work.resolve("transactions"), scale).run();
      }
      if (what.equals("s3") || what.equals("all")) {
        new S3Bench(work.resolve("s3"), scale).run();
      }
    } finally {
      if (dir == null) {
        LocalStorage.deleteTree(work);
      }
    }
  }
}
