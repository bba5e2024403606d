package org.pystore.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.management.ObjectName;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pystore.embedded.EmbeddedConnect;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.s3.S3Proxy;

/**
 * End-to-end sink throughput of one task for an 8-column tick, as JSON with schemas and as
 * schemaless JSON, beside a plain consumer reading the same topic and the store engine writing the
 * same rows directly, all in one run on an in-process broker and worker; and the schemaless sink
 * again into a bucket of S3Proxy (a real S3 server over the local disk), beside the local store.
 */
final class SinkBench {
  private final Path dir;
  private final int records;

  SinkBench(Path dir, double scale) {
    this.dir = dir;
    this.records = (int) Math.max(2000, Math.round(1_000_000 * scale));
  }

  static final String SCHEMA =
      "{\"type\":\"struct\",\"fields\":["
          + "{\"field\":\"ts\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"},"
          + "{\"field\":\"sym\",\"type\":\"string\"},{\"field\":\"bid\",\"type\":\"double\"},"
          + "{\"field\":\"ask\",\"type\":\"double\"},{\"field\":\"price\",\"type\":\"double\"},"
          + "{\"field\":\"size\",\"type\":\"int64\"},{\"field\":\"venue\",\"type\":\"int32\"},"
          + "{\"field\":\"buy\",\"type\":\"boolean\"}]}";

  static String payload(GenericRecord t) {
    return String.format(
        Locale.ROOT,
        "{\"ts\":%d,\"sym\":\"%s\",\"bid\":%s,\"ask\":%s,\"price\":%s,\"size\":%d,\"venue\":%d,\"buy\":%s}",
        (Long) t.get(0) / 1_000_000L,
        t.get(1),
        t.get(2),
        t.get(3),
        t.get(4),
        t.get(5),
        t.get(6),
        t.get(7));
  }

  /** A tick as the JsonConverter sends it: with the schema envelope, or the bare payload. */
  static String json(GenericRecord t, boolean schemas) {
    return schemas ? "{\"schema\":" + SCHEMA + ",\"payload\":" + payload(t) + "}" : payload(t);
  }

  void run() throws Exception {
    Files.createDirectories(dir);
    System.out.printf(
        Locale.ROOT, "%n== sink: %,d tick records, one task, one partition ==%n", records);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        EmbeddedConnect connect =
            EmbeddedConnect.start(
                kafka.bootstrapServers(),
                Map.of("connector.client.config.override.policy", "All"))) {
      List<GenericRecord> ticks = TickData.ticks(new Random(3), TickData.T0, 1_000_000L, records);
      long withSchemaBytes = produce(kafka, "json-schemas", ticks, true);
      long schemalessBytes = produce(kafka, "json-free", ticks, false);

      double consumer = consume(kafka, "json-schemas");
      double direct = direct(ticks);
      double converterSchemas = converterAlone(ticks, true);
      double converterFree = converterAlone(ticks, false);
      double sinkSchemas = sink(connect, "json-schemas", true, null);
      double sinkFree = sink(connect, "json-free", false, null);
      double sinkS3;
      try (S3Proxy proxy = S3Proxy.start(dir.resolve("s3"), "bench")) {
        // credentials through the default chain, as a worker gets them (system properties here)
        System.setProperty("aws.accessKeyId", S3Proxy.IDENTITY);
        System.setProperty("aws.secretAccessKey", S3Proxy.CREDENTIAL);
        sinkS3 = sink(connect, "json-free", false, proxy);
      }
      StandaloneSink.Rates[] separate = standalone(kafka);
      double slower = Math.min(consumer, direct);
      System.out.printf(
          Locale.ROOT, "reference: plain consumer (bytes) %,12.0f records/s%n", consumer);
      System.out.printf(
          Locale.ROOT,
          "reference: store engine append    %,12.0f rows/s (batches of 10,000)%n",
          direct);
      System.out.printf(
          Locale.ROOT,
          "ceiling:   Connect's JsonConverter alone, with schemas %,10.0f records/s, schemaless %,10.0f records/s%n",
          converterSchemas,
          converterFree);
      report("sink, JSON with schemas", sinkSchemas, withSchemaBytes, slower);
      System.out.printf(
          Locale.ROOT, "%-26s %.2fx the converter alone%n", "", sinkSchemas / converterSchemas);
      report("sink, schemaless JSON", sinkFree, schemalessBytes, slower);
      System.out.printf(
          Locale.ROOT, "%-26s %.2fx the converter alone%n", "", sinkFree / converterFree);
      report("sink, schemaless, on S3", sinkS3, schemalessBytes, slower);
      System.out.printf(
          Locale.ROOT,
          "%-26s %.2fx the same sink into a local store (S3Proxy on 127.0.0.1)%n",
          "",
          sinkS3 / sinkFree);
      if (separate != null) {
        String[] what = {
          "sink, JSON with schemas", "sink, schemaless JSON", "sink, with schemas, default polls"
        };
        double[] inProcess = {sinkSchemas, sinkFree, sinkSchemas};
        System.out.printf(
            Locale.ROOT,
            "separate connect-standalone JVM (packaged plugin, %s):%n",
            String.join(" ", StandaloneSink.STOCK_JVM_OPTIONS.subList(0, 2)));
        for (int i = 0; i < 3; i++) {
          System.out.printf(
              Locale.ROOT,
              "%-34s %,10.0f records/s from launch, %,10.0f from the first commit"
                  + " (%.2fx in-process)%n",
              what[i],
              separate[i].fromLaunch(),
              separate[i].fromFirstCommit(),
              separate[i].fromFirstCommit() / inProcess[i]);
        }
      }
    }
  }

  private void report(String what, double rate, long bytes, double slower) {
    double mbps = rate * bytes / records / 1e6;
    System.out.printf(
        Locale.ROOT,
        "%-26s %,12.0f records/s  %6.1f MB/s  (%.2fx the slower reference)%n",
        what,
        rate,
        mbps,
        rate / slower);
  }

  private long produce(
      EmbeddedKafka kafka, String topic, List<GenericRecord> ticks, boolean schemas)
      throws Exception {
    kafka.createTopic(topic, 1);
    long bytes = 0;
    try (KafkaProducer<String, String> p = producer(kafka)) {
      for (GenericRecord t : ticks) {
        String v = json(t, schemas);
        bytes += v.length() + 4;
        p.send(new ProducerRecord<>(topic, "AAPL", v));
      }
    }
    return bytes;
  }

  /** The producer that fills the benchmarks' topics: large lz4 batches. */
  static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(
        Map.of(
            "bootstrap.servers",
            kafka.bootstrapServers(),
            "batch.size",
            "262144",
            "linger.ms",
            "20",
            "compression.type",
            "lz4"),
        new StringSerializer(),
        new StringSerializer());
  }

  private double consume(EmbeddedKafka kafka, String topic) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", kafka.bootstrapServers());
    c.put("group.id", "bench-" + System.nanoTime());
    c.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long n = 0;
      long start = 0;
      long sink = 0;
      while (n < records) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (start == 0) {
            start = System.nanoTime();
          }
          sink += r.value().length;
          n++;
        }
      }
      if (sink == 42) {
        System.out.print("");
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Connect's JsonConverter turning the same bytes into Connect data: work every JSON sink does.
   */
  private static double converterAlone(List<GenericRecord> ticks, boolean schemas) {
    org.apache.kafka.connect.json.JsonConverter c =
        new org.apache.kafka.connect.json.JsonConverter();
    c.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
    List<byte[]> values = new ArrayList<>(ticks.size());
    for (GenericRecord t : ticks) {
      String v = json(t, schemas);
      values.add(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    double best = 0;
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      int n = 0;
      for (byte[] v : values) {
        n += c.toConnectData("t", v).value() == null ? 0 : 1;
      }
      best = Math.max(best, n / ((System.nanoTime() - start) / 1e9));
    }
    return best;
  }

  private double direct(List<GenericRecord> ticks) {
    Store store = Store.open(dir.resolve("direct"), StoreOptions.defaults());
    Item item = store.item("bench", "direct");
    item.write(TickData.SCHEMA, List.of(), ItemOptions.defaults(), Map.of(), false);
    long start = System.nanoTime();
    for (int i = 0; i < ticks.size(); i += 10_000) {
      item.append(new ArrayList<>(ticks.subList(i, Math.min(ticks.size(), i + 10_000))));
    }
    return ticks.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** The sink's settings in every run: one task, item from the sym field, larger polls. */
  static Map<String, String> connector(String topic, boolean schemas, String store) {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", "org.pystore.connect.sink.PyStoreSinkConnector");
    c.put("tasks.max", "1");
    c.put("topics", topic);
    c.put("store.path", store);
    c.put("index.field", "ts");
    c.put("item.field", "sym");
    c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", String.valueOf(schemas));
    c.put("consumer.override.max.poll.records", "5000");
    c.put("consumer.override.fetch.min.bytes", "1048576");
    return c;
  }

  /**
   * The same sinks in a separate stock worker JVM with the packaged plugin; null when the plugin is
   * not built.
   */
  private StandaloneSink.Rates[] standalone(EmbeddedKafka kafka) throws Exception {
    Path plugin = StandaloneSink.defaultPlugin();
    if (!Files.isDirectory(plugin)) {
      System.out.printf(
          Locale.ROOT,
          "separate worker JVM: skipped, no plugin at %s (build it: mvn -B install -DskipTests,"
              + " then run from the project root or pass -Dpystore.plugin=DIR)%n",
          plugin.toAbsolutePath());
      return null;
    }
    StandaloneSink worker = new StandaloneSink(dir.resolve("standalone"), plugin, records);
    StandaloneSink.Rates[] rates = new StandaloneSink.Rates[3];
    String[] topics = {"json-schemas", "json-free"};
    for (int i = 0; i < 2; i++) {
      String store = dir.resolve("standalone-" + topics[i]).toString();
      rates[i] =
          worker.run(
              kafka.bootstrapServers(),
              "standalone-" + topics[i],
              connector(topics[i], i == 0, store),
              topics[i]);
    }
    // as config/sink.properties ships: the worker's default polls, a dead letter queue
    Map<String, String> shipped = connector("json-schemas", true, "");
    shipped.remove("consumer.override.max.poll.records");
    shipped.remove("consumer.override.fetch.min.bytes");
    shipped.put("store.path", dir.resolve("standalone-defaults").toString());
    shipped.put("errors.tolerance", "all");
    shipped.put("errors.deadletterqueue.topic.name", "bench-dlq");
    shipped.put("errors.deadletterqueue.topic.replication.factor", "1");
    rates[2] = worker.run(kafka.bootstrapServers(), "standalone-defaults", shipped, "json-schemas");
    return rates;
  }

  /** The sink's rate into a local store, or into S3Proxy's bucket when {@code s3} is given. */
  private double sink(EmbeddedConnect connect, String topic, boolean schemas, S3Proxy s3)
      throws Exception {
    String name = "bench-" + topic + (s3 == null ? "" : "-s3");
    Map<String, String> c;
    if (s3 == null) {
      c = connector(topic, schemas, dir.resolve("sink-" + topic).toString());
    } else {
      c = connector(topic, schemas, "s3://bench/sink-" + topic);
      c.put("s3.endpoint", s3.endpoint());
      c.put("s3.region", "us-east-1");
      c.put("s3.path.style.access", "true");
    }
    connect.putConnector(name, c);
    ObjectName bean =
        new ObjectName(
            "org.pystore.connect:type=sink-task-metrics,connector=\"" + name + "\",task=0");
    long start = 0;
    long startCount = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      long written = 0;
      try {
        written =
            (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "RecordsWritten");
      } catch (javax.management.InstanceNotFoundException e) {
        // task not started yet
      }
      if (start == 0 && written > 0) {
        start = System.nanoTime();
        startCount = written;
      }
      if (written >= records) {
        double rate = (written - startCount) / ((System.nanoTime() - start) / 1e9);
        connect.deleteConnector(name);
        awaitStopped(bean); // its last commits done before the store (S3Proxy) goes away
        return rate;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the sink did not write " + records + " records in 10 minutes");
  }

  /** Waits until the task stopped: it unregisters its metrics last thing in {@code stop()}. */
  private static void awaitStopped(ObjectName bean) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (ManagementFactory.getPlatformMBeanServer().isRegistered(bean)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the sink task did not stop within a minute of its delete");
      }
      Thread.sleep(20);
    }
  }
}
