package org.pystore.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process broker and worker start on loopback, carry records, and answer REST calls. */
class EmbeddedClusterTest {
  @TempDir Path dir;

  @Test
  void brokerAndWorkerRunOnLoopback() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
      assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
      kafka.createTopic("t", 2);
      try (KafkaProducer<String, String> p =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", kafka.bootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        p.send(new ProducerRecord<>("t", "k", "v")).get();
      }
      try (KafkaConsumer<String, String> c =
          new KafkaConsumer<>(
              Map.of(
                  "bootstrap.servers",
                  kafka.bootstrapServers(),
                  "group.id",
                  "g",
                  "auto.offset.reset",
                  "earliest"),
              new StringDeserializer(),
              new StringDeserializer())) {
        c.subscribe(List.of("t"));
        int n = 0;
        long deadline = System.currentTimeMillis() + 30_000;
        while (n == 0 && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
            assertThat(r.value()).isEqualTo("v");
            n++;
          }
        }
        assertThat(n).isEqualTo(1);
      }
      try (EmbeddedConnect connect = EmbeddedConnect.start(kafka.bootstrapServers(), Map.of())) {
        assertThat(connect.url().getHost()).isEqualTo("127.0.0.1");
        assertThat(connect.status("nope")).isNull();
      }
    }
  }
}
