package org.pystore.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.Store;

/**
 * The packaged plugin (connector/target/plugin) loads and runs in a separate connect-standalone JVM
 * whose classpath holds only Kafka's jars and whose plugin.path holds only our plugin, with the
 * example configs from config/.
 */
class PluginIsolationIT {
  @TempDir Path dir;

  /** Jars of ours or of what our plugin bundles must not be on the worker's classpath. */
  static final List<String> NOT_KAFKA =
      List.of(
          "/org/pystore/",
          "/pystore-",
          "target" + File.separator + "classes",
          "target" + File.separator + "test-classes",
          "/org/apache/parquet/",
          "/org/apache/avro/",
          "/org/apache/hadoop/",
          "/com/fasterxml/woodstox/",
          "/org/codehaus/woodstox/",
          "commons-collections4",
          "/org/duckdb/",
          "/org/junit/",
          "/org/opentest4j/",
          "/org/assertj/",
          "/org/awaitility/",
          "/org/hamcrest/",
          "/net/bytebuddy/",
          "/org/apiguardian/",
          "/net/jqwik/",
          "/io/airlift/",
          "/org/locationtech/",
          "/io/apicurio/",
          "/com/networknt/",
          "/com/ethlo/",
          "/org/json/json/",
          "commons-pool-1");

  static String kafkaOnlyClasspath() {
    List<String> keep = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String norm = e.replace('\\', '/');
      if (NOT_KAFKA.stream().noneMatch(x -> norm.contains(x.replace('\\', '/')))) {
        keep.add(e);
      }
    }
    return String.join(File.pathSeparator, keep);
  }

  static Properties load(Path p) throws Exception {
    Properties props = new Properties();
    try (InputStream in = new FileInputStream(p.toFile())) {
      props.load(in);
    }
    return props;
  }

  static void save(Properties props, Path p) throws Exception {
    try (OutputStream out = new FileOutputStream(p.toFile())) {
      props.store(out, null);
    }
  }

  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  /** Writes worker.properties and sink.properties from the examples in config/, with overrides. */
  void prepare(EmbeddedKafka kafka, String topic, Path store, Map<String, String> sinkOverrides)
      throws Exception {
    Properties worker = load(ROOT.resolve("config/worker-standalone.properties"));
    worker.setProperty("bootstrap.servers", kafka.bootstrapServers());
    worker.setProperty("plugin.path", ROOT.resolve("connector/target/plugin").toString());
    worker.setProperty("offset.storage.file.filename", dir.resolve("offsets").toString());
    worker.setProperty("listeners", "http://127.0.0.1:0");
    Properties sink = load(ROOT.resolve("config/sink.properties"));
    sink.setProperty("topics", topic);
    sink.setProperty("store.path", store.toString());
    sink.setProperty("flush.interval.ms", "500");
    sink.setProperty("errors.deadletterqueue.topic.name", topic + "-dlq");
    sinkOverrides.forEach(sink::setProperty);
    save(worker, dir.resolve("worker.properties"));
    save(sink, dir.resolve("sink.properties"));
  }

  /** Starts connect-standalone in its own JVM, with only Kafka's jars on its classpath. */
  Process startWorker(String log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-cp",
            kafkaOnlyClasspath(),
            "-Dlogback.configurationFile="
                + ROOT.resolve("connector/src/test/resources/logback-test.xml"),
            "org.apache.kafka.connect.cli.ConnectStandalone",
            dir.resolve("worker.properties").toString(),
            dir.resolve("sink.properties").toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve(log).toFile());
    return pb.start();
  }

  /** A failure carrying the last 60 lines of a worker's log. */
  static AssertionError withLogTail(String what, Path log, Throwable cause) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return new AssertionError(
        what
            + "; the worker's log ends:\n"
            + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())),
        cause);
  }

  /** Sends {@code n} JSON ticks (seq 0..n-1) keyed by symbols S0..S(symbols-1) in turn. */
  static void sendTicks(String bootstrap, String topic, int n, int symbols) {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", bootstrap),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < n; i++) {
        String sym = "S" + (i % symbols);
        producer.send(
            new ProducerRecord<>(topic, sym, SinkIT.tick(sym, 1_704_182_400_000L + i, i, i, 1)));
      }
    }
  }

  @Test
  void aKilledWorkerJvmNeitherLosesNorRepeatsRecords() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      String topic = "kill-ticks";
      kafka.createTopic(topic, 2);
      Path store = dir.resolve("store");
      prepare(
          kafka,
          topic,
          store,
          Map.of("dedupe", "none", "flush.records", "100", "flush.interval.ms", "300"));
      Process first = startWorker("worker-1.log");
      Process second = null;
      int total = 4000;
      Store s = Store.open(store);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", kafka.bootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        for (int i = 0; i < total; i++) {
          producer.send(
              new ProducerRecord<>(
                  topic,
                  "S" + (i % 7),
                  SinkIT.tick("S" + (i % 7), 1_704_182_400_000L + i, i, i, 1)));
          if (i == total / 2) {
            producer.flush();
            await()
                .atMost(Duration.ofSeconds(120))
                .failFast(() -> !first.isAlive())
                .until(() -> s.collection(topic).exists() && SinkIT.totalRows(s, topic) >= 400);
            first.destroyForcibly(); // kill -9: no close, no offset commit, buffers lost
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            second = startWorker("worker-2.log");
          }
        }
      }
      assertThat(second).isNotNull();
      Process restarted = second;
      try {
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(1))
            .failFast(() -> !restarted.isAlive())
            .until(() -> SinkIT.totalRows(s, topic) >= total);
        Thread.sleep(2000); // a late duplicate would land now
        SinkIT.assertEverySeqOnce(s, topic, total);
      } finally {
        restarted.destroy();
        restarted.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void packagedPluginRunsInAnIsolatedStandaloneWorker() throws Exception {
    Path pluginPath = ROOT.resolve("connector/target/plugin");
    try (Stream<Path> s = Files.list(pluginPath)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("pystore-connect");
    }
    try (Stream<Path> s = Files.list(pluginPath.resolve("pystore-connect/lib"))) {
      List<String> jars = s.map(p -> p.getFileName().toString()).toList();
      assertThat(jars).anyMatch(j -> j.startsWith("pystore-connector-"));
      assertThat(jars)
          .noneMatch(
              j -> j.startsWith("kafka") || j.startsWith("connect-") || j.startsWith("slf4j"));
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      String topic = "iso-ticks";
      kafka.createTopic(topic, 2);
      Path store = dir.resolve("store");
      prepare(kafka, topic, store, Map.of());
      Process p = startWorker("worker.log");
      sendTicks(kafka.bootstrapServers(), topic, 1000, 5);
      Store s = Store.open(store);
      try {
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(1))
            .failFast(() -> !p.isAlive())
            .until(() -> s.collection(topic).exists() && SinkIT.totalRows(s, topic) == 1000);
      } catch (RuntimeException | AssertionError e) {
        p.destroyForcibly();
        throw withLogTail(
            "the standalone worker did not land the rows", dir.resolve("worker.log"), e);
      }
      assertThat(s.collection(topic).items()).containsExactly("S0", "S1", "S2", "S3", "S4");
      String log = Files.readString(dir.resolve("worker.log"));
      assertThat(log)
          .doesNotContain("ClassNotFoundException")
          .doesNotContain("NoClassDefFoundError")
          .doesNotContain("LinkageError");
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
