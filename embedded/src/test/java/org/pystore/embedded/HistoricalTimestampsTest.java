package org.pystore.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay stamps records with their index time, often years ago. Under Kafka's default time
 * retention (7 days, judged by record timestamps) the broker's first retention check, 30 s after it
 * starts, deleted such records: the chaos soak lost exactly the first source poll that way. The
 * embedded broker keeps records of any age.
 */
class HistoricalTimestampsTest {
  @TempDir Path dir;

  @Test
  void recordsStampedYearsAgoOutliveTheFirstRetentionCheck() throws Exception {
    long started = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
      kafka.createTopic("old", 1);
      long jan2024 = 1_704_182_400_000L;
      try (KafkaProducer<String, String> p =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", kafka.bootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        for (int i = 0; i < 100; i++) {
          p.send(new ProducerRecord<>("old", 0, jan2024 + i, "k", "v" + i));
        }
        p.flush();
      }
      // Kafka's log manager checks retention first 30 s after start: wait past it
      long due = started + 40_000_000_000L;
      while (System.nanoTime() < due) {
        Thread.sleep(500);
      }
      TopicPartition tp = new TopicPartition("old", 0);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        long earliest =
            admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset();
        long latest =
            admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
        assertThat(List.of(earliest, latest))
            .as("earliest and latest offset")
            .containsExactly(0L, 100L);
      }
    }
  }
}
