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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Verifier;
import org.pystore.store.s3.S3Proxy;

/**
 * One store on S3 for a whole Connect cluster: two sink worker JVMs that share nothing but the
 * bucket (S3Proxy), one consumer group, kill -9 of one of them at random while a compactor JVM
 * compacts and vacuums the same bucket; every record ends up in the store exactly once
 * (dedupe=none); all along a distributed worker replays the collection from S3, following new
 * commits with exactly-once source support, and is restarted once: every row is replayed once.
 * Credentials reach every JVM through the AWS SDK's default chain (the environment), as they would
 * in a deployment. Kills: {@code -Dpystore.s3.kills} (default 4).
 */
class S3ConnectIT {
  @TempDir Path dir;

  static final int KILLS = Integer.getInteger("pystore.s3.kills", 4);
  static final Path ROOT = PluginIsolationIT.ROOT;
  static final ObjectMapper JSON = new ObjectMapper();

  private Process start(String name, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(dir.resolve(name + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("AWS_ACCESS_KEY_ID", S3Proxy.IDENTITY);
    env.put("AWS_SECRET_ACCESS_KEY", S3Proxy.CREDENTIAL);
    env.put("AWS_REGION", "us-east-1");
    return pb.start();
  }

  private List<String> worker(String mainClass, Path... configs) {
    List<String> a = new ArrayList<>();
    a.add("-Xmx384m");
    a.add("-cp");
    a.add(PluginIsolationIT.kafkaOnlyClasspath());
    a.add(
        "-Dlogback.configurationFile="
            + ROOT.resolve("connector/src/test/resources/logback-test.xml"));
    a.add(mainClass);
    for (Path c : configs) {
      a.add(c.toString());
    }
    return a;
  }

  @Test
  void twoWorkersOnOneBucketWithKillsAndACompactorStoreAndReplayEveryRecordOnce() throws Exception {
    String bucket = "cluster";
    String location = "s3://" + bucket + "/stores/prod";
    try (S3Proxy s3 = S3Proxy.start(dir.resolve("s3"), bucket);
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      String topic = "s3-ticks";
      kafka.createTopic(topic, 4);
      kafka.createTopic("s3-replay", 1);
      for (int w = 1; w <= 2; w++) {
        Properties p = PluginIsolationIT.load(ROOT.resolve("config/worker-standalone.properties"));
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("plugin.path", ROOT.resolve("connector/target/plugin").toString());
        p.setProperty("offset.storage.file.filename", dir.resolve("offsets-" + w).toString());
        p.setProperty("listeners", "http://127.0.0.1:0");
        p.setProperty("consumer.session.timeout.ms", "6000");
        p.setProperty("consumer.heartbeat.interval.ms", "1000");
        p.setProperty("offset.flush.interval.ms", "1000");
        PluginIsolationIT.save(p, dir.resolve("worker-" + w + ".properties"));
      }
      Properties sink = PluginIsolationIT.load(ROOT.resolve("config/sink.properties"));
      sink.setProperty("name", "s3-sink");
      sink.setProperty("tasks.max", "2");
      sink.setProperty("topics", topic);
      sink.setProperty("store.path", location);
      sink.setProperty("s3.endpoint", s3.endpoint());
      sink.setProperty("s3.path.style.access", "true");
      sink.setProperty("dedupe", "none");
      sink.setProperty("flush.records", "300");
      sink.setProperty("flush.interval.ms", "300");
      PluginIsolationIT.save(sink, dir.resolve("sink.properties"));
      Files.writeString(
          dir.resolve("compactor.properties"),
          "store.path="
              + location
              + "\ns3.endpoint="
              + s3.endpoint()
              + "\ns3.path.style.access=true\nschedule.cron=*/2 * * * * ?\n"
              + "compact.min.parts=3\nvacuum.enabled=true\nvacuum.retention=10s\n");

      AtomicLong sent = new AtomicLong();
      AtomicBoolean producing = new AtomicBoolean(true);
      Thread producer =
          new Thread(
              () -> {
                try (KafkaProducer<String, String> p =
                    new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", "5"),
                        new StringSerializer(),
                        new StringSerializer())) {
                  while (producing.get()) {
                    for (int k = 0; k < 50; k++) {
                      long i = sent.get();
                      String sym = "S" + (i % 6);
                      p.send(
                          new ProducerRecord<>(
                              topic, sym, SinkIT.tick(sym, 1_704_182_400_000L + i, i, i, 1)));
                      sent.incrementAndGet();
                    }
                    p.flush();
                    Thread.sleep(50);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "s3-producer");

      Process[] sinks = new Process[2];
      int[] starts = new int[2];
      for (int w = 0; w < 2; w++) {
        sinks[w] =
            start(
                "sink" + w + "-" + (++starts[w]),
                worker(
                    "org.apache.kafka.connect.cli.ConnectStandalone",
                    dir.resolve("worker-" + (w + 1) + ".properties"),
                    dir.resolve("sink.properties")));
      }
      Process compactor =
          start(
              "compactor",
              List.of(
                  "-Xmx192m",
                  "-jar",
                  ROOT.resolve("compactor/target/pystore-compactor.jar").toString(),
                  "--config",
                  dir.resolve("compactor.properties").toString()));
      producer.start();
      Process source;
      int restPort;
      long restartedAt = -1;
      Store store = Store.open(location, StoreOptions.defaults(), s3.settings());
      // a distributed worker replaying the collection from S3, following new commits, with
      // exactly-once source support; the sink must have created the items first
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .until(() -> store.collection(topic).items().size() == 6);
      try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        restPort = ss.getLocalPort();
      }
      Properties dist =
          PluginIsolationIT.load(ROOT.resolve("config/worker-distributed.properties"));
      dist.setProperty("bootstrap.servers", kafka.bootstrapServers());
      dist.setProperty("plugin.path", ROOT.resolve("connector/target/plugin").toString());
      dist.setProperty("listeners", "http://127.0.0.1:" + restPort);
      dist.setProperty("group.id", "s3-connect");
      dist.setProperty("config.storage.topic", "s3-configs");
      dist.setProperty("offset.storage.topic", "s3-offsets");
      dist.setProperty("status.storage.topic", "s3-status");
      PluginIsolationIT.save(dist, dir.resolve("dist.properties"));
      source =
          start(
              "source",
              worker(
                  "org.apache.kafka.connect.cli.ConnectDistributed",
                  dir.resolve("dist.properties")));
      Map<String, String> cfg = new HashMap<>();
      cfg.put("connector.class", "org.pystore.connect.source.PyStoreSourceConnector");
      cfg.put("tasks.max", "1");
      cfg.put("store.path", location);
      cfg.put("s3.endpoint", s3.endpoint());
      cfg.put("s3.path.style.access", "true");
      cfg.put("collection", topic);
      cfg.put("topic", "s3-replay");
      cfg.put("replay.speed", "0");
      cfg.put("follow", "true");
      cfg.put("poll.interval.ms", "200");
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions()
          .until(() -> put(restPort, "s3-source", cfg) / 100 == 2);
      List<String> kills = new ArrayList<>();
      try {
        Random random = new Random();
        for (int k = 0; k < KILLS; k++) {
          long before = WorkerKillIT.committedRows(store, topic);
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(300))
              .ignoreExceptions()
              .until(() -> WorkerKillIT.committedRows(store, topic) > before);
          Thread.sleep(500 + random.nextInt(2500));
          int w = random.nextInt(2);
          sinks[w].destroyForcibly(); // SIGKILL: its partitions move to the other worker
          sinks[w].waitFor(30, TimeUnit.SECONDS);
          kills.add("sink" + w + " at " + WorkerKillIT.committedRows(store, topic));
          Thread.sleep(300 + random.nextInt(2000));
          sinks[w] =
              start(
                  "sink" + w + "-" + (++starts[w]),
                  worker(
                      "org.apache.kafka.connect.cli.ConnectStandalone",
                      dir.resolve("worker-" + (w + 1) + ".properties"),
                      dir.resolve("sink.properties")));
        }
        // a graceful restart of the source worker: the replay resumes where it stood
        restartedAt = WorkerKillIT.committedRows(store, topic);
        source.destroy();
        assertThat(source.waitFor(60, TimeUnit.SECONDS)).isTrue();
        source =
            start(
                "source-2",
                worker(
                    "org.apache.kafka.connect.cli.ConnectDistributed",
                    dir.resolve("dist.properties")));
        producing.set(false);
        producer.join();
        long total = sent.get();
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofSeconds(1))
            .ignoreExceptions()
            .until(() -> WorkerKillIT.committedRows(store, topic) >= total);
        Thread.sleep(2000); // a late duplicate would land now
        SinkIT.assertEverySeqOnce(
            Store.open(location, StoreOptions.defaults(), s3.settings()), topic, (int) total);

        // the replay, from S3, followed the commits all along, across a restart
        try {
          List<ConsumerRecord<String, String>> replayed =
              SourceIT.consume(
                  kafka.bootstrapServers(),
                  "s3-check",
                  "s3-replay",
                  (int) total,
                  Duration.ofSeconds(180),
                  "read_committed");
          Map<Long, Integer> emitted = new HashMap<>();
          for (ConsumerRecord<String, String> r : replayed) {
            emitted.merge(seqOf(r.value()), 1, Integer::sum);
          }
          assertThat(emitted).as("replayed rows").hasSize((int) total);
          List<Long> twice = new ArrayList<>();
          emitted.forEach(
              (q, n) -> {
                if (n > 1) {
                  twice.add(q);
                }
              });
          java.util.Collections.sort(twice);
          List<Long> at = new ArrayList<>();
          for (ConsumerRecord<String, String> r : replayed) {
            if (!twice.isEmpty() && seqOf(r.value()) == twice.get(0)) {
              at.add(r.offset());
            }
          }
          assertThat(twice)
              .as(
                  "seqs replayed more than once (%d of them, first at topic offsets %s; source"
                      + " restarted at %s stored rows, %s replayed records in all)",
                  twice.size(), at, restartedAt, replayed.size())
              .isEmpty();
        } finally {
          for (Process p : sinks) {
            p.destroy();
          }
        }
        Verifier.Report report =
            new Verifier(
                    Store.open(location, StoreOptions.defaults(), s3.settings()),
                    Duration.ofDays(1))
                .verify(null, null, l -> {});
        assertThat(report.problems()).isEmpty();
        System.out.println(
            "S3ConnectIT: kills=" + KILLS + " records=" + total + " lost=0 duplicated=0 " + kills);
      } catch (RuntimeException | AssertionError e) {
        Path keep = ROOT.resolve("connector/target/s3-logs");
        Files.createDirectories(keep);
        try (var files = Files.list(dir)) {
          for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
            Files.copy(
                f,
                keep.resolve(f.getFileName()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
        StringBuilder logs = new StringBuilder();
        try (var files = Files.list(dir)) {
          for (Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
            List<String> lines = Files.readAllLines(f);
            logs.append("\n--- ").append(f.getFileName()).append('\n');
            lines
                .subList(Math.max(0, lines.size() - 30), lines.size())
                .forEach(l -> logs.append(l).append('\n'));
          }
        }
        throw new AssertionError("after kills " + kills + logs, e);
      } finally {
        producing.set(false);
        for (Process p : sinks) {
          p.destroyForcibly();
        }
        compactor.destroy();
        compactor.waitFor(30, TimeUnit.SECONDS);
        source.destroy();
        source.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static long seqOf(String json) {
    int i = json.indexOf("\"seq\":");
    int j = i + 6;
    while (j < json.length() && (Character.isDigit(json.charAt(j)) || json.charAt(j) == '-')) {
      j++;
    }
    return Long.parseLong(json.substring(i + 6, j));
  }

  private static int put(int port, String name, Map<String, String> config) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/connectors/" + name + "/config"))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }
}
