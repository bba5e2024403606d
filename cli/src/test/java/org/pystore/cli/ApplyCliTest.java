package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pystore.store.Store;

/** {@code pystore apply}: a file of operations as one transaction, all or nothing. */
class ApplyCliTest {
  @TempDir Path dir;

  CliTest.Run run(String... args) {
    CliTest cli = new CliTest();
    cli.dir = dir;
    return cli.run(args);
  }

  Path file(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  static String csv(int from, int n, double price) {
    StringBuilder sb = new StringBuilder("ts,price\n");
    for (int i = from; i < from + n; i++) {
      sb.append(String.format("2024-01-02T09:%02d:00Z,%s%n", i, price));
    }
    return sb.toString();
  }

  /** Rows of an item, -1 when it does not exist. */
  int rows(String item) {
    CliTest.Run r = run("read", item);
    if (r.code() != 0) {
      return -1;
    }
    return (int) r.out().lines().count() - 1;
  }

  @BeforeEach
  void seed() throws Exception {
    for (String item : List.of("AAPL", "MSFT", "OLD")) {
      CliTest.Run w =
          run("write", "ticks/" + item, "--csv", file(item + ".csv", csv(0, 5, 1.0)).toString());
      assertThat(w.code()).as(w.err()).isZero();
    }
  }

  @Test
  void appliesEveryOperationAsOneTransaction() throws Exception {
    file("ops/new.csv", csv(10, 3, 2.0));
    file("ops/more.csv", csv(20, 4, 2.0));
    Path ops =
        file(
            "ops/day.jsonl",
            "# the close of 2024-01-02\n"
                + "{\"op\":\"write\",\"item\":\"MSFT\",\"csv\":\"new.csv\",\"overwrite\":true,"
                + "\"dedupe\":\"none\",\"metadata\":{\"source\":\"eod\",\"n\":3}}\n"
                + "\n"
                + "{\"op\":\"append\",\"item\":\"AAPL\",\"csv\":\"more.csv\"}\n"
                + "{\"op\":\"write\",\"item\":\"NEW\",\"csv\":\"new.csv\",\"key\":[\"price\"]}\n"
                + "{\"op\":\"append\",\"item\":\"NEW\",\"csv\":\"more.csv\"}\n"
                + "{\"op\":\"delete\",\"item\":\"OLD\"}\n");
    CliTest.Run r = run("apply", "ticks", ops.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("applied 5 operations to ticks as transaction ");
    assertThat(r.out()).contains("ticks/AAPL version 1").contains("ticks/NEW version 0");
    assertThat(rows("ticks/AAPL")).isEqualTo(9);
    assertThat(rows("ticks/MSFT")).isEqualTo(3);
    assertThat(rows("ticks/NEW")).isEqualTo(7);
    assertThat(rows("ticks/OLD")).isEqualTo(-1);
    Store store = Store.open(dir.resolve("store"));
    assertThat(store.item("ticks", "MSFT").metadata()).containsEntry("source", "eod");
    assertThat(store.item("ticks", "MSFT").metadata()).containsEntry("n", 3);
    assertThat(store.item("ticks", "MSFT").state().options().dedupe().name()).isEqualTo("NONE");
    assertThat(store.item("ticks", "NEW").state().options().keyColumns()).containsExactly("price");
  }

  @Test
  void anyFailingLineChangesNothingAndIsNamed() throws Exception {
    file("ops/more.csv", csv(20, 4, 2.0));
    file("ops/bad.csv", "ts,price\n2024-01-02T09:00:00Z,not-a-number\n");
    String good = "{\"op\":\"append\",\"item\":\"AAPL\",\"csv\":\"more.csv\"}\n";
    String[][] cases = {
      {"{\"op\":\"append\",\"item\":\"NOPE\",\"csv\":\"more.csv\"}", "line 2", "NOPE"},
      {"{\"op\":\"append\",\"item\":\"MSFT\",\"csv\":\"bad.csv\"}", "line 2", "not-a-number"},
      {"{\"op\":\"append\",\"item\":\"MSFT\",\"csv\":\"gone.csv\"}", "line 2", "does not exist"},
      {"{\"op\":\"write\",\"item\":\"MSFT\",\"csv\":\"more.csv\"}", "line 2", "exists"},
      {"{\"op\":\"upsert\",\"item\":\"MSFT\"}", "line 2", "unknown op \"upsert\""},
      {
        "{\"op\":\"append\",\"item\":\"MSFT\",\"csv\":\"more.csv\",\"dedupe\":\"x\"}",
        "line 2",
        "\"dedupe\" is not a field of append"
      },
      {
        "{\"op\":\"write\",\"item\":\"X\",\"csv\":\"more.csv\",\"bucket\":\"week\"}",
        "line 2",
        "\"bucket\" must be one of day, hour, month, none"
      },
      {"{\"op\":\"delete\"}", "line 2", "no \"item\""},
      {
        "{\"op\":\"write\",\"item\":\"AAPL\",\"csv\":\"more.csv\",\"overwrite\":true}",
        "line 2",
        "already has an append in this transaction"
      },
      {"not json", "line 2", "not a JSON object"},
      {"{\"op\":\"delete\",\"item\":\"../x\"}", "line 2", "'../x'"},
    };
    for (String[] c : cases) {
      Path ops = file("ops/fail.jsonl", good + c[0] + "\n{\"op\":\"delete\",\"item\":\"OLD\"}\n");
      CliTest.Run r = run("apply", "ticks", ops.toString());
      assertThat(r.code()).as(c[0] + ": " + r.err()).isEqualTo(1);
      assertThat(r.err()).as(c[0]).contains(c[1]).contains(c[2]).contains("nothing was changed");
      assertThat(rows("ticks/AAPL")).as(c[0]).isEqualTo(5);
      assertThat(rows("ticks/OLD")).as(c[0]).isEqualTo(5);
      assertThat(rows("ticks/X")).isEqualTo(-1);
    }
    // and nothing was left behind for plain Parquet readers
    try (var s = Files.list(dir.resolve("store/ticks/AAPL"))) {
      assertThat(s.filter(p -> p.toString().endsWith(".parquet")).count()).isEqualTo(1);
    }
    try (var s = Files.list(dir.resolve("store/ticks/AAPL/_staging"))) {
      assertThat(s.count()).isZero();
    }
  }

  @Test
  void aMissingFileOrCollectionIsAOneLineError() throws Exception {
    CliTest.Run r = run("apply", "ticks", dir.resolve("none.jsonl").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("none.jsonl does not exist");
    Path empty = file("empty.jsonl", "# nothing yet\n\n");
    CliTest.Run e = run("apply", "ticks", empty.toString());
    assertThat(e.code()).isZero();
    assertThat(e.out()).contains("holds no operations; nothing was changed");
    CliTest.Run bad = run("apply", "_private", empty.toString());
    assertThat(bad.code()).isEqualTo(2);
  }
}
