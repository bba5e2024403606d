package org.pystore.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.PyCollection;
import org.pystore.store.Store;
import org.pystore.store.Verifier;

/**
 * kill -9 of the Connect worker JVM at random moments, again and again, while records keep
 * arriving: at the end every record is in the store exactly once (dedupe=none), and {@code pystore
 * verify} finds nothing wrong. The number of kills is {@code -Dpystore.kills} (default 10).
 */
class WorkerKillIT {
  @TempDir Path dir;

  static final int KILLS = Integer.getInteger("pystore.kills", 10);

  private Process startWorker(int n) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx512m",
            "-cp",
            PluginIsolationIT.kafkaOnlyClasspath(),
            "-Dlogback.configurationFile="
                + PluginIsolationIT.ROOT.resolve("connector/src/test/resources/logback-test.xml"),
            "org.apache.kafka.connect.cli.ConnectStandalone",
            dir.resolve("worker.properties").toString(),
            dir.resolve("sink.properties").toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("worker-" + n + ".log").toFile());
    return pb.start();
  }

  /** Rows the items' logs hold: cheap to poll (no data read). */
  static long committedRows(Store s, String collection) {
    PyCollection c = s.collection(collection);
    if (!c.exists()) {
      return 0;
    }
    long n = 0;
    for (String item : c.items()) {
      n += c.item(item).state().rows();
    }
    return n;
  }

  @Test
  void tenKillsOfTheWorkerJvmLoseAndRepeatNothing() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      String topic = "chaos-ticks";
      kafka.createTopic(topic, 3);
      Path store = dir.resolve("store");
      Properties worker =
          PluginIsolationIT.load(
              PluginIsolationIT.ROOT.resolve("config/worker-standalone.properties"));
      worker.setProperty("bootstrap.servers", kafka.bootstrapServers());
      worker.setProperty(
          "plugin.path", PluginIsolationIT.ROOT.resolve("connector/target/plugin").toString());
      worker.setProperty("offset.storage.file.filename", dir.resolve("offsets").toString());
      worker.setProperty("listeners", "http://127.0.0.1:0");
      worker.setProperty("offset.flush.interval.ms", "1000");
      // a killed worker's consumer leaves the group after this, not after 45 s
      worker.setProperty("consumer.session.timeout.ms", "6000");
      worker.setProperty("consumer.heartbeat.interval.ms", "1000");
      PluginIsolationIT.save(worker, dir.resolve("worker.properties"));
      Properties sink =
          PluginIsolationIT.load(PluginIsolationIT.ROOT.resolve("config/sink.properties"));
      sink.setProperty("topics", topic);
      sink.setProperty("store.path", store.toString());
      sink.setProperty("dedupe", "none");
      sink.setProperty("flush.records", "150");
      sink.setProperty("flush.interval.ms", "200");
      PluginIsolationIT.save(sink, dir.resolve("sink.properties"));

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
                    for (int k = 0; k < 100; k++) {
                      long i = sent.get();
                      String sym = "S" + (i % 8);
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
              "chaos-producer");
      producer.start();

      Store s = Store.open(store);
      Random random = new Random();
      List<String> kills = new ArrayList<>();
      for (int k = 1; k <= KILLS; k++) {
        Process w = startWorker(k);
        long before = committedRows(s, topic);
        try {
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(100))
              .failFast(() -> !w.isAlive())
              .until(() -> committedRows(s, topic) > before); // ingesting again
        } catch (RuntimeException | AssertionError e) {
          w.destroyForcibly();
          throw PluginIsolationIT.withLogTail(
              "worker " + k + " did not ingest", dir.resolve("worker-" + k + ".log"), e);
        }
        Thread.sleep(200 + random.nextInt(2500));
        w.destroyForcibly(); // SIGKILL: no close, no offset commit, buffers and commits cut off
        assertThat(w.waitFor(30, TimeUnit.SECONDS)).isTrue();
        kills.add("kill " + k + " at " + committedRows(s, topic) + " rows");
      }
      producing.set(false);
      producer.join();
      long total = sent.get();

      Process last = startWorker(KILLS + 1);
      try {
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(500))
            .failFast(() -> !last.isAlive())
            .until(() -> committedRows(s, topic) >= total);
        Thread.sleep(2000); // a late duplicate would land now
        SinkIT.assertEverySeqOnce(Store.open(store), topic, (int) total);
      } catch (RuntimeException | AssertionError e) {
        throw PluginIsolationIT.withLogTail(
            "after " + KILLS + " kills (" + kills + ")",
            dir.resolve("worker-" + (KILLS + 1) + ".log"),
            e);
      } finally {
        last.destroy();
        last.waitFor(30, TimeUnit.SECONDS);
      }
      Verifier.Report report =
          new Verifier(Store.open(store), Duration.ofDays(1)).verify(null, null, l -> {});
      assertThat(report.problems()).isEmpty();
      System.out.println(
          "WorkerKillIT: kills=" + KILLS + " records=" + total + " lost=0 duplicated=0 " + kills);
    }
  }
}
