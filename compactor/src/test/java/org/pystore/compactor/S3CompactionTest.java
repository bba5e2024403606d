package org.pystore.compactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.Item;
import org.pystore.store.Store;
import org.pystore.store.StoreOptions;
import org.pystore.store.Verifier;
import org.pystore.store.s3.S3Proxy;

/**
 * Compaction and vacuum of a store on S3 (S3Proxy): reads the same before and after, plain listings
 * of the item show exactly the live parts, a snapshot taken before reads the same after both, and
 * the compactor's config takes an s3:// store.
 */
class S3CompactionTest {
  static final String BUCKET = "compact";
  @TempDir static Path dir;
  static S3Proxy proxy;

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

  private static Set<String> visible(Item item, String location) throws Exception {
    Path d =
        proxy
            .baseDir()
            .resolve(BUCKET)
            .resolve(location.substring(("s3://" + BUCKET + "/").length()))
            .resolve(item.key());
    Set<String> out = new HashSet<>();
    try (Stream<Path> s = Files.list(d)) {
      s.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".parquet"))
          .forEach(f -> out.add(f.getFileName().toString()));
    }
    return out;
  }

  @Test
  void compactsAndVacuumsOnS3AndReadsStayEqual() throws Exception {
    String location = "s3://" + BUCKET + "/t-" + UUID.randomUUID();
    Store store = Store.open(location, StoreOptions.defaults(), proxy.settings());
    Item item = store.item("ticks", "AAPL");
    Fixtures.sinkLike(item, 12, 300, 3, 40); // overlapping parts with duplicates
    List<String> before = Fixtures.read(item);
    store.collection("ticks").createSnapshot("pinned");
    assertThat(visible(item, location)).isEqualTo(item.state().parts().keySet());

    CompactionOptions o = CompactionOptions.defaults().withTargetBytes(1 << 20).withMinParts(4);
    try (CompactionService s = new CompactionService(store, o)) {
      List<TaskResult> results = s.compact(item);
      assertThat(results)
          .extracting(TaskResult::outcome)
          .containsOnly(TaskResult.Outcome.COMMITTED);
    }
    assertThat(item.state().parts()).hasSizeLessThan(12);
    assertThat(Fixtures.read(item)).isEqualTo(before);
    assertThat(visible(item, location)).isEqualTo(item.state().parts().keySet());

    item.vacuum(Duration.ZERO, Item.MIN_ORPHAN_GRACE, false);
    assertThat(Fixtures.read(store.item("ticks", "AAPL")))
        .isEqualTo(before); // compaction dedupes exact duplicates, reads already did
    assertThat(
            org.pystore.store.Ticks.keys(
                org.pystore.store.Ticks.readAll(
                    store.item("ticks", "AAPL"),
                    org.pystore.store.ReadOptions.all().atSnapshot("pinned"))))
        .isEqualTo(before);
    assertThat(visible(item, location)).isEqualTo(item.state().parts().keySet());
    assertThat(new Verifier(store, Duration.ofDays(1)).verify(null, null, l -> {}).problems())
        .isEmpty();
  }

  @Test
  void theCompactorConfigTakesAnS3Store() {
    CompactorConfig c =
        CompactorConfig.parse(
            java.util.Map.of(
                "store.path", "s3://" + BUCKET + "/p",
                "s3.endpoint", proxy.endpoint(),
                "s3.path.style.access", "true",
                "s3.region", "eu-west-1",
                "schedule.cron", "0 */15 * * * ?"));
    assertThat(c.store()).isEqualTo("s3://" + BUCKET + "/p");
    assertThat(c.storageSettings())
        .containsEntry("s3.endpoint", proxy.endpoint())
        .containsEntry("s3.region", "eu-west-1")
        .containsEntry("s3.path.style.access", "true");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                CompactorConfig.parse(
                    java.util.Map.of(
                        "store.path", "s3://b/p",
                        "s3.endpoint", "not a url",
                        "schedule.cron", "0 */15 * * * ?")))
        .hasMessageContaining("s3.endpoint='not a url' is not a URL");
  }
}
