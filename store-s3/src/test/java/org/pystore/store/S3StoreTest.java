package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pystore.store.migrate.PyStoreImport;
import org.pystore.store.migrate.PyStoreImportTest;
import org.pystore.store.s3.S3Proxy;
import org.pystore.store.s3.S3Storage;
import org.pystore.store.storage.FaultyStorage;
import org.pystore.store.storage.NewFile;

/**
 * The store on S3 (S3Proxy, a real S3 server over a directory): writes, reads, snapshots, vacuum,
 * faults at every commit step and of the storage itself, racing writers in threads and in JVMs, and
 * what plain readers listing an item's objects see.
 */
class S3StoreTest {
  static final String BUCKET = "store";
  @TempDir static Path dir;
  static S3Proxy proxy;
  String location;

  @BeforeAll
  static void start() throws Exception {
    proxy = S3Proxy.start(dir, BUCKET);
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @BeforeEach
  void freshPrefix() {
    location = "s3://" + BUCKET + "/t-" + UUID.randomUUID();
  }

  Store open() {
    return Store.open(location, StoreOptions.defaults(), proxy.settings());
  }

  Store open(CommitHook hook) {
    return Store.open(location, StoreOptions.defaults().withHook(hook), proxy.settings());
  }

  /** The objects of a directory of the store, as S3Proxy keeps them on disk. */
  Path files(String key) {
    return proxy
        .baseDir()
        .resolve(BUCKET)
        .resolve(location.substring(("s3://" + BUCKET + "/").length()))
        .resolve(key);
  }

  /** The {@code *.parquet} objects directly under an item: what pandas, DuckDB and Spark list. */
  Set<String> visibleParts(Item item) throws IOException {
    Set<String> out = new HashSet<>();
    Path d = files(item.key());
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (Stream<Path> s = Files.list(d)) {
      s.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".parquet"))
          .forEach(f -> out.add(f.getFileName().toString()));
    }
    return out;
  }

  static void createNoDedupe(Item item) {
    item.write(
        Ticks.SCHEMA,
        List.of(),
        ItemOptions.defaults().withDedupe(DedupePolicy.NONE),
        Map.of(),
        false);
  }

  @Test
  void writeAppendReadHistoryAndPlainListing() throws Exception {
    Store s = open();
    Item item = s.item("ticks", "AAPL");
    item.write(
        Ticks.SCHEMA, Ticks.series(100, 0), ItemOptions.defaults(), Map.of("src", "t"), false);
    for (int i = 1; i <= 5; i++) {
      item.append(Ticks.series(100, i * 100L));
    }
    item.append(Ticks.series(100, 0)); // exact duplicates of the first batch: dropped on read
    assertThat(Ticks.readAll(item)).hasSize(600);
    assertThat(item.history()).hasSize(7);
    assertThat(Ticks.readAll(item, ReadOptions.all().atVersion(2))).hasSize(300);
    assertThat(item.metadata()).containsEntry("src", "t");
    assertThat(s.collections()).containsExactly("ticks");
    assertThat(s.collection("ticks").items()).containsExactly("AAPL");
    assertThat(visibleParts(item)).isEqualTo(item.state().parts().keySet());
    assertThat(files(item.key()).resolve("pystore_metadata.json")).exists();

    // a fresh handle (another process) reads the same
    assertThat(Ticks.keys(Ticks.readAll(open().item("ticks", "AAPL"))))
        .isEqualTo(Ticks.keys(Ticks.readAll(item)));
  }

  @Test
  void importAdoptsAPyStoreItemCopiedIntoTheBucket(@TempDir Path tmp) throws Exception {
    // a PyStore item as pyarrow wrote it, copied as it is (aws s3 sync) under the store's prefix
    Path local = tmp.resolve("AAPL");
    List<PyStoreImportTest.Tick> source = PyStoreImportTest.pyarrowItem(local);
    Store s = open();
    try (Stream<Path> files = Files.list(local)) {
      for (Path f : files.toList()) {
        try (NewFile out = s.storage().create("stocks/AAPL/" + f.getFileName())) {
          out.write(Files.readAllBytes(f));
          out.finish();
        }
      }
    }
    Item item = s.item("stocks", "AAPL");
    assertThat(PyStoreImport.pendingFiles(item))
        .containsExactly("part.0.parquet", "part.1.parquet", "part.2.parquet", "part.10.parquet");
    PyStoreImport.Options keepAll =
        new PyStoreImport.Options(
            null, null, ItemOptions.defaults().withDedupe(DedupePolicy.NONE), false);

    List<PyStoreImport.ItemReport> reports = new PyStoreImport(s, keepAll, null).importStore();

    assertThat(reports).singleElement().satisfies(r -> assertThat(r.error()).isNull());
    assertThat(reports.get(0).rows()).isEqualTo(source.size());
    assertThat(PyStoreImportTest.rows(item))
        .containsExactlyInAnyOrderElementsOf(PyStoreImportTest.sortedTexts(source, false));
    assertThat(item.metadata()).containsEntry("source", "yahoo");
    // plain readers listing the prefix see the store's parts only; PyStore's are set aside
    assertThat(visibleParts(item)).isEqualTo(item.state().parts().keySet());
    assertThat(files(item.key()).resolve(PyStoreImport.ORIGINALS).resolve("part.1.parquet"))
        .exists();
    assertThat(files(item.key()).resolve("_metadata")).doesNotExist();
    // run again, or by another process: nothing imported twice
    assertThat(new PyStoreImport(open(), keepAll, null).importStore())
        .singleElement()
        .satisfies(r -> assertThat(r.files()).isZero());
    assertThat(Ticks.readAll(open().item("stocks", "AAPL"))).hasSize(source.size());
  }

  @Test
  void overwriteVacuumAndSnapshotsLeaveExactlyTheLivePartsVisible() throws Exception {
    Store s = open();
    Item item = s.item("ticks", "MSFT");
    item.write(Ticks.SCHEMA, Ticks.series(50, 0), ItemOptions.defaults(), Map.of(), false);
    item.append(Ticks.series(50, 50));
    SnapshotInfo snap = s.collection("ticks").createSnapshot("before");
    assertThat(snap.materialized()).isFalse(); // no hard links on object storage
    item.write(Ticks.SCHEMA, Ticks.series(10, 1000), ItemOptions.defaults(), Map.of(), true);
    assertThat(visibleParts(item)).isEqualTo(item.state().parts().keySet());
    assertThat(Ticks.readAll(item)).hasSize(10);
    assertThat(Ticks.readAll(item, ReadOptions.all().atSnapshot("before"))).hasSize(100);

    VacuumReport r = item.vacuum(Duration.ZERO, Item.MIN_ORPHAN_GRACE, false);
    assertThat(r.keptForSnapshots()).isEqualTo(2); // the snapshot still reads them
    assertThat(Ticks.readAll(item, ReadOptions.all().atSnapshot("before"))).hasSize(100);
    s.collection("ticks").deleteSnapshot("before");
    r = item.vacuum(Duration.ZERO, Item.MIN_ORPHAN_GRACE, false);
    assertThat(r.removedDeleted()).isEqualTo(2);
    assertThat(visibleParts(item)).isEqualTo(item.state().parts().keySet());
    assertThat(new Verifier(s, Duration.ofDays(1)).verify(null, null, l -> {}).problems())
        .isEmpty();
  }

  static Stream<CommitStep> steps() {
    return Faults.replaceSteps();
  }

  /** A failure at each step of a commit, then a retry: every row once (dedupe=none). */
  @ParameterizedTest
  @MethodSource("steps")
  void aFaultAtEveryCommitStepLosesAndRepeatsNothing(CommitStep step) throws Exception {
    Faults faults = new Faults();
    Store s = open(faults);
    Item item = s.item("c", "i");
    createNoDedupe(item);
    item.append(Ticks.series(20, 0));
    faults.failNext(step, 1);
    List<GenericRecord> batch = Ticks.series(20, 100);
    boolean committed;
    try {
      item.append(batch);
      committed = true;
    } catch (StoreIOException e) {
      committed = false;
    }
    if (!committed) {
      item.append(batch); // the writer retries what was not committed
    }
    Item fresh = open().item("c", "i");
    List<String> keys = Ticks.keys(Ticks.readAll(fresh));
    assertThat(keys).hasSize(40).doesNotHaveDuplicates();
    // before any cleanup: what a plain reader lists is committed (a part still in _staging is
    // missing from the listing at worst, never an uncommitted one shown)
    assertThat(fresh.state().parts().keySet()).containsAll(visibleParts(fresh));
    fresh.vacuum(Duration.ZERO, Item.MIN_ORPHAN_GRACE, false);
    assertThat(visibleParts(fresh)).isEqualTo(fresh.state().parts().keySet());
  }

  /**
   * The storage itself fails: before or after each kind of request of a commit (after = the request
   * was carried out but the answer lost, as in a timeout).
   */
  @ParameterizedTest
  @MethodSource("org.pystore.store.StorageFaultsTest#faults")
  void storageFaultsOnEveryRequestOfACommit(FaultyStorage.Op op, FaultyStorage.When when)
      throws Exception {
    try (S3Storage s3 = S3Storage.open(location, proxy.s3Settings())) {
      StorageFaultsTest.appendThroughAFault(s3, this::open, op, when);
    }
  }

  @Test
  void threadsWithSeparateHandlesAppendTogether() throws Exception {
    createNoDedupe(open().item("c", "shared"));
    int writers = 4;
    int batches = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      Item item = open().item("c", "shared");
      done.add(
          pool.submit(
              () -> {
                for (int b = 0; b < batches; b++) {
                  item.append(AppendWorker.batch(id, b, 25));
                }
              }));
    }
    for (Future<?> f : done) {
      f.get(3, TimeUnit.MINUTES);
    }
    pool.shutdown();
    Item item = open().item("c", "shared");
    assertThat(Ticks.keys(Ticks.readAll(item)))
        .hasSize(writers * batches * 25)
        .doesNotHaveDuplicates();
    assertThat(item.state().version()).isEqualTo(writers * batches);
  }

  @Test
  void twoJvmsAppendToOneItemAndNothingIsLost() throws Exception {
    createNoDedupe(open().item("c", "shared"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    List<Process> procs = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      procs.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  cp,
                  AppendWorker.class.getName(),
                  location,
                  "" + w,
                  "10",
                  "30",
                  proxy.endpoint(),
                  S3Proxy.IDENTITY,
                  S3Proxy.CREDENTIAL)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("jvm-" + w + "-" + UUID.randomUUID() + ".log").toFile())
              .start());
    }
    for (Process p : procs) {
      assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).isZero();
    }
    Item item = open().item("c", "shared");
    assertThat(Ticks.keys(Ticks.readAll(item))).hasSize(2 * 10 * 30).doesNotHaveDuplicates();
  }

  @Test
  void duckDbAgreesOnTheCommittedObjects() throws Exception {
    Store s = open();
    Item item = s.item("ticks", "AAPL");
    item.write(Ticks.SCHEMA, Ticks.series(500, 0), ItemOptions.defaults(), Map.of(), false);
    item.append(Ticks.series(500, 500));
    item.write(Ticks.SCHEMA, Ticks.series(300, 2000), ItemOptions.defaults(), Map.of(), true);
    item.append(Ticks.series(200, 5000));
    List<GenericRecord> ours = Ticks.readAll(item);
    double sum = ours.stream().mapToDouble(r -> (Double) r.get("price")).sum();
    String glob = files(item.key()).toString().replace('\\', '/') + "/*.parquet";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*), sum(price), epoch_ns(min(ts)), epoch_ns(max(ts)) FROM"
                    + " read_parquet('"
                    + glob
                    + "')")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(ours.size());
      assertThat(rs.getDouble(2)).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(rs.getLong(3)).isEqualTo((Long) ours.get(0).get("ts"));
      assertThat(rs.getLong(4)).isEqualTo((Long) ours.get(ours.size() - 1).get("ts"));
    }
  }

  @Test
  void deletesAreCommitsThatOtherWritersMeet() throws Exception {
    Store a = open();
    Store b = open();
    Item ia = a.item("c", "i");
    ia.write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of(), false);
    Item ib = b.item("c", "i");
    assertThat(ib.state().rows()).isEqualTo(10); // b caches the state
    a.collection("c").deleteItem("i");
    assertThat(a.collections()).isEmpty(); // its only item deleted: the collection is gone
    // b meets the deletion instead of appending to what it cached
    assertThatThrownBy(() -> ib.append(Ticks.series(5, 100)))
        .isInstanceOf(ItemNotFoundException.class);
    ib.write(Ticks.SCHEMA, Ticks.series(5, 100), ItemOptions.defaults(), Map.of(), false);
    assertThat(Ticks.readAll(open().item("c", "i"))).hasSize(5);
    assertThat(open().item("c", "i").state().version()).isEqualTo(2); // after write, delete

    a.deleteCollection("c"); // no rename on S3: every item gets its deletion commit
    assertThat(open().collections()).isEmpty();
    assertThat(open().collection("c").deletedItems()).containsExactly("i"); // for vacuum
    assertThatThrownBy(() -> open().item("c", "i").state())
        .isInstanceOf(ItemNotFoundException.class);
  }

  @Test
  void schemaEvolutionAcrossPartsOnS3() {
    Store s = open();
    Item item = s.item("c", "evolve");
    item.write(Ticks.SCHEMA, Ticks.series(10, 0), ItemOptions.defaults(), Map.of(), false);
    org.apache.avro.Schema wider =
        org.apache.avro.SchemaBuilder.record("Tick")
            .namespace("test")
            .fields()
            .name("ts")
            .type(Ticks.SCHEMA.getField("ts").schema())
            .noDefault()
            .name("sym")
            .type(Ticks.SCHEMA.getField("sym").schema())
            .noDefault()
            .name("price")
            .type(Ticks.SCHEMA.getField("price").schema())
            .noDefault()
            .name("size")
            .type(Ticks.SCHEMA.getField("size").schema())
            .noDefault()
            .optionalString("venue")
            .endRecord();
    List<GenericRecord> rows = new ArrayList<>();
    for (GenericRecord r : Ticks.series(5, 100)) {
      org.apache.avro.generic.GenericData.Record w =
          new org.apache.avro.generic.GenericData.Record(wider);
      for (org.apache.avro.Schema.Field f : Ticks.SCHEMA.getFields()) {
        w.put(f.name(), r.get(f.name()));
      }
      w.put("venue", "XNAS");
      rows.add(w);
    }
    item.append(rows);
    List<GenericRecord> all = Ticks.readAll(item);
    assertThat(all).hasSize(15);
    assertThat(all.get(0).get("venue")).isNull();
    assertThat(all.get(14).get("venue").toString()).isEqualTo("XNAS");
  }

  /**
   * What a commit costs in requests, and that it does not grow with the item's history or the
   * number of items: the 5th and the 60th append of an item cost the same, with 20 other items.
   */
  @Test
  void requestsPerCommitDoNotGrowWithVersionsOrItems() throws Exception {
    S3Storage s3 = S3Storage.open(location, proxy.s3Settings());
    Store s = Store.open(s3, StoreOptions.defaults());
    for (int i = 0; i < 20; i++) {
      s.item("c", "other" + i)
          .write(Ticks.SCHEMA, Ticks.series(2, 0), ItemOptions.defaults(), Map.of(), false);
    }
    Item item = s.item("c", "i");
    createNoDedupe(item);
    long[] cost = new long[61];
    for (int v = 1; v <= 60; v++) {
      long before = s3.requests();
      item.append(Ticks.series(5, v * 10L));
      cost[v] = s3.requests() - before;
    }
    // checkpoints every 10 versions add a request or two; compare commits of the same kind
    assertThat(cost[59]).isLessThanOrEqualTo(cost[5] + 1);
    assertThat(cost[58]).isLessThanOrEqualTo(cost[4] + 1);
    System.out.println(
        "S3StoreTest: requests per append (one part): v5="
            + cost[5]
            + " v59="
            + cost[59]
            + " with a checkpoint v60="
            + cost[60]);
    s3.close();
  }

  /**
   * A reader keeps reading a part that a writer moves meanwhile (publish, retire: a copy and a
   * delete on S3), where a local file would survive the rename: the read goes on at its new place.
   */
  @Test
  void aPartMovedWhileItIsReadIsFollowed() throws Exception {
    S3Storage s3 = S3Storage.open(location, proxy.s3Settings());
    Store s = Store.open(s3, StoreOptions.defaults());
    Item item = s.item("c", "big");
    java.util.Random rnd = new java.util.Random(1);
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 150_000; i++) {
      rows.add(
          Ticks.tick(
              Ticks.T0 + i * 1000L, "S" + rnd.nextInt(1000), rnd.nextDouble(), rnd.nextLong()));
    }
    item.write(Ticks.SCHEMA, rows, ItemOptions.defaults(), Map.of(), false);
    org.pystore.store.log.PartInfo part = item.state().parts().values().iterator().next();
    assertThat(part.bytes()).isGreaterThan(3L << 20); // more than one ranged read
    PartLocator locator = new PartLocator(s3, "c/big", item.key(), null);
    try (org.pystore.store.storage.ReadableFile f = locator.open(part, x -> x)) {
      java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(16);
      f.readFully(0, head);
      String key = item.key() + "/" + part.name();
      byte[] whole = s3.read(key);
      assertThat(s3.move(key, item.key() + "/_removed/" + part.name())).isTrue();
      java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(4096);
      f.readFully(part.bytes() - 4096, tail);
      assertThat(tail.array())
          .isEqualTo(java.util.Arrays.copyOfRange(whole, whole.length - 4096, whole.length));
    }
    s3.close();
  }
}
