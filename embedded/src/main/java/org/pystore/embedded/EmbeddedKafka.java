package org.pystore.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster (KRaft, broker and controller in one process) listening on
 * 127.0.0.1 only. For tests and the demo.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final Path dir;
  private final int port;
  private final KafkaRaftServer server;

  private EmbeddedKafka(Path dir, int port, KafkaRaftServer server) {
    this.dir = dir;
    this.port = port;
    this.server = server;
  }

  /**
   * Formats storage and starts a broker.
   *
   * @param dir a directory for the broker's logs (created)
   * @return the running broker
   * @throws Exception when the broker cannot start
   */
  public static EmbeddedKafka start(Path dir) throws Exception {
    long t = System.nanoTime();
    Path logs = Files.createDirectories(dir.resolve("kafka-logs"));
    int brokerPort = Ports.free();
    int controllerPort = Ports.free();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logs.toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "true");
    p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    // replays stamp records with their index time, often years ago: under the default 7-day
    // time retention the broker's first retention check (30 s after start) deletes them
    p.put("log.retention.ms", "-1");
    KafkaConfig config = new KafkaConfig(p, false);

    Formatter formatter =
        new Formatter()
            .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
            .setClusterId(Uuid.randomUuid().toString())
            .setNodeId(1)
            .setDirectories(Set.of(logs.toString()))
            .setMetadataLogDirectory(logs.toString())
            .setControllerListenerName("CONTROLLER")
            .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
            .setReleaseVersion(MetadataVersion.latestProduction());
    formatter.run();

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    EmbeddedKafka kafka = new EmbeddedKafka(dir, brokerPort, server);
    kafka.awaitReady();
    LOG.info(
        "Kafka broker on 127.0.0.1:{} started in {} ms",
        brokerPort,
        (System.nanoTime() - t) / 1_000_000);
    return kafka;
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka broker did not become ready in 60 s", e);
        }
        Thread.sleep(200);
      }
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** A new admin client; close it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /**
   * Creates a topic unless it exists.
   *
   * @param name the topic
   * @param partitions number of partitions
   */
  public void createTopic(String name, int partitions) throws InterruptedException {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + name, e.getCause());
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out creating topic " + name, e);
    }
  }

  /** The data directory. */
  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    long t = System.nanoTime();
    server.shutdown();
    server.awaitShutdown();
    LOG.info("Kafka broker stopped in {} ms", (System.nanoTime() - t) / 1_000_000);
  }
}
