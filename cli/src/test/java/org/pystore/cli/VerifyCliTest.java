package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.log.Json;

/** {@code pystore verify}, {@code delete} and the orphan-grace floor as a user types them. */
class VerifyCliTest {
  @TempDir Path dir;

  private final CliTest cli = new CliTest();

  @BeforeEach
  void share() throws Exception {
    cli.dir = dir;
    Path in = cli.csv("t.csv", CliTest.TICKS);
    assertThat(cli.run("write", "ticks/AAPL", "--csv", in.toString()).code()).isZero();
    assertThat(cli.run("append", "ticks/AAPL", "--csv", in.toString()).code()).isZero();
  }

  private Path onePart() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("store/ticks/AAPL"))) {
      return s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
  }

  @Test
  void aCleanStoreExitsZeroAndADamagedPartExitsOneNamingIt() throws Exception {
    CliTest.Run clean = cli.run("verify");
    assertThat(clean.code()).as(clean.err()).isZero();
    assertThat(clean.out()).contains("no problem found").contains("4 parts, 6 rows read");

    Path part = onePart();
    try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0xff);
    }
    CliTest.Run bad = cli.run("verify", "ticks/AAPL");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out())
        .contains("PROBLEM")
        .contains("[part-damaged]")
        .contains("checksum")
        .contains(part.getFileName().toString())
        .contains("restore the part");

    CliTest.Run json = cli.run("verify", "--json");
    assertThat(json.code()).isEqualTo(1);
    var tree = Json.MAPPER.readTree(json.out());
    assertThat(tree.get("clean").asBoolean()).isFalse();
    assertThat(tree.get("problems").get(0).get("kind").asText()).isEqualTo("part-damaged");

    // the compactor refuses to merge the damaged part, and says so
    Path in = cli.csv("u.csv", CliTest.TICKS);
    cli.run("append", "ticks/AAPL", "--csv", in.toString());
    CliTest.Run compact = cli.run("compact", "ticks", "--min-parts", "2");
    assertThat(compact.code()).isEqualTo(1);
    assertThat(compact.err()).contains("fails its check");
  }

  @Test
  void aDeletedItemIsGoneForReadsAndStartsAgainOnWrite() throws Exception {
    assertThat(cli.run("delete", "ticks/AAPL").code()).isZero();
    CliTest.Run read = cli.run("read", "ticks/AAPL");
    assertThat(read.code()).isEqualTo(1);
    assertThat(read.err()).contains("does not exist");
    assertThat(cli.run("items", "ticks").out()).doesNotContain("AAPL");
    Path in = cli.csv("t2.csv", CliTest.TICKS);
    assertThat(cli.run("write", "ticks/AAPL", "--csv", in.toString()).code()).isZero();
    assertThat(cli.run("history", "ticks/AAPL").out()).contains("delete");
    assertThat(cli.run("verify").code()).isZero();
  }

  @Test
  void anOrphanGraceBelowTenMinutesIsBadUsage() {
    CliTest.Run r = cli.run("vacuum", "--orphan-grace", "0s");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("at least 10 minutes");
    assertThat(cli.run("verify", "--orphan-grace", "1m").code()).isEqualTo(2);
  }
}
