package org.pystore.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate() reports single-key and cross-key problems on the key they concern. */
class PyStoreSinkConnectorTest {
  @TempDir Path dir;

  static List<String> errors(Map<String, String> config, String key) {
    for (ConfigValue v : new PyStoreSinkConnector().validate(config).configValues()) {
      if (v.name().equals(key)) {
        return v.errorMessages();
      }
    }
    throw new AssertionError("no key " + key);
  }

  @Test
  void validConfigHasNoErrors() {
    Map<String, String> c =
        Map.of("store.path", dir.toString(), "dedupe", "last", "dedupe.key", "venue");
    for (ConfigValue v : new PyStoreSinkConnector().validate(c).configValues()) {
      assertThat(v.errorMessages()).as(v.name()).isEmpty();
    }
  }

  @Test
  void badValuesAreReportedOnTheirKey() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertThat(errors(Map.of("store.path", file.toString()), "store.path"))
        .anyMatch(e -> e.contains("is a file"));
    assertThat(errors(Map.of(), "store.path")).isNotEmpty();
    assertThat(errors(Map.of("store.path", dir.toString(), "collection", "../up"), "collection"))
        .anyMatch(e -> e.contains("naming rule"));
    assertThat(errors(Map.of("store.path", dir.toString(), "dedupe", "sometimes"), "dedupe"))
        .isNotEmpty();
    assertThat(errors(Map.of("store.path", dir.toString(), "timezone", "Mars/Base"), "timezone"))
        .anyMatch(e -> e.contains("IANA"));
    assertThat(
            errors(
                Map.of("store.path", dir.toString(), "index.field", "at", "dedupe.key", "sym,at"),
                "dedupe.key"))
        .anyMatch(e -> e.contains("index column"));
    assertThat(errors(Map.of("store.path", dir.toString(), "flush.records", "0"), "flush.records"))
        .isNotEmpty();
    for (String bad : List.of("ftp://host", "localhost:9000", "http://", "not a url")) {
      assertThat(errors(Map.of("store.path", dir.toString(), "s3.endpoint", bad), "s3.endpoint"))
          .as(bad)
          .anyMatch(e -> e.contains("http(s)://host[:port]"));
    }
    assertThat(
            errors(
                Map.of("store.path", dir.toString(), "s3.endpoint", "https://s3.example:9000/"),
                "s3.endpoint"))
        .isEmpty();
  }

  @Test
  void everyTaskGetsItsNumber() {
    PyStoreSinkConnector c = new PyStoreSinkConnector();
    c.start(Map.of("store.path", dir.toString()));
    assertThat(c.taskConfigs(3))
        .extracting(m -> m.get(PyStoreSinkConnector.TASK_ID))
        .containsExactly("0", "1", "2");
    assertThat(c.taskClass()).isEqualTo(PyStoreSinkTask.class);
  }
}
