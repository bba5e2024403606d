package org.pystore.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.compactor.CompactionOptions;
import org.pystore.compactor.CompactionService;
import org.pystore.compactor.TaskResult;
import org.pystore.embedded.EmbeddedConnect;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.Ticks;

/** The source on a real in-process broker and a Connect worker with exactly-once source support. */
class SourceIT {
  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static EmbeddedConnect connect;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    connect =
        EmbeddedConnect.start(
            kafka.bootstrapServers(), Map.of("exactly.once.source.support", "enabled"));
  }

  @AfterAll
  static void stop() {
    if (connect != null) {
      connect.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  static String name(String p) {
    return p + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** n ticks of one item, 1 s apart (or {@code stepNanos}), size = sequence number. */
  static void writeItem(Store store, String collection, String item, int n, long stepNanos) {
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(Ticks.tick(Ticks.T0 + i * stepNanos, item, 100 + i, i));
    }
    store.item(collection, item).write(Ticks.SCHEMA, rows, ItemOptions.defaults(), Map.of(), false);
  }

  Map<String, String> sourceConfig(Path store, String collection, String topic) {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", "org.pystore.connect.source.PyStoreSourceConnector");
    c.put("tasks.max", "2");
    c.put("store.path", store.toString());
    c.put("collection", collection);
    c.put("topic", topic);
    c.put("poll.interval.ms", "200");
    return c;
  }

  static List<ConsumerRecord<String, String>> consume(
      String topic, int expected, Duration timeout) {
    return consume(topic, expected, timeout, "read_committed");
  }

  static List<ConsumerRecord<String, String>> consume(
      String topic, int expected, Duration timeout, String isolation) {
    return consume(kafka.bootstrapServers(), name("g"), topic, expected, timeout, isolation);
  }

  /**
   * Reads a topic from the start until {@code expected} records arrived or the timeout passed, then
   * two seconds more: a repeat would arrive then.
   */
  static List<ConsumerRecord<String, String>> consume(
      String bootstrap,
      String group,
      String topic,
      int expected,
      Duration timeout,
      String isolation) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                group,
                "auto.offset.reset",
                "earliest",
                "isolation.level",
                isolation,
                // the writer creates the topic, with its own settings; a reader waits for it
                "allow.auto.create.topics",
                "false",
                "metadata.max.age.ms",
                "1000"),
            new StringDeserializer(),
            new StringDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // anything beyond the expected count (a repeat) would arrive now
      long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < settle) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  static long size(ConsumerRecord<String, String> r) {
    String v = r.value();
    int i = v.indexOf("\"size\":");
    int j = i + 7;
    while (j < v.length() && (Character.isDigit(v.charAt(j)) || v.charAt(j) == '-')) {
      j++;
    }
    return Long.parseLong(v.substring(i + 7, j));
  }

  @Test
  void replaysEveryRowPerItemInOrderWithKeyAndTimestamp() throws Exception {
    Path storeDir = dir.resolve(name("store"));
    Store store = Store.open(storeDir);
    for (String item : List.of("AAPL", "MSFT", "EUR%2FUSD")) {
      writeItem(store, "ticks", item, 1000, 1_000_000_000L);
    }
    String topic = name("replay");
    kafka.createTopic(topic, 3);
    String connector = name("source");
    connect.putConnector(connector, sourceConfig(storeDir, "ticks", topic));
    connect.awaitRunning(connector, 2, Duration.ofSeconds(60));
    List<ConsumerRecord<String, String>> got = consume(topic, 3000, Duration.ofSeconds(60));
    assertThat(got).hasSize(3000);
    Map<String, List<Long>> byKey = new HashMap<>();
    for (ConsumerRecord<String, String> r : got) {
      long seq = size(r);
      byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(seq);
      assertThat(r.timestamp()).isEqualTo(Ticks.T0 / 1_000_000L + seq * 1000L);
      assertThat(r.value())
          .contains("\"ts\":" + (Ticks.T0 + seq * 1_000_000_000L))
          .contains("\"price\":" + (100.0 + seq));
    }
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("AAPL", "MSFT", "EUR/USD");
    for (List<Long> seqs : byKey.values()) {
      assertThat(seqs).hasSize(1000).isSorted().doesNotHaveDuplicates();
    }
    connect.deleteConnector(connector);
  }

  @Test
  void timeOrderGivesOneGlobalOrder() throws Exception {
    Path storeDir = dir.resolve(name("store"));
    Store store = Store.open(storeDir);
    for (int k = 0; k < 3; k++) {
      List<GenericRecord> rows = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        rows.add(Ticks.tick(Ticks.T0 + (i * 3L + k) * 1_000_000L, "I" + k, i, i * 3L + k));
      }
      store.item("c", "I" + k).write(Ticks.SCHEMA, rows, ItemOptions.defaults(), Map.of(), false);
    }
    String topic = name("global");
    kafka.createTopic(topic, 1);
    String connector = name("source");
    Map<String, String> config = sourceConfig(storeDir, "c", topic);
    config.put("replay.order", "time");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
    List<ConsumerRecord<String, String>> got = consume(topic, 900, Duration.ofSeconds(60));
    List<Long> order = got.stream().map(SourceIT::size).toList();
    assertThat(order).hasSize(900).isSorted();
    connect.deleteConnector(connector);
  }

  /**
   * Restarts the connector and a task mid-replay, compacts and vacuums in between, and reads every
   * row exactly once. History: once in 42 runs (with a 90 s deadline and the default 60 s
   * transaction timeout, beside a parallel build) it saw 7,996 of 8,000 rows by its deadline, no
   * repeats: consistent with a read_committed reader waiting behind a transaction the stopped task
   * left open. With the 10 s transaction timeout and 150 s deadline below it passed 25 of 25 runs,
   * 10 of them on a saturated machine, before joining the default build. If it fails, the message
   * tells whether the missing rows were never sent or sit in the topic uncommitted.
   */
  @Test
  void restartMidReplayNeitherRepeatsNorSkips() throws Exception {
    Path storeDir = dir.resolve(name("store"));
    Store store = Store.open(storeDir);
    for (int k = 0; k < 4; k++) {
      writeItem(store, "c", "S" + k, 1000, 5_000_000L); // 10 s of data each, in two parts
      List<GenericRecord> rest = new ArrayList<>();
      for (int i = 1000; i < 2000; i++) {
        rest.add(Ticks.tick(Ticks.T0 + i * 5_000_000L, "S" + k, 100 + i, i));
      }
      store.item("c", "S" + k).append(rest);
    }
    String topic = name("eos");
    kafka.createTopic(topic, 2);
    String connector = name("source");
    Map<String, String> config = sourceConfig(storeDir, "c", topic);
    config.put("replay.speed", "2.5"); // about 4 s of replay
    config.put("batch.max.records", "50");
    // a restarted task's fenced predecessor may leave a transaction open; read_committed readers
    // wait for it until the transaction times out (60 s by default): keep that wait short
    config.put("producer.override.transaction.timeout.ms", "10000");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 2, Duration.ofSeconds(60));
    Thread.sleep(1500);
    connect.restartConnector(connector);
    connect.awaitRunning(connector, 2, Duration.ofSeconds(60));
    for (int k = 0; k < 4; k++) {
      compact(store.item("c", "S" + k)); // offsets are logical: rewriting the parts changes nothing
    }
    Thread.sleep(1000);
    connect.restartTask(connector, 1);
    List<ConsumerRecord<String, String>> got = consume(topic, 8000, Duration.ofSeconds(150));
    Set<String> seen = new HashSet<>();
    for (ConsumerRecord<String, String> r : got) {
      assertThat(seen.add(r.key() + "#" + size(r))).as("repeated %s#%d", r.key(), size(r)).isTrue();
    }
    List<String> missing = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      for (int i = 0; i < 2000; i++) {
        if (!seen.contains("S" + k + "#" + i)) {
          missing.add("S" + k + "#" + i);
        }
      }
    }
    if (!missing.isEmpty()) {
      // were they written in a transaction that never committed, or never sent at all?
      Set<String> uncommitted = new HashSet<>();
      for (ConsumerRecord<String, String> r :
          consume(topic, 100_000, Duration.ofSeconds(5), "read_uncommitted")) {
        uncommitted.add(r.key() + "#" + size(r) + "@" + r.partition() + ":" + r.offset());
      }
      List<String> found = new ArrayList<>();
      for (String u : uncommitted) {
        if (missing.contains(u.substring(0, u.indexOf('@')))) {
          found.add(u);
        }
      }
      assertThat(missing)
          .as("rows never replayed; in the topic but not committed: %s", found)
          .isEmpty();
    }
    assertThat(seen).hasSize(8000);
    connect.deleteConnector(connector);
  }

  @Test
  void compactionAndVacuumMidReplayChangeNothing() throws Exception {
    Path storeDir = dir.resolve(name("store"));
    Store store = Store.open(storeDir);
    for (int k = 0; k < 2; k++) {
      // five parts one after another: the merge opens a part (and the next, ahead) only when it
      // reaches it, so the later ones are opened after vacuum deleted them
      writeItem(store, "c", "V" + k, 400, 5_000_000L);
      for (int from = 400; from < 2000; from += 400) {
        List<GenericRecord> rest = new ArrayList<>();
        for (int i = from; i < from + 400; i++) {
          rest.add(Ticks.tick(Ticks.T0 + i * 5_000_000L, "V" + k, 100 + i, i));
        }
        store.item("c", "V" + k).append(rest);
      }
    }
    String topic = name("vacuumed");
    kafka.createTopic(topic, 1);
    String connector = name("source");
    Map<String, String> config = sourceConfig(storeDir, "c", topic);
    config.put("replay.speed", "2.5"); // about 4 s: compaction lands mid-replay
    config.put("tasks.max", "1");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
    long reopensBefore = org.pystore.connect.source.PyStoreSourceTask.reopens();
    Thread.sleep(1500);
    for (int k = 0; k < 2; k++) {
      compact(store.item("c", "V" + k)); // the parts the replay pinned are deleted
    }
    List<ConsumerRecord<String, String>> got = consume(topic, 4000, Duration.ofSeconds(60));
    Set<String> seen = new HashSet<>();
    for (ConsumerRecord<String, String> r : got) {
      assertThat(seen.add(r.key() + "#" + size(r))).as("repeated %s#%d", r.key(), size(r)).isTrue();
    }
    assertThat(seen).hasSize(4000);
    assertThat(org.pystore.connect.source.PyStoreSourceTask.reopens())
        .as("the replay met a vacuumed part and reopened at the latest version")
        .isGreaterThan(reopensBefore);
    assertThat(connect.status(connector).toString()).doesNotContain("FAILED");
    connect.deleteConnector(connector);
  }

  @Test
  void originalPaceTakesAtLeastTheSpanOfTheData() throws Exception {
    Path storeDir = dir.resolve(name("store"));
    Store store = Store.open(storeDir);
    writeItem(store, "c", "P", 201, 10_000_000L); // 200 gaps of 10 ms: a 2 s span
    String topic = name("paced");
    kafka.createTopic(topic, 1);
    String connector = name("source");
    Map<String, String> config = sourceConfig(storeDir, "c", topic);
    config.put("replay.speed", "1.0");
    long start = System.nanoTime();
    connect.putConnector(connector, config);
    List<ConsumerRecord<String, String>> got = consume(topic, 201, Duration.ofSeconds(60));
    long elapsed = System.nanoTime() - start;
    assertThat(got).hasSize(201);
    assertThat(elapsed).isGreaterThanOrEqualTo(2_000_000_000L);
    connect.deleteConnector(connector);
  }

  @Test
  void aLargeSpeedFactorReplaysNearTheUnpacedRate() throws Exception {
    Path storeDir = dir.resolve(name("store"));
    Store store = Store.open(storeDir);
    writeItem(store, "c", "X", 20_000, 5_000_000L); // a 100 s span
    long unpaced = replayNanos(storeDir, "0");
    long fast =
        replayNanos(storeDir, "10000"); // due within 10 ms of data time: pacing barely waits
    // a ratio to the unpaced run of the same test, with room for a shared machine; no fixed limit
    assertThat(fast).isLessThanOrEqualTo(3 * unpaced + 2_000_000_000L);
  }

  private long replayNanos(Path storeDir, String speed) throws Exception {
    String topic = name("speed");
    kafka.createTopic(topic, 1);
    String connector = name("source");
    Map<String, String> config = sourceConfig(storeDir, "c", topic);
    config.put("replay.speed", speed);
    config.put("tasks.max", "1");
    long start = System.nanoTime();
    connect.putConnector(connector, config);
    assertThat(consume(topic, 20_000, Duration.ofSeconds(120))).hasSize(20_000);
    long elapsed = System.nanoTime() - start;
    connect.deleteConnector(connector);
    return elapsed;
  }

  @Test
  void followPicksUpRowsAppendedAfterTheReplayStarted() throws Exception {
    Path storeDir = dir.resolve(name("store"));
    Store store = Store.open(storeDir);
    writeItem(store, "c", "F", 100, 1_000_000_000L);
    String topic = name("follow");
    kafka.createTopic(topic, 1);
    String connector = name("source");
    Map<String, String> config = sourceConfig(storeDir, "c", topic);
    config.put("follow", "true");
    connect.putConnector(connector, config);
    connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
    assertThat(consume(topic, 100, Duration.ofSeconds(60))).hasSize(100);
    Item item = store.item("c", "F");
    List<GenericRecord> more = new ArrayList<>();
    for (int i = 100; i < 150; i++) {
      more.add(Ticks.tick(Ticks.T0 + i * 1_000_000_000L, "F", 100 + i, i));
    }
    item.append(more);
    List<ConsumerRecord<String, String>> all = consume(topic, 150, Duration.ofSeconds(60));
    assertThat(all.stream().map(SourceIT::size).toList())
        .hasSize(150)
        .isSorted()
        .doesNotHaveDuplicates();
    connect.deleteConnector(connector);
  }

  @Test
  void roundTripThroughTheSinkGivesEqualItems() throws Exception {
    Path storeDir = dir.resolve(name("store"));
    Store store = Store.open(storeDir);
    for (String item : List.of("A", "B")) {
      writeItem(store, "first", item, 500, 123_456_789L);
    }
    String topic = name("roundtrip");
    kafka.createTopic(topic, 2);
    String source = name("source");
    connect.putConnector(source, sourceConfig(storeDir, "first", topic));
    String sink = name("sink");
    Map<String, String> s = new HashMap<>();
    s.put("connector.class", "org.pystore.connect.sink.PyStoreSinkConnector");
    s.put("topics", topic);
    s.put("store.path", storeDir.toString());
    s.put("collection", "second");
    s.put("index.field", "ts");
    s.put("index.unit", "ns");
    s.put("flush.interval.ms", "500");
    connect.putConnector(sink, s);
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                store.collection("second").exists()
                    && store.collection("second").items().size() == 2
                    && SinkIT.rows(store.item("second", "A")) == 500
                    && SinkIT.rows(store.item("second", "B")) == 500);
    for (String item : List.of("A", "B")) {
      assertThat(Ticks.keys(Ticks.readAll(store.item("second", item))))
          .isEqualTo(Ticks.keys(Ticks.readAll(store.item("first", item))));
    }
    connect.deleteConnector(source);
    connect.deleteConnector(sink);
  }

  /**
   * Merges an item's parts into one through the store's commit API, as the compactor does: the rows
   * stay the same, the files all change.
   */
  /**
   * Compacts an item with the real compactor, then vacuums it with no retention: the parts a
   * running replay had pinned are gone, so it must carry on from the latest version.
   */
  static void compact(Item item) throws Exception {
    Store store = Store.open(item.path().getParent().getParent());
    CompactionOptions o = CompactionOptions.defaults().withMinParts(2).withVacuum(false);
    try (CompactionService s = new CompactionService(store, o)) {
      List<TaskResult> r = s.compact(item);
      assertThat(r).extracting(TaskResult::outcome).contains(TaskResult.Outcome.COMMITTED);
    }
    item.vacuum(Duration.ZERO, Duration.ofDays(1), false);
    assertThat(item.state().parts()).hasSize(1);
  }
}
