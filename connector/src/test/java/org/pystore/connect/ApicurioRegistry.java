package org.pystore.connect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pystore.store.log.Json;

/**
 * A real schema registry for tests: Apicurio Registry 2.6 (in-memory storage), unpacked by the
 * build into {@code target/apicurio} and started as a child process on 127.0.0.1 with a port of its
 * choosing, read from its log. It serves its own API at {@code /apis/registry/v2} and Confluent's
 * at {@code /apis/ccompat/v7}. One server is shared by every test of the JVM (it takes seconds to
 * start) and stopped when the JVM ends.
 */
final class ApicurioRegistry implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("Listening on: http://127\\.0\\.0\\.1:(\\d+)");
  private static ApicurioRegistry shared;

  private final Process process;
  private final int port;
  private final Path log;
  private final Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private ApicurioRegistry(Process process, int port, Path log, Path dir) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.dir = dir;
  }

  /** The JVM's registry, started on first use. */
  static synchronized ApicurioRegistry shared() throws IOException, InterruptedException {
    if (shared == null || !shared.process.isAlive()) {
      shared = start(Files.createTempDirectory("apicurio-"));
      ApicurioRegistry r = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(r::close, "apicurio-stop"));
    }
    return shared;
  }

  /** The runner jar the build unpacked. */
  static Path runner() {
    for (Path dir : new Path[] {Path.of("target/apicurio"), Path.of("connector/target/apicurio")}) {
      if (Files.isDirectory(dir)) {
        try (var files = Files.list(dir)) {
          var jar = files.filter(p -> p.toString().endsWith("-runner.jar")).findFirst();
          if (jar.isPresent()) {
            return jar.get().toAbsolutePath();
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalStateException(
        "Apicurio Registry not unpacked; run the connector module's process-test-resources"
            + " (mvn -pl connector process-test-resources)");
  }

  /**
   * The java that runs the registry: {@code -Dpystore.registry.java}, else the one on the PATH (the
   * machine's default JDK 17: the registry is a Quarkus 3.15 application, checked on 17), else this
   * JVM's.
   */
  private static String java() {
    String prop = System.getProperty("pystore.registry.java");
    if (prop != null) {
      return prop;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        Path j = Path.of(dir, "java");
        if (Files.isExecutable(j)) {
          return j.toString();
        }
      }
    }
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static ApicurioRegistry start(Path dir) throws IOException, InterruptedException {
    Path log = dir.resolve("registry.log");
    Process p =
        new ProcessBuilder(
                java(),
                "-Xmx256m",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=0",
                "-jar",
                runner().toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      Matcher m = LISTENING.matcher(text);
      if (m.find()) {
        return new ApicurioRegistry(p, Integer.parseInt(m.group(1)), log, dir);
      }
      if (!p.isAlive()) {
        throw new IOException("Apicurio Registry exited at start: " + text);
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new IOException("Apicurio Registry did not start within 120 s: " + Files.readString(log));
  }

  /** Apicurio's own API, as its converters and serdes take it. */
  String url() {
    return "http://127.0.0.1:" + port + "/apis/registry/v2";
  }

  /** Confluent's Schema Registry API, as Confluent's clients take it. */
  String confluentUrl() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  /**
   * Registers an Avro schema under a subject through Confluent's API, as a Confluent producer with
   * auto-registration does.
   *
   * @return the schema id that goes into Confluent's wire format
   */
  int registerConfluent(String subject, String avroSchema)
      throws IOException, InterruptedException {
    String body = Json.MAPPER.writeValueAsString(java.util.Map.of("schema", avroSchema));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(confluentUrl() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(
          "registering " + subject + " failed: " + r.statusCode() + " " + r.body());
    }
    return Json.MAPPER.readTree(r.body()).get("id").asInt();
  }

  /** The registry's output, for failure messages. */
  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
