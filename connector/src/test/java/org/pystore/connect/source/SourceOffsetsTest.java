package org.pystore.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.Ticks;

/**
 * Connect finds a source task's committed offsets by the serialized bytes of its partition map, so
 * the partition must serialize the same in every JVM. With {@code Map.of}, whose iteration order
 * changes from one JVM to the next, a restarted worker looked under other bytes, found nothing, and
 * replayed every row again (seen on S3ConnectIT: 73,634 of 73,634 rows twice after a restart).
 */
class SourceOffsetsTest {
  @TempDir Path dir;

  /** Offsets keyed by serialized partition bytes, as Connect's offset store keeps them. */
  static final class ByBytes implements OffsetStorageReader {
    final JsonConverter json = new JsonConverter();
    final Map<ByteBuffer, Map<String, Object>> stored = new HashMap<>();

    ByBytes() {
      json.configure(Map.of("schemas.enable", "false"), true);
    }

    ByteBuffer key(Map<String, ?> partition) {
      return ByteBuffer.wrap(json.fromConnectData("offsets", null, List.of("c", partition)));
    }

    @Override
    public <T> Map<String, Object> offset(Map<String, T> partition) {
      return stored.get(key(partition));
    }

    @Override
    public <T> Map<Map<String, T>, Map<String, Object>> offsets(
        Collection<Map<String, T>> partitions) {
      Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
      for (Map<String, T> p : partitions) {
        out.put(p, stored.get(key(p)));
      }
      return out;
    }
  }

  /** A task's context whose committed offsets come from {@code reader}. */
  static SourceTaskContext context(OffsetStorageReader reader) {
    return new SourceTaskContext() {
      @Override
      public Map<String, String> configs() {
        return Map.of();
      }

      @Override
      public OffsetStorageReader offsetStorageReader() {
        return reader;
      }

      @Override
      public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        return null; // the task records no metrics
      }
    };
  }

  private PyStoreSourceTask task(ByBytes reader) {
    PyStoreSourceTask t = new PyStoreSourceTask();
    t.initialize(context(reader));
    Map<String, String> props = new HashMap<>();
    props.put("store.path", dir.resolve("store").toString());
    props.put("collection", "ticks");
    props.put("topic", "replay");
    props.put("replay.speed", "0");
    props.put(PyStoreSourceConnector.TASK_ITEMS, "AAPL");
    t.start(props);
    return t;
  }

  @Test
  void thePartitionSerializesTheSameInEveryJvm() throws Exception {
    Store.open(dir.resolve("store"))
        .item("ticks", "AAPL")
        .write(Ticks.SCHEMA, Ticks.series(5, 0), ItemOptions.defaults(), Map.of(), false);
    ByBytes reader = new ByBytes();
    PyStoreSourceTask t = task(reader);
    ItemCursor c = t.cursors().iterator().next();
    assertThat(
            new String(reader.json.fromConnectData("o", null, c.partition), StandardCharsets.UTF_8))
        .isEqualTo("{\"collection\":\"ticks\",\"item\":\"AAPL\"}");
    assertThat(c.offset().keySet()).containsExactly(ItemCursor.INDEX, ItemCursor.POSITION);
    t.stop();
  }

  @Test
  void aRestartResumesAfterTheCommittedOffsetWhicheverOrderWroteIt() throws Exception {
    Store.open(dir.resolve("store"))
        .item("ticks", "AAPL")
        .write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of(), false);
    for (boolean legacy : new boolean[] {false, true}) {
      ByBytes reader = new ByBytes();
      PyStoreSourceTask first = task(reader);
      List<SourceRecord> out = new ArrayList<>(first.poll());
      assertThat(out).hasSize(10);
      // commit the offset of the 4th record, under the form this JVM's partition has, or the
      // keys swapped as an earlier JVM might have written it
      SourceRecord fourth = out.get(3);
      Map<String, Object> partition = new LinkedHashMap<>();
      List<String> keys = new ArrayList<>(fourth.sourcePartition().keySet());
      if (legacy) {
        java.util.Collections.reverse(keys);
      }
      for (String k : keys) {
        partition.put(k, fourth.sourcePartition().get(k));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> offset = (Map<String, Object>) fourth.sourceOffset();
      reader.stored.put(reader.key(partition), offset);
      first.stop();

      PyStoreSourceTask again = task(reader);
      List<SourceRecord> rest = again.poll();
      assertThat(rest).as(legacy ? "keys swapped" : "same order").hasSize(6);
      assertThat(rest.get(0).timestamp()).isEqualTo(out.get(4).timestamp());
      again.stop();
    }
  }
}
