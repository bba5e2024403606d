package org.pystore.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.pystore.embedded.EmbeddedConnect;
import org.pystore.embedded.EmbeddedKafka;

/**
 * One sink task writing the same records into one item and into 10,000 items, the latter in both
 * commit modes ({@code item}: a commit per item, on one commit thread and on the default four;
 * {@code transaction}: one transaction per flush), with the default buffer budget: records/s from
 * the connector's start until every record is committed, commits, log entries, decisions and the
 * heap's peak, all in one run on an in-process broker and worker.
 */
final class ManyItemsSinkBench {
  private final Path dir;
  private final int records;
  private final int items;

  ManyItemsSinkBench(Path dir, double scale) {
    this.dir = dir;
    this.records = (int) Math.max(20_000, Math.round(1_000_000 * scale));
    this.items = (int) Math.max(100, Math.min(10_000, Math.round(10_000 * Math.sqrt(scale))));
  }

  /** What one run gave. */
  private record Run(
      double rate, long commits, long entries, long decisions, long peakBuffered, long peakHeap) {}

  void run() throws Exception {
    Files.createDirectories(dir);
    System.out.printf(
        Locale.ROOT,
        "%n== sink into many items: %,d schemaless JSON ticks, one task, one partition,"
            + " default buffer budget (64 MB) ==%n",
        records);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        EmbeddedConnect connect =
            EmbeddedConnect.start(
                kafka.bootstrapServers(),
                Map.of("connector.client.config.override.policy", "All"))) {
      List<GenericRecord> ticks = TickData.ticks(new Random(5), TickData.T0, 1_000_000L, records);
      produce(kafka, "one-item", ticks, 1);
      produce(kafka, "many-items", ticks, items);
      Run one = sink(connect, "one-item", "item", 4);
      Run oneThread = sink(connect, "many-items", "item", 1);
      Run perItem = sink(connect, "many-items", "item", 4);
      Run tx = sink(connect, "many-items", "transaction", 4);
      print("1 item, commit.mode=item", one, one);
      print(String.format(Locale.ROOT, "%,d items, item, commit.threads=1", items), oneThread, one);
      print(String.format(Locale.ROOT, "%,d items, commit.mode=item", items), perItem, one);
      print(String.format(Locale.ROOT, "%,d items, commit.mode=transaction", items), tx, one);
      System.out.printf(
          Locale.ROOT,
          "with %,d items: 4 commit threads %.2fx one; transaction mode %.2fx item mode%n",
          items,
          perItem.rate() / oneThread.rate(),
          tx.rate() / perItem.rate());
    }
  }

  private static void print(String what, Run r, Run one) {
    System.out.printf(
        Locale.ROOT,
        "%-38s %,10.0f records/s (%.2fx one item)  %,7d commits  %,8d log entries"
            + "  %,5d decisions  buffered peak %,5.1f MB  heap peak %,6.1f MB%n",
        what,
        r.rate(),
        r.rate() / one.rate(),
        r.commits(),
        r.entries(),
        r.decisions(),
        r.peakBuffered() / 1e6,
        r.peakHeap() / 1e6);
  }

  /** Schemaless JSON ticks, keyed and named by symbol: record i goes to symbol i mod n. */
  private void produce(EmbeddedKafka kafka, String topic, List<GenericRecord> ticks, int n)
      throws Exception {
    kafka.createTopic(topic, 1);
    try (KafkaProducer<String, String> p = SinkBench.producer(kafka)) {
      for (int i = 0; i < ticks.size(); i++) {
        GenericRecord t = ticks.get(i);
        String sym = n == 1 ? "AAPL" : "S" + (i % n);
        String v =
            SinkBench.payload(t).replace("\"sym\":\"" + t.get(1) + "\"", "\"sym\":\"" + sym + "\"");
        p.send(new ProducerRecord<>(topic, sym, v));
      }
    }
  }

  private Run sink(EmbeddedConnect connect, String topic, String mode, int threads)
      throws Exception {
    String name = "many-" + topic + "-" + mode + "-" + threads;
    Path store = dir.resolve(name);
    Map<String, String> c = SinkBench.connector(topic, false, store.toString());
    c.put("collection", "ticks");
    c.put("commit.mode", mode);
    c.put("commit.threads", String.valueOf(threads));
    System.gc();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    connect.putConnector(name, c);
    ObjectName bean =
        new ObjectName(
            "org.pystore.connect:type=sink-task-metrics,connector=\"" + name + "\",task=0");
    long start = System.nanoTime(); // from the connector's start: a flush may commit everything
    long peakHeap = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
    while (System.nanoTime() < deadline) {
      long written = 0;
      try {
        written = (Long) server.getAttribute(bean, "RecordsWritten");
      } catch (javax.management.InstanceNotFoundException e) {
        // task not started yet
      }
      peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
      if (written >= records) {
        double rate = written / ((System.nanoTime() - start) / 1e9);
        long commits = (Long) server.getAttribute(bean, "Commits");
        long peakBuffered = (Long) server.getAttribute(bean, "BufferedBytesPeak");
        connect.deleteConnector(name);
        while (server.isRegistered(bean)) {
          Thread.sleep(20);
        }
        return new Run(
            rate,
            commits,
            count(store.resolve("ticks"), "_log"),
            count(store.resolve("ticks"), "_tx"),
            peakBuffered,
            peakHeap);
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the sink did not write " + records + " records in 20 minutes");
  }

  /** Log entries (or decision files) under a collection: JSON files in directories so named. */
  private static long count(Path collection, String dirName) throws Exception {
    if (!Files.isDirectory(collection)) {
      return 0;
    }
    try (Stream<Path> all = Files.walk(collection)) {
      return all.filter(
              f ->
                  f.getParent() != null
                      && f.getParent().getFileName().toString().equals(dirName)
                      && f.getFileName().toString().matches("\\d+\\.json|.*-.*\\.json"))
          .count();
    }
  }
}
