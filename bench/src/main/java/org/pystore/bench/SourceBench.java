package org.pystore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pystore.embedded.EmbeddedConnect;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;

/**
 * Unpaced replay throughput of one source task, beside a plain producer sending the same records
 * (the same JSON with schemas, the same batching) in the same run.
 */
final class SourceBench {
  private final Path dir;
  private final int records;

  SourceBench(Path dir, double scale) {
    this.dir = dir;
    this.records = (int) Math.max(2000, Math.round(1_000_000 * scale));
  }

  void run() throws Exception {
    Files.createDirectories(dir);
    System.out.printf(Locale.ROOT, "%n== source: replay %,d rows, one task, unpaced ==%n", records);
    List<GenericRecord> ticks = TickData.ticks(new Random(4), TickData.T0, 1_000_000L, records);
    Store store = Store.open(dir.resolve("store"), StoreOptions.defaults().withFsync(false));
    store
        .item("bench", "AAPL")
        .write(TickData.SCHEMA, ticks, ItemOptions.defaults(), Map.of(), false);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        EmbeddedConnect connect =
            EmbeddedConnect.start(
                kafka.bootstrapServers(),
                Map.of("connector.client.config.override.policy", "All"))) {
      kafka.createTopic("producer", 1);
      kafka.createTopic("replay", 1);
      double producer = producer(kafka, ticks);
      double converter = converterAlone(ticks);
      double source = source(kafka, connect);
      System.out.printf(
          Locale.ROOT, "reference: plain producer        %,12.0f records/s%n", producer);
      System.out.printf(
          Locale.ROOT,
          "ceiling:   JsonConverter alone   %,12.0f records/s (serializing the rows with schemas)%n",
          converter);
      System.out.printf(
          Locale.ROOT,
          "source replay (speed 0)          %,12.0f records/s  (%.2fx the producer, %.2fx the converter alone)%n",
          source,
          source / producer,
          source / converter);
    }
  }

  /** Connect's JsonConverter serializing the same rows as Structs: work every JSON source does. */
  private static double converterAlone(List<GenericRecord> ticks) {
    org.apache.kafka.connect.json.JsonConverter c =
        new org.apache.kafka.connect.json.JsonConverter();
    c.configure(Map.of("schemas.enable", "true"), false);
    List<org.apache.kafka.connect.data.SchemaAndValue> structs = new java.util.ArrayList<>();
    for (GenericRecord t : ticks) {
      String v = SinkBench.json(t, true);
      structs.add(c.toConnectData("t", v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    double best = 0;
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      long bytes = 0;
      for (org.apache.kafka.connect.data.SchemaAndValue sv : structs) {
        bytes += c.fromConnectData("t", sv.schema(), sv.value()).length;
      }
      best = Math.max(best, structs.size() / ((System.nanoTime() - start) / 1e9));
      if (bytes == 42) {
        System.out.print("");
      }
    }
    return best;
  }

  private double producer(EmbeddedKafka kafka, List<GenericRecord> ticks) {
    String[] values = new String[ticks.size()];
    for (int i = 0; i < values.length; i++) {
      GenericRecord t = ticks.get(i);
      values[i] = SinkBench.json(t, true);
    }
    try (KafkaProducer<String, String> p =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "batch.size",
                "262144",
                "linger.ms",
                "20"),
            new StringSerializer(),
            new StringSerializer())) {
      long start = System.nanoTime();
      for (String v : values) {
        p.send(new ProducerRecord<>("producer", "AAPL", v));
      }
      p.flush();
      return values.length / ((System.nanoTime() - start) / 1e9);
    }
  }

  private double source(EmbeddedKafka kafka, EmbeddedConnect connect) throws Exception {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", "org.pystore.connect.source.PyStoreSourceConnector");
    c.put("tasks.max", "1");
    c.put("store.path", dir.resolve("store").toString());
    c.put("collection", "bench");
    c.put("topic", "replay");
    c.put("batch.max.records", "5000");
    c.put("producer.override.batch.size", "262144");
    c.put("producer.override.linger.ms", "20");
    connect.putConnector("bench-source", c);
    TopicPartition tp = new TopicPartition("replay", 0);
    try (Admin admin = kafka.admin()) {
      long first = 0;
      long firstAt = 0;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (System.nanoTime() < deadline) {
        long end =
            admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        long now = System.nanoTime();
        if (firstAt == 0 && end > 0) {
          firstAt = now;
          first = end;
        }
        if (end >= records) {
          connect.deleteConnector("bench-source");
          return (end - first) / ((now - firstAt) / 1e9);
        }
        Thread.sleep(20);
      }
    }
    throw new IllegalStateException(
        "the source did not replay " + records + " records in 10 minutes");
  }
}
