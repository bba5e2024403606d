package org.pystore.dockerit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.demo.Demo;
import org.pystore.store.Store;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The scenario of DemoTest (ticks with duplicates, late and bad records through the sink, a
 * compaction pass, a replay) on Kafka in a Docker container instead of the in-process broker. The
 * Connect worker still runs in-process. Only with {@code -Pdocker} on a machine with Docker.
 */
class DemoOnDockerKafkaTest {
  @TempDir Path dir;

  @Test
  void summaryAddsUpOnAContainerizedBroker() throws Exception {
    try (KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.0")) {
      kafka.start();
      Path store = dir.resolve("store");
      Demo.Summary s = Demo.of(store, 3, 3000, kafka.getBootstrapServers()).run();

      assertThat(s.rowsIn()).isEqualTo(s.rowsStored() + s.duplicatesRemoved() + s.dlq());
      assertThat(s.dlq()).isEqualTo(Demo.BAD_RECORDS);
      assertThat(s.duplicatesRemoved()).isEqualTo(s.duplicatesSent());
      assertThat(s.rowsRead()).isEqualTo(s.rowsStored());
      assertThat(s.partsAfter()).isLessThan(s.partsBefore());
      assertThat(s.replayed())
          .isEqualTo(Store.open(store).item(Demo.COLLECTION, s.replayItem()).state().rows());
    }
  }
}
