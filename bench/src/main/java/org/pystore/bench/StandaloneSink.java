package org.pystore.bench;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipFile;
import org.pystore.store.PyCollection;
import org.pystore.store.Store;

/**
 * The packaged sink plugin in a separate {@code connect-standalone} worker JVM, as a user runs it:
 * the worker's classpath holds Kafka's jars only, its {@code plugin.path} only our plugin, and its
 * JVM options are those {@code connect-standalone.sh} starts a worker with (256 MB of heap, G1).
 * The rate counts from the worker's launch until every record is committed to the store, and also
 * from the first commit on (the worker's start-up taken out).
 */
final class StandaloneSink {
  /** What {@code kafka-run-class.sh} passes a worker unless told otherwise. */
  static final List<String> STOCK_JVM_OPTIONS =
      List.of(
          "-Xmx256M",
          "-server",
          "-XX:+UseG1GC",
          "-XX:MaxGCPauseMillis=20",
          "-XX:InitiatingHeapOccupancyPercent=35",
          "-XX:+ExplicitGCInvokesConcurrent",
          "-XX:MaxInlineLevel=15",
          "-Djava.awt.headless=true");

  /** Packages of jars that a stock worker does not carry: ours and what our plugin bundles. */
  private static final List<String> NOT_KAFKA =
      List.of(
          "org/pystore/",
          "org/apache/parquet/",
          "org/apache/avro/",
          "org/apache/hadoop/",
          "org/duckdb/",
          "software/amazon/",
          "org/quartz/",
          "picocli/",
          "io/airlift/");

  /** Both rates of one run, in records per second. */
  record Rates(double fromLaunch, double fromFirstCommit) {}

  private final Path dir;
  private final Path plugin;
  private final int records;

  StandaloneSink(Path dir, Path plugin, int records) {
    this.dir = dir;
    this.plugin = plugin;
    this.records = records;
  }

  /** Where {@code mvn package} puts the plugin, from the project root. */
  static Path defaultPlugin() {
    return Path.of(System.getProperty("pystore.plugin", "connector/target/plugin"));
  }

  /**
   * Runs the sink with {@code connector} (its settings, {@code store.path} among them) in a new
   * worker until the store holds {@code records} rows in {@code collection}; the worker is then
   * stopped.
   */
  Rates run(String bootstrap, String name, Map<String, String> connector, String collection)
      throws Exception {
    Path run = Files.createDirectories(dir.resolve(name));
    Properties worker = new Properties();
    worker.setProperty("bootstrap.servers", bootstrap);
    worker.setProperty("listeners", "http://127.0.0.1:0");
    worker.setProperty("plugin.path", plugin.toAbsolutePath().toString());
    worker.setProperty("plugin.discovery", "service_load");
    worker.setProperty("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    worker.setProperty("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    worker.setProperty("offset.storage.file.filename", run.resolve("offsets").toString());
    save(worker, run.resolve("worker.properties"));
    Properties sink = new Properties();
    sink.putAll(connector);
    sink.setProperty("name", name);
    save(sink, run.resolve("sink.properties"));
    Files.writeString(run.resolve("logback.xml"), LOGBACK);

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(STOCK_JVM_OPTIONS);
    command.add("-cp");
    command.add(kafkaClasspath());
    command.add("-Dlogback.configurationFile=" + run.resolve("logback.xml"));
    command.add("org.apache.kafka.connect.cli.ConnectStandalone");
    command.add(run.resolve("worker.properties").toString());
    command.add(run.resolve("sink.properties").toString());
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectErrorStream(true);
    pb.redirectOutput(run.resolve("worker.log").toFile());

    Path storePath = Path.of(connector.get("store.path"));
    long launch = System.nanoTime();
    Process p = pb.start();
    try {
      long first = 0;
      long firstRows = 0;
      long deadline = launch + Duration.ofMinutes(10).toNanos();
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "the worker exited with " + p.exitValue() + "; see " + run.resolve("worker.log"));
        }
        long rows = committedRows(storePath, collection);
        if (first == 0 && rows > 0) {
          first = System.nanoTime();
          firstRows = rows;
        }
        if (rows >= records) {
          long end = System.nanoTime();
          return new Rates(
              rows / ((end - launch) / 1e9),
              first == end ? Double.NaN : (rows - firstRows) / ((end - first) / 1e9));
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException(
          "the worker did not commit "
              + records
              + " records in 10 minutes; see "
              + run.resolve("worker.log"));
    } finally {
      p.destroy(); // SIGTERM: the worker stops its task as it would on a shutdown
      if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** Rows committed to the collection's items, from their commit logs (no data read). */
  private static long committedRows(Path store, String collection) {
    if (!Files.isDirectory(store)) {
      return 0;
    }
    PyCollection c = Store.open(store).collection(collection);
    if (!c.exists()) {
      return 0;
    }
    long n = 0;
    for (String item : c.items()) {
      n += c.item(item).state().rows();
    }
    return n;
  }

  /** The jars beside the benchmark's own that a stock worker has: Kafka's and what it needs. */
  private static String kafkaClasspath() throws IOException {
    Path jar;
    try {
      jar =
          Path.of(StandaloneSink.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    Path lib = jar.resolveSibling("lib");
    if (!Files.isDirectory(lib)) {
      throw new IOException(
          "no "
              + lib
              + " beside the benchmark: run it as java -jar bench/target/pystore-bench.jar");
    }
    List<String> keep = new ArrayList<>();
    try (var jars = Files.list(lib)) {
      for (Path j : (Iterable<Path>) jars.sorted()::iterator) {
        if (j.toString().endsWith(".jar") && !bundledByPlugin(j)) {
          keep.add(j.toString());
        }
      }
    }
    return String.join(File.pathSeparator, keep);
  }

  private static boolean bundledByPlugin(Path jar) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      return z.stream().anyMatch(e -> NOT_KAFKA.stream().anyMatch(e.getName()::startsWith));
    }
  }

  private static void save(Properties props, Path p) throws IOException {
    try (OutputStream out = Files.newOutputStream(p)) {
      props.store(out, null);
    }
  }

  private static final String LOGBACK =
      "<configuration>\n"
          + "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
          + "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder>\n"
          + "  </appender>\n"
          + "  <logger name=\"org.pystore\" level=\"INFO\"/>\n"
          + "  <root level=\"WARN\"><appender-ref ref=\"OUT\"/></root>\n"
          + "</configuration>\n";
}
