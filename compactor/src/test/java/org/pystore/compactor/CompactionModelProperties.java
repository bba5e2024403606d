package org.pystore.compactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.CommitResult;
import org.pystore.store.DedupePolicy;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.ReadOptions;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Ticks;
import org.pystore.store.storage.LocalStorage;

/**
 * Random appends and random compactions, under every dedupe policy: after each step a read equals a
 * reference model of everything appended so far (sorted, deduplicated by the policy), reads of
 * older versions still equal what they returned before, and compaction reports exactly the rows its
 * dedupe dropped.
 */
class CompactionModelProperties {
  static final long HOUR = 3_600_000_000_000L;

  record Row(long ts, String sym, double price) {}

  private static final AtomicLong MERGES = new AtomicLong();

  /** The property must have exercised merges, or it proves nothing. */
  @AfterContainer
  static void mergesHappened() {
    assertThat(MERGES.get()).as("merges over all tries").isGreaterThan(20);
  }

  /** A step: a batch to append, then maybe a compaction. */
  record Step(List<Row> batch, boolean compact) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    // each batch covers a narrow window of instants (so many parts overlap no other and are
    // copied whole), or, one time in four, the whole range (so parts overlap and are merged)
    Arbitrary<List<Row>> narrow =
        Arbitraries.longs()
            .between(0, 80)
            .flatMap(
                w ->
                    Combinators.combine(
                            Arbitraries.longs().between(0, 2),
                            Arbitraries.of("A", "B"),
                            Arbitraries.of(1.0, 2.0))
                        .as((t, s, p) -> new Row(Ticks.T0 + (w + t) * HOUR / 2, s, p))
                        .list()
                        .ofMinSize(1)
                        .ofMaxSize(30));
    Arbitrary<List<Row>> wide =
        Combinators.combine(
                Arbitraries.longs().between(0, 80), // few instants over two day buckets
                Arbitraries.of("A", "B"),
                Arbitraries.of(1.0, 2.0))
            .as((t, s, p) -> new Row(Ticks.T0 + t * HOUR / 2, s, p))
            .list()
            .ofMinSize(1)
            .ofMaxSize(30);
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(3, narrow), net.jqwik.api.Tuple.of(1, wide)),
                Arbitraries.of(true, false))
            .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(10);
  }

  @Property(tries = 50)
  void compactionNeverChangesWhatAReadReturns(
      @ForAll("steps") List<Step> steps,
      @ForAll DedupePolicy policy,
      @ForAll boolean keyed,
      @ForAll boolean sliced)
      throws IOException {
    Path root = Files.createTempDirectory("compact-model");
    try {
      List<String> keys =
          keyed || policy == DedupePolicy.LAST || policy == DedupePolicy.FIRST
              ? List.of("sym")
              : List.of();
      ItemOptions options = ItemOptions.defaults().withDedupe(policy).withKeyColumns(keys);
      Store store = Store.open(root, StoreOptions.defaults().withFsync(false));
      Item item = store.item("c", "i");
      // tiny parts, everything small: every step's compaction has work; two slices when sliced
      CompactionOptions co =
          CompactionOptions.defaults()
              .withTargetBytes(4096)
              .withSmallFraction(1.0)
              .withMinParts(2)
              .withThreads(2);
      try (CompactionService service = new CompactionService(store, co, sliced ? 10 : 1 << 30)) {
        List<List<Row>> appended = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        List<List<String>> seenAt = new ArrayList<>();
        for (Step step : steps) {
          List<GenericRecord> records = new ArrayList<>();
          for (Row r : step.batch()) {
            records.add(Ticks.tick(r.ts(), r.sym(), r.price(), 1));
          }
          CommitResult res =
              appended.isEmpty()
                  ? item.write(Ticks.SCHEMA, records, options, Map.of(), false)
                  : item.append(records);
          appended.add(step.batch());
          versions.add(res.version());
          seenAt.add(read(item, ReadOptions.all().atVersion(res.version())));
          if (step.compact()) {
            long before = item.state().rows();
            long dropped = 0;
            for (TaskResult t : service.compact(item)) {
              MERGES.incrementAndGet();
              assertThat(t.outcome()).isEqualTo(TaskResult.Outcome.COMMITTED);
              assertThat(t.rowsIn() - t.rowsOut()).isEqualTo(t.duplicatesRemoved());
              dropped += t.duplicatesRemoved();
            }
            assertThat(item.state().rows()).isEqualTo(before - dropped);
          }
          List<String> expected = model(appended, policy, !keys.isEmpty());
          assertThat(read(item, ReadOptions.all())).as("policy %s", policy).isEqualTo(expected);
          for (int v = 0; v < versions.size(); v++) {
            assertThat(read(item, ReadOptions.all().atVersion(versions.get(v))))
                .as("version %d", versions.get(v))
                .isEqualTo(seenAt.get(v));
          }
        }
        // after a vacuum with no retention the visible files are exactly the live parts
        Fixtures.vacuumNow(item, false);
        assertThat(visibleParts(item)).isEqualTo(item.state().parts().keySet());
        assertThat(read(item, ReadOptions.all()))
            .isEqualTo(model(appended, policy, !keys.isEmpty()));
      }
    } finally {
      LocalStorage.deleteTree(root);
    }
  }

  static Set<String> visibleParts(Item item) throws IOException {
    try (Stream<Path> s = Files.list(item.path())) {
      Set<String> out = new HashSet<>();
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).forEach(out::add);
      return out;
    }
  }

  private static List<String> read(Item item, ReadOptions opts) {
    List<String> out = new ArrayList<>();
    for (GenericRecord r : Ticks.readAll(item, opts)) {
      out.add(r.get("ts") + "|" + r.get("sym") + "|" + r.get("price"));
    }
    return out;
  }

  static List<String> model(List<List<Row>> batches, DedupePolicy policy, boolean keyed) {
    List<Row> all = new ArrayList<>();
    batches.forEach(all::addAll);
    Comparator<Row> order = Comparator.comparingLong(Row::ts);
    if (keyed) {
      order = order.thenComparing(Row::sym);
    }
    all.sort(order); // stable: commit order, then arrival order, among equal keys
    List<Row> out = new ArrayList<>();
    Set<Row> seen = new HashSet<>();
    for (Row r : all) {
      Row prev = out.isEmpty() ? null : out.get(out.size() - 1);
      boolean sameKey = prev != null && prev.ts() == r.ts() && prev.sym().equals(r.sym());
      switch (policy) {
        case NONE -> out.add(r);
        case EXACT -> {
          if (seen.add(r)) {
            out.add(r);
          }
        }
        case FIRST -> {
          if (!sameKey) {
            out.add(r);
          }
        }
        default -> {
          if (sameKey) {
            out.set(out.size() - 1, r);
          } else {
            out.add(r);
          }
        }
      }
    }
    List<String> keys = new ArrayList<>();
    for (Row r : out) {
      keys.add(r.ts() + "|" + r.sym() + "|" + r.price());
    }
    return keys;
  }
}
