package org.pystore.compactor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Ticks;
import org.pystore.store.log.ItemState;

class CompactionTest {
  @TempDir Path root;

  private Store store() {
    return Store.open(root, StoreOptions.defaults().withFsync(false));
  }

  private static CompactionOptions small() {
    return CompactionOptions.defaults().withTargetBytes(1 << 20).withMinParts(4);
  }

  @Test
  void mergesSmallPartsIntoFewSortedOnesAndReadsStayEqual() throws Exception {
    Item item = store().item("ticks", "AAPL");
    List<GenericRecord> rows = Fixtures.sinkLike(item, 30, 500, 0, 0);
    List<String> before = Fixtures.read(item);
    assertThat(item.state().parts()).hasSize(30);

    try (CompactionService s = new CompactionService(store(), small())) {
      Plan plan = s.plan(item);
      assertThat(plan.tasks()).hasSize(1);
      assertThat(plan.tasks().get(0).reason()).contains("30 small parts");
      assertThat(plan.describe()).contains("merge 30 parts (15000 rows");
      List<TaskResult> results = s.compact(item);
      assertThat(results)
          .extracting(TaskResult::outcome)
          .containsOnly(TaskResult.Outcome.COMMITTED);
      assertThat(results.get(0).rowsOut()).isEqualTo(rows.size());
      assertThat(s.plan(item).isEmpty()).as("nothing left to do").isTrue();
    }
    assertThat(item.state().parts()).hasSize(1);
    assertThat(Fixtures.read(item)).isEqualTo(before);
    assertThat(item.history().get(item.history().size() - 1).operation()).isEqualTo("compact");
  }

  @Test
  void overlappingPartsAreMergedAndTheirDuplicatesReported() throws Exception {
    Item item = store().item("ticks", "MSFT");
    Fixtures.sinkLike(item, 12, 400, 3, 50); // parts 3, 6, 9 repeat 50 rows each
    item.updateMetadata(Map.of("owner", "desk-7"));
    List<String> before = Fixtures.read(item);
    long stored = item.state().rows();
    assertThat(stored).isEqualTo(12 * 400 + 3 * 50);

    try (CompactionService s =
        new CompactionService(store(), small().withSmallFraction(0.0001))) { // no part small
      Plan plan = s.plan(item);
      assertThat(plan.tasks()).hasSize(3);
      assertThat(plan.tasks()).allSatisfy(t -> assertThat(t.reason()).contains("overlapping"));
      List<TaskResult> results = s.compact(item);
      assertThat(results.stream().mapToLong(TaskResult::duplicatesRemoved).sum()).isEqualTo(150);
    }
    ItemState after = item.state();
    assertThat(after.rows()).isEqualTo(12 * 400);
    assertThat(after.duplicatesRemoved()).isEqualTo(150);
    assertThat(after.lastCompacted()).isPositive();
    assertThat(Fixtures.read(item)).isEqualTo(before);

    // the metadata file PyStore reads: user keys kept, _updated and the store's figures refreshed
    JsonNode meta = new ObjectMapper().readTree(item.path().resolve(Item.METADATA_FILE).toFile());
    assertThat(meta.get("owner").asText()).isEqualTo("desk-7");
    assertThat(meta.get("source").asText()).isEqualTo("test");
    assertThat(meta.get("_updated").asText()).isNotBlank();
    JsonNode stats = meta.get("_stats");
    assertThat(stats.get("rows").asLong()).isEqualTo(4800);
    assertThat(stats.get("parts").asInt()).isEqualTo(after.parts().size());
    assertThat(stats.get("duplicates_removed").asLong()).isEqualTo(150);
    assertThat(stats.get("last_compaction").asText()).endsWith("Z");
    assertThat(stats.get("start").asText()).isEqualTo("2024-01-02T00:00:00Z");
  }

  @Test
  void duckDbReadsExactlyTheLiveRowsAfterCompactionAndVacuum() throws Exception {
    Item item = store().item("ticks", "IBM");
    Fixtures.sinkLike(item, 20, 300, 4, 30);
    List<String> before = Fixtures.read(item);
    try (CompactionService s =
        new CompactionService(store(), small().withRetention(Duration.ZERO))) {
      PassSummary pass = s.run(List.of("ticks"), null);
      assertThat(pass.merges()).isPositive();
      assertThat(pass.filesDeleted())
          .isEqualTo(pass.results().stream().mapToInt(TaskResult::inputParts).sum());
      assertThat(pass.describe()).contains("duplicates removed").contains("vacuum deleted");
    }
    assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*), count(DISTINCT ts), sum(size) FROM read_parquet('"
                    + item.path()
                    + "/*.parquet')")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(before.size());
      assertThat(rs.getLong(2)).isEqualTo(before.size());
      long n = before.size();
      assertThat(rs.getLong(3)).isEqualTo(n * (n - 1) / 2);
    }
  }

  @Test
  void slicesWrittenByTwoThreadsNeverSplitOneIndexAndKeepTheOrder() throws Exception {
    Item item = store().item("ticks", "SLICED");
    // 40 appends where every timestamp appears in 4 rows with different sizes (policy none)
    item.write(
        Ticks.SCHEMA,
        List.of(),
        ItemOptions.defaults().withDedupe(org.pystore.store.DedupePolicy.NONE),
        Map.of(),
        false);
    for (int b = 0; b < 40; b++) {
      List<GenericRecord> batch = new java.util.ArrayList<>();
      for (int i = 0; i < 200; i++) {
        batch.add(Ticks.tick(Ticks.T0 + (long) (b * 50 + i / 4) * Fixtures.SECOND, "X", 1, i));
      }
      item.append(batch);
    }
    List<String> before = Fixtures.read(item);
    try (CompactionService s =
        new CompactionService(store(), small().withTargetBytes(8192).withThreads(2), 1000)) {
      List<TaskResult> r = s.compact(item);
      assertThat(r).hasSize(1);
      assertThat(r.get(0).outputParts()).isGreaterThan(2);
    }
    assertThat(Fixtures.read(item)).isEqualTo(before);
    // output parts do not overlap: no index is split between two of them
    List<org.pystore.store.log.PartInfo> parts =
        item.state().parts().values().stream()
            .sorted(java.util.Comparator.comparingLong(org.pystore.store.log.PartInfo::minIndex))
            .toList();
    for (int i = 1; i < parts.size(); i++) {
      assertThat(parts.get(i).minIndex()).isGreaterThan(parts.get(i - 1).maxIndex());
    }
  }

  @Test
  void largePartsAreLeftAloneAndRunsStopAtThem() {
    Item item = store().item("ticks", "BIG");
    Fixtures.sinkLike(item, 10, 100, 0, 0);
    // with a tiny target every part counts as large: nothing to merge
    Planner p = new Planner(CompactionOptions.defaults().withTargetBytes(1024));
    assertThat(p.plan("ticks", "BIG", item.state()).tasks()).isEmpty();
    // fewer small parts than min.parts: nothing either
    Planner q = new Planner(small().withMinParts(11));
    assertThat(q.plan("ticks", "BIG", item.state()).tasks()).isEmpty();
    Planner r = new Planner(small().withMinParts(10));
    assertThat(r.plan("ticks", "BIG", item.state()).tasks()).hasSize(1);
  }

  @Test
  void aLargePartHoldingDuplicatesOfItsOwnIsRewritten() {
    Item item = store().item("ticks", "DUPS");
    List<GenericRecord> rows = new java.util.ArrayList<>(Ticks.series(1000, 0));
    rows.addAll(Ticks.series(40, 0)); // the same 40 rows twice in one write
    item.write(Ticks.SCHEMA, rows, ItemOptions.defaults(), Map.of(), false);
    assertThat(item.state().parts().values())
        .extracting(org.pystore.store.log.PartInfo::duplicates)
        .containsExactly(40L);
    List<String> before = Fixtures.read(item);
    // every part is large here: only the duplicates make the planner act
    try (CompactionService s =
        new CompactionService(store(), small().withTargetBytes(1024).withSmallFraction(0.01))) {
      Plan plan = s.plan(item);
      assertThat(plan.tasks()).hasSize(1);
      assertThat(plan.tasks().get(0).reason()).contains("40 duplicate rows inside parts");
      assertThat(s.compact(item).get(0).duplicatesRemoved()).isEqualTo(40);
      assertThat(s.plan(item).isEmpty()).isTrue();
    }
    assertThat(item.state().rows()).isEqualTo(1000);
    assertThat(Fixtures.read(item)).isEqualTo(before);
  }

  @Test
  void mergesNeverCrossABucket() {
    Item item = store().item("ticks", "DAYS");
    item.write(Ticks.SCHEMA, List.of(), ItemOptions.defaults(), Map.of(), false);
    long day = 86_400L * Fixtures.SECOND;
    for (int b = 0; b < 12; b++) { // each append spans the midnight between two days
      item.append(
          List.of(
              Ticks.tick(Ticks.T0 + day - 1000 + b, "A", b, b),
              Ticks.tick(Ticks.T0 + day + 1000 + b, "A", b, b)));
    }
    List<String> before = Fixtures.read(item);
    try (CompactionService s = new CompactionService(store(), small())) {
      Plan plan = s.plan(item);
      assertThat(plan.tasks())
          .extracting(Plan.Task::bucket)
          .containsExactly("20240102", "20240103");
      s.compact(item);
    }
    assertThat(item.state().parts().values())
        .extracting(org.pystore.store.log.PartInfo::bucket)
        .containsExactlyInAnyOrder("20240102", "20240103");
    assertThat(Fixtures.read(item)).isEqualTo(before);
  }
}
