package org.pystore.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.embedded.EmbeddedKafka;
import org.pystore.store.Store;

/** The README's main job at a small size: everything runs and the summary adds up. */
class DemoTest {
  @TempDir Path dir;

  @Test
  void summaryAddsUp() throws Exception {
    Demo demo = new Demo();
    demo.store = dir.resolve("store");
    demo.symbols = 3;
    demo.ticks = 3000;
    Demo.Summary s = demo.run();

    assertThat(s.rowsIn()).isEqualTo(s.rowsStored() + s.duplicatesRemoved() + s.dlq());
    assertThat(s.dlq()).isEqualTo(Demo.BAD_RECORDS);
    assertThat(s.duplicatesSent()).isPositive();
    assertThat(s.duplicatesRemoved()).isEqualTo(s.duplicatesSent());
    assertThat(s.late()).isPositive();
    assertThat(s.rowsRead()).isEqualTo(s.rowsStored());
    assertThat(s.partsAfter()).isLessThan(s.partsBefore());
    assertThat(s.replayed())
        .isEqualTo(Store.open(demo.store).item(Demo.COLLECTION, s.replayItem()).state().rows());
    // a second run starts over: same figures, nothing left from the first
    Demo.Summary again = demo.run();
    assertThat(again.rowsStored()).isEqualTo(s.rowsStored());
  }

  @Test
  void runsOnAClusterTheUserNamesAndRunsAgainWithoutReadingTheFirstRunsRecords() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      Path store = dir.resolve("shared-store");
      for (int run = 0; run < 2; run++) {
        Demo.Summary s = Demo.of(store, 2, 2000, kafka.bootstrapServers()).run();
        assertThat(s.rowsIn()).isEqualTo(s.rowsStored() + s.duplicatesRemoved() + s.dlq());
        assertThat(s.dlq()).isEqualTo(Demo.BAD_RECORDS);
        assertThat(s.rowsRead()).isEqualTo(s.rowsStored());
        assertThat(s.replayed()).isPositive();
      }
    }
  }
}
