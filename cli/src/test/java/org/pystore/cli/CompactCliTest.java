package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pystore compact} and {@code pystore vacuum} as a user types them. */
class CompactCliTest {
  @TempDir Path dir;

  private final CliTest cli = new CliTest();

  @BeforeEach
  void share() {
    cli.dir = dir;
  }

  private CliTest.Run run(String... args) {
    return cli.run(args);
  }

  private Path csv(String name, String content) throws Exception {
    return cli.csv(name, content);
  }

  private void appendParts(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      Path in =
          csv(
              "p" + i + ".csv",
              "ts,sym,price\n2024-01-02T09:30:0"
                  + i
                  + "Z,AAPL,"
                  + i
                  + "\n"
                  + "2024-01-02T09:30:0"
                  + i
                  + "Z,AAPL,"
                  + i
                  + "\n");
      CliTest.Run r = run(i == 0 ? "write" : "append", "ticks/AAPL", "--csv", in.toString());
      assertThat(r.code()).as(r.err()).isZero();
    }
  }

  private long visibleParts() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("store/ticks/AAPL"))) {
      return s.filter(p -> p.toString().endsWith(".parquet")).count();
    }
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothing() throws Exception {
    appendParts(5);
    CliTest.Run plan = run("compact", "ticks", "--dry-run");
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("ticks/AAPL at version 4: 5 live parts, 1 merge");
    assertThat(plan.out()).contains("merge 5 parts (10 rows");
    assertThat(visibleParts()).isEqualTo(5);
  }

  @Test
  void compactThenVacuumLeavesOnePartAndTheSameRows() throws Exception {
    appendParts(5);
    String before = run("read", "ticks/AAPL").out();
    CliTest.Run c = run("compact", "ticks/AAPL");
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out()).contains("[1/1] ticks/AAPL: parts 5 -> 1, 5 duplicates removed");
    assertThat(run("read", "ticks/AAPL").out()).isEqualTo(before);
    assertThat(visibleParts()).isEqualTo(1);
    assertThat(run("info", "ticks/AAPL").out()).contains("(5 duplicates removed)");

    CliTest.Run keep = run("vacuum", "ticks");
    assertThat(keep.out()).contains("deleted 0 files").contains("5 replaced parts kept");
    CliTest.Run v = run("vacuum", "--retention", "0s");
    assertThat(v.code()).as(v.err()).isZero();
    assertThat(v.out()).contains("vacuum of the store: 1 items, deleted 5 files");
    assertThat(run("read", "ticks/AAPL").out()).isEqualTo(before);
  }

  @Test
  void badArgumentsSayWhatIsExpected() throws Exception {
    appendParts(1);
    CliTest.Run r = run("vacuum", "--retention", "7 days");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("0s, 30m, 7d");
    CliTest.Run m = run("compact", "nope/item");
    assertThat(m.code()).isEqualTo(1);
    assertThat(m.err()).contains("nope");
    CliTest.Run t = run("compact", "ticks", "--min-parts", "1");
    assertThat(t.code()).isEqualTo(2); // a bad option value is bad usage, as everywhere
    assertThat(t.err()).contains("min parts must be at least 2");
  }
}
