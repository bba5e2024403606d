package org.pystore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.pystore.compactor.CompactionOptions;
import org.pystore.compactor.CompactionService;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.s3.S3Proxy;
import org.pystore.store.s3.S3Storage;
import org.pystore.store.storage.LocalStorage;

/**
 * The store on S3 beside the same store on the local disk, in one run: commits of the compaction
 * benchmark's bucket (200 appends, as a sink's flushes are), their latency, the requests each
 * takes, and the compaction of that bucket. The S3 side is S3Proxy over the local disk (a child
 * process on 127.0.0.1), so the ratio is the cost of the protocol and of the scheme (staging,
 * conditional create, server-side copies), not of a network.
 */
final class S3Bench {
  private final Path dir;
  private final double scale;

  S3Bench(Path dir, double scale) {
    this.dir = dir;
    this.scale = scale;
  }

  record Side(
      double commitMs, double p50, double p99, long rows, double compactMs, long requests) {}

  void run() throws Exception {
    Files.createDirectories(dir);
    try (S3Proxy proxy = S3Proxy.start(dir.resolve("s3"), "bench")) {
      System.out.printf(
          Locale.ROOT,
          "%n== store on S3 (S3Proxy, filesystem backend) vs local disk: %d commits of the"
              + " compaction bucket, then its compaction ==%n",
          CompactBench.PARTS);
      Side local =
          side(
              Store.open(new LocalStorage(dir.resolve("local"), true), StoreOptions.defaults()),
              null);
      S3Storage s3 = S3Storage.open("s3://bench/store", proxy.s3Settings());
      Side remote = side(Store.open(s3, StoreOptions.defaults()), s3);
      print("local", local);
      print("S3", remote);
      System.out.printf(
          Locale.ROOT,
          "S3/local: commits %.2fx the time (median latency %.2fx), compaction %.2fx the time;"
              + " %.1f requests per commit%n",
          remote.commitMs / local.commitMs,
          remote.p50 / local.p50,
          remote.compactMs / local.compactMs,
          (double) remote.requests / CompactBench.PARTS);
      s3.close();
    }
  }

  private Side side(Store store, S3Storage s3) {
    List<Long> commits = new ArrayList<>();
    long r0 = s3 == null ? 0 : s3.requests();
    long t0 = System.nanoTime();
    long rows = CompactBench.build(store, CompactBench.Layout.TAILS, scale, commits);
    double commitMs = (System.nanoTime() - t0) / 1e6;
    long requests = s3 == null ? 0 : s3.requests() - r0;
    List<Long> sorted = new ArrayList<>(commits);
    Collections.sort(sorted);
    double p50 = sorted.get(sorted.size() / 2) / 1e6;
    double p99 = sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6;
    long c0 = System.nanoTime();
    try (CompactionService s = new CompactionService(store, CompactionOptions.defaults())) {
      s.compact(store.item("bench", "day"));
    }
    double compactMs = (System.nanoTime() - c0) / 1e6;
    return new Side(commitMs, p50, p99, rows, compactMs, requests);
  }

  private static void print(String what, Side s) {
    System.out.printf(
        Locale.ROOT,
        "%-6s %,d rows in %,8.0f ms (%,10.0f rows/s), commit latency p50 %6.1f ms p99 %6.1f ms;"
            + " compaction %,8.0f ms%n",
        what,
        s.rows,
        s.commitMs,
        s.rows / (s.commitMs / 1000),
        s.p50,
        s.p99,
        s.compactMs);
  }
}
