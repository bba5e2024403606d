package org.pystore.store;

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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.storage.LocalStorage;

/**
 * For random batches and random interleavings of appends, a read at every version equals a
 * reference model: all rows so far, stably sorted by key, deduplicated by the policy.
 */
class MergeModelProperties {
  static final long HOUR = 3_600_000_000_000L;

  record Row(long ts, String sym, double price) {}

  @Provide
  Arbitrary<List<List<Row>>> batches() {
    Arbitrary<Row> row =
        Combinators.combine(
                Arbitraries.longs().between(0, 60), // few distinct instants: many collisions
                Arbitraries.of("A", "B"),
                Arbitraries.of(1.0, 2.0))
            .as((t, s, p) -> new Row(Ticks.T0 + t * HOUR / 2, s, p));
    return row.list().ofMinSize(0).ofMaxSize(25).list().ofMinSize(1).ofMaxSize(7);
  }

  @Property(tries = 60)
  void readsEqualTheModelAtEveryVersion(
      @ForAll("batches") List<List<Row>> batches,
      @ForAll DedupePolicy policy,
      @ForAll boolean keyed)
      throws IOException {
    Path root = Files.createTempDirectory("merge-model");
    try {
      List<String> keys =
          keyed || policy == DedupePolicy.LAST || policy == DedupePolicy.FIRST
              ? List.of("sym")
              : List.of();
      ItemOptions options = ItemOptions.defaults().withDedupe(policy).withKeyColumns(keys);
      Item item = TestStores.open(root, StoreOptions.defaults().withFsync(false)).item("c", "i");
      List<List<Row>> committed = new ArrayList<>();
      List<Long> versions = new ArrayList<>();
      for (List<Row> batch : batches) {
        List<GenericRecord> records = new ArrayList<>();
        for (Row r : batch) {
          records.add(Ticks.tick(r.ts(), r.sym(), r.price(), 1));
        }
        CommitResult res =
            committed.isEmpty()
                ? item.write(Ticks.SCHEMA, records, options, Map.of(), false)
                : item.append(records);
        if (res.committed()) {
          committed.add(batch);
          versions.add(res.version());
        }
      }
      for (int v = 0; v < versions.size(); v++) {
        List<String> expected = model(committed.subList(0, v + 1), policy, !keys.isEmpty());
        List<String> actual = new ArrayList<>();
        for (GenericRecord r : Ticks.readAll(item, ReadOptions.all().atVersion(versions.get(v)))) {
          actual.add(r.get("ts") + "|" + r.get("sym") + "|" + r.get("price"));
        }
        assertThat(actual).as("version %d, policy %s", versions.get(v), policy).isEqualTo(expected);
      }
    } finally {
      LocalStorage.deleteTree(root);
    }
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
    switch (policy) {
      case NONE:
        out.addAll(all);
        break;
      case EXACT:
        Set<Row> seen = new HashSet<>();
        for (Row r : all) {
          if (seen.add(r)) {
            out.add(r);
          }
        }
        break;
      case FIRST:
        for (Row r : all) {
          Row prev = out.isEmpty() ? null : out.get(out.size() - 1);
          if (prev == null || prev.ts() != r.ts() || !prev.sym().equals(r.sym())) {
            out.add(r);
          }
        }
        break;
      default:
        for (Row r : all) {
          Row prev = out.isEmpty() ? null : out.get(out.size() - 1);
          if (prev != null && prev.ts() == r.ts() && prev.sym().equals(r.sym())) {
            out.set(out.size() - 1, r);
          } else {
            out.add(r);
          }
        }
        break;
    }
    List<String> keys = new ArrayList<>();
    for (Row r : out) {
      keys.add(r.ts() + "|" + r.sym() + "|" + r.price());
    }
    return keys;
  }
}
