package org.pystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pystore.store.storage.FileInfo;
import org.pystore.store.storage.Storage;

/**
 * Validation rules: each kind refuses what breaks it with a message naming the rule, the column and
 * the first offending row, and then nothing is written; rules live in the store, so every writer
 * and every handle enforces them.
 */
class ValidationTest {
  @TempDir Path root;

  static final Schema SCHEMA =
      SchemaBuilder.record("Quote")
          .fields()
          .name("ts")
          .type(IndexUnit.NANOS.schema())
          .noDefault()
          .optionalString("venue")
          .requiredDouble("bid")
          .requiredDouble("price")
          .endRecord();

  static GenericRecord quote(long second, String venue, double bid, double price) {
    GenericData.Record r = new GenericData.Record(SCHEMA);
    r.put("ts", Ticks.T0 + second * 1_000_000_000L);
    r.put("venue", venue);
    r.put("bid", bid);
    r.put("price", price);
    return r;
  }

  /** Ten good quotes from second {@code from}. */
  static List<GenericRecord> good(long from) {
    List<GenericRecord> out = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      out.add(quote(from + i, "XNAS", 99, 100 + i));
    }
    return out;
  }

  /** A good batch from second 100 with row 4 (the fifth) replaced. */
  static List<GenericRecord> withBadRow(GenericRecord bad) {
    List<GenericRecord> rows = new ArrayList<>(good(100));
    rows.set(4, bad);
    return rows;
  }

  /** A custom rule: the price must be above the bid (by at least the argument, default 0). */
  public static final class AboveBid implements Validator {
    @Override
    public String name() {
      return "above-bid";
    }

    @Override
    public Violation validate(List<? extends GenericRecord> rows, String argument) {
      double margin = argument == null ? 0 : Double.parseDouble(argument);
      for (int i = 0; i < rows.size(); i++) {
        double bid = (Double) rows.get(i).get("bid");
        double price = (Double) rows.get(i).get("price");
        if (price <= bid + margin) {
          return new Violation(i, "price", "price " + price + " is not above bid " + bid);
        }
      }
      return null;
    }
  }

  static Stream<Arguments> violations() {
    return Stream.of(
        Arguments.of("not-null=venue", quote(104, null, 99, 104), "its venue is null"),
        Arguments.of("range=price:0..1000", quote(104, "XNAS", 99, -5), "its price is -5.0"),
        Arguments.of("range=price:..1000", quote(104, "XNAS", 99, 1e9), "its price is 1.0E9"),
        Arguments.of("finite=price", quote(104, "XNAS", 99, Double.NaN), "its price is NaN"),
        Arguments.of(
            "allowed=venue:XNAS|XNYS",
            quote(104, "BATS", 99, 104),
            "'BATS', not one of [XNAS, XNYS]"),
        Arguments.of(
            "increasing-index", quote(102, "XNAS", 99, 104), "is not after the row before it"),
        Arguments.of("max-lateness=1m", quote(-100, "XNAS", 99, 104), "by more than 1m"),
        Arguments.of("custom=above-bid", quote(104, "XNAS", 99, 98), "price 98.0 is not above bid"),
        Arguments.of(
            "custom=above-bid:0.5", quote(104, "XNAS", 99, 99.4), "price 99.4 is not above"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void aBatchBreakingARuleIsRefusedWholeNamingTheRuleColumnAndRow(
      String rule, GenericRecord bad, String problem) throws Exception {
    Item item = TestStores.open(root).item("q", "AAPL");
    item.write(SCHEMA, good(0), ItemOptions.defaults(), null, false);
    item.setRules(List.of(Rule.parse(rule)));
    long version = item.state().version();

    Item other = TestStores.open(root).item("q", "AAPL"); // another writer: the rule is stored
    assertThatThrownBy(() -> other.append(withBadRow(bad)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("rule " + Rule.parse(rule))
        .hasMessageContaining("row 5 of 10")
        .hasMessageContaining(problem)
        .hasMessageContaining("nothing was written");
    assertThat(other.state().version()).isEqualTo(version);
    assertThat(Ticks.readAll(other)).hasSize(10);
    assertThat(staged(other)).isEmpty();
    // the same rows without the bad one pass
    other.append(good(100));
    assertThat(Ticks.readAll(other)).hasSize(20);
  }

  @Test
  void theMessageNamesTheColumnAndTheRowsIndexTime() {
    Item item = TestStores.open(root).item("q", "AAPL");
    item.write(SCHEMA, good(0), ItemOptions.defaults(), null, false);
    item.setRules(List.of(Rule.parse("range=price:0..1000")));
    assertThatThrownBy(() -> item.append(withBadRow(quote(104, "XNAS", 99, -5))))
        .hasMessage(
            "rule range=price:0..1000 of 'q/AAPL' refuses row 5 of 10 (ts 2024-01-02T00:01:44Z),"
                + " column price: its price is -5.0; nothing was written (see the rules with"
                + " 'pystore rules q/AAPL')");
  }

  @Test
  void requiredRefusesRowsWithoutTheColumn() {
    Item item = TestStores.open(root).item("q", "T");
    item.write(Ticks.SCHEMA, Ticks.series(3, 0), ItemOptions.defaults(), null, false);
    TestStores.open(root).collection("q").setRules(List.of(Rule.parse("required=venue")));
    // a handle opened since enforces it at once; one that read the rules before, within seconds
    Item writer = TestStores.open(root).item("q", "T");
    assertThatThrownBy(() -> writer.append(Ticks.series(3, 10)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("the rows have no column 'venue'");
  }

  @Test
  void collectionRulesHoldForEveryItemAndItemRulesAddToThem() {
    Store store = TestStores.open(root);
    store.item("q", "AAPL").write(SCHEMA, good(0), ItemOptions.defaults(), null, false);
    PyCollection q = store.collection("q");
    q.setRules(List.of(Rule.parse("finite=price")));
    assertThat(TestStores.open(root).collection("q").rules())
        .containsExactly(Rule.parse("finite=price"));
    // a new item, written by another handle, is held to them from its first write
    Item msft = TestStores.open(root).item("q", "MSFT");
    assertThatThrownBy(
            () ->
                msft.write(
                    SCHEMA,
                    withBadRow(quote(104, "XNAS", 99, Double.POSITIVE_INFINITY)),
                    ItemOptions.defaults(),
                    null,
                    false))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("rule finite=price of 'q/MSFT'");
    assertThat(msft.exists()).isFalse();
    Item aapl = store.item("q", "AAPL");
    aapl.setRules(List.of(Rule.parse("not-null=venue")));
    assertThatThrownBy(() -> aapl.append(withBadRow(quote(104, null, 99, 1))))
        .hasMessageContaining("not-null=venue");
    assertThatThrownBy(() -> aapl.append(withBadRow(quote(104, "X", 99, Double.NaN))))
        .hasMessageContaining("finite=price");
    // an overwrite keeps the item's rules
    aapl.write(SCHEMA, good(0), ItemOptions.defaults(), null, true);
    assertThat(aapl.state().rules()).containsExactly(Rule.parse("not-null=venue"));
    q.setRules(List.of());
    aapl.append(withBadRow(quote(104, "X", 99, Double.NaN)));
  }

  @Test
  void rulesAreCommitsThatSurviveCheckpointsAndShowInHistory() {
    Store store =
        TestStores.open(root, StoreOptions.defaults().withCheckpointInterval(1).withFsync(false));
    Item item = store.item("q", "AAPL");
    item.write(SCHEMA, good(0), ItemOptions.defaults(), null, false);
    List<Rule> rules = List.of(Rule.parse("range=price:0.."), Rule.parse("increasing-index"));
    long v = item.setRules(rules);
    assertThat(item.setRules(rules)).as("unchanged: no commit").isEqualTo(v);
    item.append(good(100));
    Item fresh = TestStores.open(root).item("q", "AAPL"); // replays from a checkpoint
    assertThat(fresh.state().rules()).isEqualTo(rules);
    assertThat(fresh.history().get(1).operation()).isEqualTo("rules");
    assertThat(fresh.state(0).rules()).isEmpty();
  }

  @Test
  void aRuleThatCannotApplyIsRefusedWhenSet() {
    Item item = TestStores.open(root).item("q", "AAPL");
    item.write(SCHEMA, good(0), ItemOptions.defaults(), null, false);
    assertThatThrownBy(() -> item.setRules(List.of(Rule.parse("range=venue:0..1"))))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageContaining("cannot apply to column 'venue'");
    assertThatThrownBy(() -> item.setRules(List.of(Rule.parse("not-null=nope"))))
        .hasMessageContaining("does not have; its columns are [ts, venue, bid, price]");
    assertThatThrownBy(() -> item.setRules(List.of(Rule.parse("custom=no-such"))))
        .hasMessageContaining("not on this writer's classpath (found: [above-bid])");
    assertThatThrownBy(() -> Rule.parse("range=price:5..1")).hasMessageContaining("minimum above");
    assertThatThrownBy(() -> Rule.parse("range=price")).hasMessageContaining("needs bounds");
    assertThatThrownBy(() -> Rule.parse("max-lateness=soon")).hasMessageContaining("like 30s");
    assertThatThrownBy(() -> Rule.parse("unique=price")).hasMessageContaining("unknown rule kind");
    assertThat(item.state().rules()).isEmpty();
    // the text form reads back
    for (String t :
        List.of(
            "required=a",
            "not-null=a",
            "range=a:-1.5..2",
            "finite=a",
            "allowed=a:x|y",
            "max-lateness=2h",
            "increasing-index",
            "custom=above-bid:1")) {
      assertThat(Rule.parse(t).toString()).isEqualTo(t);
    }
  }

  @Test
  void aRuleSetWhileAWriteIsStagedIsCheckedAtItsCommit() throws Exception {
    Store store = TestStores.open(root);
    store.item("q", "AAPL").write(SCHEMA, good(0), ItemOptions.defaults(), null, false);
    Item setter = TestStores.open(root).item("q", "AAPL");
    boolean[] once = {true};
    Store racing =
        TestStores.open(
            root,
            StoreOptions.defaults()
                .withHook(
                    (step, label) -> {
                      if (step == CommitStep.PARTS_STAGED && once[0]) {
                        once[0] = false;
                        setter.setRules(List.of(Rule.parse("not-null=venue")));
                      }
                    }));
    Item item = racing.item("q", "AAPL");
    assertThatThrownBy(() -> item.append(withBadRow(quote(104, null, 99, 1))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("not-null=venue");
    assertThat(Ticks.readAll(item)).hasSize(10);
    assertThat(staged(item)).isEmpty();
  }

  @Test
  void transactionsAreHeldToTheRulesOfEveryItemTheyChange() {
    Store store = TestStores.open(root);
    for (String n : List.of("AAPL", "MSFT")) {
      store.item("q", n).write(SCHEMA, good(0), ItemOptions.defaults(), null, false);
    }
    store.item("q", "MSFT").setRules(List.of(Rule.parse("range=price:0..")));
    PyCollection q = TestStores.open(root).collection("q");
    try (Transaction tx = q.transaction()) {
      tx.append("AAPL", good(100));
      assertThatThrownBy(() -> tx.append("MSFT", withBadRow(quote(104, "X", 99, -1))))
          .isInstanceOf(ValidationException.class)
          .hasMessageContaining("of 'q/MSFT'");
    }
    // a rule set between staging and commit is checked at the commit
    Transaction tx = q.transaction().append("AAPL", withBadRow(quote(104, null, 99, 1)));
    store.item("q", "AAPL").setRules(List.of(Rule.parse("not-null=venue")));
    assertThatThrownBy(tx::commit).isInstanceOf(ValidationException.class);
    assertThat(Ticks.readAll(q.item("AAPL"))).hasSize(10);
    assertThat(Ticks.readAll(q.item("MSFT"))).hasSize(10);
  }

  private static List<String> staged(Item item) throws Exception {
    List<String> out = new ArrayList<>();
    for (FileInfo f : item.store().storage().list(Storage.join(item.key(), PartLocator.STAGING))) {
      out.add(f.name());
    }
    return out;
  }

  @Test
  void rowsAlreadyStoredAreNotCheckedWhenARuleArrives() {
    Item item = TestStores.open(root).item("q", "AAPL");
    List<GenericRecord> rows = withBadRow(quote(104, null, 99, 1));
    item.write(SCHEMA, rows, ItemOptions.defaults(), Map.of(), false);
    item.setRules(List.of(Rule.parse("not-null=venue")));
    assertThat(Ticks.readAll(item)).hasSize(10);
  }
}
