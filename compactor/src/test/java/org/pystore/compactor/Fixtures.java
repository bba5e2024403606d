package org.pystore.compactor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.pystore.store.Item;
import org.pystore.store.ItemOptions;
import org.pystore.store.Ticks;

/** Items shaped like a sink's output: many small sorted parts, some overlapping. */
final class Fixtures {
  static final long SECOND = 1_000_000_000L;

  private Fixtures() {}

  /**
   * Writes an item of {@code parts} appends of {@code rows} ticks each, one second apart and
   * consecutive in time; {@code dupEvery}-th append also repeats the last {@code dupRows} rows of
   * the one before (a redelivery), so those parts overlap.
   */
  static List<GenericRecord> sinkLike(Item item, int parts, int rows, int dupEvery, int dupRows) {
    List<GenericRecord> all = new ArrayList<>();
    List<GenericRecord> prev = List.of();
    for (int p = 0; p < parts; p++) {
      List<GenericRecord> batch = new ArrayList<>();
      if (dupEvery > 0 && p > 0 && p % dupEvery == 0) {
        batch.addAll(prev.subList(Math.max(0, prev.size() - dupRows), prev.size()));
      }
      List<GenericRecord> fresh = new ArrayList<>();
      for (int i = 0; i < rows; i++) {
        long n = (long) p * rows + i;
        fresh.add(Ticks.tick(Ticks.T0 + n * SECOND, "S" + (n % 3), 100 + (n % 97), n));
      }
      batch.addAll(fresh);
      all.addAll(fresh);
      if (p == 0) {
        item.write(Ticks.SCHEMA, batch, ItemOptions.defaults(), Map.of("source", "test"), false);
      } else {
        item.append(batch);
      }
      prev = fresh;
    }
    return all;
  }

  static Set<String> visibleParts(Item item) throws IOException {
    try (Stream<Path> s = Files.list(item.path())) {
      Set<String> out = new HashSet<>();
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).forEach(out::add);
      return out;
    }
  }

  /**
   * Vacuums with no retention after ageing every staged file past the shortest orphan grace, as if
   * the crash that left them happened long ago (a grace of zero is refused: it would delete parts
   * of commits under way).
   */
  static org.pystore.store.VacuumReport vacuumNow(Item item, boolean dryRun) throws IOException {
    Path staging = item.path().resolve("_staging");
    java.nio.file.attribute.FileTime old =
        java.nio.file.attribute.FileTime.fromMillis(
            System.currentTimeMillis() - 2 * Item.MIN_ORPHAN_GRACE.toMillis());
    if (Files.isDirectory(staging)) {
      try (Stream<Path> s = Files.list(staging)) {
        for (Path f : s.toList()) {
          Files.setLastModifiedTime(f, old);
        }
      }
    }
    return item.vacuum(java.time.Duration.ZERO, Item.MIN_ORPHAN_GRACE, dryRun);
  }

  static List<String> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static List<String> read(Item item) {
    return Ticks.keys(Ticks.readAll(item));
  }
}
