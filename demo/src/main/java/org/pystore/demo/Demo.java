package org.pystore.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pystore.compactor.CompactionOptions;
import org.pystore.compactor.CompactionService;
import org.pystore.compactor.PassSummary;
import org.pystore.embedded.EmbeddedConnect;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.Item;
import org.pystore.store.PyCollection;
import org.pystore.store.RowReader;
import org.pystore.store.Store;
import org.pystore.store.storage.LocalStorage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole product on an embedded default: an in-process Kafka broker (KRaft) and Connect worker
 * on 127.0.0.1, a tick generator (random walks, exact duplicates, out-of-order ticks, a burst of
 * late data and a few bad records), the sink into a local store, a compaction pass, a replay of one
 * symbol into a topic, and a summary that adds up.
 */
@Command(
    name = "pystore demo",
    mixinStandardHelpOptions = true,
    description =
        "Run Kafka and Connect in-process, sink generated ticks into a store, compact, replay one"
            + " symbol, and print what happened.")
public final class Demo implements Callable<Integer> {
  /** The collection the demo writes. */
  public static final String COLLECTION = "demo";

  static final String TOPIC = "demo";
  static final String DLQ = "demo-dlq";
  static final String REPLAY = "demo-replay";
  static final String SINK = "demo-sink";

  /** Records that are not JSON: the sink sends them to the dead letter queue. */
  public static final int BAD_RECORDS = 3;

  @Option(
      names = "--store",
      paramLabel = "DIR",
      description = "The store (default: ${DEFAULT-VALUE}).")
  Path store = Path.of("demo-store");

  @Option(names = "--symbols", description = "Symbols (default: ${DEFAULT-VALUE}).")
  int symbols = 20;

  @Option(names = "--ticks", description = "Ticks per symbol (default: ${DEFAULT-VALUE}).")
  int ticks = 50_000;

  @Option(
      names = "--replay-speed",
      description =
          "Replay pace: 0 as fast as possible, 1 the original pace, N times faster"
              + " (default: ${DEFAULT-VALUE}).")
  double replaySpeed = 0;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Use this Kafka cluster instead of starting one in-process (topics get a run suffix).")
  String bootstrapServers;

  private String topicName = TOPIC;
  private String dlqTopic = DLQ;
  private String replayTopic = REPLAY;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec; // null when run through of(...)

  @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  /**
   * What the demo did.
   *
   * @param rowsIn records sent to Kafka (duplicates and bad records included)
   * @param duplicatesSent exact duplicates among them
   * @param late ticks held back and sent at the end, older than what came before
   * @param bad records that are not JSON
   * @param partsBefore parts after the sink, before compaction
   * @param partsAfter parts after compaction
   * @param duplicatesRemoved rows compaction dropped
   * @param rowsStored rows in the store after compaction
   * @param rowsRead rows a read of every item returns
   * @param dlq records in the dead letter queue
   * @param replayItem the item replayed
   * @param replayed records the replay topic received
   */
  public record Summary(
      long rowsIn,
      long duplicatesSent,
      long late,
      long bad,
      long partsBefore,
      long partsAfter,
      long duplicatesRemoved,
      long rowsStored,
      long rowsRead,
      long dlq,
      String replayItem,
      long replayed) {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The demo's command line: bad options and failures as one line, not a stack trace. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Demo());
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          ex.getCommandLine().getErr().println("pystore demo: " + ex.getMessage());
          ex.getCommandLine().getErr().println("Run 'pystore demo --help' for usage.");
          return CommandLine.ExitCode.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof CommandLine.ParameterException) {
            cmd.getErr().println("pystore demo: " + ex.getMessage());
            return CommandLine.ExitCode.USAGE;
          }
          if (ex instanceof org.pystore.store.PyStoreException || ex instanceof DemoException) {
            cmd.getErr().println("pystore demo: " + ex.getMessage());
            return CommandLine.ExitCode.SOFTWARE;
          }
          throw ex;
        });
    return cli;
  }

  /** A failure the demo explains in one line (an unreachable cluster). */
  static final class DemoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DemoException(String message) {
      super(message);
    }
  }

  /** Every option checked before anything starts, so that a bad one fails at once. */
  void validate(CommandLine cmd) {
    if (symbols < 1 || symbols > 10_000) {
      throw new CommandLine.ParameterException(
          cmd, "--symbols must be between 1 and 10000, not " + symbols);
    }
    if (ticks < 10) {
      throw new CommandLine.ParameterException(cmd, "--ticks must be at least 10, not " + ticks);
    }
    if (!(replaySpeed >= 0) || Double.isInfinite(replaySpeed)) {
      throw new CommandLine.ParameterException(
          cmd,
          "--replay-speed must be 0 (as fast as possible) or a positive factor of the original"
              + " pace (1 the original pace, 10 ten times faster), not "
              + replaySpeed);
    }
    if (java.nio.file.Files.exists(store) && !java.nio.file.Files.isDirectory(store)) {
      throw new CommandLine.ParameterException(
          cmd, "--store " + store + " is a file; give a directory");
    }
    if (bootstrapServers != null) {
      for (String server : bootstrapServers.split(",")) {
        if (!server.trim().matches("[^:\\s]+:\\d{1,5}")) {
          throw new CommandLine.ParameterException(
              cmd,
              "--bootstrap-servers takes HOST:PORT[,HOST:PORT...], not '" + bootstrapServers + "'");
        }
      }
      reachable(bootstrapServers);
    }
  }

  /** Fails within seconds, in one line, when no broker answers at the given address. */
  private static void reachable(String servers) {
    Map<String, Object> c = new java.util.HashMap<>();
    c.put("bootstrap.servers", servers);
    c.put("request.timeout.ms", 5_000);
    c.put("default.api.timeout.ms", 10_000);
    c.put("socket.connection.setup.timeout.max.ms", 5_000);
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(c)) {
      admin.describeCluster().nodes().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new DemoException(
          "no Kafka broker answered at "
              + servers
              + " within 10 s; check --bootstrap-servers (or leave it out to run Kafka"
              + " in-process)");
    }
  }

  @Override
  public Integer call() throws Exception {
    validate(spec == null ? new CommandLine(this) : spec.commandLine());
    long start = System.nanoTime();
    Summary s = run();
    System.out.printf(
        Locale.ROOT,
        "%nrows in:            %,d sent to Kafka (%,d exact duplicates, %,d late, %,d bad)%n"
            + "rows stored:        %,d (reads return %,d)%n"
            + "duplicates removed: %,d by compaction%n"
            + "dead letter queue:  %,d%n"
            + "check:              %,d = %,d + %,d + %,d%n"
            + "parts:              %,d before compaction, %,d after%n"
            + "replayed:           %,d rows of %s into topic %s%n"
            + "took %.1f s%n",
        s.rowsIn(),
        s.duplicatesSent(),
        s.late(),
        s.bad(),
        s.rowsStored(),
        s.rowsRead(),
        s.duplicatesRemoved(),
        s.dlq(),
        s.rowsIn(),
        s.rowsStored(),
        s.duplicatesRemoved(),
        s.dlq(),
        s.partsBefore(),
        s.partsAfter(),
        s.replayed(),
        s.replayItem(),
        replayTopic,
        (System.nanoTime() - start) / 1e9);
    Path abs = store.toAbsolutePath().normalize();
    System.out.printf(
        Locale.ROOT,
        "%nLook at the result:%n"
            + "  ./pystore --store %s items %s%n"
            + "  ./pystore --store %s read %s/%s --limit 5%n"
            + "  ./pystore --store %s info %s/%s%n"
            + "  duckdb -c \"SELECT count(*), min(ts), max(ts) FROM read_parquet('%s/%s/%s/*.parquet')\"%n"
            + "  python -c \"import pandas as pd; print(pd.read_parquet('%s/%s/%s').tail())\"%n"
            + "  python -c \"import pystore; pystore.set_path('%s');"
            + " print(pystore.store('%s').collection('%s').item('%s').to_pandas().tail())\"%n",
        store,
        COLLECTION,
        store,
        COLLECTION,
        s.replayItem(),
        store,
        COLLECTION,
        s.replayItem(),
        abs,
        COLLECTION,
        s.replayItem(),
        abs,
        COLLECTION,
        s.replayItem(),
        abs.getParent(),
        abs.getFileName(),
        COLLECTION,
        s.replayItem());
    boolean adds = s.rowsIn() == s.rowsStored() + s.duplicatesRemoved() + s.dlq();
    return adds && s.rowsRead() == s.rowsStored() && s.replayed() > 0 ? 0 : 1;
  }

  /**
   * A demo of a chosen size (for tests and embedding).
   *
   * @param store the store directory
   * @param symbols symbols
   * @param ticks ticks per symbol
   * @param bootstrapServers a Kafka cluster to use, or null to start one in-process
   * @return the demo, ready to {@link #run}
   */
  public static Demo of(Path store, int symbols, int ticks, String bootstrapServers) {
    Demo d = new Demo();
    d.store = store;
    d.symbols = symbols;
    d.ticks = ticks;
    d.bootstrapServers = bootstrapServers;
    return d;
  }

  /** Runs the demo; prints progress; returns the figures. */
  public Summary run() throws Exception {
    Files.createDirectories(store);
    Store st = Store.open(store);
    if (st.collections().contains(COLLECTION)) {
      st.deleteCollection(COLLECTION);
    }
    // the sink's checkpoints name topic partitions of the previous run's broker, which is gone:
    // a new broker's topic starts at offset 0 again
    LocalStorage.deleteTree(store.resolve("_sink").resolve(SINK));
    Path kafkaDir = Files.createTempDirectory("pystore-demo-kafka");
    String suffix =
        bootstrapServers == null ? "" : "-" + Long.toHexString(System.currentTimeMillis());
    topicName = TOPIC + suffix; // on a shared cluster, a run never reads an earlier run's records
    dlqTopic = DLQ + suffix;
    replayTopic = REPLAY + suffix;
    try (Broker kafka =
            bootstrapServers == null
                ? step("starting Kafka (KRaft, 127.0.0.1)", () -> embedded(kafkaDir))
                : step("using Kafka at " + bootstrapServers, () -> external(bootstrapServers));
        EmbeddedConnect connect =
            step(
                "starting Kafka Connect",
                () -> EmbeddedConnect.start(kafka.bootstrapServers(), Map.of()))) {
      kafka.createTopic(topicName, 4);
      kafka.createTopic(replayTopic, 1);
      kafka.createTopic(dlqTopic, 1);
      Sent sent = produce(kafka.bootstrapServers());
      System.out.printf(
          Locale.ROOT,
          "sent %,d records for %d symbols to topic %s%n",
          sent.records,
          symbols,
          topicName);

      connect.putConnector(SINK, sinkConfig());
      connect.awaitRunning(SINK, 2, Duration.ofSeconds(60));
      PyCollection col = st.collection(COLLECTION);
      long expected = sent.records - BAD_RECORDS;
      waitFor("sink", expected, () -> storedRows(st), Duration.ofSeconds(180));
      long dlq = count(kafka.bootstrapServers(), dlqTopic, BAD_RECORDS, Duration.ofSeconds(30));
      connect.deleteConnector(SINK);

      long partsBefore = parts(col);
      System.out.printf(
          Locale.ROOT, "compacting %d items (%,d parts)...%n", col.items().size(), partsBefore);
      PassSummary pass;
      try (CompactionService compactor =
          new CompactionService(st, CompactionOptions.defaults().withVacuum(false))) {
        pass = compactor.run(List.of(COLLECTION), null);
      }
      long partsAfter = parts(col);
      System.out.printf(
          Locale.ROOT,
          "compacted: %d merges, parts %,d -> %,d, %,d duplicates removed%n",
          pass.merges(),
          partsBefore,
          partsAfter,
          pass.duplicatesRemoved());

      String replayItem = symbol(0);
      long replayRows = readRows(col.item(replayItem));
      connect.putConnector("demo-replay", sourceConfig(replayItem));
      long replayed;
      try (TopicCount replay = new TopicCount(kafka.bootstrapServers(), replayTopic)) {
        replayed = waitFor("replay of " + replayItem, replayRows, replay, Duration.ofSeconds(180));
      }
      connect.deleteConnector("demo-replay");

      long read = 0;
      for (String name : col.items()) {
        read += readRows(col.item(name));
      }
      return new Summary(
          sent.records,
          sent.duplicates,
          sent.late,
          BAD_RECORDS,
          partsBefore,
          partsAfter,
          pass.duplicatesRemoved(),
          storedRows(st),
          read,
          dlq,
          replayItem,
          replayed);
    } finally {
      LocalStorage.deleteTree(kafkaDir);
    }
  }

  /** The Kafka cluster the demo runs on: in-process by default, or one the user names. */
  interface Broker extends AutoCloseable {
    String bootstrapServers();

    void createTopic(String name, int partitions) throws Exception;

    @Override
    void close() throws Exception;
  }

  private static Broker embedded(Path dir) throws Exception {
    EmbeddedKafka k = EmbeddedKafka.start(dir);
    return new Broker() {
      @Override
      public String bootstrapServers() {
        return k.bootstrapServers();
      }

      @Override
      public void createTopic(String name, int partitions) throws Exception {
        k.createTopic(name, partitions);
      }

      @Override
      public void close() throws Exception {
        k.close();
      }
    };
  }

  private static Broker external(String servers) {
    return new Broker() {
      @Override
      public String bootstrapServers() {
        return servers;
      }

      @Override
      public void createTopic(String name, int partitions) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin =
            org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", servers))) {
          admin
              .createTopics(
                  List.of(new org.apache.kafka.clients.admin.NewTopic(name, partitions, (short) 1)))
              .all()
              .get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
      }

      @Override
      public void close() {}
    };
  }

  interface Step<T> {
    T get() throws Exception;
  }

  private static <T> T step(String what, Step<T> s) throws Exception {
    long t = System.nanoTime();
    System.out.print(what + "... ");
    System.out.flush();
    T v = s.get();
    System.out.printf(Locale.ROOT, "%.1f s%n", (System.nanoTime() - t) / 1e9);
    return v;
  }

  static String symbol(int i) {
    return String.format(Locale.ROOT, "SYM%03d", i);
  }

  private record Sent(long records, long duplicates, long late) {}

  /**
   * Sends every symbol's ticks: one every 100 ms, prices a random walk. About 1% are sent twice
   * (exact duplicates), about 5% swap places with a neighbour (out of order), and 2% are held back
   * and sent at the end (late data). A few records are not JSON at all.
   */
  private Sent produce(String bootstrap) {
    Random rnd = new Random(seed);
    long t0 = Instant.parse("2024-01-02T09:30:00Z").getEpochSecond() * 1_000_000_000L;
    long records = 0;
    long duplicates = 0;
    List<ProducerRecord<String, String>> late = new ArrayList<>();
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("linger.ms", 20);
    props.put("batch.size", 256 * 1024);
    // a send the broker finally refuses must not pass unseen: the demo would then wait for rows
    // that were never sent
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> firstFailure = new AtomicReference<>();
    Callback check =
        (meta, e) -> {
          if (e != null) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, e);
          }
        };
    try (KafkaProducer<String, String> p =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int s = 0; s < symbols; s++) {
        String sym = symbol(s);
        double price = 50 + rnd.nextInt(200);
        List<ProducerRecord<String, String>> out = new ArrayList<>(ticks);
        for (int i = 0; i < ticks; i++) {
          price = Math.max(0.01, price + rnd.nextGaussian() * 0.05);
          long ts = t0 + i * 100_000_000L + rnd.nextInt(1000);
          String json =
              String.format(
                  Locale.ROOT,
                  "{\"ts\":\"%s\",\"price\":%.2f,\"size\":%d}",
                  Instant.ofEpochSecond(0, ts),
                  price,
                  1 + rnd.nextInt(500));
          ProducerRecord<String, String> r = new ProducerRecord<>(topicName, sym, json);
          if (rnd.nextDouble() < 0.02) {
            late.add(r);
            continue;
          }
          out.add(r);
          if (rnd.nextDouble() < 0.01) {
            out.add(r);
            duplicates++;
          }
        }
        for (int i = 1; i < out.size(); i++) {
          if (rnd.nextDouble() < 0.05) {
            Collections.swap(out, i - 1, i);
          }
        }
        for (ProducerRecord<String, String> r : out) {
          p.send(r, check);
          records++;
        }
      }
      for (ProducerRecord<String, String> r : late) {
        p.send(r, check);
        records++;
      }
      for (int i = 0; i < BAD_RECORDS; i++) {
        p.send(new ProducerRecord<>(topicName, symbol(i % symbols), "not json {" + i), check);
        records++;
      }
      p.flush();
    }
    if (failed.get() > 0) {
      throw new DemoException(
          "Kafka refused "
              + failed.get()
              + " of the "
              + records
              + " records the demo sent to "
              + topicName
              + " ("
              + firstFailure.get()
              + "), so the store cannot end up with all of them; run the demo again");
    }
    return new Sent(records, duplicates, late.size());
  }

  private Map<String, String> sinkConfig() {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", "org.pystore.connect.sink.PyStoreSinkConnector");
    c.put("tasks.max", "2");
    c.put("topics", topicName);
    c.put("store.path", store.toAbsolutePath().toString());
    c.put("collection", COLLECTION);
    c.put("index.field", "ts");
    c.put("flush.records", "2000");
    c.put("flush.interval.ms", "1000");
    c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", "false");
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", dlqTopic);
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    c.put("errors.deadletterqueue.context.headers.enable", "true");
    return c;
  }

  private Map<String, String> sourceConfig(String item) {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", "org.pystore.connect.source.PyStoreSourceConnector");
    c.put("tasks.max", "1");
    c.put("store.path", store.toAbsolutePath().toString());
    c.put("collection", COLLECTION);
    c.put("items", item);
    c.put("topic", replayTopic);
    c.put("replay.speed", Double.toString(replaySpeed));
    return c;
  }

  private static long storedRows(Store st) {
    if (!st.collections().contains(COLLECTION)) {
      return 0;
    }
    long n = 0;
    PyCollection col = st.collection(COLLECTION);
    for (String name : col.items()) {
      Item item = col.item(name);
      if (item.exists()) {
        n += item.state().rows();
      }
    }
    return n;
  }

  private static long parts(PyCollection col) {
    long n = 0;
    for (String name : col.items()) {
      n += col.item(name).state().parts().size();
    }
    return n;
  }

  private static long readRows(Item item) {
    long n = 0;
    try (RowReader r = item.read()) {
      while (r.hasNext()) {
        r.next();
        n++;
      }
    }
    return n;
  }

  /** Waits until a count reaches a target, printing progress about once a second. */
  private static long waitFor(String what, long target, LongSupplier count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    long n = count.getAsLong();
    while (n < target && System.nanoTime() < deadline) {
      if (n != last) {
        System.out.printf(Locale.ROOT, "%s: %,d of %,d rows%n", what, n, target);
        last = n;
      }
      Thread.sleep(1000);
      n = count.getAsLong();
    }
    System.out.printf(
        Locale.ROOT, "%s: %,d of %,d rows%s%n", what, n, target, n < target ? " (timed out)" : "");
    return n;
  }

  /** A running count of the records in a topic, read_committed, from the start. */
  private static final class TopicCount implements LongSupplier, AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private long n;

    TopicCount(String bootstrap, String topic) {
      Map<String, Object> props = new HashMap<>();
      props.put("bootstrap.servers", bootstrap);
      props.put("group.id", "demo-" + topic);
      props.put("auto.offset.reset", "earliest");
      props.put("isolation.level", "read_committed");
      consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
      consumer.subscribe(List.of(topic));
    }

    @Override
    public long getAsLong() {
      int got;
      do {
        got = consumer.poll(Duration.ofMillis(200)).count();
        n += got;
      } while (got > 0);
      return n;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private static long count(String bootstrap, String topic, long expected, Duration timeout) {
    try (TopicCount c = new TopicCount(bootstrap, topic)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      long n = 0;
      while (n < expected && System.nanoTime() < deadline) {
        n = c.getAsLong();
      }
      return n;
    }
  }
}
