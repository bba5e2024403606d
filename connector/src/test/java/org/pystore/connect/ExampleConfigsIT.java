package org.pystore.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.Ticks;

/**
 * The example configurations in config/ run as they are (only addresses, paths and topic names
 * overridden) with the packaged plugin in a separate worker JVM: distributed mode with the sink and
 * source created from config/sink.json and config/source.json, and standalone mode with
 * config/source.properties (config/sink.properties runs in {@link PluginIsolationIT}).
 */
class ExampleConfigsIT {
  @TempDir Path dir;

  private static final Path ROOT = PluginIsolationIT.ROOT;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void restPayloadsMatchThePropertiesFiles() throws Exception {
    for (String name : List.of("sink", "source")) {
      Properties props = PluginIsolationIT.load(ROOT.resolve("config/" + name + ".properties"));
      Map<String, String> expected = new HashMap<>();
      props.stringPropertyNames().forEach(k -> expected.put(k, props.getProperty(k)));
      expected.remove("name");
      assertThat(json(name)).as("config/%s.json vs .properties", name).isEqualTo(expected);
    }
  }

  private static Map<String, String> json(String name) throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, String> m =
        JSON.readValue(Files.readAllBytes(ROOT.resolve("config/" + name + ".json")), Map.class);
    return m;
  }

  private Process start(String mainClass, String log, Path... configs) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(PluginIsolationIT.kafkaOnlyClasspath());
    cmd.add(
        "-Dlogback.configurationFile="
            + ROOT.resolve("connector/src/test/resources/logback-test.xml"));
    cmd.add(mainClass);
    for (Path c : configs) {
      cmd.add(c.toString());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve(log).toFile());
    return pb.start();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> put(int port, String path, Map<String, String> body)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** Per key, a numeric field of each record in arrival order. */
  private static Map<String, List<Long>> seqByKey(
      List<ConsumerRecord<String, String>> records, String field) throws Exception {
    Map<String, List<Long>> out = new LinkedHashMap<>();
    for (ConsumerRecord<String, String> r : records) {
      long seq = JSON.readTree(r.value()).path("payload").path(field).asLong(-1);
      out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(seq);
    }
    return out;
  }

  @Test
  void distributedWorkerRunsTheSinkAndTheSourceFromTheExampleConfigs() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      String topic = "dist-ticks";
      kafka.createTopic(topic, 2);
      Path store = dir.resolve("store");
      int port = freePort();
      Properties worker =
          PluginIsolationIT.load(ROOT.resolve("config/worker-distributed.properties"));
      assertThat(worker.getProperty("exactly.once.source.support")).isEqualTo("enabled");
      worker.setProperty("bootstrap.servers", kafka.bootstrapServers());
      worker.setProperty("plugin.path", ROOT.resolve("connector/target/plugin").toString());
      worker.setProperty("listeners", "http://127.0.0.1:" + port);
      PluginIsolationIT.save(worker, dir.resolve("worker.properties"));
      Process p =
          start(
              "org.apache.kafka.connect.cli.ConnectDistributed",
              "worker.log",
              dir.resolve("worker.properties"));
      try {
        Map<String, String> sink = new HashMap<>(json("sink"));
        sink.put("topics", topic);
        sink.put("store.path", store.toString());
        sink.put("flush.interval.ms", "500");
        sink.put("errors.deadletterqueue.topic.name", topic + "-dlq");
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(1))
            .failFast(() -> !p.isAlive())
            .ignoreExceptions()
            .until(() -> put(port, "connectors/pystore-sink/config", sink).statusCode() / 100 == 2);
        PluginIsolationIT.sendTicks(kafka.bootstrapServers(), topic, 1000, 4);
        Store s = Store.open(store);
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(1))
            .failFast(() -> !p.isAlive())
            .until(() -> s.collection(topic).exists() && SinkIT.totalRows(s, topic) == 1000);
        SinkIT.assertEverySeqOnce(s, topic, 1000);

        Map<String, String> source = new HashMap<>(json("source"));
        source.put("store.path", store.toString());
        source.put("collection", topic);
        assertThat(put(port, "connectors/pystore-source/config", source).statusCode() / 100)
            .isEqualTo(2);
        String replay = topic + "-replay"; // the example's topic template: ${collection}-replay
        List<ConsumerRecord<String, String>> got =
            SourceIT.consume(
                kafka.bootstrapServers(),
                "check",
                replay,
                1000,
                Duration.ofSeconds(120),
                "read_committed");
        assertThat(got).hasSize(1000);
        Map<String, List<Long>> byKey = seqByKey(got, "seq");
        assertThat(byKey.keySet()).containsExactlyInAnyOrder("S0", "S1", "S2", "S3");
        byKey.values().forEach(seqs -> assertThat(seqs).hasSize(250).isSorted());
        assertKeepsEveryRecord(kafka, replay);
        String log = Files.readString(dir.resolve("worker.log"));
        assertThat(log).doesNotContain("ClassNotFoundException").doesNotContain("LinkageError");
      } catch (RuntimeException | AssertionError e) {
        throw PluginIsolationIT.withLogTail(
            "the distributed worker failed the example configs", dir.resolve("worker.log"), e);
      } finally {
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void standaloneWorkerReplaysWithTheExampleSourceConfig() throws Exception {
    Path store = dir.resolve("store");
    Store s = Store.open(store);
    for (String item : List.of("AAPL", "MSFT")) {
      List<GenericRecord> rows = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        rows.add(Ticks.tick(Ticks.T0 + i * 1_000_000_000L, item, 100 + i, i));
      }
      s.item("ticks", item).write(Ticks.SCHEMA, rows, ItemOptions.defaults(), Map.of(), false);
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      Properties worker =
          PluginIsolationIT.load(ROOT.resolve("config/worker-standalone.properties"));
      worker.setProperty("bootstrap.servers", kafka.bootstrapServers());
      worker.setProperty("plugin.path", ROOT.resolve("connector/target/plugin").toString());
      worker.setProperty("offset.storage.file.filename", dir.resolve("offsets").toString());
      worker.setProperty("listeners", "http://127.0.0.1:0");
      PluginIsolationIT.save(worker, dir.resolve("worker.properties"));
      Properties source = PluginIsolationIT.load(ROOT.resolve("config/source.properties"));
      source.setProperty("store.path", store.toString());
      PluginIsolationIT.save(source, dir.resolve("source.properties"));
      Process p =
          start(
              "org.apache.kafka.connect.cli.ConnectStandalone",
              "worker.log",
              dir.resolve("worker.properties"),
              dir.resolve("source.properties"));
      try {
        List<ConsumerRecord<String, String>> got =
            SourceIT.consume(
                kafka.bootstrapServers(),
                "check",
                "ticks-replay",
                1000,
                Duration.ofSeconds(120),
                "read_committed");
        assertThat(got).as(Files.readString(dir.resolve("worker.log"))).hasSize(1000);
        Map<String, List<Long>> byKey = seqByKey(got, "size");
        assertThat(byKey.keySet()).containsExactlyInAnyOrder("AAPL", "MSFT");
        byKey.values().forEach(seqs -> assertThat(seqs).hasSize(500).isSorted());
        assertKeepsEveryRecord(kafka, "ticks-replay");
      } finally {
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The example configs have the worker create the replay topic with {@code retention.ms=-1} set on
   * the topic itself: the records carry index times years old, which a broker's default 7-day
   * retention deletes (the embedded broker keeps everything anyway, so the check is on the topic).
   */
  static void assertKeepsEveryRecord(EmbeddedKafka kafka, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      ConfigEntry retention =
          admin.describeConfigs(List.of(resource)).all().get().get(resource).get("retention.ms");
      assertThat(retention.source())
          .as("where retention.ms of %s comes from", topic)
          .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
      assertThat(retention.value()).isEqualTo("-1");
    }
  }
}
