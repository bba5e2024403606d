package org.pystore.compactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.Item;
import org.pystore.store.Store;

class WorkerTest {
  @TempDir Path root;

  private Map<String, String> props(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put(CompactorConfig.STORE_PATH, root.toString());
    m.put(CompactorConfig.SCHEDULE_CRON, "0 0 * * * ?");
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void theExampleConfigIsValid() {
    CompactorConfig c = CompactorConfig.load(Path.of("../config/compactor.properties"));
    assertThat(c.options().targetBytes()).isEqualTo(CompactionOptions.DEFAULT_TARGET_BYTES);
    assertThat(c.options().retention()).isEqualTo(Duration.ofDays(1));
    assertThat(c.schedules()).hasSize(1);
  }

  @Test
  void badSettingsFailWithAClearMessage() {
    assertThatThrownBy(() -> CompactorConfig.parse(props("compact.target.byte", "5")))
        .hasMessageContaining("unknown key(s) [compact.target.byte]")
        .hasMessageContaining(CompactorConfig.TARGET_BYTES);
    assertThatThrownBy(() -> CompactorConfig.parse(props(CompactorConfig.SCHEDULE_CRON, "*/5 *")))
        .hasMessageContaining("schedule.cron='*/5 *' is not a Quartz cron expression")
        .hasMessageContaining("0 */15 * * * ?");
    assertThatThrownBy(() -> CompactorConfig.parse(props("collection.ticks.cron", "61 * * * * ?")))
        .hasMessageContaining("collection.ticks.cron");
    assertThatThrownBy(
            () -> CompactorConfig.parse(props(CompactorConfig.VACUUM_RETENTION, "7 days")))
        .hasMessageContaining("vacuum.retention")
        .hasMessageContaining("0s, 30m, 7d");
    assertThatThrownBy(() -> CompactorConfig.parse(props(CompactorConfig.THREADS, "0")))
        .hasMessageContaining("threads must be at least 1");
    assertThatThrownBy(
            () -> CompactorConfig.parse(Map.of(CompactorConfig.SCHEDULE_CRON, "0 0 * * * ?")))
        .hasMessageContaining("'store.path' is required");
    assertThatThrownBy(() -> CompactorConfig.load(root.resolve("missing.properties")))
        .hasMessageContaining("does not exist");
    CompactorConfig noStore =
        CompactorConfig.parse(props(CompactorConfig.STORE_PATH, root.resolve("typo").toString()));
    assertThatThrownBy(() -> new CompactorWorker(noStore))
        .hasMessageContaining("is not a directory");
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.format(Duration.ofHours(36))).isEqualTo("36h");
    assertThatThrownBy(() -> Durations.parse("-1s")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void collectionsWithTheirOwnScheduleAreLeftOutOfTheStoreWidePass() {
    CompactorConfig c =
        CompactorConfig.parse(
            props("collection.fx.cron", "0 30 * * * ?", "schedule.timezone", "Europe/London"));
    assertThat(c.schedules()).hasSize(2);
    assertThat(c.schedules().get(0).excluded()).containsExactly("fx");
    assertThat(c.schedules().get(1).collections()).containsExactly("fx");
    assertThat(c.schedules().get(0).cron().getTimeZone().getID()).isEqualTo("Europe/London");
  }

  @Test
  void aCronScheduleFiresThePass() throws Exception {
    Item item = Store.open(root).item("ticks", "AAPL");
    List<String> before = readAfterWriting(item);
    CompactorConfig c =
        CompactorConfig.parse(
            props(
                CompactorConfig.SCHEDULE_CRON,
                "* * * * * ?",
                CompactorConfig.TARGET_BYTES,
                "1048576"));
    try (CompactorWorker w = new CompactorWorker(c)) {
      w.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> w.passes() >= 1);
    }
    assertThat(item.state().parts()).hasSize(1);
    assertThat(Fixtures.read(item)).isEqualTo(before);
  }

  @Test
  void onceRunsOnePassAndExitsZero() throws Exception {
    Item item = Store.open(root).item("ticks", "MSFT");
    List<String> before = readAfterWriting(item);
    Path cfg = root.resolve("c.properties");
    Files.writeString(
        cfg,
        "store.path="
            + root.toString().replace("\\", "/")
            + "\nschedule.cron=0 0 3 * * ?\ncompact.target.bytes=1048576\nvacuum.retention=0s\n");
    assertThat(CompactorMain.run("--config", cfg.toString(), "--once")).isZero();
    assertThat(item.state().parts()).hasSize(1);
    assertThat(Fixtures.visibleParts(item)).isEqualTo(item.state().parts().keySet());
    assertThat(Fixtures.read(item)).isEqualTo(before);

    Files.writeString(cfg, "store.path=x\nschedule.cron=nonsense\n");
    assertThat(CompactorMain.run("--config", cfg.toString(), "--once")).isEqualTo(2);
    assertThat(CompactorMain.run("--once")).isEqualTo(2); // --config is required
  }

  private static List<String> readAfterWriting(Item item) {
    Fixtures.sinkLike(item, 8, 200, 3, 10);
    return Fixtures.read(item);
  }
}
