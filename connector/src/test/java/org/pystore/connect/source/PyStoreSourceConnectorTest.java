package org.pystore.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.Ticks;

/** Validation names the key at fault; task assignment; offsets a user sets are checked. */
class PyStoreSourceConnectorTest {
  @TempDir Path dir;

  @BeforeEach
  void items() {
    Store s = Store.open(dir);
    for (String i : List.of("AAPL", "MSFT", "IBM")) {
      s.item("ticks", i)
          .write(Ticks.SCHEMA, Ticks.series(3, 0), ItemOptions.defaults(), Map.of(), false);
    }
    s.collection("ticks").createSnapshot("eod");
  }

  Map<String, String> config(String... kv) {
    Map<String, String> m =
        new HashMap<>(Map.of("store.path", dir.toString(), "collection", "ticks"));
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static List<String> errors(Map<String, String> config, String key) {
    for (ConfigValue v : new PyStoreSourceConnector().validate(config).configValues()) {
      if (v.name().equals(key)) {
        return v.errorMessages();
      }
    }
    throw new AssertionError("no key " + key);
  }

  @Test
  void validConfigsPass() {
    for (Map<String, String> c :
        List.of(
            config(),
            config("items.pattern", "A.*"),
            config("snapshot", "eod"),
            config("from", "2024-01-01", "to", "2024-02-01"))) {
      for (ConfigValue v : new PyStoreSourceConnector().validate(c).configValues()) {
        assertThat(v.errorMessages()).as(v.name() + " in " + c).isEmpty();
      }
    }
  }

  @Test
  void missingCollectionBadPatternAndBadRangeAreReported() {
    assertThat(errors(config("collection", "nope"), "collection"))
        .anyMatch(e -> e.contains("does not exist"));
    assertThat(errors(config("items.pattern", "(unclosed"), "items.pattern"))
        .anyMatch(e -> e.contains("regular expression"));
    assertThat(errors(config("items.pattern", "ZZZ.*"), "items.pattern"))
        .anyMatch(e -> e.contains("matches no item"));
    assertThat(errors(config("from", "2024-02-01", "to", "2024-01-01"), "to"))
        .anyMatch(e -> e.contains("before"));
    assertThat(errors(config("from", "yesterday"), "from")).anyMatch(e -> e.contains("ISO-8601"));
    assertThat(errors(config("items", "AAPL,NOPE"), "items")).anyMatch(e -> e.contains("'NOPE'"));
    assertThat(errors(config("snapshot", "nope"), "snapshot"))
        .anyMatch(e -> e.contains("does not exist"));
    assertThat(errors(config("snapshot", "eod", "follow", "true"), "follow"))
        .anyMatch(e -> e.contains("snapshot"));
    assertThat(errors(config("replay.speed", "-1"), "replay.speed")).isNotEmpty();
    assertThat(
            errors(
                Map.of("store.path", dir.resolve("none").toString(), "collection", "ticks"),
                "store.path"))
        .isNotEmpty();
  }

  @Test
  void itemsSpreadOverTasksOrOneTaskForTimeOrder() {
    PyStoreSourceConnector c = new PyStoreSourceConnector();
    c.start(config());
    List<Map<String, String>> tasks = c.taskConfigs(2);
    assertThat(tasks).hasSize(2);
    assertThat(tasks.get(0).get(PyStoreSourceConnector.TASK_ITEMS)).isEqualTo("AAPL\nMSFT");
    assertThat(tasks.get(1).get(PyStoreSourceConnector.TASK_ITEMS)).isEqualTo("IBM");
    c.start(config("replay.order", "time"));
    assertThat(c.taskConfigs(4)).hasSize(1);
    c.start(config("items.pattern", "M.*"));
    assertThat(c.taskConfigs(4))
        .extracting(m -> m.get(PyStoreSourceConnector.TASK_ITEMS))
        .containsExactly("MSFT");
  }

  @Test
  void alteredOffsetsMustBeLogicalPositions() {
    PyStoreSourceConnector c = new PyStoreSourceConnector();
    Map<String, ?> partition = Map.of("collection", "ticks", "item", "AAPL");
    assertThat(c.alterOffsets(config(), Map.of(partition, Map.of("index", 5L, "pos", 1)))).isTrue();
    Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
    reset.put(partition, null);
    assertThat(c.alterOffsets(config(), reset)).isTrue();
    assertThatThrownBy(
            () ->
                c.alterOffsets(
                    config(), Map.of(Map.of("file", "x"), Map.of("index", 5L, "pos", 1))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("collection");
    assertThatThrownBy(
            () -> c.alterOffsets(config(), Map.of(partition, Map.of("index", "soon", "pos", 1))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("index");
    assertThatThrownBy(
            () -> c.alterOffsets(config(), Map.of(partition, Map.of("index", 5L, "pos", -2))))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void theExampleConfigIsValidOnceItsStoreExists() throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(root.resolve("config/source.properties"))) {
      p.load(in);
    }
    Map<String, String> m = new HashMap<>();
    p.forEach((k, v) -> m.put(k.toString(), v.toString()));
    m.put("store.path", dir.toString());
    for (ConfigValue v : new PyStoreSourceConnector().validate(m).configValues()) {
      assertThat(v.errorMessages()).as(v.name()).isEmpty();
    }
  }
}
