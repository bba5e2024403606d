package org.pystore.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.embedded.EmbeddedConnect;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.Item;
import org.pystore.store.PyCollection;
import org.pystore.store.RowReader;
import org.pystore.store.Store;

/** The sink on a real in-process broker and Connect worker (loopback only). */
class SinkIT {
  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static EmbeddedConnect connect;
  static KafkaProducer<String, String> producer;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    connect = EmbeddedConnect.start(kafka.bootstrapServers(), Map.of());
    producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "linger.ms",
                "5",
                "enable.idempotence",
                "true"),
            new StringSerializer(),
            new StringSerializer());
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (connect != null) {
      connect.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  static String name(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static final String TICK_SCHEMA =
      "{\"type\":\"struct\",\"optional\":false,\"fields\":["
          + "{\"field\":\"sym\",\"type\":\"string\"},"
          + "{\"field\":\"ts\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1},"
          + "{\"field\":\"seq\",\"type\":\"int64\"},"
          + "{\"field\":\"price\",\"type\":\"double\"},"
          + "{\"field\":\"size\",\"type\":\"int32\"}]}";

  static String tick(String sym, long tsMillis, long seq, double price, int size) {
    return "{\"schema\":"
        + TICK_SCHEMA
        + ",\"payload\":{\"sym\":\""
        + sym
        + "\",\"ts\":"
        + tsMillis
        + ",\"seq\":"
        + seq
        + ",\"price\":"
        + price
        + ",\"size\":"
        + size
        + "}}";
  }

  Map<String, String> sinkConfig(String topic, Path store) {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", "org.pystore.connect.sink.PyStoreSinkConnector");
    c.put("tasks.max", "1");
    c.put("topics", topic);
    c.put("store.path", store.toString());
    c.put("index.field", "ts");
    c.put("dedupe", "none");
    c.put("flush.records", "200");
    c.put("flush.interval.ms", "500");
    return c;
  }

  /** Rows a read returns; 0 for an item that does not exist yet. */
  static long rows(Item item) {
    if (!item.exists()) {
      return 0;
    }
    long n = 0;
    try (RowReader r = item.read()) {
      while (r.hasNext()) {
        r.next();
        n++;
      }
    }
    return n;
  }

  /** Every record (by its seq field) is in the store exactly once: dedupe=none shows duplicates. */
  static void assertEverySeqOnce(Store store, String topic, int total) {
    Map<Long, Integer> seen = new HashMap<>();
    PyCollection c = store.collection(topic);
    for (String item : c.items()) {
      try (RowReader r = c.item(item).read()) {
        while (r.hasNext()) {
          seen.merge((Long) r.next().get("seq"), 1, Integer::sum);
        }
      }
    }
    assertThat(seen).hasSize(total);
    assertThat(seen.values()).allMatch(n -> n == 1);
  }

  static long totalRows(Store store, String collection) {
    PyCollection c = store.collection(collection);
    if (!c.exists()) {
      return 0;
    }
    long n = 0;
    for (String i : c.items()) {
      n += rows(c.item(i));
    }
    return n;
  }

  @Test
  void manySymbolsAcrossPartitionsLandInTheirItemsSorted() throws Exception {
    String topic = name("ticks");
    kafka.createTopic(topic, 4);
    Path storeDir = dir.resolve(name("store"));
    String connector = name("sink");
    connect.putConnector(connector, sinkConfig(topic, storeDir));
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
    long t0 = 1_704_182_400_000L;
    for (int i = 0; i < 500; i++) {
      for (int s = 0; s < 20; s++) {
        // timestamps go backwards within each symbol every 10 records: out-of-order arrivals
        long ts = t0 + (i / 10) * 10_000L + (9 - i % 10) * 1000L;
        producer.send(new ProducerRecord<>(topic, "SYM" + s, tick("SYM" + s, ts, i, 100 + i, s)));
      }
    }
    producer.flush();
    Store store = Store.open(storeDir);
    await().atMost(Duration.ofSeconds(90)).until(() -> totalRows(store, topic) == 10_000);
    PyCollection c = store.collection(topic);
    assertThat(c.items()).hasSize(20);
    for (String item : c.items()) {
      List<Long> ts = new ArrayList<>();
      Set<Long> seqs = new HashSet<>();
      try (RowReader r = c.item(item).read()) {
        while (r.hasNext()) {
          GenericRecord g = r.next();
          ts.add((Long) g.get("ts"));
          seqs.add((Long) g.get("seq"));
          assertThat(g.get("sym").toString()).isEqualTo(item);
        }
      }
      assertThat(ts).hasSize(500).isSorted();
      assertThat(seqs).hasSize(500);
    }
    connect.deleteConnector(connector);
  }

  @Test
  void everyRecordExactlyOnceAcrossRestartsAndRebalances() throws Exception {
    String topic = name("eo");
    kafka.createTopic(topic, 6);
    Path storeDir = dir.resolve(name("store"));
    String connector = name("sink");
    Map<String, String> config = sinkConfig(topic, storeDir);
    config.put("flush.records", "150");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));

    int total = 30_000;
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    Thread produce =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < total; i++) {
                  producer.send(
                      new ProducerRecord<>(
                          topic,
                          "K" + (i % 37),
                          tick("K" + (i % 37), 1_704_182_400_000L + i, i, i, 1)));
                  sent.incrementAndGet();
                  if (i % 500 == 0) {
                    Thread.sleep(15);
                  }
                }
                producer.flush();
              } catch (Exception e) {
                failed.set(true);
              }
            });
    produce.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() > 4000);
    connect.restartTask(connector, 0);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() > 10_000);
    config.put("tasks.max", "3");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 3, Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() > 18_000);
    connect.restartConnector(connector);
    connect.awaitRunning(connector, 3, Duration.ofSeconds(60));
    config.put("tasks.max", "1");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
    produce.join();
    assertThat(failed).isFalse();

    Store store = Store.open(storeDir);
    await().atMost(Duration.ofSeconds(120)).until(() -> totalRows(store, topic) >= total);
    Thread.sleep(2000); // a late duplicate would land now
    assertEverySeqOnce(store, topic, total);
    connect.deleteConnector(connector);
  }

  @Test
  void badRecordsGoToTheDeadLetterQueueAndGoodOnesStay() throws Exception {
    String topic = name("dlq-src");
    String dlq = name("dlq");
    kafka.createTopic(topic, 1);
    Path storeDir = dir.resolve(name("store"));
    String connector = name("sink");
    Map<String, String> config = sinkConfig(topic, storeDir);
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", dlq);
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));

    producer.send(new ProducerRecord<>(topic, "A", tick("A", 1_704_182_400_000L, 1, 1, 1)));
    producer.send(
        new ProducerRecord<>(
            topic, null, tick("nokey", 1_704_182_400_001L, 2, 1, 1))); // no key: no item
    producer.send(
        new ProducerRecord<>(
            topic,
            "A",
            "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"ts\",\"type\":\"string\"}]},\"payload\":{\"ts\":\"not a time\"}}"));
    producer.send(new ProducerRecord<>(topic, "A", "this is not json"));
    producer.send(
        new ProducerRecord<>(
            topic,
            "A",
            "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"ts\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"},{\"field\":\"price\",\"type\":\"string\"}]},\"payload\":{\"ts\":1704182400005,\"price\":\"high\"}}"));
    producer.send(new ProducerRecord<>(topic, "A", tick("A", 1_704_182_400_010L, 3, 2, 2)));
    producer.flush();

    Store store = Store.open(storeDir);
    await().atMost(Duration.ofSeconds(60)).until(() -> totalRows(store, topic) == 2);
    List<String> reasons = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "group.id",
                name("g"),
                "auto.offset.reset",
                "earliest"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(dlq));
      long deadline = System.currentTimeMillis() + 60_000;
      while (reasons.size() < 4 && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          Header h = r.headers().lastHeader("__connect.errors.exception.message");
          reasons.add(
              h == null ? "(no reason header)" : new String(h.value(), StandardCharsets.UTF_8));
        }
      }
    }
    assertThat(reasons).hasSize(4);
    assertThat(String.join("\n", reasons))
        .contains("no key")
        .contains("not a time")
        .contains("serialization error")
        .contains("@4 cannot be stored: column 'sym'");
    assertThat(String.join("\n", reasons)).contains(topic + "/0@");
    JsonNode status = connect.status(connector);
    assertThat(status.path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");
    connect.deleteConnector(connector);
  }

  @Test
  void schemalessJsonIsInferredAndWidened() throws Exception {
    String topic = name("free");
    kafka.createTopic(topic, 1);
    Path storeDir = dir.resolve(name("store"));
    String connector = name("sink");
    Map<String, String> config = sinkConfig(topic, storeDir);
    config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("value.converter.schemas.enable", "false");
    config.put("index.field", "time");
    config.put("item.field", "sym");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
    producer.send(
        new ProducerRecord<>(
            topic, null, "{\"sym\":\"EUR/USD\",\"time\":\"2024-01-02T00:00:00Z\",\"bid\":1}"));
    producer.send(
        new ProducerRecord<>(
            topic,
            null,
            "{\"sym\":\"EUR/USD\",\"time\":\"2024-01-02T00:00:01.5Z\",\"bid\":1.25,\"venue\":\"EBS\"}"));
    producer.send(
        new ProducerRecord<>(
            topic,
            null,
            "{\"sym\":\"EUR/USD\",\"time\":\"2024-01-02T00:00:02Z\",\"bid\":2,\"tags\":[\"a\"]}"));
    producer.flush();
    Store store = Store.open(storeDir);
    await().atMost(Duration.ofSeconds(60)).until(() -> totalRows(store, topic) == 3);
    Item item = store.item(topic, "EUR%2FUSD");
    List<GenericRecord> rows = new ArrayList<>();
    try (RowReader r = item.read()) {
      r.forEachRemaining(rows::add);
    }
    assertThat(rows).extracting(r -> r.get("bid")).containsExactly(1.0, 1.25, 2.0);
    assertThat(rows)
        .extracting(r -> String.valueOf(r.get("venue")))
        .containsExactly("null", "EBS", "null");
    assertThat(rows.get(2).get("tags").toString()).isEqualTo("[\"a\"]");
    connect.deleteConnector(connector);
  }

  @Test
  void tenThousandItemsStayWithinTheMemoryBudget() throws Exception {
    String topic = name("wide");
    kafka.createTopic(topic, 2);
    Path storeDir = dir.resolve(name("store"));
    String connector = name("sink");
    Map<String, String> config = sinkConfig(topic, storeDir);
    long budget = 512 * 1024;
    config.put("buffer.max.bytes", String.valueOf(budget));
    config.put("flush.records", "100000");
    config.put("flush.interval.ms", "600000");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
    int items = 10_000;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < items; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, "I" + i, tick("I" + i, 1_704_182_400_000L + round, round, i, round)));
      }
    }
    producer.flush();
    Store store = Store.open(storeDir);
    ObjectName mbean =
        new ObjectName(
            "org.pystore.connect:type=sink-task-metrics,connector=\"" + connector + "\",task=0");
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                (Long)
                        ManagementFactory.getPlatformMBeanServer()
                            .getAttribute(mbean, "RecordsWritten")
                    >= 3L * items - budget / 64);
    long peak =
        (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(mbean, "BufferedBytesPeak");
    assertThat(peak).isPositive().isLessThanOrEqualTo(budget);
    assertThat(store.collection(topic).items().size()).isGreaterThan(items / 2);
    connect.deleteConnector(connector);
  }

  @Test
  void exactlyOnceWhenAWorkerLeavesMidStream() throws Exception {
    String topic = name("workers");
    kafka.createTopic(topic, 4);
    String group = name("cluster");
    Map<String, String> shared =
        Map.of(
            "group.id", group,
            "config.storage.topic", group + "-configs",
            "offset.storage.topic", group + "-offsets",
            "status.storage.topic", group + "-status");
    Path storeDir = dir.resolve(name("store"));
    String connector = name("sink");
    Map<String, String> config = sinkConfig(topic, storeDir);
    config.put("tasks.max", "2");
    int total = 12_000;
    EmbeddedConnect a = EmbeddedConnect.start(kafka.bootstrapServers(), shared);
    EmbeddedConnect b = null;
    try {
      a.putConnector(connector, config);
      a.awaitRunning(connector, 2, Duration.ofSeconds(60));
      for (int i = 0; i < total / 3; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, "K" + (i % 11), tick("K" + (i % 11), 1_704_182_400_000L + i, i, i, 1)));
      }
      producer.flush();
      b =
          EmbeddedConnect.start(
              kafka.bootstrapServers(), shared); // joins: tasks rebalance over two workers
      for (int i = total / 3; i < 2 * total / 3; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, "K" + (i % 11), tick("K" + (i % 11), 1_704_182_400_000L + i, i, i, 1)));
      }
      producer.flush();
      a.close(); // the first worker leaves mid-stream; its tasks move to the second
      a = null;
      for (int i = 2 * total / 3; i < total; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, "K" + (i % 11), tick("K" + (i % 11), 1_704_182_400_000L + i, i, i, 1)));
      }
      producer.flush();
      b.awaitRunning(connector, 2, Duration.ofSeconds(90));
      Store store = Store.open(storeDir);
      await().atMost(Duration.ofSeconds(120)).until(() -> totalRows(store, topic) >= total);
      Thread.sleep(2000);
      assertEverySeqOnce(store, topic, total);
      b.deleteConnector(connector);
    } finally {
      if (a != null) {
        a.close();
      }
      if (b != null) {
        b.close();
      }
    }
  }
}
