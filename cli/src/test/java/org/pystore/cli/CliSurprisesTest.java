package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What surprised a new user of the command, each fixed and kept fixed (issue 16). */
class CliSurprisesTest {
  @TempDir Path dir;
  private final CliTest cli = new CliTest();

  @BeforeEach
  void setUp() {
    cli.dir = dir;
  }

  private CliTest.Run run(String... args) {
    return cli.run(args);
  }

  private Path csv(String content) throws Exception {
    return Files.writeString(dir.resolve("in-" + System.nanoTime() + ".csv"), content);
  }

  private static final String THREE_DAYS =
      "ts,sym,price\n"
          + "2024-01-02T10:00:00Z,A,1\n"
          + "2024-01-03T00:00:00Z,A,2\n"
          + "2024-01-03T23:59:59.999999999Z,A,3\n"
          + "2024-01-04T00:00:00Z,A,4\n";

  @Test
  void aMistypedStoreIsNotCreatedByCommandsThatOnlyLook() throws Exception {
    for (String[] cmd :
        new String[][] {
          {"collections"},
          {"items", "ticks"},
          {"read", "ticks/A"},
          {"vacuum", "--dry-run"},
          {"import", "--dry-run"},
          {"verify"},
          {"snapshot", "list", "ticks"}
        }) {
      CliTest.Run r = run(cmd);
      assertThat(r.code()).as(String.join(" ", cmd)).isEqualTo(1);
      assertThat(r.err())
          .as(String.join(" ", cmd))
          .contains("store " + dir.resolve("store").toAbsolutePath() + " does not exist");
      assertThat(dir.resolve("store")).as(String.join(" ", cmd)).doesNotExist();
    }
    // writing an item creates the store
    assertThat(run("write", "ticks/A", "--csv", csv(THREE_DAYS).toString()).code()).isZero();
    assertThat(dir.resolve("store/pystore_metadata.json")).exists();
  }

  @Test
  void helpWorksOnEverySubcommandAndListsTheDemo() {
    for (String[] cmd :
        new String[][] {
          {"read", "--help"},
          {"help", "read"},
          {"snapshot", "-h"},
          {"history", "--help"},
          {"compact", "--help"},
          {"import", "-h"}
        }) {
      CliTest.Run r = run(cmd);
      assertThat(r.code()).as(String.join(" ", cmd)).isZero();
      assertThat(r.out()).as(String.join(" ", cmd)).startsWith("Usage: pystore ");
    }
    assertThat(run("--help").out()).contains("  demo ").contains("  help ");
  }

  @Test
  void aDateAsTheUpperBoundMeansTheWholeDayAsInPandas() throws Exception {
    run("write", "ticks/A", "--csv", csv(THREE_DAYS).toString());
    CliTest.Run day = run("read", "ticks/A", "--from", "2024-01-03", "--to", "2024-01-03");
    assertThat(day.code()).as(day.err()).isZero();
    assertThat(day.out().lines().skip(1))
        .containsExactly("2024-01-03T00:00:00Z,A,2", "2024-01-03T23:59:59.999999999Z,A,3");
    assertThat(run("read", "ticks/A", "--to", "2024-01").out().lines()).hasSize(5);
    assertThat(run("read", "ticks/A", "--to", "2024-01-03T00").out().lines().skip(1))
        .containsExactly("2024-01-02T10:00:00Z,A,1", "2024-01-03T00:00:00Z,A,2");
    // a full timestamp stays that instant
    assertThat(run("read", "ticks/A", "--to", "2024-01-03T00:00:00Z").out().lines()).hasSize(3);
    CliTest.Run backwards = run("read", "ticks/A", "--from", "2024-01-04", "--to", "2024-01-03");
    assertThat(backwards.code()).isEqualTo(2);
    assertThat(backwards.err()).contains("invalid value for --to: 2024-01-03 is before --from");
  }

  @Test
  void storeOwnMetadataKeysAreRefusedByWriteToo() throws Exception {
    CliTest.Run w =
        run("write", "ticks/A", "--csv", csv(THREE_DAYS).toString(), "--metadata", "_updated=x");
    assertThat(w.code()).isEqualTo(1);
    assertThat(w.err()).contains("'_updated' is refused");
    assertThat(run("items", "ticks").code()).isEqualTo(1); // nothing was written
  }

  @Test
  void aSnapshotReadsAfterItsItemIsDeleted() throws Exception {
    run("write", "ticks/TSLA", "--csv", csv(THREE_DAYS).toString());
    run("write", "ticks/KEEP", "--csv", csv(THREE_DAYS).toString());
    String before = run("read", "ticks/TSLA").out();
    assertThat(run("snapshot", "create", "ticks", "pin").code()).isZero();
    assertThat(run("delete", "ticks/TSLA").code()).isZero();
    CliTest.Run r = run("read", "ticks/TSLA", "--snapshot", "pin");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(before);
  }

  @Test
  void aVacuumedVersionSaysSoAndWhichAreReadable() throws Exception {
    Path in = csv(THREE_DAYS);
    run("write", "ticks/A", "--csv", in.toString());
    run("append", "ticks/A", "--csv", in.toString());
    run("write", "ticks/A", "--csv", in.toString(), "--overwrite");
    assertThat(run("vacuum", "--retention", "0s").code()).isZero();
    CliTest.Run r = run("read", "ticks/A", "--version", "0");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("version 0 of 'ticks/A' was vacuumed")
        .contains("only version 2 is readable")
        .doesNotContain("backup");
    assertThat(run("history", "ticks/A").out().lines())
        .satisfiesExactly(
            l -> assertThat(l).startsWith("0 create").endsWith("readable=false"),
            l -> assertThat(l).startsWith("1 append").endsWith("readable=false"),
            l -> assertThat(l).startsWith("2 overwrite").endsWith("readable=true"));
  }

  @Test
  void aSnapshotKeepsItsVersionReadableThroughVacuum() throws Exception {
    Path in = csv(THREE_DAYS);
    run("write", "ticks/A", "--csv", in.toString());
    String v0 = run("read", "ticks/A").out();
    run("snapshot", "create", "ticks", "keep");
    run("write", "ticks/A", "--csv", in.toString(), "--overwrite");
    assertThat(run("vacuum", "--retention", "0s").code()).isZero();
    assertThat(run("read", "ticks/A", "--version", "0").out()).isEqualTo(v0);
    assertThat(run("read", "ticks/A", "--snapshot", "keep").out()).isEqualTo(v0);
  }

  @Test
  void badOptionValuesExitTwoEverywhereWithOneLine() throws Exception {
    run("write", "ticks/A", "--csv", csv(THREE_DAYS).toString());
    for (String[] cmd :
        new String[][] {
          {"read", "ticks/A", "--version", "-1"},
          {"read", "ticks/A", "--limit", "-1"},
          {"read", "ticks/A", "--from", "yesterday"},
          {"read", "ticks/A", "--where", "price"},
          {"compact", "ticks", "--threads", "0"},
          {"compact", "ticks", "--target-bytes", "10"},
          {"import", "--epoch-unit", "hours"}
        }) {
      CliTest.Run r = run(cmd);
      assertThat(r.code()).as(String.join(" ", cmd)).isEqualTo(2);
      assertThat(r.err().lines())
          .as(String.join(" ", cmd))
          .hasSize(2)
          .first()
          .asString()
          .startsWith("pystore: invalid value for " + cmd[cmd.length - 2]);
    }
  }

  @Test
  void mistypedCommandsOptionsAndItemsGetASuggestion() throws Exception {
    run("write", "ticks/AAPL", "--csv", csv(THREE_DAYS).toString());
    assertThat(run("raed", "ticks/AAPL").err()).contains("Did you mean 'pystore read'?");
    assertThat(run("read", "ticks/AAPL", "--lmit", "1").err()).contains("Did you mean '--limit'?");
    CliTest.Run item = run("read", "ticks/aapl");
    assertThat(item.code()).isEqualTo(1);
    assertThat(item.err()).contains("did you mean 'ticks/AAPL'?");
    // no store: the one line that matters, not the whole usage text
    CliTest.Run noStore = cli.runWithoutStore("items", "ticks");
    assertThat(noStore.code()).isEqualTo(2);
    assertThat(noStore.err().lines()).hasSize(2).first().asString().contains("--store");
  }

  @Test
  void columnsAreTrimmedAndUnchangedMetadataCommitsNothing() throws Exception {
    run("write", "ticks/A", "--csv", csv(THREE_DAYS).toString(), "--metadata", "src=x");
    assertThat(run("read", "ticks/A", "--columns", "price, sym", "--limit", "1").out())
        .isEqualTo("ts,sym,price\n2024-01-02T10:00:00Z,A,1\n"); // " sym" would be no column
    assertThat(run("metadata", "ticks/A", "--set", "src=x").code()).isZero();
    assertThat(run("history", "ticks/A").out().lines()).hasSize(1);
  }

  @Test
  void aDryRunImportOfADamagedFileSaysWhatToDo() throws Exception {
    Files.createDirectories(dir.resolve("store/stocks/BAD"));
    Files.writeString(dir.resolve("store/stocks/BAD/part.0.parquet"), "not parquet at all");
    CliTest.Run r = run("import", "stocks/BAD", "--dry-run");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err())
        .contains("part.0.parquet is not a readable Parquet file")
        .contains("fix or remove that file")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void listingsSpeakJsonAndItemsLongShowsRowsRangeAndVersion() throws Exception {
    run("write", "ticks/A", "--csv", csv(THREE_DAYS).toString());
    run("snapshot", "create", "ticks", "s1");
    assertThat(org.pystore.store.log.Json.MAPPER.readTree(run("collections", "--json").out()))
        .hasSize(1);
    assertThat(run("collections", "--json").out()).contains("\"ticks\"");
    assertThat(run("items", "ticks", "--json").out()).contains("\"A\"");
    assertThat(run("items", "ticks", "--long").out())
        .isEqualTo("A rows=4 first=2024-01-02T10:00:00Z last=2024-01-04T00:00:00Z version=0\n");
    com.fasterxml.jackson.databind.JsonNode history =
        org.pystore.store.log.Json.MAPPER.readTree(run("history", "ticks/A", "--json").out());
    assertThat(history.get(0).get("operation").asText()).isEqualTo("create");
    assertThat(history.get(0).get("readable").asBoolean()).isTrue();
    com.fasterxml.jackson.databind.JsonNode snaps =
        org.pystore.store.log.Json.MAPPER.readTree(
            run("snapshot", "list", "ticks", "--json").out());
    assertThat(snaps.get(0).get("name").asText()).isEqualTo("s1");
    assertThat(snaps.get(0).get("versions").get("A").asLong()).isZero();
  }

  @Test
  void aMissingCollectionIsSaidAlikeAndPyStoreItemsAreNamed() throws Exception {
    assertThat(run("write", "ticks/A", "--csv", csv(THREE_DAYS).toString()).code()).isZero();
    CliTest.Run items = run("items", "nope");
    CliTest.Run snaps = run("snapshot", "list", "nope");
    assertThat(items.code()).isEqualTo(1);
    assertThat(snaps.code()).isEqualTo(1);
    assertThat(snaps.err()).isEqualTo(items.err());
    // a PyStore item copied in, not imported: named on stderr, stdout stays the item list
    Path part;
    try (java.util.stream.Stream<Path> s = Files.list(dir.resolve("store/ticks/A"))) {
      part = s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Files.createDirectories(dir.resolve("store/ticks/OLD"));
    Files.copy(part, dir.resolve("store/ticks/OLD/part.0.parquet"));
    CliTest.Run r = run("items", "ticks");
    assertThat(r.out()).isEqualTo("A\n");
    assertThat(r.err())
        .contains("not imported yet, not listed: OLD")
        .contains("pystore import ticks");
  }

  @Test
  void badCsvIsDescribedInTheFilesTermsNotTheParsers() throws Exception {
    CliTest.Run open =
        run("write", "t/A", "--csv", csv("ts,p\n2024-01-02T00:00:00Z,\"1.5\n").toString());
    assertThat(open.code()).isEqualTo(1);
    assertThat(open.err())
        .contains("line 2: a quoted cell starting there is never closed")
        .doesNotContain("org.apache")
        .doesNotContain("encapsulated");
    CliTest.Run after =
        run("write", "t/A", "--csv", csv("ts,p\n2024-01-02T00:00:00Z,\"1\"x\n").toString());
    assertThat(after.code()).isEqualTo(1);
    assertThat(after.err())
        .contains("line 2: text follows a quoted cell before the next comma")
        .doesNotContain("encapsulated");
    CliTest.Run twice =
        run("write", "t/A", "--csv", csv("ts,p,p\n2024-01-02T00:00:00Z,1,2\n").toString());
    assertThat(twice.code()).isEqualTo(1);
    assertThat(twice.err())
        .startsWith("pystore: ")
        .contains("names column 'p' twice")
        .hasLineCount(1);
    assertThat(dir.resolve("store/t/A")).doesNotExist();
  }
}
