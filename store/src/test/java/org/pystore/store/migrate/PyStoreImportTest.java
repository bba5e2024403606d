package org.pystore.store.migrate;

import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT96;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.NanoTime;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.CommitStep;
import org.pystore.store.ConcurrentCommitException;
import org.pystore.store.DedupePolicy;
import org.pystore.store.Faults;
import org.pystore.store.IndexUnit;
import org.pystore.store.InvalidDataException;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.RowReader;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;

/**
 * Import of PyStore items. The fixtures are written the way pandas writes them through dask: one
 * {@code part.N.parquet} per partition, the index as a column named in the {@code pandas} key-value
 * metadata, dask's {@code _metadata}/{@code _common_metadata}, PyStore's {@code metadata.json}.
 */
public class PyStoreImportTest {
  @TempDir Path dir;

  private static final long DAY = 86_400_000_000_000L;
  private static final long T0 =
      Instant.parse("2024-03-04T00:00:00Z").getEpochSecond() * 1_000_000_000L;

  /** One source row: index in epoch nanoseconds and its values. */
  public record Tick(long ts, double close, double adj, long volume, String symbol) {
    String text() {
      return ts + "|" + close + "|" + adj + "|" + volume + "|" + symbol;
    }
  }

  // pyarrow: nullable columns, the index last, TIMESTAMP(NANOS, isAdjustedToUTC=false) for a naive
  // datetime64[ns] index, a column name with a space
  private static final MessageType PYARROW =
      Types.buildMessage()
          .optional(DOUBLE)
          .named("close")
          .optional(DOUBLE)
          .named("Adj Close")
          .optional(INT64)
          .named("volume")
          .optional(BINARY)
          .as(stringType())
          .named("symbol")
          .optional(INT64)
          .as(timestampType(false, LogicalTypeAnnotation.TimeUnit.NANOS))
          .named("Date")
          .named("schema");

  private static String pandasMeta(String library, String indexField, String indexName) {
    String name = indexName == null ? "null" : "\"" + indexName + "\"";
    return "{\"index_columns\": [\""
        + indexField
        + "\"], \"column_indexes\": [], \"columns\": ["
        + "{\"name\": \"close\", \"field_name\": \"close\", \"pandas_type\": \"float64\","
        + " \"numpy_type\": \"float64\", \"metadata\": null},"
        + "{\"name\": "
        + name
        + ", \"field_name\": \""
        + indexField
        + "\", \"pandas_type\": \"datetime\", \"numpy_type\": \"datetime64[ns]\","
        + " \"metadata\": null}],"
        + " \"creator\": {\"library\": \""
        + library
        + "\", \"version\": \"1.0\"}, \"pandas_version\": \"2.2.3\"}";
  }

  private static void writePyarrow(Path file, List<Tick> rows) throws IOException {
    write(
        file,
        PYARROW,
        pandasMeta("pyarrow", "Date", "Date"),
        rows,
        (g, t) ->
            g.append("close", t.close)
                .append("Adj Close", t.adj)
                .append("volume", t.volume)
                .append("symbol", t.symbol)
                .append("Date", t.ts));
  }

  interface Filler {
    void fill(Group g, Tick t);
  }

  private static void write(
      Path file, MessageType schema, String pandas, List<Tick> rows, Filler filler)
      throws IOException {
    Files.createDirectories(file.getParent());
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withType(schema)
            .withExtraMetaData(Map.of("pandas", pandas))
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (Tick t : rows) {
        Group g = f.newGroup();
        filler.fill(g, t);
        w.write(g);
      }
    }
  }

  private static Tick tick(long ts, int i) {
    return new Tick(ts, 100 + i * 0.25, 99 + i * 0.25, 1000L + i, i % 2 == 0 ? "AAPL" : "MSFT");
  }

  /**
   * Writes a PyStore item as pyarrow does: a sorted part, an unsorted one, one spanning two days,
   * duplicates, dask's summary files and PyStore's metadata.
   *
   * @param item the item's directory
   * @return its rows
   */
  public static List<Tick> pyarrowItem(Path item) throws IOException {
    List<Tick> p0 = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      p0.add(tick(T0 + i * 1_000_000_000L, i));
    }
    List<Tick> p1 = new ArrayList<>();
    for (int i = 60; i > 40; i--) { // descending: unsorted; 41..49 repeat rows of part 0 exactly
      p1.add(tick(T0 + i * 1_000_000_000L, i));
    }
    p1.add(new Tick(T0 + 5_000_000_000L, 1.5, 1.5, 7, "AAPL")); // same index as a row of part 0
    List<Tick> p2 = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      p2.add(tick(T0 + DAY - 15_000_000_000L + i * 1_000_000_000L, 200 + i)); // crosses midnight
    }
    List<Tick> p10 = List.of(tick(T0 + 2 * DAY, 999)); // part.10 sorts after part.2
    writePyarrow(item.resolve("part.0.parquet"), p0);
    writePyarrow(item.resolve("part.1.parquet"), p1);
    writePyarrow(item.resolve("part.2.parquet"), p2);
    writePyarrow(item.resolve("part.10.parquet"), p10);
    writePyarrow(item.resolve("_common_metadata"), List.of());
    writePyarrow(item.resolve("_metadata"), List.of());
    Files.writeString(
        item.resolve("metadata.json"),
        "{\"_updated\": \"2024-03-06 10:00:00.000000\", \"source\": \"yahoo\"}");
    List<Tick> all = new ArrayList<>(p0);
    all.addAll(p1);
    all.addAll(p2);
    all.addAll(p10);
    return all;
  }

  /** An item's rows as the texts {@link Tick#text} gives. */
  public static List<String> rows(Item item) {
    List<String> out = new ArrayList<>();
    try (RowReader r = item.read()) {
      while (r.hasNext()) {
        GenericRecord g = r.next();
        out.add(
            g.get("Date")
                + "|"
                + g.get("close")
                + "|"
                + g.get("Adj_Close")
                + "|"
                + g.get("volume")
                + "|"
                + g.get("symbol"));
      }
    }
    return out;
  }

  /** Rows' texts in index order, or only the first of equal rows. */
  public static List<String> sortedTexts(List<Tick> ticks, boolean distinct) {
    List<Tick> sorted = new ArrayList<>(ticks);
    sorted.sort(java.util.Comparator.comparingLong(Tick::ts));
    List<String> out = new ArrayList<>();
    for (Tick t : sorted) {
      out.add(t.text());
    }
    return distinct ? new ArrayList<>(new LinkedHashSet<>(out)) : out;
  }

  private static List<String> liveFiles(Path item) throws IOException {
    try (Stream<Path> s = Files.list(item)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".parquet"))
          .sorted()
          .toList();
    }
  }

  @Test
  void importsEveryRowOfAPyarrowItemAndRewritesItIntoStoreParts() throws Exception {
    Path root = dir.resolve("pystore");
    Path itemDir = root.resolve("stocks").resolve("AAPL");
    List<Tick> source = pyarrowItem(itemDir);
    Store store = Store.open(root);
    List<String> lines = new ArrayList<>();
    PyStoreImport.Options keepAll =
        new PyStoreImport.Options(
            null, null, ItemOptions.defaults().withDedupe(DedupePolicy.NONE), false);
    List<PyStoreImport.ItemReport> reports =
        new PyStoreImport(store, keepAll, lines::add).importStore();

    assertThat(reports).hasSize(1);
    PyStoreImport.ItemReport r = reports.get(0);
    assertThat(r.error()).isNull();
    assertThat(r.created()).isTrue();
    assertThat(r.files()).isEqualTo(4);
    assertThat(r.rows()).isEqualTo(source.size());
    assertThat(r.unsorted()).containsExactly("part.1.parquet");
    assertThat(r.spanning()).containsExactly("part.2.parquet");
    assertThat(r.notes()).anyMatch(n -> n.contains("Adj Close -> Adj_Close"));
    assertThat(lines).hasSize(4);
    assertThat(lines.get(3)).contains("part.10.parquet"); // natural part order

    Item item = store.item("stocks", "AAPL");
    // dedupe none: every source row, sorted by index
    assertThat(rows(item)).containsExactlyInAnyOrderElementsOf(sortedTexts(source, false));
    assertThat(item.state().options().indexColumn()).isEqualTo("Date");
    assertThat(item.metadata()).containsEntry("source", "yahoo");
    // the PyStore files moved aside; the directory shows plain readers the live parts only
    assertThat(liveFiles(itemDir))
        .containsExactlyInAnyOrderElementsOf(item.state().parts().keySet());
    assertThat(itemDir.resolve(PyStoreImport.ORIGINALS).resolve("part.1.parquet")).exists();
    assertThat(itemDir.resolve(PyStoreImport.ORIGINALS).resolve("_metadata")).exists();
    assertThat(itemDir.resolve("_metadata")).doesNotExist();
    // every part inside one day bucket
    assertThat(item.state().parts().values()).allMatch(p -> p.maxIndex() - p.minIndex() < DAY);
    // an independent reader sees exactly the stored rows
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*), count(DISTINCT \"Date\") FROM read_parquet('"
                    + itemDir.resolve("*.parquet")
                    + "')")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(source.size());
    }
  }

  @Test
  void theDefaultExactDedupeDropsOnlyRowsEqualInEveryValue() throws Exception {
    Path root = dir.resolve("pystore");
    List<Tick> source = pyarrowItem(root.resolve("stocks").resolve("AAPL"));
    Store store = Store.open(root);
    new PyStoreImport(store, PyStoreImport.Options.defaults(), null).importItem("stocks", "AAPL");
    Item item = store.item("stocks", "AAPL");
    List<String> read = rows(item);
    assertThat(read).containsExactlyInAnyOrderElementsOf(sortedTexts(source, true));
    assertThat(read.stream().map(t -> Long.parseLong(t.substring(0, t.indexOf('|')))).toList())
        .isSorted();
    // the row sharing an index with another but with other values stays
    assertThat(read).anyMatch(s -> s.startsWith((T0 + 5_000_000_000L) + "|1.5|"));
    assertThat(item.info().rows()).isEqualTo(source.size()); // stored before dedupe
  }

  @Test
  void importIsIdempotentAndFinishesAnInterruptedRun() throws Exception {
    Path root = dir.resolve("pystore");
    Path itemDir = root.resolve("stocks").resolve("AAPL");
    pyarrowItem(itemDir);
    Store store = Store.open(root);
    PyStoreImport importer = new PyStoreImport(store, PyStoreImport.Options.defaults(), null);
    importer.importItem("stocks", "AAPL");
    Item item = store.item("stocks", "AAPL");
    long version = item.state().version();
    List<String> before = rows(item);

    PyStoreImport.ItemReport again = importer.importItem("stocks", "AAPL");
    assertThat(again.files()).isZero();
    assertThat(again.version()).isEqualTo(-1);
    assertThat(item.state().version()).isEqualTo(version);

    // a crash after the commit, before the PyStore files moved aside: they are back in place
    Path originals = itemDir.resolve(PyStoreImport.ORIGINALS);
    for (String n :
        List.of(
            "part.0.parquet", "part.1.parquet", "part.2.parquet", "part.10.parquet", "_metadata")) {
      Files.move(originals.resolve(n), itemDir.resolve(n));
    }
    assertThat(PyStoreImport.pendingFiles(item)).isEmpty(); // recorded by the commit: not foreign
    PyStoreImport.ItemReport recovered = importer.importItem("stocks", "AAPL");
    assertThat(recovered.recovered()).isEqualTo(4);
    assertThat(recovered.files()).isZero();
    assertThat(item.state().version()).isEqualTo(version);
    assertThat(rows(item)).isEqualTo(before);
    assertThat(liveFiles(itemDir))
        .containsExactlyInAnyOrderElementsOf(item.state().parts().keySet());
  }

  @Test
  void aFaultWhileMovingTheOriginalsAsideKeepsTheImportAndTheNextRunFinishesIt() throws Exception {
    Path root = dir.resolve("pystore");
    Path itemDir = root.resolve("stocks").resolve("AAPL");
    List<Tick> all = pyarrowItem(itemDir);
    Faults faults = new Faults().failAfter(CommitStep.IMPORT_MOVE, 1, 1); // the second move fails
    Store faulty = Store.open(root, StoreOptions.defaults().withHook(faults));
    PyStoreImport.ItemReport r =
        new PyStoreImport(faulty, PyStoreImport.Options.defaults(), null)
            .importItem("stocks", "AAPL");
    assertThat(faults.injected()).isEqualTo(1);
    assertThat(r.version()).isZero(); // committed
    Item item = Store.open(root).item("stocks", "AAPL");
    List<String> imported = rows(item);
    assertThat(imported).containsExactlyInAnyOrderElementsOf(sortedTexts(all, true));
    assertThat(liveFiles(itemDir)).hasSizeGreaterThan(item.state().parts().size()); // not finished

    PyStoreImport.ItemReport again =
        new PyStoreImport(Store.open(root), PyStoreImport.Options.defaults(), null)
            .importItem("stocks", "AAPL");
    assertThat(again.files()).isZero(); // nothing imported twice
    assertThat(rows(Store.open(root).item("stocks", "AAPL"))).isEqualTo(imported);
    assertThat(liveFiles(itemDir))
        .containsExactlyInAnyOrderElementsOf(item.state().parts().keySet());
  }

  @Test
  void filesPyStoreWritesBehindOurBackAreReportedAndTheNextImportAdoptsThem() throws Exception {
    Path root = dir.resolve("pystore");
    Path itemDir = root.resolve("stocks").resolve("AAPL");
    List<Tick> source = pyarrowItem(itemDir);
    Store store = Store.open(root);
    PyStoreImport importer = new PyStoreImport(store, PyStoreImport.Options.defaults(), null);
    importer.importItem("stocks", "AAPL");
    Item item = store.item("stocks", "AAPL");

    List<Tick> late = List.of(tick(T0 + 3 * DAY, 7), tick(T0 + 3 * DAY + 1, 8));
    writePyarrow(itemDir.resolve("part.11.parquet"), late); // PyStore appends to the item
    assertThat(PyStoreImport.pendingFiles(item)).containsExactly("part.11.parquet");
    assertThat(item.vacuum(Duration.ofDays(1), Duration.ofHours(1), true).foreign())
        .containsExactly("part.11.parquet");
    assertThat(rows(item)).hasSize(sortedTexts(source, true).size()); // readers ignore it

    PyStoreImport.ItemReport r = importer.importItem("stocks", "AAPL");
    assertThat(r.created()).isFalse();
    assertThat(r.files()).isEqualTo(1);
    List<Tick> all = new ArrayList<>(source);
    all.addAll(late);
    assertThat(rows(item)).containsExactlyInAnyOrderElementsOf(sortedTexts(all, true));
    assertThat(PyStoreImport.pendingFiles(item)).isEmpty();
  }

  @Test
  void twoImportsOfOneItemAtOnceCommitItsRowsOnce() throws Exception {
    Path root = dir.resolve("pystore");
    List<Tick> source = pyarrowItem(root.resolve("stocks").resolve("AAPL"));
    Store store = Store.open(root);
    PyStoreImport.Options keepAll =
        new PyStoreImport.Options(
            null, null, ItemOptions.defaults().withDedupe(DedupePolicy.NONE), false);
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
    List<Object> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread th =
          new Thread(
              () -> {
                try {
                  start.await();
                  outcomes.add(
                      new PyStoreImport(store, keepAll, null).importItem("stocks", "AAPL"));
                } catch (Exception | Error e) {
                  outcomes.add(e);
                }
              });
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
    // one commits; the other finds nothing left, or is refused and says to run it again
    assertThat(outcomes)
        .allMatch(
            o ->
                o instanceof PyStoreImport.ItemReport
                    || (o instanceof ConcurrentCommitException e
                        && e.getMessage().contains("run the import again")));
    Item item = store.item("stocks", "AAPL");
    assertThat(item.state().version()).isZero();
    assertThat(rows(item)).containsExactlyInAnyOrderElementsOf(sortedTexts(source, false));
  }

  @Test
  void aFailedImportLeavesTheSourceUntouched() throws Exception {
    Path root = dir.resolve("pystore");
    Path itemDir = root.resolve("stocks").resolve("AAPL");
    pyarrowItem(itemDir);
    // the last part has a row without an index: the whole import must fail
    MessageType schema =
        Types.buildMessage()
            .optional(DOUBLE)
            .named("close")
            .optional(INT64)
            .as(timestampType(false, LogicalTypeAnnotation.TimeUnit.NANOS))
            .named("Date")
            .named("schema");
    write(
        itemDir.resolve("part.20.parquet"),
        schema,
        pandasMeta("pyarrow", "Date", "Date"),
        List.of(tick(T0, 1)),
        (g, t) -> g.append("close", t.close)); // no Date
    Map<String, String> before = tree(itemDir);
    Store store = Store.open(root);
    assertThatThrownBy(
            () ->
                new PyStoreImport(store, PyStoreImport.Options.defaults(), null)
                    .importItem("stocks", "AAPL"))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("part.20.parquet")
        .hasMessageContaining("no index value");
    assertThat(tree(itemDir)).isEqualTo(before);
    assertThat(store.item("stocks", "AAPL").exists()).isFalse();
  }

  @Test
  void itemsThatCannotBeImportedAreReportedAndTheOthersImported() throws Exception {
    Path root = dir.resolve("pystore");
    pyarrowItem(root.resolve("fx").resolve("GOOD"));
    writePyarrow(
        root.resolve("fx").resolve("EUR:USD").resolve("part.0.parquet"), List.of(tick(T0, 1)));
    Path garbage = root.resolve("fx").resolve("BAD").resolve("part.0.parquet");
    Files.createDirectories(garbage.getParent());
    Files.writeString(garbage, "not parquet at all");
    Store store = Store.open(root);
    List<PyStoreImport.ItemReport> reports =
        new PyStoreImport(store, PyStoreImport.Options.defaults(), null).importStore();
    Map<String, String> errors = new TreeMap<>();
    reports.forEach(r -> errors.put(r.label(), String.valueOf(r.error())));
    assertThat(errors).containsOnlyKeys("fx/BAD", "fx/EUR:USD", "fx/GOOD");
    assertThat(errors.get("fx/GOOD")).isEqualTo("null");
    assertThat(errors.get("fx/BAD")).contains("part.0.parquet").contains("cannot read");
    assertThat(errors.get("fx/EUR:USD")).contains("EUR:USD").contains("':'");
    assertThat(store.item("fx", "GOOD").exists()).isTrue();
    assertThat(garbage).hasContent("not parquet at all");

    // unreadable PyStore metadata: refused before anything is staged
    Path meta = root.resolve("fx").resolve("META");
    writePyarrow(meta.resolve("part.0.parquet"), List.of(tick(T0, 1)));
    Files.writeString(meta.resolve("metadata.json"), "{not json");
    assertThatThrownBy(
            () ->
                new PyStoreImport(store, PyStoreImport.Options.defaults(), null)
                    .importItem("fx", "META"))
        .hasMessageContaining("metadata.json is not readable JSON");
    assertThat(meta.resolve("_staging")).doesNotExist();
    assertThat(store.item("fx", "META").exists()).isFalse();
  }

  /** Every regular file under a directory with a digest of its bytes. */
  private static Map<String, String> tree(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(
            root.relativize(p).toString(),
            HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))));
      }
    }
    return out;
  }

  @Test
  void importsFastparquetInt96AndIntegerEpochIndexes() throws Exception {
    Path root = dir.resolve("pystore");
    // fastparquet with times='int96': required columns, an unnamed index stored as 'index'
    MessageType fp =
        Types.buildMessage()
            .required(INT96)
            .named("index")
            .required(DOUBLE)
            .named("close")
            .named("schema");
    long ts = T0 + 3_723_000_000_123L; // 01:02:03.000000123
    write(
        root.resolve("fx").resolve("EURUSD").resolve("part.0.parquet"),
        fp,
        pandasMeta("fastparquet", "index", null),
        List.of(tick(ts + 1, 2), tick(ts, 1)),
        (g, t) ->
            g.append(
                    "index",
                    new NanoTime(
                        (int) (Math.floorDiv(t.ts, DAY) + 2_440_588L), Math.floorMod(t.ts, DAY)))
                .append("close", t.close));
    // an integer-epoch index (PyStore's epochdate), unnamed in pandas
    MessageType epoch =
        Types.buildMessage()
            .optional(DOUBLE)
            .named("close")
            .optional(INT64)
            .named("__index_level_0__")
            .named("schema");
    write(
        root.resolve("fx").resolve("USDJPY").resolve("part.0.parquet"),
        epoch,
        pandasMeta("pyarrow", "__index_level_0__", null),
        List.of(tick(ts, 1), tick(ts + 5, 2)),
        (g, t) -> g.append("close", t.close).append("__index_level_0__", t.ts));
    Store store = Store.open(root);
    List<PyStoreImport.ItemReport> reports =
        new PyStoreImport(store, PyStoreImport.Options.defaults(), null).importCollection("fx");
    assertThat(reports).extracting(PyStoreImport.ItemReport::error).containsOnlyNulls();
    assertThat(reports.get(1).notes()).anyMatch(n -> n.contains("epoch ns"));

    for (String name : List.of("EURUSD", "USDJPY")) {
      Item item = store.item("fx", name);
      assertThat(item.state().options().indexColumn()).isEqualTo("index");
      assertThat(IndexUnit.of(item.state().schema().getField("index").schema()))
          .isEqualTo(IndexUnit.NANOS);
      List<Long> idx = new ArrayList<>();
      try (RowReader r = item.read()) {
        r.forEachRemaining(g -> idx.add((Long) g.get("index")));
      }
      assertThat(idx).containsExactly(ts, name.equals("EURUSD") ? ts + 1 : ts + 5);
    }
    // an epoch in seconds, said explicitly
    Path sec = root.resolve("fx2").resolve("GBP").resolve("part.0.parquet");
    write(
        sec,
        epoch,
        pandasMeta("pyarrow", "__index_level_0__", null),
        List.of(tick(1_700_000_000L, 1)),
        (g, t) -> g.append("close", t.close).append("__index_level_0__", t.ts));
    new PyStoreImport(store, new PyStoreImport.Options(null, "s", null, false), null)
        .importItem("fx2", "GBP");
    try (RowReader r = store.item("fx2", "GBP").read()) {
      assertThat(r.next().get("index")).isEqualTo(1_700_000_000_000L); // ms
    }
    assertThatThrownBy(() -> new PyStoreImport.Options(null, "hours", null, false))
        .hasMessageContaining("use one of s, ms, us, ns");
  }
}
