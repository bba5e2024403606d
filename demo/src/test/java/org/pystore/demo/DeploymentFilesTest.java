package org.pystore.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.compactor.CompactorConfig;
import org.pystore.connect.sink.PyStoreSinkConnector;
import org.pystore.connect.source.PyStoreSourceConnector;

/**
 * docker-compose.yml and the configs it mounts. There is no Docker engine on our build machines, so
 * the containers are never started here: the compose file is checked by Debian's {@code
 * docker-compose config} (installed by .ci/run), which parses, validates and normalizes it, and the
 * normalized form is checked for the pieces the README's walkthrough relies on.
 */
class DeploymentFilesTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  private record Result(int code, String out) {}

  private static Result compose(Path file) throws Exception {
    ProcessBuilder pb;
    try {
      pb = new ProcessBuilder("docker-compose", "-f", file.toString(), "config");
      pb.redirectErrorStream(true);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      if ("true".equals(System.getenv("CI"))) {
        fail("docker-compose is not installed; .ci/run installs Debian's docker-compose", e);
      }
      Assumptions.abort("docker-compose is not installed (apt-get install docker-compose)");
      return null;
    }
  }

  @Test
  void composeFileIsValidAndWiresKafkaSchemaRegistryConnectAndTheCompactor() throws Exception {
    Result r = compose(ROOT.resolve("docker-compose.yml"));
    assertThat(r.code()).as(r.out()).isZero();
    JsonNode c = YAML.readTree(r.out());
    JsonNode services = c.path("services");
    assertThat(services.fieldNames())
        .toIterable()
        .contains("kafka", "schema-registry", "connect", "compactor", "connectors");

    JsonNode kafka = services.path("kafka").path("environment");
    assertThat(kafka.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller"); // KRaft

    JsonNode connect = services.path("connect");
    JsonNode env = connect.path("environment");
    assertThat(env.path("CONNECT_VALUE_CONVERTER").asText())
        .isEqualTo("io.confluent.connect.avro.AvroConverter");
    assertThat(env.path("CONNECT_VALUE_CONVERTER_SCHEMA_REGISTRY_URL").asText())
        .isEqualTo("http://schema-registry:8081");
    assertThat(env.path("CONNECT_PLUGIN_PATH").asText()).contains("/plugins");
    assertThat(env.path("CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT").asText()).isEqualTo("enabled");
    assertThat(texts(connect.path("volumes")))
        .anyMatch(v -> v.startsWith(ROOT.resolve("connector/target/plugin") + ":/plugins"))
        .anyMatch(v -> v.startsWith("store:/data/store"));

    JsonNode compactor = services.path("compactor");
    assertThat(texts(compactor.path("volumes")))
        .anyMatch(v -> v.startsWith("store:/data/store"))
        .anyMatch(v -> v.startsWith(ROOT.resolve("compactor/target/pystore-compactor.jar") + ":"))
        .anyMatch(v -> v.startsWith(ROOT.resolve("config/docker/compactor.properties") + ":/app/"));
    assertThat(c.path("volumes").has("store")).isTrue();
    // every file the compose file mounts from the repository exists (after mvn package)
    for (String v : texts(connect.path("volumes"))) {
      assertThat(mountSource(v)).satisfies(this::existsUnlessBuildOutput);
    }
    for (String v : texts(services.path("connectors").path("volumes"))) {
      assertThat(Path.of(mountSource(v))).exists();
    }
  }

  private void existsUnlessBuildOutput(String source) {
    if (source.startsWith("/") && !source.contains("/target/")) {
      assertThat(Path.of(source)).exists();
    }
  }

  private static String mountSource(String volume) {
    return volume.substring(0, volume.indexOf(':'));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void composeValidationCatchesABrokenFile() throws Exception {
    String good = Files.readString(ROOT.resolve("docker-compose.yml"));
    Path broken = dir.resolve("docker-compose.yml");
    Files.writeString(broken, good.replace("    depends_on:\n", "    depends_onn:\n"));
    Result r = compose(broken);
    assertThat(r.code()).isNotZero();
    assertThat(r.out()).contains("depends_onn");
  }

  @Test
  void dockerConnectorConfigsValidateAndMatchTheExamples() throws Exception {
    Map<String, String> sink = json("config/docker/sink-avro.json");
    Map<String, String> source = json("config/docker/source-avro.json");
    for (ConfigValue v : new PyStoreSinkConnector().validate(sink).configValues()) {
      assertThat(v.errorMessages()).as(v.name()).isEmpty();
    }
    Map<String, String> forSource = new HashMap<>(source);
    Path store = dir.resolve("store");
    org.apache.avro.Schema tick =
        org.apache.avro.SchemaBuilder.record("tick")
            .fields()
            .name("ts")
            .type(
                org.apache.avro.LogicalTypes.timestampMicros()
                    .addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG)))
            .noDefault()
            .endRecord();
    org.pystore.store.Store.open(store)
        .item("ticks", "AAPL")
        .write(tick, List.of(), org.pystore.store.ItemOptions.defaults(), Map.of(), false);
    forSource.put("store.path", store.toString()); // the source checks the collection exists
    for (ConfigValue v : new PyStoreSourceConnector().validate(forSource).configValues()) {
      assertThat(v.errorMessages()).as(v.name()).isEmpty();
    }
    // the same settings as the plain examples, but for the store volume and the Avro converter
    assertThat(withoutDockerKeys(sink)).isEqualTo(withoutDockerKeys(json("config/sink.json")));
    assertThat(withoutDockerKeys(source)).isEqualTo(withoutDockerKeys(json("config/source.json")));
    assertThat(sink).containsEntry("store.path", "/data/store");
    assertThat(source).containsEntry("store.path", "/data/store");

    Map<String, String> compactor = properties("config/docker/compactor.properties");
    assertThat(compactor).containsEntry("store.path", "/data/store");
    Map<String, String> plain = properties("config/compactor.properties");
    plain.remove("store.path");
    Map<String, String> parsed = new HashMap<>(compactor);
    parsed.remove("store.path");
    assertThat(parsed).isEqualTo(plain);
    parsed.put("store.path", store.toString());
    assertThat(CompactorConfig.parse(parsed).store()).isEqualTo(store.toString());
  }

  private static Map<String, String> properties(String path) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newInputStream(ROOT.resolve(path))) {
      p.load(in);
    }
    Map<String, String> out = new HashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  private static Map<String, String> withoutDockerKeys(Map<String, String> m) {
    Map<String, String> out = new HashMap<>(m);
    out.remove("store.path");
    out.remove("value.converter");
    out.remove("value.converter.schema.registry.url");
    return out;
  }

  private static Map<String, String> json(String path) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, String> m = JSON.readValue(Files.readAllBytes(ROOT.resolve(path)), Map.class);
    return m;
  }
}
