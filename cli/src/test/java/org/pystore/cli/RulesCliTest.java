package org.pystore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pystore rules}: set, show and clear rules; every writing command enforces them. */
class RulesCliTest {
  @TempDir Path dir;

  CliTest.Run run(String... args) {
    CliTest cli = new CliTest();
    cli.dir = dir;
    return cli.run(args);
  }

  Path csv(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  static final String GOOD =
      "ts,venue,price\n2024-01-02T09:30:00Z,XNAS,10\n2024-01-02T09:31:00Z,XNYS,11\n";
  static final String BAD =
      "ts,venue,price\n2024-01-02T10:30:00Z,XNAS,12\n2024-01-02T10:31:00Z,BATS,-1\n";

  @Test
  void rulesAreSetShownAndEnforcedByEveryWritingCommand() throws Exception {
    assertThat(run("write", "ticks/AAPL", "--csv", csv("good.csv", GOOD).toString()).code())
        .isZero();
    CliTest.Run set =
        run("rules", "ticks/AAPL", "--set", "range=price:0..", "--set", "allowed=venue:XNAS|XNYS");
    assertThat(set.code()).as(set.err()).isZero();
    assertThat(set.out()).isEqualTo("range=price:0..\nallowed=venue:XNAS|XNYS\n");
    // replacing a rule of the same kind and column
    assertThat(run("rules", "ticks/AAPL", "--set", "range=price:1..").out())
        .isEqualTo("allowed=venue:XNAS|XNYS\nrange=price:1..\n");
    assertThat(run("rules", "ticks", "--set", "not-null=price").code()).isZero();
    assertThat(run("rules", "ticks/AAPL").out())
        .isEqualTo(
            "not-null=price  (of collection ticks)\nallowed=venue:XNAS|XNYS\nrange=price:1..\n");
    assertThat(run("info", "ticks/AAPL").out())
        .contains(
            "rules:     not-null=price (collection), allowed=venue:XNAS|XNYS, range=price:1..");
    assertThat(run("rules", "ticks/AAPL", "--json").out())
        .contains("\"collection\" : [ \"not-null=price\" ]");

    Path bad = csv("bad.csv", BAD);
    CliTest.Run append = run("append", "ticks/AAPL", "--csv", bad.toString());
    assertThat(append.code()).isEqualTo(1);
    assertThat(append.err())
        .contains("rule allowed=venue:XNAS|XNYS of 'ticks/AAPL' refuses row 2 of 2")
        .contains("column venue")
        .contains("nothing was written");
    assertThat(run("read", "ticks/AAPL").out().lines().count()).isEqualTo(3);
    Path ops =
        Files.writeString(
            dir.resolve("ops.jsonl"),
            "{\"op\":\"append\",\"item\":\"AAPL\",\"csv\":\"bad.csv\"}\n");
    CliTest.Run apply = run("apply", "ticks", ops.toString());
    assertThat(apply.code()).isEqualTo(1);
    assertThat(apply.err()).contains("line 1 of").contains("rule allowed=venue");
    // the collection's rule holds for a new item too
    CliTest.Run write =
        run(
            "write",
            "ticks/MSFT",
            "--csv",
            csv("nulls.csv", "ts,price\n2024-01-02T09:30:00Z,\n").toString());
    assertThat(write.code()).isEqualTo(1);
    assertThat(write.err()).contains("rule not-null=price of 'ticks/MSFT'");

    assertThat(run("rules", "ticks/AAPL", "--clear").out())
        .isEqualTo("not-null=price  (of collection ticks)\n");
    assertThat(run("rules", "ticks", "--clear").out()).isEqualTo("no rules for ticks\n");
    assertThat(run("append", "ticks/AAPL", "--csv", bad.toString()).code()).isZero();
  }

  @Test
  void aBadRuleIsUsageAndARuleThatCannotApplyIsAUserError() throws Exception {
    assertThat(run("write", "ticks/AAPL", "--csv", csv("good.csv", GOOD).toString()).code())
        .isZero();
    CliTest.Run bad = run("rules", "ticks/AAPL", "--set", "range=price:5..1");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("invalid value for --set").contains("minimum above its maximum");
    CliTest.Run unknown = run("rules", "ticks/AAPL", "--set", "unique=price");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown rule kind 'unique'");
    CliTest.Run type = run("rules", "ticks/AAPL", "--set", "range=venue:0..1");
    assertThat(type.code()).isEqualTo(1);
    assertThat(type.err()).contains("cannot apply to column 'venue'");
    CliTest.Run missing = run("rules", "ticks/NOPE", "--set", "finite=price");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(run("rules", "ticks/AAPL").out()).isEqualTo("no rules for ticks/AAPL\n");
  }

  @Test
  void importIsHeldToTheCollectionsRules() throws Exception {
    Path store = dir.resolve("store");
    ImportCliTest.pyStoreItem(store.resolve("stocks/AAPL"));
    Files.writeString(
        store.resolve("stocks/_rules.json"),
        "{\"format\":1,\"rules\":[{\"kind\":\"range\",\"column\":\"close\",\"argument\":\"..0\"}],"
            + "\"updated\":0}");
    CliTest.Run r = run("import", "stocks/AAPL");
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out() + r.err()).contains("rule range=close:..0");
    assertThat(store.resolve("stocks/AAPL/_log")).doesNotExist();
  }
}
