package org.pystore.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.pystore.store.InvalidDataException;
import org.pystore.store.Item;
import org.pystore.store.PyCollection;
import org.pystore.store.Rule;
import org.pystore.store.Store;
import org.pystore.store.log.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "rules",
    description = {
      "Show or change the validation rules of a collection or an item: every writer (the sink, this"
          + " command, the Java API, import) checks new rows against them and refuses a batch"
          + " that breaks one, naming the rule, the column and the first offending row.",
      "RULE is required=COL, not-null=COL, range=COL:MIN..MAX, finite=COL, allowed=COL:A|B|C,"
          + " max-lateness=DURATION, increasing-index or custom=NAME[:ARG]; see"
          + " docs/validation.md."
    })
final class RulesCommand implements Callable<Integer> {
  @ParentCommand PyStoreCli top;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COLLECTION[/ITEM]")
  String target;

  @Option(
      names = "--set",
      paramLabel = "RULE",
      description =
          "Add a rule, replacing one of the same kind on the same column (repeatable; one commit).")
  List<String> set = new ArrayList<>();

  @Option(
      names = "--clear",
      description = "Remove every rule first (then --set adds the new ones).")
  boolean clear;

  @Option(names = "--json", description = "Print the rules as JSON.")
  boolean json;

  @Override
  public Integer call() {
    Scope scope = Scope.parse(spec.commandLine(), target);
    List<Rule> adding = new ArrayList<>();
    for (String text : set) {
      try {
        adding.add(Rule.parse(text));
      } catch (InvalidDataException e) {
        throw Usage.bad(spec.commandLine(), "--set", e.getMessage());
      }
    }
    Store store = top.openStore();
    PyCollection c = store.collection(scope.collection());
    Item item = scope.item() == null ? null : store.item(scope.collection(), scope.item());
    List<Rule> current = item == null ? c.rules() : item.state().rules();
    if (clear || !adding.isEmpty()) {
      List<Rule> wanted = new ArrayList<>(clear ? List.of() : current);
      for (Rule r : adding) {
        wanted.removeIf(
            old -> old.kind().equals(r.kind()) && Objects.equals(old.column(), r.column()));
        wanted.add(r);
      }
      if (item == null) {
        if (!c.exists()) {
          throw new UserException(
              "collection '" + scope.collection() + "' does not exist; see 'pystore collections'");
        }
        c.setRules(wanted);
      } else {
        item.setRules(wanted);
      }
    }
    List<Rule> collectionRules = store.collection(scope.collection()).rules();
    List<Rule> own = item == null ? collectionRules : item.state().rules();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("collection", text(collectionRules));
      if (item != null) {
        m.put("item", text(own));
      }
      System.out.println(new String(Json.prettyBytes(m), StandardCharsets.UTF_8));
      return 0;
    }
    if (item != null) {
      for (Rule r : collectionRules) {
        System.out.println(r + "  (of collection " + scope.collection() + ")");
      }
    }
    for (Rule r : own) {
      System.out.println(r);
    }
    if (own.isEmpty() && (item == null || collectionRules.isEmpty())) {
      System.out.println("no rules for " + scope);
    }
    return 0;
  }

  private static List<String> text(List<Rule> rules) {
    List<String> out = new ArrayList<>();
    rules.forEach(r -> out.add(r.toString()));
    return out;
  }
}
